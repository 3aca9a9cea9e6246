/**
 * The multimodality experiment (notebook 06): each arm (lib/multimodal/arms.ts) trains on a
 * point maze with several goals and is evaluated along the way; what is measured is whether it
 * succeeds, and *which* goals its evaluation episodes reach.
 *
 * A run: `numEnvs` envs step in lockstep for `vectorSteps` steps; each env resets itself when
 * its episode ends. The first `warmupVectorSteps` steps take uniform random actions drawn here,
 * from a generator of the seed alone, so every arm of a seed stores exactly the same warm-up
 * transitions (the agents' own warm-up would draw from their own generators, and with goals
 * reached in ~1.6% of random episodes two arms could start from different numbers of successes);
 * each agent's warm-up setting equals it, so no agent learns before it ends. Every `evalEvery` vector steps (and at the end) `evalEpisodes` evaluation episodes run
 * in parallel from fixed reset seeds (the same for every arm and evaluation), with the arm's
 * evaluation policy. Recorded per evaluation: success rate, episodes per goal, the goals that
 * hold at least `minGoalShare` of the successful episodes ("goals reached"), mean steps and
 * discounted return per goal, the training episodes' goals so far, DDiffPG's modes and the
 * goals their trajectories reach, and every evaluation episode's path.
 *
 * The agents are the kit's: DDiffPG through its vectorised Learner (actBatch/observeBatch),
 * QVPO and SAC through OffPolicyLearner (one env step at a time, in env order), QVPO acting in
 * one batched call over the envs.
 */
import { DdiffpgLearner, DdiffpgTransition, ModeRecord } from '../agents/ddiffpg/agent';
import { OffPolicyLearner } from '../agents/off-policy';
import { QvpoAgent } from '../agents/qvpo/agent';
import { qvpoSchema } from '../agents/qvpo/config';
import { SacAgent } from '../agents/sac/agent';
import { sacSchema } from '../agents/sac/config';
import { GOAL_REWARD, MazeLayout, PointMazeEnv } from '../envs/point-maze';
import type { AgentSpec } from '../agents/qvpo/agent';
import { Rng } from '../util/rng';
import { ArmId, ArmSpec } from './arms';

export interface MultimodalSettings {
  /** The maze (mazeLayout('two-goals') is PointMaze-MultiGoal-v0; a variant may change its step size or time limit). */
  layout: MazeLayout;
  seed: number;
  numEnvs: number;
  vectorSteps: number;
  warmupVectorSteps: number;
  evalEvery: number;
  evalEpisodes: number;
  /** A goal counts as reached when it holds at least this share of the successful evaluation episodes. */
  minGoalShare: number;
  /** γ of the discounted return reported per goal. */
  gamma: number;
  /** Seconds between progress lines (0: none). */
  progressSeconds: number;
}

export interface EvalEpisode {
  /** Goal reached (−1: none). */
  goal: number;
  length: number;
  /** x0, y0, x1, y1, …: the start and every position after a step. */
  path: Float32Array;
}

export interface EvalPoint {
  vectorStep: number;
  envSteps: number;
  successRate: number;
  /** Evaluation episodes per goal. */
  goalCounts: number[];
  /** Goals holding ≥ minGoalShare of the successful episodes. */
  goalsReached: number;
  meanLength: number;
  /** Per goal: mean steps and mean discounted return γ^(steps − 1)·10 of the episodes that reached it (NaN if none). */
  stepsPerGoal: number[];
  returnPerGoal: number[];
  /** Training episodes per goal so far (exploration included). */
  trainGoalCounts: number[];
  /** DDiffPG: modes kept now, and per mode the goal most of its successful trajectories reach. */
  modes: number | null;
  modeGoals: number[] | null;
  episodes: EvalEpisode[];
}

export interface ArmRun {
  arm: ArmId;
  label: string;
  seed: number;
  settings: MultimodalSettings;
  points: EvalPoint[];
  /** DDiffPG: every clustering. */
  modeHistory: ModeRecord[] | null;
  seconds: number;
  cpuSeconds: number;
}

/** What the loop needs of an arm: batched actions, one vector step of transitions, evaluation actions. */
interface Driver {
  act(obs: Float32Array, envStepsBefore: number): Float32Array;
  observe(transitions: DdiffpgTransition[], envStepsBefore: number): void;
  evalAct(obs: Float32Array, n: number): Float32Array;
  modes(): { count: number; goals: number[]; history: ModeRecord[] } | null;
  dispose(): void;
}

