/**
 * Making the kit's offline datasets (`qvpo-kit dataset`). Each kind, D4RL-like:
 *
 *   random         the uniform-random policy over the action box for `steps` env steps.
 *   medium         a partially trained SAC policy rolled out for `steps` env steps. The policy is
 *                  a run's policy.bin: `policyRun` (any complete run with one), or a SAC run this
 *                  trains first with the kit's runner (`sacSteps` steps at `profile`'s settings)
 *                  in `<out>/source-run/`. It acts with its evaluation policy
 *                  (`learner.act(obs, 'eval')`: SAC's tanh(mean), TD3's actor, a diffusion
 *                  policy's best-of-K), plus Gaussian noise of std `actionNoise` × half the action
 *                  range, clipped to the box (default 0: the policy exactly as evaluated, so the
 *                  data's returns are the policy's returns).
 *   medium-replay  everything that SAC run's replay buffer stored, in order: every transition of
 *                  its training, warm-up included. The run is trained here, in this process, with
 *                  the runner (trainRun) recording each transition as the env loop makes it
 *                  (TrainOptions.onTransition): the buffer itself cannot be used, since a complete
 *                  run drops its checkpoint (which holds the buffer), and the buffer merges time
 *                  limits into `done` for learners with timeLimitAsTerminal. The recording keeps
 *                  terminations and time limits apart. The run stays in `<out>/source-run/`
 *                  (policy.bin, eval.csv, …), so `--kind medium --policy-run <out>/source-run` makes
 *                  the matching medium dataset without training again.
 *   expert         as medium with a longer SAC run (an option; not made by default).
 *
 * Episodes restart at termination and at the time limit, with reset seeds derived from the
 * dataset's seed (the runner's deriveSeed, on a stream of its own). Reference returns
 * (format.ts, score.ts): randomReturn is the random dataset's mean episode return (for the other
 * kinds: that of `randomDataset`, or of `datasets/<env>/random` beside the output when it exists,
 * else measured over 100 uniform-random episodes); policyReturn is the source policy's mean
 * return over 10 evaluation episodes (noise-free, the runner's evaluate()).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Learner, Transition } from '../agents/learner';
import { initBackend } from '../backend';
import { collectEnvironment } from '../backend/environment';
import { engineInfo } from '../engine';
import { envSpec, makeEnv } from '../envs/registry';
import { Env } from '../envs/types';
import { planRun } from '../runner/plan';
import { openPolicy } from '../runner/policy-eval';
import { POLICY_FILE, readPolicyFile } from '../runner/policy-file';
import { deriveSeed, evaluate, evaluationSeed, trainRun } from '../runner/train';
import { REPO_ROOT } from '../util/paths';
import { Rng } from '../util/rng';
import {
  DATASET_DEFAULTS,
  DATASET_FIELDS,
  DatasetArrays,
  DatasetKind,
  DatasetManifest,
  ReferenceReturns,
  SourcePolicy,
  episodeReturns,
  fileSha256,
  readDatasetManifest,
  returnStats,
  writeDataset,
} from './format';

/** Reset seeds of dataset episodes: a stream of deriveSeed no run uses (runs use 1 and 2). */
const DATASET_EPISODES = 7;
/** The random policy's generator, and the action noise's. */
const DATASET_ACTIONS = 8;
/** Episodes of the source policy's reference return, and of a measured random return. */
export const POLICY_REFERENCE_EPISODES = 10;
export const RANDOM_REFERENCE_EPISODES = 100;
/** The folder, inside a dataset, of the SAC run trained to make it. */
export const SOURCE_RUN = 'source-run';


/** Transitions as an env loop makes them, into growing float32 columns (D4RL's fields). */
export class TransitionRecorder {
  private cols: DatasetArrays;
  private n = 0;
  private episodeReturn = 0;
  readonly returns: number[] = [];

  constructor(
    readonly obsDim: number,
    readonly actDim: number,
  ) {
    this.cols = this.alloc(1024);
  }

