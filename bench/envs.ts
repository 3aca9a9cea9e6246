/**
 * Env-layer overhead benchmark: `npx tsx bench/envs.ts [--env-steps N] [--repeats R] [--tasks Hopper,Ant]`
 *
 * For each gym-v3 task, single thread, uniform random actions:
 *   - env:  env.step(action) in a loop, reset() whenever an episode ends;
 *   - raw:  the same physics without the env layer — a bare MjModel/MjData of the same model
 *           file, ctrl written from the same action buffer, mj_step × frame_skip, and at the same
 *           step indices a reset to the same initial states (mj_resetData, write qpos/qvel,
 *           mj_forward).
 * Both loops follow the bit-identical trajectory (checked), so they do the same physics work and
 * the difference is the env layer: action checks, reward/termination, observation and info.
 * Times are process CPU time (user + system), best of R interleaved runs; the machine's other
 * load inflates wall time, not CPU time. The bar: env overhead ≤ 10 % of the raw loop.
 *
 * Because two loops timed on a shared machine differ by a few % from run to run, the env layer
 * is also timed on its own: the same env with mj_step / mj_rnePostConstraint replaced by no-ops
 * (column "env layer µs"), divided by the raw loop's time per env step.
 *
 * Each task runs in its own child process (as in training, where a process steps one env type,
 * so the JIT sees one env class). Prints figures only; nothing is asserted.
 */

import * as os from 'node:os';
import { execFileSync } from 'node:child_process';
import { makeEnv } from '../lib/envs/registry';
import { MujocoEnv } from '../lib/envs/mujoco/base';
import { MjData, MjModel, MujocoModule, loadModelFile, loadMujoco, mujocoVersion } from '../lib/envs/mujoco/loader';
import { MUJOCO_TASKS, MujocoTask, TASKS } from '../lib/envs/mujoco/specs';
import { Rng } from '../lib/util/rng';

interface Args {
  envSteps: number;
  repeats: number;
  tasks: MujocoTask[];
  child: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { envSteps: 10000, repeats: 5, tasks: [...MUJOCO_TASKS], child: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--env-steps' || flag === '--repeats') {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer, got ${String(value)}`);
      if (flag === '--env-steps') args.envSteps = n;
      else args.repeats = n;
      i++;
    } else if (flag === '--tasks') {
      const names = String(value).split(',');
      for (const name of names) {
        if (!(MUJOCO_TASKS as readonly string[]).includes(name)) {
          throw new Error(`--tasks: unknown task '${name}'; known: ${MUJOCO_TASKS.join(', ')}`);
        }
      }
      args.tasks = names as MujocoTask[];
      i++;
    } else if (flag === '--child') {
      args.child = true;
    } else {
      throw new Error(`unknown argument '${flag}'; usage: npx tsx bench/envs.ts [--env-steps N] [--repeats R] [--tasks Hopper,Ant]`);
    }
  }
  return args;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Recording {
  /** Step indices after which the env was reset. */
  resetAfter: number[];
  /** qpos/qvel right after the initial reset and after each later reset. */
  states: { qpos: Float64Array; qvel: Float64Array }[];
  finalQpos: Float64Array;
}

const SEED = 2024;

/** Untimed pass with the env: where episodes end and which states resets produce. */
function record(env: MujocoEnv<MujocoTask>, actions: Float64Array, n: number): Recording {
  const nu = env.actionSpace.size;
  const a = new Float64Array(nu);
  const snap = () => ({ qpos: Float64Array.from(env.physics.data.qpos), qvel: Float64Array.from(env.physics.data.qvel) });
  env.reset({ seed: SEED });
  const states = [snap()];
  const resetAfter: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < nu; i++) a[i] = actions[s * nu + i];
    const r = env.step(a);
    if (r.terminated || r.truncated) {
      env.reset();
      resetAfter.push(s);
      states.push(snap());
    }
  }
  return { resetAfter, states, finalQpos: Float64Array.from(env.physics.data.qpos) };
}