function driverFor(arm: ArmSpec, spec: AgentSpec, numEnvs: number, seed: number): Driver {
  const { obsDim, actDim } = spec;
  if (arm.algo === 'ddiffpg') {
    const learner = new DdiffpgLearner(spec, { ...arm.config, numEnvs }, seed);
    return {
      act: (obs) => learner.actBatch(obs, 'explore'),
      observe: (ts) => void learner.observeBatch(ts),
      evalAct: (obs) => learner.actBatch(obs, 'eval'),
      modes: () => {
        const last = learner.history[learner.history.length - 1];
        const goals = (last?.labels ?? []).map((counts) => Number(Object.entries(counts).sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]))[0]?.[0] ?? -1));
        return { count: learner.numModes, goals, history: learner.history };
      },
      dispose: () => learner.dispose(),
    };
  }
  const row = (obs: Float32Array, i: number) => obs.subarray(i * obsDim, (i + 1) * obsDim);
  const observeAll = (learner: OffPolicyLearner, ts: DdiffpgTransition[], before: number) => ts.forEach((t, i) => learner.observe(t, before + i + 1, false));
  if (arm.algo === 'qvpo') {
    const config = qvpoSchema.make(arm.config);
    const agent = new QvpoAgent(spec, config, seed);
    const learner = new OffPolicyLearner(agent, { ...config, updatesPerStep: 1, updateEvery: arm.updateEvery });
    return {
      act: (obs, before) => {
        if (before + numEnvs <= config.warmupSteps) {
          const out = new Float32Array(numEnvs * actDim);
          for (let i = 0; i < numEnvs; i++) out.set(agent.randomAction(), i * actDim);
          return out;
        }
        // The off-policy protocol decides per env step whether it is still warm-up.
        if (before < config.warmupSteps) {
          const out = new Float32Array(numEnvs * actDim);
          for (let i = 0; i < numEnvs; i++) out.set(learner.act(row(obs, i), 'explore', before + i), i * actDim);
          return out;
        }
        return agent.actBatch(obs, numEnvs, 'behaviour');
      },
      observe: (ts, before) => observeAll(learner, ts, before),
      evalAct: (obs, n) => agent.actBatch(obs, n, 'eval'),
      modes: () => null,
      dispose: () => learner.dispose(),
    };
  }
  const config = sacSchema.make(arm.config);
  const learner = new OffPolicyLearner(new SacAgent(spec, config, seed), { ...config, updatesPerStep: 1, updateEvery: arm.updateEvery });
  const each = (obs: Float32Array, n: number, f: (o: Float32Array, i: number) => Float32Array) => {
    const out = new Float32Array(n * actDim);
    for (let i = 0; i < n; i++) out.set(f(row(obs, i), i), i * actDim);
    return out;
  };
  return {
    act: (obs, before) => each(obs, numEnvs, (o, i) => learner.act(o, 'explore', before + i)),
    observe: (ts, before) => observeAll(learner, ts, before),
    evalAct: (obs, n) => each(obs, n, (o) => learner.act(o, 'eval', 0)),
    modes: () => null,
    dispose: () => learner.dispose(),
  };
}

/** Reset seeds: training env i's k-th episode, and evaluation episode k (the same for every arm). */
const trainSeed = (seed: number, env: number, episode: number) => (((seed + 1) * 7_919 + env * 104_729 + episode * 15_485_863) >>> 0) % 0x7fffffff;
const EVAL_SEED_BASE = 900_000_000;

/** `episodes` evaluation episodes in parallel with `act`; returns each one's goal, length and path. */
export function evaluate(layout: MazeLayout, episodes: number, act: (obs: Float32Array, n: number) => Float32Array): EvalEpisode[] {
  const envs = Array.from({ length: episodes }, () => new PointMazeEnv(structuredClone(layout)));
  const obs = envs.map((e, k) => e.reset({ seed: EVAL_SEED_BASE + k }).obs);
  const paths: number[][] = obs.map((o) => [o[0], o[1]]);
  const out: (EvalEpisode | null)[] = envs.map(() => null);
  const active = new Set(envs.map((_, k) => k));
  while (active.size > 0) {
    const ids = [...active];
    const batch = new Float32Array(ids.length * 2);
    ids.forEach((k, r) => batch.set(obs[k], 2 * r));
    const actions = act(batch, ids.length);
    ids.forEach((k, r) => {
      const step = envs[k].step(actions.subarray(2 * r, 2 * r + 2));
      obs[k] = step.obs;
      paths[k].push(step.obs[0], step.obs[1]);
      if (step.terminated || step.truncated) {
        out[k] = { goal: step.info.goal as number, length: envs[k].elapsedSteps, path: Float32Array.from(paths[k]) };
        active.delete(k);
      }
    });
  }
  for (const e of envs) e.close();
  return out as EvalEpisode[];
}

