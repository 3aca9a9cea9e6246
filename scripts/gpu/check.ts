/**
 * The kit's GPU check, run by scripts/gpu/run.sh on a lent or own GPU machine (and on any CPU
 * machine, where the GPU engines say why they did not start):
 *
 *   1. which WebGPU adapter Node finds through Dawn (npm `webgpu`), or "none" and why;
 *   2. for every engine that starts — ORT on its CPU, WebGPU and CUDA providers, tfjs on its
 *      WebGPU backend — the golden correctness check: the official QVPO code's three iterations
 *      (tests/fixtures/golden/qvpo-iteration.json) within the fixture's tolerances;
 *   3. the QVPO iteration bench at paper settings per task dims on that engine: ms per
 *      iteration (Nd sampling, critic, actor) and per behaviour and evaluation action.
 *
 *   node check.js --out DIR [--fixtures DIR] [--dims hopper,humanoid] [--iters 20]
 *                 [--warmup 3] [--action-iters 50] [--engines ort-cpu,ort-webgpu,ort-cuda,tfjs-webgpu]
 *
 * Writes DIR/gpu-check.json and DIR/gpu-check.txt and prints the text. Exit code 0 when the
 * CPU engine started and every engine that started passed the correctness check, 1 otherwise.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { measureStepCost, specOfDims } from '../../lib/agents/qvpo/step-cost';
import { qvpoSchema } from '../../lib/agents/qvpo/config';
import { describeBackend, initBackend } from '../../lib/backend';
import { describeEngine, setEngine } from '../../lib/engine';
import { parseWholeNumber } from '../../lib/util/parse';
import { loadFixture, QvpoFixture, FIXTURE_DIR } from '../../tests/golden/fixture';
import { QVPO_TOLERANCES, compareQvpoFixture, kitQvpoSubject } from '../../tests/golden/harness';

/** One way of running the hot paths: a tfjs backend, an engine and (for ORT) a provider. */
interface EngineSetup {
  name: string;
  backend: 'wasm' | 'webgpu';
  engine: 'ort' | 'tfjs';
  provider?: 'cpu' | 'webgpu' | 'cuda';
  gpu: boolean;
}

const SETUPS: EngineSetup[] = [
  { name: 'ort-cpu', backend: 'wasm', engine: 'ort', provider: 'cpu', gpu: false },
  { name: 'ort-webgpu', backend: 'wasm', engine: 'ort', provider: 'webgpu', gpu: true },
  { name: 'ort-cuda', backend: 'wasm', engine: 'ort', provider: 'cuda', gpu: true },
  { name: 'tfjs-webgpu', backend: 'webgpu', engine: 'tfjs', gpu: true },
];


/** The paper-settings target for a GPU (a 1M-step run in under 2 hours). */
const TARGET_MS_PER_ITERATION = 7;

interface AdapterReport {
  found: boolean;
  info?: Record<string, string>;
  reason?: string;
}

interface EngineReport {
  name: string;
  started: boolean;
  reason?: string;
  description?: string;
  golden?: { passed: boolean; rows: { quantity: string; maxAbs: number; ok: boolean }[]; error?: string };
  bench?: Record<string, { msPerIteration: number; cpuMsPerIteration: number; sampling: number; critic: number; actor: number; behaviourMs: number; evalMs: number }>;
}