function timeEnv(env: MujocoEnv<MujocoTask>, actions: Float64Array, n: number): { cpu: number; wall: number; finalQpos: Float64Array } {
  const nu = env.actionSpace.size;
  const a = new Float64Array(nu);
  env.reset({ seed: SEED });
  const c0 = cpuMs();
  const w0 = performance.now();
  for (let s = 0; s < n; s++) {
    const off = s * nu;
    for (let i = 0; i < nu; i++) a[i] = actions[off + i];
    const r = env.step(a);
    if (r.terminated || r.truncated) env.reset();
  }
  const wall = performance.now() - w0;
  const cpu = cpuMs() - c0;
  return { cpu, wall, finalQpos: Float64Array.from(env.physics.data.qpos) };
}

function timeRaw(
  mj: MujocoModule,
  model: MjModel,
  data: MjData,
  frameSkip: number,
  actions: Float64Array,
  n: number,
  rec: Recording,
): { cpu: number; wall: number; finalQpos: Float64Array } {
  const nu = model.nu;
  const ctrl = data.ctrl;
  const qpos = data.qpos;
  const qvel = data.qvel;
  mj.mj_resetData(model, data);
  qpos.set(rec.states[0].qpos);
  qvel.set(rec.states[0].qvel);
  mj.mj_forward(model, data);
  let next = 0;
  let nextReset = rec.resetAfter.length > 0 ? rec.resetAfter[0] : -1;
  const c0 = cpuMs();
  const w0 = performance.now();
  for (let s = 0; s < n; s++) {
    const off = s * nu;
    for (let i = 0; i < nu; i++) ctrl[i] = actions[off + i];
    for (let f = 0; f < frameSkip; f++) mj.mj_step(model, data);
    if (s === nextReset) {
      next++;
      mj.mj_resetData(model, data);
      qpos.set(rec.states[next].qpos);
      qvel.set(rec.states[next].qvel);
      mj.mj_forward(model, data);
      nextReset = next < rec.resetAfter.length ? rec.resetAfter[next] : -1;
    }
  }
  const wall = performance.now() - w0;
  const cpu = cpuMs() - c0;
  return { cpu, wall, finalQpos: Float64Array.from(data.qpos) };
}

/**
 * Time of the env layer alone: a second env whose physics calls are no-ops, so step() does
 * only the action check, ctrl write, reward/termination, observation and info. The state never
 * changes, so the episode never ends (time limit off). Returns CPU ms per `n` steps: the best of
 * many short chunks, which filters out bursts of contention from other processes.
 */
async function timeLayer(id: string, actions: Float64Array, n: number): Promise<number> {
  const env = (await makeEnv(id, { maxEpisodeSteps: null })) as MujocoEnv<MujocoTask>;
  try {
    const { mj } = env.physics;
    const stub = {
      mj_step: () => undefined,
      mj_rnePostConstraint: () => undefined,
      mj_forward: (m: MjModel, d: MjData) => mj.mj_forward(m, d),
      mj_resetData: (m: MjModel, d: MjData) => mj.mj_resetData(m, d),
    };
    Object.defineProperty(env, 'mj', { value: stub }); // benchmark-only surgery
    env.reset({ seed: SEED });
    const nu = env.actionSpace.size;
    const a = new Float64Array(nu);
    const chunk = 10000;
    let s = 0;
    const run = (steps: number) => {
      for (let k = 0; k < steps; k++, s++) {
        const off = (s % n) * nu;
        for (let i = 0; i < nu; i++) a[i] = actions[off + i];
        env.step(a);
      }
    };
    run(5 * chunk); // warm-up
    let best = Infinity;
    for (let c = 0; c < 30; c++) {
      const c0 = cpuMs();
      run(chunk);
      best = Math.min(best, cpuMs() - c0);
    }
    return (best * n) / chunk;
  } finally {
    env.close();
  }
}

