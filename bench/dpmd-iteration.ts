/**
 * What one training update and one behaviour action cost for QVPO, DPMD and SDAC, measured in
 * one interleaved run (each round times every arm in turn, the median round is printed), on a
 * replay buffer of random transitions of a task's dims, at a profile's settings.
 *
 *   npx tsx bench/dpmd-iteration.ts [--profile quick] [--dims hopper] [--iters 10] [--warmup 2]
 *                                   [--actions 20] [--rounds 3]
 *                                   [--arms "qvpo,dpmd,sdac,dpmd[particles=8],sdac[particles=8;reverseSamples=16]"]
 *
 * An arm is an algorithm id with optional settings over the profile's in brackets. DPMD and
 * SDAC update once every `updateEvery` env steps and their policy every 2nd update, so the
 * per-update time is averaged over an even number of updates, and the last column is the cost
 * of a training env step: updates per env step × update + one behaviour action. Prints the CPU
 * model and the load average before and after: timings on a shared machine compare only
 * under the same load, which is why the arms are interleaved.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { algorithm } from '../lib/agents/registry';
import { QvpoAgent } from '../lib/agents/qvpo/agent';
import { qvpoSchema } from '../lib/agents/qvpo/config';
import { RsmAgent } from '../lib/agents/dpmd/agent';
import { specOfDims } from '../lib/agents/qvpo/step-cost';
import { describeBackend, initBackend } from '../lib/backend';
import { describeEngine, initEngine } from '../lib/engine';
import { ProfileName } from '../lib/notebook/params';
import { ReplayBuffer } from '../lib/replay/buffer';
import { Rng } from '../lib/util/rng';
import { cpuMs } from '../lib/util/timer';
import { median } from '../lib/stats';
import { arg, loadAverage, wholeNumber } from './cli';

interface TimedAgent {
  update(buffer: ReplayBuffer, envStep: number, wantStats: boolean): unknown;
  act(obs: ArrayLike<number>, mode: 'behaviour' | 'eval'): Float32Array;
  dispose(): void;
}

interface Arm {
  label: string;
  algo: string;
  settings: Record<string, string>;
}

interface Cost {
  updateMs: number;
  updateCpuMs: number;
  actMs: number;
  actCpuMs: number;
  updatesPerEnvStep: number;
}

/** "dpmd[particles=8;reverseSamples=16]" → { algo: dpmd, settings }. */
function parseArm(text: string): Arm {
  const m = /^([a-z0-9]+)(?:\[(.*)\])?$/.exec(text.trim());
  if (!m) throw new Error(`--arms entry "${text}": expected an algorithm id, optionally with [key=value;...]`);
  const settings: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(';').filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!key || value === undefined) throw new Error(`--arms entry "${text}": "${pair}" is not key=value`);
    settings[key.trim()] = value.trim();
  }
  if (!['qvpo', 'dpmd', 'sdac'].includes(m[1])) throw new Error(`--arms entry "${text}": algorithm must be qvpo, dpmd or sdac`);
  return { label: text.trim(), algo: m[1], settings };
}

function makeAgent(arm: Arm, profile: ProfileName, spec: ReturnType<typeof specOfDims>): { agent: TimedAgent; updateEvery: number } {
  const entry = algorithm(arm.algo);
  const config = entry.schema.make({ ...entry.profileOverrides[profile], ...arm.settings }, arm.label);
  if (arm.algo === 'qvpo') return { agent: new QvpoAgent(spec, qvpoSchema.make(config), 0), updateEvery: 1 };
  return { agent: new RsmAgent(spec, config, 0), updateEvery: Number(config.updateEvery) };
}

