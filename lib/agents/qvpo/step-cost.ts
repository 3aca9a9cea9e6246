/**
 * What one training env step of QVPO costs on this machine, measured in isolation: the time of
 * an update (critic with its Kt target chains, Nd sampling and scoring, actor step, targets)
 * and of a behaviour action (Kb chains), on a replay buffer of random transitions. A run's own
 * steps/s also carries warm-up, evaluations and whatever else shares the cores; this is the
 * figure to compare settings by (e.g. Kb/Kt in Figure 5) and the core of the iteration bench.
 */
import { ReplayBuffer } from '../../replay/buffer';
import { Rng } from '../../util/rng';
import { PhaseTimer, cpuMs } from '../../util/timer';
import { AgentSpec, QvpoAgent } from './agent';
import { QvpoConfig } from './config';

export interface StepCostOptions {
  /** Timed updates, after `warmup` untimed ones. */
  iterations: number;
  warmup: number;
  /** Timed actions of each mode, after three untimed ones. */
  actions: number;
  /** Seed of the agent and of the random replay data. */
  seed?: number;
  /** Hook to set up the agent before timing (e.g. attach a sampler pool). */
  prepare?: (agent: QvpoAgent) => void | Promise<void>;
  /** The agent to time (default: QVPO with `config`); a subclass such as DIPO goes here. */
  makeAgent?: (spec: AgentSpec, seed: number) => QvpoAgent;
}

export interface StepCost {
  /** Mean wall time of one update (ms). */
  updateMs: number;
  /** Mean process CPU ms of one update (all threads). */
  updateCpuMs: number;
  /** Mean ms per update of each phase the agent times (sampling, critic, actor, targets). */
  phases: Record<string, number>;
  /** The same in process CPU ms. */
  phasesCpu: Record<string, number>;
  /** Mean ms per behaviour action (Kb candidates) and per evaluation action, wall and CPU. */
  behaviourActMs: number;
  evalActMs: number;
  behaviourActCpuMs: number;
  evalActCpuMs: number;
  /** A training env step after warm-up: updatesPerStep updates and one behaviour action (ms). */
  msPerEnvStep: number;
  /** 1000 / msPerEnvStep: the training speed this setting allows on this machine. */
  envStepsPerSecond: number;
}

const REPLAY_ROWS = 5000;

/** Observation and action sizes and action bound of the MuJoCo tasks, for timing without an env. */
const TASK_DIMS: Readonly<Record<string, { obs: number; act: number; bound: number }>> = {
  hopper: { obs: 11, act: 3, bound: 1 },
  walker2d: { obs: 17, act: 6, bound: 1 },
  halfcheetah: { obs: 17, act: 6, bound: 1 },
  ant: { obs: 111, act: 8, bound: 1 },
  humanoid: { obs: 376, act: 17, bound: 0.4 },
};

/** The agent spec of a task's dims by short name (hopper, ..., humanoid), for benchmarks. */
export function specOfDims(name: string, what = '--dims'): AgentSpec {
  const d = TASK_DIMS[name];
  if (!d) throw new Error(`unknown ${what} entry "${name}": expected some of ${Object.keys(TASK_DIMS).join(', ')}`);
  return { obsDim: d.obs, actDim: d.act, actionLow: Array(d.act).fill(-d.bound), actionHigh: Array(d.act).fill(d.bound) };
}

export async function measureStepCost(spec: AgentSpec, config: Pick<QvpoConfig, 'warmupSteps' | 'updatesPerStep'> & Partial<QvpoConfig>, options: StepCostOptions): Promise<StepCost> {
  for (const key of ['iterations', 'actions'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new Error(`measureStepCost: ${key} must be a whole number ≥ 1, got ${options[key]}`);
  }
  if (!Number.isInteger(options.warmup) || options.warmup < 0) throw new Error(`measureStepCost: warmup must be a whole number ≥ 0, got ${options.warmup}`);
  const seed = options.seed ?? 0;
  const agent = options.makeAgent ? options.makeAgent(spec, seed) : new QvpoAgent(spec, config, seed);
  try {
    await options.prepare?.(agent);
    const rng = new Rng(seed + 1);
    const buffer = new ReplayBuffer(REPLAY_ROWS, spec.obsDim, spec.actDim);
    for (let i = 0; i < REPLAY_ROWS; i++) {
      buffer.add(rng.normals(spec.obsDim), rng.uniforms(spec.actDim, -1, 1), rng.normal(), rng.normals(spec.obsDim), rng.uniform() < 0.01);
    }
    // Any step past the entropy decay's start: the cost does not depend on it.
    const envStep = config.warmupSteps + 1;
    for (let i = 0; i < options.warmup; i++) agent.update(buffer, envStep);
    const timer = new PhaseTimer();
    const t0 = performance.now();
    const c0 = cpuMs();
    timer.start();
    for (let i = 0; i < options.iterations; i++) agent.update(buffer, envStep, false, timer);
    const updateMs = (performance.now() - t0) / options.iterations;
    const updateCpuMs = (cpuMs() - c0) / options.iterations;
    const perIteration = (totals: Record<string, number>) => Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v / options.iterations]));
    const phases = perIteration(timer.totals);
    const phasesCpu = perIteration(timer.cpuTotals);

    const obs = rng.normals(spec.obsDim);
    const timeActions = (mode: 'behaviour' | 'eval') => {
      for (let i = 0; i < 3; i++) agent.act(obs, mode);
      const s = performance.now();
      const c = cpuMs();
      for (let i = 0; i < options.actions; i++) agent.act(obs, mode);
      return { wall: (performance.now() - s) / options.actions, cpu: (cpuMs() - c) / options.actions };
    };
    const behaviour = timeActions('behaviour');
    const evaluation = timeActions('eval');
    const msPerEnvStep = config.updatesPerStep * updateMs + behaviour.wall;
    return {
      updateMs,
      updateCpuMs,
      phases,
      phasesCpu,
      behaviourActMs: behaviour.wall,
      evalActMs: evaluation.wall,
      behaviourActCpuMs: behaviour.cpu,
      evalActCpuMs: evaluation.cpu,
      msPerEnvStep,
      envStepsPerSecond: 1000 / msPerEnvStep,
    };
  } finally {
    agent.dispose();
  }
}