function sameArray(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

interface TaskResult {
  id: string;
  frameSkip: number;
  envSteps: number;
  envCpuMs: number;
  rawCpuMs: number;
  envWallMs: number;
  rawWallMs: number;
  layerCpuMs: number;
  resets: number;
  identical: boolean;
}

async function measureTask(mj: MujocoModule, task: MujocoTask, args: Args): Promise<TaskResult> {
  const id = `${task}-v3`;
  const c = TASKS[task];
  const env = (await makeEnv(id)) as MujocoEnv<MujocoTask>;
  const model = loadModelFile(mj, c.modelFile);
  const data = new mj.MjData(model);
  try {
    const nu = env.actionSpace.size;
    const rng = new Rng(7);
    const actions = new Float64Array(args.envSteps * nu);
    for (let s = 0; s < args.envSteps; s++) {
      for (let i = 0; i < nu; i++) actions[s * nu + i] = rng.uniformIn(env.actionSpace.low[i], env.actionSpace.high[i]);
    }
    const rec = record(env, actions, args.envSteps); // also warms up the JIT
    const result: TaskResult = {
      id, frameSkip: c.frameSkip, envSteps: args.envSteps, envCpuMs: Infinity, rawCpuMs: Infinity,
      envWallMs: Infinity, rawWallMs: Infinity, layerCpuMs: Infinity, resets: rec.resetAfter.length, identical: true,
    };
    for (let k = 0; k < args.repeats; k++) {
      // Alternate the order so that neither loop always runs first.
      const e1 = k % 2 === 0 ? timeEnv(env, actions, args.envSteps) : null;
      const r = timeRaw(mj, model, data, c.frameSkip, actions, args.envSteps, rec);
      const e = e1 ?? timeEnv(env, actions, args.envSteps);
      result.identical = result.identical && sameArray(e.finalQpos, rec.finalQpos) && sameArray(r.finalQpos, rec.finalQpos);
      result.envCpuMs = Math.min(result.envCpuMs, e.cpu);
      result.rawCpuMs = Math.min(result.rawCpuMs, r.cpu);
      result.envWallMs = Math.min(result.envWallMs, e.wall);
      result.rawWallMs = Math.min(result.rawWallMs, r.wall);
    }
    result.layerCpuMs = await timeLayer(id, actions, args.envSteps);
    return result;
  } finally {
    data.delete();
    model.delete();
    env.close();
  }
}

function row(r: TaskResult): string {
  const envUs = (r.envCpuMs * 1000) / r.envSteps;
  const rawUs = (r.rawCpuMs * 1000) / r.envSteps;
  const layerUs = (r.layerCpuMs * 1000) / r.envSteps;
  const overhead = (r.envCpuMs / r.rawCpuMs - 1) * 100;
  return (
    `| ${r.id} | ${r.frameSkip} | ${fmt(1e6 / envUs)} | ${fmt(1e6 / rawUs)} | ${fmt((1e6 / rawUs) * r.frameSkip)} | ` +
    `${fmt(envUs, 1)} / ${fmt(rawUs, 1)} | ${overhead >= 0 ? '+' : ''}${fmt(overhead, 1)} % | ` +
    `${fmt(layerUs, 2)} | ${fmt((layerUs / rawUs) * 100, 1)} % | ${r.resets} | ${r.identical ? 'yes' : 'NO'} |`
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const mj = await loadMujoco();
  if (args.child) {
    for (const task of args.tasks) console.log(JSON.stringify(await measureTask(mj, task, args)));
    return;
  }
  const cpus = os.cpus();
  console.log(
    `qvpo-kit env benchmark — MuJoCo ${mujocoVersion(mj)} (mujoco-js WASM), Node ${process.version}, ` +
      `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  );
  console.log(
    `${args.envSteps} env steps per run, best of ${args.repeats} interleaved runs, process CPU time, ` +
      `uniform random actions, one child process per task\n`,
  );
  const results: TaskResult[] = [];
  for (const task of args.tasks) {
    const childArgs = [
      ...process.execArgv, __filename, '--child', '--tasks', task,
      '--env-steps', String(args.envSteps), '--repeats', String(args.repeats),
    ];
    const out = execFileSync(process.execPath, childArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const line = out.trim().split('\n').pop() ?? '';
    results.push(JSON.parse(line) as TaskResult);
    process.stderr.write(`  ${task}: done\n`);
  }
  console.log(
    '| env | frame_skip | env steps/s | raw loop env-steps/s | raw mj_step/s | CPU µs per env step (env / raw) | ' +
      'env vs raw | env layer µs (physics stubbed) | layer / raw | resets | same trajectory |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) console.log(row(r));
  console.log(`\nload average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