function measure(arm: Arm, profile: ProfileName, dims: string, iters: number, warmup: number, actions: number): Cost {
  const spec = specOfDims(dims);
  const { agent, updateEvery } = makeAgent(arm, profile, spec);
  try {
    const rng = new Rng(1);
    const buffer = new ReplayBuffer(5000, spec.obsDim, spec.actDim);
    for (let i = 0; i < 5000; i++) buffer.add(rng.normals(spec.obsDim), rng.uniforms(spec.actDim, -1, 1), rng.normal(), rng.normals(spec.obsDim), rng.uniform() < 0.01);
    for (let i = 0; i < warmup; i++) agent.update(buffer, 100_000, false);
    const t0 = performance.now();
    const c0 = cpuMs();
    for (let i = 0; i < iters; i++) agent.update(buffer, 100_000, false);
    const updateMs = (performance.now() - t0) / iters;
    const updateCpuMs = (cpuMs() - c0) / iters;
    const obs = rng.normals(spec.obsDim);
    for (let i = 0; i < 3; i++) agent.act(obs, 'behaviour');
    const a0 = performance.now();
    const ac0 = cpuMs();
    for (let i = 0; i < actions; i++) agent.act(obs, 'behaviour');
    return { updateMs, updateCpuMs, actMs: (performance.now() - a0) / actions, actCpuMs: (cpuMs() - ac0) / actions, updatesPerEnvStep: 1 / updateEvery };
  } finally {
    agent.dispose();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const profile = arg(argv, '--profile', 'quick') as ProfileName;
  if (!['smoke', 'quick', 'medium', 'paper'].includes(profile)) throw new Error(`--profile must be smoke, quick, medium or paper, got "${profile}"`);
  const dims = arg(argv, '--dims', 'hopper');
  const iters = wholeNumber(argv, '--iters', 10, 2);
  if (iters % 2 !== 0) throw new Error(`--iters must be even (DPMD/SDAC alternate updates with and without a policy step), got ${iters}`);
  const warmup = wholeNumber(argv, '--warmup', 2, 0);
  const actions = wholeNumber(argv, '--actions', 20, 1);
  const rounds = wholeNumber(argv, '--rounds', 3, 1);
  const arms = arg(argv, '--arms', 'qvpo,dpmd,sdac').split(',').map(parseArm);

  const backend = await initBackend(process.env.QVPO_BACKEND ?? 'auto');
  const engine = initEngine();
  console.log(`cpu: ${os.cpus()[0]?.model?.trim() ?? 'unknown'} × ${os.cpus().length}; load average before: ${loadAverage()}`);
  console.log(`backend ${describeBackend(backend)}, engine ${describeEngine(engine)}; profile ${profile}, ${dims} dims; ${iters} timed updates after ${warmup}, ${actions} actions, ${rounds} rounds, arms in turn`);

  const costs = new Map<string, Cost[]>(arms.map((a) => [a.label, []]));
  for (let r = 0; r < rounds; r++) {
    for (const arm of arms) {
      const cost = measure(arm, profile, dims, iters, warmup, actions);
      costs.get(arm.label)?.push(cost);
      console.error(`  round ${r + 1} ${arm.label}: ${cost.updateMs.toFixed(1)} ms/update (${cost.updateCpuMs.toFixed(1)} CPU ms); tensors alive ${tf.memory().numTensors}`);
    }
  }
  console.log('\n| arm | ms/update (wall / CPU) | behaviour action ms (wall / CPU) | updates per env step | CPU ms per training env step |');
  console.log('|---|---|---|---|---|');
  for (const arm of arms) {
    const cs = costs.get(arm.label) ?? [];
    const pick = (f: (c: Cost) => number) => median(cs.map(f));
    const perEnvStep = pick((c) => c.updatesPerEnvStep * c.updateCpuMs + c.actCpuMs);
    console.log(
      `| ${arm.label} | ${pick((c) => c.updateMs).toFixed(1)} / ${pick((c) => c.updateCpuMs).toFixed(1)} | ${pick((c) => c.actMs).toFixed(2)} / ${pick((c) => c.actCpuMs).toFixed(2)} | ${pick((c) => c.updatesPerEnvStep)} | ${perEnvStep.toFixed(1)} |`,
    );
  }
  console.log(`\nload average after: ${loadAverage()}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