  private alloc(rows: number): DatasetArrays {
    const widths = [this.obsDim, this.actDim, 1, this.obsDim, 1, 1];
    return Object.fromEntries(DATASET_FIELDS.map((f, i) => [f, new Float32Array(rows * widths[i])])) as DatasetArrays;
  }

  get size(): number {
    return this.n;
  }

  add(t: Transition): void {
    if (t.obs.length !== this.obsDim || t.nextObs.length !== this.obsDim || t.action.length !== this.actDim) {
      throw new Error(`TransitionRecorder: expected obs of ${this.obsDim} and actions of ${this.actDim}, got ${t.obs.length}/${t.nextObs.length} and ${t.action.length}`);
    }
    if (this.n === this.cols.rewards.length) {
      const bigger = this.alloc(this.n * 2);
      for (const f of DATASET_FIELDS) bigger[f].set(this.cols[f]);
      this.cols = bigger;
    }
    const i = this.n++;
    this.cols.observations.set(t.obs, i * this.obsDim);
    this.cols.actions.set(t.action, i * this.actDim);
    this.cols.rewards[i] = t.reward;
    this.cols.next_observations.set(t.nextObs, i * this.obsDim);
    this.cols.terminals[i] = t.terminated ? 1 : 0;
    this.cols.timeouts[i] = t.truncated ? 1 : 0;
    this.episodeReturn += t.reward;
    if (t.terminated || t.truncated) {
      this.returns.push(this.episodeReturn);
      this.episodeReturn = 0;
    }
  }

  /** The recorded transitions, trimmed to their number. */
  arrays(): DatasetArrays {
    const widths = [this.obsDim, this.actDim, 1, this.obsDim, 1, 1];
    return Object.fromEntries(DATASET_FIELDS.map((f, i) => [f, this.cols[f].slice(0, this.n * widths[i])])) as DatasetArrays;
  }
}

export type LogFn = (line: string) => void;

/** A progress line every `every` seconds: steps, steps/s, episodes. */
function progressReporter(what: string, total: number, log: LogFn | null, every = 10) {
  const t0 = performance.now() / 1000;
  let last = { t: t0, step: 0 };
  return (step: number, episodes: number) => {
    if (!log) return;
    const t = performance.now() / 1000;
    if (t - last.t < every) return;
    const rate = (step - last.step) / (t - last.t);
    last = { t, step };
    log(`${what}: ${step}/${total} steps (${((100 * step) / total).toFixed(1)}%) | ${rate.toFixed(0)} steps/s | ${episodes} episodes`);
  };
}

/**
 * `steps` env steps of `act`, episode after episode (reset seeds from `seed`), recorded. A
 * non-finite action is an error (a policy that diverged makes no dataset).
 */
export function rollout(env: Env, act: (obs: Float64Array) => ArrayLike<number>, options: { steps: number; seed: number; what: string; log: LogFn | null }): TransitionRecorder {
  const rec = new TransitionRecorder(env.observationSpace.size, env.actionSpace.size);
  const progress = progressReporter(options.what, options.steps, options.log);
  let episode = 0;
  let obs = env.reset({ seed: deriveSeed(options.seed, DATASET_EPISODES, episode) }).obs;
  for (let step = 1; step <= options.steps; step++) {
    const action = act(obs);
    for (let i = 0; i < action.length; i++) {
      if (!Number.isFinite(action[i])) throw new Error(`${options.what}: action[${i}] is ${action[i]} at step ${step}; the policy is not usable`);
    }
    const r = env.step(action);
    rec.add({ obs, action, reward: r.reward, nextObs: r.obs, terminated: r.terminated, truncated: r.truncated });
    obs = r.obs;
    if (r.terminated || r.truncated) {
      episode++;
      obs = env.reset({ seed: deriveSeed(options.seed, DATASET_EPISODES, episode) }).obs;
    }
    progress(step, rec.returns.length);
  }
  return rec;
}