function arg(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

// A real dynamic import, kept as such by TypeScript's CommonJS output (webgpu is ESM-only).
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<unknown>;

async function probeAdapter(): Promise<AdapterReport> {
  try {
    const mod = (await importEsm('webgpu')) as { create?: (flags: string[]) => unknown; default?: { create?: (flags: string[]) => unknown } };
    const create = mod.create ?? mod.default?.create;
    if (!create) return { found: false, reason: 'the webgpu package exposes no create()' };
    const gpu = create([]) as { requestAdapter(): Promise<null | { info?: Record<string, string> }> };
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { found: false, reason: 'Dawn found no adapter (no Vulkan driver, or no GPU)' };
    const info = adapter.info ?? {};
    return { found: true, info: { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' } };
  } catch (e) {
    return { found: false, reason: `webgpu did not load: ${(e as Error).message.split('\n')[0]}` };
  }
}

async function start(setup: EngineSetup): Promise<string> {
  if (setup.provider) process.env.QVPO_ORT_PROVIDER = setup.provider;
  else delete process.env.QVPO_ORT_PROVIDER;
  const backend = await initBackend(setup.backend);
  const engine = setEngine(setup.engine);
  return `${describeBackend(backend)}; engine ${describeEngine(engine)}`;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const out = arg(argv, '--out', '');
  if (!out) throw new Error('--out DIR is required (where gpu-check.json and gpu-check.txt go)');
  const fixtures = arg(argv, '--fixtures', FIXTURE_DIR);
  const dims = arg(argv, '--dims', 'hopper,humanoid').split(',');
  for (const d of dims) specOfDims(d); // unknown names fail before anything runs
  const iters = parseWholeNumber(arg(argv, '--iters', '20'), '--iters', 1, 100_000);
  const warmup = parseWholeNumber(arg(argv, '--warmup', '3'), '--warmup', 0, 100_000);
  const actions = parseWholeNumber(arg(argv, '--action-iters', '50'), '--action-iters', 1, 100_000);
  const wanted = arg(argv, '--engines', SETUPS.map((s) => s.name).join(',')).split(',');
  for (const w of wanted) if (!SETUPS.some((s) => s.name === w)) throw new Error(`unknown --engines entry "${w}": expected some of ${SETUPS.map((s) => s.name).join(', ')}`);
  fs.mkdirSync(out, { recursive: true });

  const started = new Date().toISOString();
  const adapter = await probeAdapter();
  const fixture = loadFixture<QvpoFixture>('qvpo-iteration.json', fixtures);
  const config = qvpoSchema.make({});
  const engines: EngineReport[] = [];
  for (const setup of SETUPS.filter((s) => wanted.includes(s.name))) {
    const report: EngineReport = { name: setup.name, started: false };
    engines.push(report);
    if (setup.gpu && setup.provider !== 'cuda' && !adapter.found) {
      report.reason = `no WebGPU adapter: ${adapter.reason}`;
      continue;
    }
    try {
      report.description = await start(setup);
      report.started = true;
    } catch (e) {
      report.reason = (e as Error).message.split('\n')[0];
      continue;
    }
    try {
      const cmp = compareQvpoFixture(fixture, kitQvpoSubject(fixture), 'qvpo-iteration.json', QVPO_TOLERANCES, false);
      report.golden = { passed: cmp.rows.every((r) => r.ok), rows: cmp.rows.map((r) => ({ quantity: r.quantity, maxAbs: r.maxAbs, ok: r.ok })) };
    } catch (e) {
      report.golden = { passed: false, rows: [], error: (e as Error).message.split('\n')[0] };
    }
    report.bench = {};
    for (const name of dims) {
      const cost = await measureStepCost(
        specOfDims(name),
        config,
        { iterations: iters, warmup, actions },
      );
      report.bench[name] = {
        msPerIteration: cost.updateMs,
        cpuMsPerIteration: cost.updateCpuMs,
        sampling: cost.phases.sampling ?? 0,
        critic: cost.phases.critic ?? 0,
        actor: cost.phases.actor ?? 0,
        behaviourMs: cost.behaviourActMs,
        evalMs: cost.evalActMs,
      };
      console.error(`  ${setup.name} ${name}: ${cost.updateMs.toFixed(2)} ms per iteration; tensors alive ${tf.memory().numTensors}`);
    }
  }

  const record = {
    started,
    finished: new Date().toISOString(),
    host: { cpu: os.cpus()[0]?.model?.trim() ?? 'unknown', cores: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    adapter,
    settings: { preset: 'paper', iters, warmup, actions, dims },
    targetMsPerIteration: TARGET_MS_PER_ITERATION,
    engines,
  };
  fs.writeFileSync(path.join(out, 'gpu-check.json'), JSON.stringify(record, null, 1) + '\n');
  const text = renderText(record);
  fs.writeFileSync(path.join(out, 'gpu-check.txt'), text);
  process.stdout.write(text);
  // The CPU engine must start anywhere; every engine that started must pass the golden check.
  const cpuStarted = engines.filter((e) => !SETUPS.find((s) => s.name === e.name)?.gpu).every((e) => e.started);
  return cpuStarted && engines.every((e) => !e.started || e.golden?.passed) ? 0 : 1;
}

function renderText(r: { adapter: AdapterReport; host: Record<string, string | number>; engines: EngineReport[]; settings: { iters: number; warmup: number; actions: number } }): string {
  const lines: string[] = [];
  lines.push(`host: ${r.host.cpu} × ${r.host.cores}, node ${r.host.node}, ${r.host.platform}`);
  lines.push(`WebGPU adapter: ${r.adapter.found ? Object.values(r.adapter.info ?? {}).filter(Boolean).join(' / ') : `none (${r.adapter.reason})`}`);
  lines.push(`bench: paper settings, ${r.settings.iters} iterations after ${r.settings.warmup} warm-up, ${r.settings.actions} actions of each kind; target ≤ ${TARGET_MS_PER_ITERATION} ms per Hopper iteration`);
  lines.push('');
  lines.push('| engine | started | golden check | dims | ms/iter (wall / CPU) | Nd sampling | critic | actor | behaviour act | eval act |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const e of r.engines) {
    if (!e.started) {
      lines.push(`| ${e.name} | no: ${e.reason} | – | – | – | – | – | – | – | – |`);
      continue;
    }
    const worst = e.golden?.rows.reduce((m, x) => (Number.isFinite(x.maxAbs) ? Math.max(m, x.maxAbs) : m), 0) ?? 0;
    const golden = e.golden?.error ? `error: ${e.golden.error}` : `${e.golden?.passed ? 'passed' : 'FAILED'} (largest difference ${worst.toExponential(1)})`;
    for (const [name, b] of Object.entries(e.bench ?? {})) {
      lines.push(
        `| ${e.name} | yes | ${golden} | ${name} | ${b.msPerIteration.toFixed(2)} / ${b.cpuMsPerIteration.toFixed(2)} | ${b.sampling.toFixed(2)} | ${b.critic.toFixed(2)} | ${b.actor.toFixed(2)} | ${b.behaviourMs.toFixed(2)} | ${b.evalMs.toFixed(2)} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`gpu check: ${(e as Error).message}`);
    process.exit(2);
  },
);