/** The summary numbers of one evaluation. */
export function summariseEval(episodes: readonly EvalEpisode[], numGoals: number, minGoalShare: number, gamma: number): Pick<EvalPoint, 'successRate' | 'goalCounts' | 'goalsReached' | 'meanLength' | 'stepsPerGoal' | 'returnPerGoal'> {
  const goalCounts = new Array<number>(numGoals).fill(0);
  const steps = new Array<number>(numGoals).fill(0);
  const returns = new Array<number>(numGoals).fill(0);
  let successes = 0;
  let length = 0;
  for (const e of episodes) {
    length += e.length;
    if (e.goal < 0) continue;
    successes++;
    goalCounts[e.goal]++;
    steps[e.goal] += e.length;
    returns[e.goal] += Math.pow(gamma, e.length - 1) * GOAL_REWARD;
  }
  return {
    successRate: episodes.length ? successes / episodes.length : 0,
    goalCounts,
    goalsReached: successes ? goalCounts.filter((c) => c / successes >= minGoalShare).length : 0,
    meanLength: episodes.length ? length / episodes.length : NaN,
    stepsPerGoal: goalCounts.map((c, g) => (c ? steps[g] / c : NaN)),
    returnPerGoal: goalCounts.map((c, g) => (c ? returns[g] / c : NaN)),
  };
}

/** Trains and evaluates one arm with one seed. `log` gets a progress line every progressSeconds. */
export function runArm(arm: ArmSpec, s: MultimodalSettings, log: (line: string) => void = () => {}): ArmRun {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const numGoals = s.layout.goals.length;
  const envs = Array.from({ length: s.numEnvs }, () => new PointMazeEnv(structuredClone(s.layout)));
  const spec: AgentSpec = { obsDim: 2, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };
  const driver = driverFor(arm, spec, s.numEnvs, s.seed);
  const episodesOf = new Array<number>(s.numEnvs).fill(0);
  const obs = envs.map((e, i) => e.reset({ seed: trainSeed(s.seed, i, 0) }).obs);
  const warmup = new Rng((s.seed * 2_654_435_761 + 97) >>> 0);
  const trainGoalCounts = new Array<number>(numGoals).fill(0);
  const points: EvalPoint[] = [];
  let lastLog = started;
  const cpuSeconds = () => {
    const u = process.cpuUsage(cpu0);
    return (u.user + u.system) / 1e6;
  };
  const measure = (vectorStep: number) => {
    const episodes = evaluate(s.layout, s.evalEpisodes, (o, n) => driver.evalAct(o, n));
    const modes = driver.modes();
    points.push({
      vectorStep,
      envSteps: vectorStep * s.numEnvs,
      ...summariseEval(episodes, numGoals, s.minGoalShare, s.gamma),
      trainGoalCounts: trainGoalCounts.slice(),
      modes: modes?.count ?? null,
      modeGoals: modes?.goals ?? null,
      episodes,
    });
  };
  try {
    measure(0);
    for (let v = 1; v <= s.vectorSteps; v++) {
      const before = (v - 1) * s.numEnvs;
      const flat = new Float32Array(s.numEnvs * 2);
      obs.forEach((o, i) => flat.set(o, 2 * i));
      const actions = v <= s.warmupVectorSteps ? warmup.uniforms(s.numEnvs * 2, -1, 1) : driver.act(flat, before);
      const transitions: DdiffpgTransition[] = envs.map((env, i) => {
        const action = actions.slice(2 * i, 2 * i + 2);
        const step = env.step(action);
        const goal = step.info.goal as number;
        if (goal >= 0) trainGoalCounts[goal]++;
        const t = { obs: obs[i], action, reward: step.reward, nextObs: step.obs, terminated: step.terminated, truncated: step.truncated, success: step.terminated, label: goal };
        obs[i] = step.terminated || step.truncated ? env.reset({ seed: trainSeed(s.seed, i, ++episodesOf[i]) }).obs : step.obs;
        return t;
      });
      driver.observe(transitions, before);
      if (v % s.evalEvery === 0 || v === s.vectorSteps) measure(v);
      const now = performance.now();
      if (s.progressSeconds > 0 && (now - lastLog) / 1000 >= s.progressSeconds) {
        lastLog = now;
        const p = points[points.length - 1];
        const modes = driver.modes();
        log(
          `${arm.label} seed ${s.seed}: step ${v}/${s.vectorSteps} (${v * s.numEnvs} env steps), last eval at ${p.vectorStep}: success ${(100 * p.successRate).toFixed(0)}% goals [${p.goalCounts.join(', ')}]` +
            `, training goals [${trainGoalCounts.join(', ')}]${modes ? `, modes ${modes.count}` : ''}, ${((now - started) / 1000).toFixed(0)} s (${cpuSeconds().toFixed(0)} CPU s)`,
        );
      }
    }
    const modes = driver.modes();
    return {
      arm: arm.id,
      label: arm.label,
      seed: s.seed,
      settings: { ...s },
      points,
      modeHistory: modes ? structuredClone(modes.history) : null,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: cpuSeconds(),
    };
  } finally {
    driver.dispose();
    for (const e of envs) e.close();
  }
}