/** Uniform actions in the env's box, from a generator seeded by `seed`. */
export function uniformPolicy(env: Env, seed: number): (obs: Float64Array) => Float32Array {
  const rng = new Rng(deriveSeed(seed, DATASET_ACTIONS, 0));
  const { low, high, size } = env.actionSpace;
  return () => {
    const a = new Float32Array(size);
    for (let i = 0; i < size; i++) a[i] = rng.uniformIn(low[i], high[i]);
    return a;
  };
}

/** A learner's evaluation policy, plus Gaussian noise of std `noise` × half the range, clipped to the box. */
export function evaluationPolicy(learner: Learner, env: Env, noise: number, seed: number): (obs: Float64Array) => Float32Array {
  const rng = new Rng(deriveSeed(seed, DATASET_ACTIONS, 1));
  const { low, high } = env.actionSpace;
  return (obs) => {
    const a = learner.act(obs, 'eval', 0);
    if (noise > 0) {
      for (let i = 0; i < a.length; i++) {
        const half = (high[i] - low[i]) / 2;
        a[i] = Math.min(high[i], Math.max(low[i], a[i] + noise * half * rng.normal()));
      }
    }
    return a;
  };
}

/** Mean return of the uniform-random policy over `episodes` episodes (fixed seeds: the same number every time). */
export function measureRandomReturn(env: Env, episodes = RANDOM_REFERENCE_EPISODES, seed = 0): number {
  const act = uniformPolicy(env, seed);
  let total = 0;
  for (let e = 0; e < episodes; e++) {
    let { obs } = env.reset({ seed: evaluationSeed(seed, 0, episodes, e) });
    for (;;) {
      const r = env.step(act(obs));
      total += r.reward;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
  }
  return total / episodes;
}

export interface DatasetRequest {
  env: string;
  kind: DatasetKind;
  /** The dataset's directory (datasets/<env>/<kind> by default, the CLI's choice). */
  out: string;
  seed: number;
  /** Env steps of random / medium / expert (medium-replay holds its SAC run's steps). */
  steps?: number;
  /** medium / expert: a complete run whose policy.bin acts, instead of training SAC. */
  policyRun?: string;
  /** SAC training steps (when training) and the profile whose settings it uses. */
  sacSteps?: number;
  profile?: string;
  actionNoise?: number;
  /** The time limit of the dataset's episodes [1000, the runs' own]. */
  maxEpisodeSteps?: number;
  /** A random dataset of the task whose mean return is the reference; default the `random` one beside `out`. */
  randomDataset?: string;
  /** Replace a dataset already in `out`. */
  overwrite?: boolean;
  /** The command line, for the provenance. */
  command: string;
  log?: LogFn | null;
  /** Progress lines of the SAC training (the runner's); default: as `log`. */
  quietTraining?: boolean;
}

export interface MadeDataset {
  dir: string;
  manifest: DatasetManifest;
  seconds: number;
  /** Seconds of the SAC training, when there was one. */
  trainingSeconds: number | null;
}

/** A path as the manifest records it: relative to the dataset when inside it, else to the kit's root, else absolute. */
function recordedPath(target: string, datasetDir: string): string {
  const abs = path.resolve(target);
  const inDataset = path.relative(path.resolve(datasetDir), abs);
  if (!inDataset.startsWith('..') && !path.isAbsolute(inDataset)) return inDataset;
  const inKit = path.relative(REPO_ROOT, abs);
  return !inKit.startsWith('..') && !path.isAbsolute(inKit) ? inKit : abs;
}

/** The SAC run a medium / medium-replay / expert dataset trains, with every transition recorded. */
async function trainSource(req: DatasetRequest, log: LogFn | null): Promise<{ runDir: string; recorded: TransitionRecorder; seconds: number }> {
  const kind = req.kind as keyof typeof DATASET_DEFAULTS.sacSteps;
  const sacSteps = req.sacSteps ?? DATASET_DEFAULTS.sacSteps[kind];
  const profile = req.profile ?? DATASET_DEFAULTS.profile;
  // The profile's SAC settings over sacSteps env steps: a variant, as any changed run is.
  const plan = planRun({ algo: 'sac', env: req.env, seed: req.seed, profile, protocolOverrides: { totalSteps: sacSteps }, variant: 'dataset' });
  plan.dir = path.join(req.out, SOURCE_RUN);
  const spec = envSpec(req.env);
  const recorded = new TransitionRecorder(spec.obsDim, spec.actDim);
  const t0 = performance.now();
  log?.(`dataset ${req.env} ${req.kind}: training SAC for ${sacSteps} steps (${profile} settings, seed ${req.seed}) in ${plan.dir}`);
  const outcome = await trainRun(plan, {
    fresh: true,
    quiet: req.quietTraining ?? !log,
    log: log ?? (() => {}),
    onTransition: (t) => recorded.add(t),
  });
  if (outcome !== 'complete') throw new Error(`the SAC run in ${plan.dir} ended ${outcome}, not complete; no dataset was written (run the command again)`);
  if (recorded.size !== sacSteps) throw new Error(`internal: recorded ${recorded.size} transitions of a ${sacSteps}-step SAC run`);
  return { runDir: plan.dir, recorded, seconds: (performance.now() - t0) / 1000 };
}

/** The random reference for a non-random dataset (see the file comment). */
function randomReference(req: DatasetRequest, env: Env): { value: number; source: string } {
  const explicit = req.randomDataset !== undefined;
  const dir = req.randomDataset ?? path.join(path.dirname(req.out), 'random');
  if (explicit || fs.existsSync(path.join(dir, 'manifest.json'))) {
    const m = readDatasetManifest(dir, { env: req.env });
    if (m.kind !== 'random') throw new Error(`--random-dataset ${dir} is a ${m.kind} dataset, expected a random one`);
    if (m.returns.mean === null) throw new Error(`${dir} holds no complete episode, so it has no mean return to take as the random reference`);
    return { value: m.returns.mean, source: `mean episode return of the random dataset ${recordedPath(dir, req.out)} (data SHA-256 ${m.data.sha256.slice(0, 16)}…)` };
  }
  const value = measureRandomReturn(env);
  return { value, source: `mean return of ${RANDOM_REFERENCE_EPISODES} uniform-random episodes (seed 0); no random dataset beside this one` };
}

/** Describes a run's policy.bin for the manifest. */
function sourcePolicyOf(runDir: string, datasetDir: string): SourcePolicy {
  const file = path.join(runDir, POLICY_FILE);
  const p = readPolicyFile(file);
  return {
    run: recordedPath(runDir, datasetDir),
    policySha256: fileSha256(file),
    algo: p.algo,
    env: p.env,
    seed: p.seed,
    label: p.label,
    trainedSteps: p.finalEvaluation.step,
    finalEvalMean: p.finalEvaluation.mean,
  };
}

/** Makes one dataset (see the file comment); checks of the request are the caller's (the CLI's). */
export async function makeDataset(req: DatasetRequest): Promise<MadeDataset> {
  const log = req.log === undefined ? (line: string) => process.stdout.write(line + '\n') : req.log;
  const t0 = performance.now();
  const maxEpisodeSteps = req.maxEpisodeSteps ?? DATASET_DEFAULTS.maxEpisodeSteps;
  const what = `dataset ${req.env} ${req.kind}`;
  const backend = await initBackend();
  const env = await makeEnv(req.env, { maxEpisodeSteps });
  try {
    let arrays: DatasetArrays;
    let reference: ReferenceReturns;
    let policy: SourcePolicy | 'uniform random';
    let behaviour: string;
    let trainingSeconds: number | null = null;
    let sourceRun: string | null = null;
    const noise = req.actionNoise ?? 0;
    if (req.kind === 'random') {
      const steps = req.steps ?? DATASET_DEFAULTS.steps;
      const rec = rollout(env, uniformPolicy(env, req.seed), { steps, seed: req.seed, what, log });
      arrays = rec.arrays();
      // From the stored (float32) rewards, so it equals the manifest's returns.mean exactly.
      reference = {
        randomReturn: returnStats(episodeReturns(arrays.rewards, arrays.terminals, arrays.timeouts).returns).mean,
        policyReturn: null,
        randomSource: 'this dataset: the mean return of its complete episodes',
        policySource: 'none: a random dataset has no policy behind it (normalise with a medium or expert dataset of the task)',
      };
      policy = 'uniform random';
      behaviour = 'uniform over the action box, independently each step';
    } else {
      let runDir = req.policyRun;
      let recorded: TransitionRecorder | null = null;
      if (req.kind === 'medium-replay' || runDir === undefined) {
        const trained = await trainSource(req, log);
        runDir = trained.runDir;
        sourceRun = runDir;
        recorded = trained.recorded;
        trainingSeconds = trained.seconds;
      }
      const opened = await openPolicy(runDir);
      try {
        if (opened.contents.env !== req.env) throw new Error(`the policy of ${runDir} is for ${opened.contents.env}, the dataset is for ${req.env}`);
        if (opened.engineNote) log?.(`${what}: note: ${opened.engineNote}`);
        policy = sourcePolicyOf(runDir, req.out);
        if (req.kind === 'medium-replay') {
          arrays = recorded!.arrays();
          behaviour = `the SAC run's own behaviour while training: uniform random for its first ${String(opened.contents.config.warmupSteps)} steps (warm-up), then its stochastic policy`;
        } else {
          const steps = req.steps ?? DATASET_DEFAULTS.steps;
          const rec = rollout(env, evaluationPolicy(opened.learner, env, noise, req.seed), { steps, seed: req.seed, what, log });
          arrays = rec.arrays();
          behaviour =
            `the ${opened.contents.algo} run's evaluation policy (learner.act(obs, 'eval'))` +
            (noise > 0 ? ` plus Gaussian noise of std ${noise} × half the action range, clipped to the box` : ', without noise');
        }
        // The reference: the source policy exactly as evaluated (noise-free), fresh episodes.
        const ref = evaluate(opened.learner, env, POLICY_REFERENCE_EPISODES, (e) => evaluationSeed(req.seed, 0, POLICY_REFERENCE_EPISODES, e));
        const random = randomReference(req, env);
        reference = {
          randomReturn: random.value,
          policyReturn: ref.mean,
          randomSource: random.source,
          policySource: `mean return of the source policy (${policy.run}) over ${POLICY_REFERENCE_EPISODES} evaluation episodes (seed ${req.seed}), no noise`,
        };
      } finally {
        opened.close();
      }
    }
    const machine = collectEnvironment(backend, engineInfo());
    const seconds = (performance.now() - t0) / 1000;
    const manifest = writeDataset(
      req.out,
      arrays,
      {
        env: req.env,
        kind: req.kind,
        maxEpisodeSteps,
        reference,
        provenance: {
          kind: req.kind,
          command: req.command,
          commit: machine.git.commit,
          dirty: machine.git.dirty,
          createdAt: new Date().toISOString(),
          seed: req.seed,
          steps: arrays.rewards.length,
          policy,
          ...(req.kind === 'medium' || req.kind === 'expert' ? { actionNoise: noise } : {}),
          behaviour,
          seconds: Math.round(seconds * 10) / 10,
          host: `${os.hostname()} (${machine.cpu.model} × ${machine.cpu.cores})`,
          node: machine.node,
        },
      },
      { overwrite: req.overwrite === true },
    );
    // A source run left by an earlier dataset in this folder no longer describes it.
    const stale = path.join(req.out, SOURCE_RUN);
    if (sourceRun === null && fs.existsSync(stale) && (req.policyRun === undefined || path.resolve(req.policyRun) !== path.resolve(stale))) {
      fs.rmSync(stale, { recursive: true, force: true });
    }
    return { dir: req.out, manifest, seconds, trainingSeconds };
  } finally {
    env.close();
  }
}
