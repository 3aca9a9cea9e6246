/**
 * One training run, resumable. Files in the run directory:
 *   config.json       the plan (algorithm config, protocol, paperDiff)
 *   environment.json  machine and software of the latest start (earlier ones in status.json)
 *   status.json       running | complete | failed | stopped | preempted | diverged, step counts,
 *                     timestamps, the settings' SHA-256 — written atomically
 *   train.csv         one row per finished training episode, with the learner's latest stats
 *   eval.csv          one row per evaluation (every evalInterval steps and at the end)
 *   checkpoint.bin    learner state (networks, optimisers, replay buffer, RNGs), counters, the
 *                     settings and the CSV rows so far, checksummed, taken at episode ends;
 *   checkpoint.prev.bin  the one before, the fallback when the latest is damaged; both are
 *                     removed once the run is complete
 *   policy.bin        written when the run completes, before the checkpoints go: only what the
 *                     evaluation policy acts with (networks, normaliser, generator, as they were
 *                     when the final evaluation began), the settings and the final evaluation;
 *                     checksummed like a checkpoint (policy-file.ts; `qvpo-kit eval`, `rollout`)
 *   run.lock          pid, host and process start time of the process running it (made with
 *                     O_EXCL, so two processes never both hold it)
 * A killed run restarts from its checkpoint with the CSVs rewritten to exactly the rows the
 * checkpoint had seen, so a resumed run writes the same rows an uninterrupted one would.
 * SIGINT / SIGTERM stop a run at the next episode end with a checkpoint (states `stopped` /
 * `preempted`); NaN or Inf in a loss, an evaluation or the learner's state stops it as
 * `diverged`. Only `complete` runs count in tables.
 *
 * All of this is runSession's; what a run does between its start and its end is its driver's
 * (RunDriver): here the online one (env steps, episode ends as safe points), in offline.ts the
 * offline one (gradient steps on a dataset).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OffPolicyLearner } from '../agents/off-policy';
import { QvpoAgent } from '../agents/qvpo/agent';
import { agentSpecOf, algorithm } from '../agents/registry';
import { SamplerPool, samplerWorkersFromEnv } from '../diffusion/sampler-pool';
import { Learner, LearnerStats, Transition } from '../agents/learner';
import { BackendInfo, initBackend } from '../backend';
import { collectEnvironment } from '../backend/environment';
import { EngineInfo, describeEngine, initEngine } from '../engine';
import { makeEnv } from '../envs/registry';
import { Env } from '../envs/types';
import { toCsv } from '../report/table';
import { CheckpointError, previousCheckpointFile, readCheckpoint, withFile, writeCheckpoint } from './checkpoint';
import { FinalEvaluation, POLICY_FILE, writePolicyFile } from './policy-file';
import { RunPlan, describePaperDiff } from './plan';
import { ProgressPoint, formatDuration, runEta } from './progress';

export type RunState = 'running' | 'complete' | 'failed' | 'stopped' | 'preempted' | 'diverged';

export interface RunStatus {
  state: RunState;
  algo: string;
  env: string;
  seed: number;
  profile: string;
  variant: string | null;
  step: number;
  totalSteps: number;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
  /** One entry per start: fresh, or resumed from a checkpoint at some step. */
  /** `engine` is absent in runs made before compute engines existed (they ran on tfjs). */
  starts: { at: string; fromStep: number; pid: number; host: string; backend: string; engine?: string; samplerWorkers?: number }[];
  lastEval?: { step: number; mean: number; std: number };
  paperDiff: RunPlan['paperDiff'];
  /** SHA-256 of the run's settings (config and protocol): a resume with others is refused. */
  settingsSha256?: string;
  /** Rows and SHA-256 of the CSVs as the run left them when complete (later edits are detected). */
  files?: Record<'train' | 'eval', { rows: number; sha256: string }>;
  /**
   * Training time so far, summed over starts up to the last checkpoint or status write: wall
   * seconds, and the training process's CPU seconds (user + system). `cpuSeconds` is null when
   * an earlier start did not record it (runs resumed from checkpoints made before it was kept).
   */
  wallSeconds?: number;
  cpuSeconds?: number | null;
}

export interface TrainOptions {
  /** Print only start and end lines. */
  quiet?: boolean;
  /** Seconds between progress lines (default 10). */
  progressEvery?: number;
  /** Delete an existing run directory first. */
  fresh?: boolean;
  /** Where progress lines go (default stdout). */
  log?: (line: string) => void;
  /** Stop (as if killed) once this many steps are done: for resume tests. */
  stopAfterSteps?: number;
  /**
   * Worker threads that share the diffusion agents' large sampling batches (the samples are
   * the same with any number); default QVPO_SAMPLER_WORKERS, else 0. CPU backends only.
   */
  samplerWorkers?: number;
  /** Handle SIGINT (→ `stopped`) and SIGTERM (→ `preempted`): checkpoint at the next episode end and return. */
  handleSignals?: boolean;
  /** Stop (as on SIGINT) once this process is no longer the child of `parentPid` (a sweep that died). */
  parentPid?: number;
  /**
   * Called with every env transition of an online run, in order, before the learner sees it
   * (`qvpo-kit dataset` records a training run's replay data this way). Not called for the
   * steps before a checkpoint a run resumes from.
   */
  onTransition?: (t: Transition, envStep: number) => void;
}

/**
 * `stopped`: by stopAfterSteps or SIGINT; `preempted`: by SIGTERM; both resumable.
 * `diverged`: NaN/Inf appeared; never counted, not resumed.
 */
export type TrainOutcome = 'complete' | 'skipped' | 'stopped' | 'preempted' | 'diverged';

/** Process exit codes of `qvpo-kit train` / `run-index` per outcome (130/143: the shells' SIGINT/SIGTERM codes). */
export const EXIT_CODES: Record<TrainOutcome, number> = { complete: 0, skipped: 0, stopped: 130, preempted: 143, diverged: 3 };

const COMMON_TRAIN_COLUMNS = ['step', 'episode', 'episode_return', 'episode_length', 'wall_seconds', 'steps_per_second'];
/** eval.csv's columns (a driver may add some after them). */
export const EVAL_COLUMNS = ['step', 'return_mean', 'return_std', 'episodes', 'wall_seconds', 'length_mean'];

/** Seeds for episode resets and evaluation episodes, derived from the run seed (splitmix32). */
export function deriveSeed(runSeed: number, stream: number, index: number): number {
  let x = (Math.imul(runSeed + 1, 0x9e3779b9) ^ Math.imul(stream + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
const TRAIN_EPISODES = 1;
const EVAL_EPISODES = 2;

/** Reset seed of episode `episode` of evaluation number `evalIndex` (0-based) of a run. */
export function evaluationSeed(runSeed: number, evalIndex: number, evalEpisodes: number, episode: number): number {
  return deriveSeed(runSeed, EVAL_EPISODES, evalIndex * evalEpisodes + episode);
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw withFile(e, file);
  }
}

function appendText(file: string, text: string): void {
  try {
    fs.appendFileSync(file, text);
  } catch (e) {
    throw withFile(e, file);
  }
}

/**
 * Last resort when the disk is full: rewrite a file in place, within the blocks it already has,
 * padded with spaces (still valid JSON). False when the text does not fit.
 */
function overwriteInPlace(file: string, text: string): boolean {
  try {
    const size = fs.statSync(file).size;
    if (Buffer.byteLength(text) > size) return false;
    const fd = fs.openSync(file, 'r+');
    try {
      fs.writeSync(fd, text + ' '.repeat(size - Buffer.byteLength(text)), 0);
    } finally {
      fs.closeSync(fd);
    }
    return true;
  } catch {
    return false;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The settings that decide a run's results; their hash guards against resuming with others. An
 * offline run's dataset counts by its data checksum and reference returns (not its path); online
 * runs have no `dataset` key, so their hashes are those of runs made before offline runs existed.
 */
function settingsOf(plan: RunPlan): { algo: string; env: string; seed: number; config: unknown; protocol: unknown; dataset?: unknown } {
  const settings: ReturnType<typeof settingsOf> = { algo: plan.algo, env: plan.env, seed: plan.seed, config: plan.config, protocol: plan.protocol };
  if (plan.dataset) settings.dataset = { sha256: plan.dataset.sha256, reference: plan.dataset.reference };
  return settings;
}

/** "protocol.evalInterval 200 (the run has 250)", for every setting that differs. */
function describeSettingsDiff(want: ReturnType<typeof settingsOf>, have: ReturnType<typeof settingsOf>): string {
  const out: string[] = [];
  for (const part of ['config', 'protocol'] as const) {
    const a = (want[part] ?? {}) as Record<string, unknown>;
    const b = (have[part] ?? {}) as Record<string, unknown>;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(`${part}.${k} ${JSON.stringify(a[k])} (the run has ${JSON.stringify(b[k])})`);
    }
  }
  for (const k of ['algo', 'env', 'seed'] as const) if (want[k] !== have[k]) out.push(`${k} ${JSON.stringify(want[k])} (the run has ${JSON.stringify(have[k])})`);
  if (JSON.stringify(want.dataset) !== JSON.stringify(have.dataset)) {
    out.push(`dataset ${JSON.stringify(want.dataset ?? null)} (the run has ${JSON.stringify(have.dataset ?? null)})`);
  }
  return out.join(', ') || 'settings differ';
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Whether the plan's run directory holds a finished run (its status.json says complete). */
export function isRunComplete(plan: RunPlan): boolean {
  return readJson<RunStatus>(path.join(plan.dir, 'status.json'))?.state === 'complete';
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22); null where unknown. */
function processStartTicks(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

interface LockInfo {
  pid: number;
  host: string;
  /** Start time of the process (processStartTicks), so a reused pid is not taken for the holder. */
  started?: string | null;
}

/**
 * Who holds a run's lock: `live` when a process on this host with the lock's pid and start time
 * is running (a lock from another host cannot be checked and counts as stale), with why not.
 */
export function lockState(lockFile: string): { lock: LockInfo | null; live: boolean; why: string } {
  if (!fs.existsSync(lockFile)) return { lock: null, live: false, why: 'no lock' };
  const lock = readJson<LockInfo>(lockFile);
  if (!lock || !Number.isSafeInteger(lock.pid) || typeof lock.host !== 'string') {
    // Another process may have created it an instant ago and not written it yet.
    const fresh = Date.now() - fs.statSync(lockFile).mtimeMs < 10_000;
    return { lock: null, live: fresh, why: fresh ? `${lockFile} is being created by another process` : `${lockFile} is unreadable` };
  }
  if (lock.host !== os.hostname()) return { lock, live: false, why: `${lockFile} was taken on host ${lock.host}` };
  if (!pidAlive(lock.pid)) return { lock, live: false, why: `process ${lock.pid} of ${lockFile} is gone` };
  const started = processStartTicks(lock.pid);
  if (lock.started && started && lock.started !== started) {
    return { lock, live: false, why: `pid ${lock.pid} of ${lockFile} now belongs to another process` };
  }
  return { lock, live: true, why: `held by process ${lock.pid}` };
}

/** Creates the lock with O_EXCL; a stale one (dead or reused pid) is replaced, and named in `log`. */
function acquireLock(lockFile: string, tag: string, log: (line: string) => void): void {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(lockFile, 'wx');
      try {
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), started: processStartTicks(process.pid) }) + '\n');
      } finally {
        fs.closeSync(fd);
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw withFile(e, lockFile);
    }
    const held = lockState(lockFile);
    if (held.live && !held.lock) throw new Error(`${tag}: ${held.why}; try again in a few seconds`);
    if (held.live && held.lock?.pid !== process.pid) {
      throw new Error(`${tag} is being run by process ${held.lock?.pid} (lock ${lockFile}); stop that process first`);
    }
    if (attempt > 0) throw new Error(`${tag}: could not take ${lockFile} (another process took it at the same moment)`);
    log(`${tag} removing stale lock: ${held.why}`);
    fs.rmSync(lockFile, { force: true });
  }
}

/** First non-finite number in a learner state (typed arrays and plain numbers), as a path; null if none. */
export function firstNonFinite(state: unknown, at = 'state'): string | null {
  if (typeof state === 'number') return Number.isFinite(state) ? null : `${at} = ${state}`;
  if (state instanceof Float32Array || state instanceof Float64Array) {
    for (let i = 0; i < state.length; i++) if (!Number.isFinite(state[i])) return `${at}[${i}] = ${state[i]}`;
    return null;
  }
  if (ArrayBuffer.isView(state)) return null;
  if (Array.isArray(state)) {
    for (let i = 0; i < state.length; i++) {
      const bad = firstNonFinite(state[i], `${at}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (state && typeof state === 'object') {
    for (const [k, v] of Object.entries(state)) {
      const bad = firstNonFinite(v, `${at}.${k}`);
      if (bad) return bad;
    }
  }
  return null;
}

/** Non-empty lines of a CSV text (header included). */
const lineCount = (text: string) => text.split('\n').filter((l) => l.length > 0).length;

function csvLine(columns: readonly string[], row: Record<string, unknown>): string {
  return toCsv([row], [...columns]).split('\n')[1] + '\n';
}

/** Raised when NaN/Inf shows up in a loss, an action or the learner's state; ends a run as `diverged`. */
export class DivergedError extends Error {}

/** Throws DivergedError when an action holds NaN/Inf (before the env rejects it with a vaguer error). */
function checkAction(action: ArrayLike<number>, where: string): void {
  for (let i = 0; i < action.length; i++) {
    if (!Number.isFinite(action[i])) throw new DivergedError(`action[${i}] is ${action[i]} ${where}`);
  }
}

export interface EvalResult {
  mean: number;
  std: number;
  lengthMean: number;
  returns: number[];
  lengths: number[];
}

/** `episodes` episodes of the learner's evaluation policy, each reset with a derived seed. */
export function evaluate(learner: Learner, env: Env, episodes: number, seedOf: (e: number) => number): EvalResult {
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let e = 0; e < episodes; e++) {
    let { obs } = env.reset({ seed: seedOf(e) });
    let total = 0;
    let length = 0;
    for (;;) {
      const action = learner.act(obs, 'eval', 0);
      checkAction(action, 'in an evaluation episode');
      const r = env.step(action);
      total += r.reward;
      length++;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
    returns.push(total);
    lengths.push(length);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes);
  return { mean, std, lengthMean: lengths.reduce((a, b) => a + b, 0) / episodes, returns, lengths };
}

/** A run's progress, kept in its checkpoints. */
export interface Counters {
  step: number;
  episode: number;
  evals: number;
  trainLines: number;
  evalLines: number;
  wallSeconds: number;
  /** Absent in checkpoints made before CPU time was kept; null once a start did not record it. */
  cpuSeconds?: number | null;
  lastEval: RunStatus['lastEval'] | null;
}

/** What a checkpoint holds; `settings` and `csv` are absent in checkpoints made before they were kept. */
interface Saved {
  counters: Counters;
  learner: unknown;
  settings?: ReturnType<typeof settingsOf>;
  csv?: { train: string; eval: string };
}

function validateSaved(saved: unknown, file: string): Saved {
  const s = saved as Partial<Saved> | null;
  const c = (s?.counters ?? null) as unknown as Record<string, unknown> | null;
  const bad: string[] = [];
  if (!c || typeof c !== 'object') bad.push('no counters');
  else {
    for (const k of ['step', 'episode', 'evals', 'trainLines', 'evalLines']) {
      if (!Number.isSafeInteger(c[k]) || (c[k] as number) < 0) bad.push(`counters.${k} is ${JSON.stringify(c[k])}, expected a whole number ≥ 0`);
    }
    if (typeof c.wallSeconds !== 'number' || !Number.isFinite(c.wallSeconds)) bad.push(`counters.wallSeconds is ${JSON.stringify(c.wallSeconds)}`);
    if (c.cpuSeconds !== undefined && c.cpuSeconds !== null && !(typeof c.cpuSeconds === 'number' && Number.isFinite(c.cpuSeconds) && c.cpuSeconds >= 0)) {
      bad.push(`counters.cpuSeconds is ${JSON.stringify(c.cpuSeconds)}, expected seconds ≥ 0 or null`);
    }
  }
  if (!s?.learner || typeof s.learner !== 'object') bad.push('no learner state');
  if (s?.csv && (typeof s.csv.train !== 'string' || typeof s.csv.eval !== 'string')) bad.push('csv rows are not text');
  if (bad.length) throw new CheckpointError(`${file}: not a usable run checkpoint: ${bad.join('; ')}`);
  return s as Saved;
}

/** The latest usable checkpoint, else the previous one (saying so in `log`); null when there is none. */
function loadCheckpoint(file: string, tag: string, log: (line: string) => void): Saved | null {
  const candidates = [file, previousCheckpointFile(file)].filter((f) => fs.existsSync(f));
  if (candidates.length === 0) return null;
  const problems: string[] = fs.existsSync(file) ? [] : [`${file} is missing`];
  for (const f of candidates) {
    try {
      const saved = validateSaved(readCheckpoint(f), f);
      if (problems.length) log(`${tag} ${problems.join('; ')}; falling back to ${f}`);
      return saved;
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      problems.push(e.message);
    }
  }
  throw new Error(
    `${tag} has no usable checkpoint: ${problems.join('; ')}. The run's files are left as they are; ` +
      'start it again with --fresh (or restore a checkpoint from a backup)',
  );
}

/**
 * What one kind of run does that another does not; everything else (locks, settings checks,
 * checkpoints, status, CSVs, evaluations, policy.bin, the diverged and failed states) is
 * runSession's, so online runs (here) and offline runs (offline.ts) follow the same rules.
 */
export interface RunDriver {
  /** Appended to the run's tag in log lines, e.g. "offline medium". */
  label?: string;
  /** What its safe points are called in log lines [episode end]. */
  safePointName?: string;
  /** Checks against the run directory's config.json (null when there is none), before anything is written. */
  checkPrevious?(previous: Record<string, unknown> | null, configFile: string): void;
  /** Columns of train.csv. */
  trainColumns: readonly string[];
  /** Columns of eval.csv after EVAL_COLUMNS, and their cells for one evaluation. */
  evalColumns?: readonly string[];
  evalCells?(result: EvalResult): Record<string, unknown>;
  /** Before the evaluation env and the learner are made (the online driver makes its env here). */
  open?(cleanups: (() => void | Promise<void>)[]): Promise<void>;
  /** Once the learner is made, before a checkpoint's state is loaded into it. */
  prepare?(learner: Learner): Promise<void> | void;
  /** What a checkpoint keeps of the learner, and how it is put back (default getState / setState). */
  learnerState?(learner: Learner): unknown;
  setLearnerState?(learner: Learner, state: unknown): void;
  /** Takes the run from `session.counters.step` to totalSteps ('done'), or stops early. */
  loop(session: RunSession): Promise<'done' | 'stopped' | 'preempted'>;
}

/** What a driver's loop works with. */
export interface RunSession {
  readonly plan: RunPlan;
  readonly tag: string;
  readonly learner: Learner;
  /** Step counts and CSV line counts; `step` is the driver's to advance. */
  readonly counters: Counters;
  /** Seconds of training so far, resumed runs included. */
  wall(): number;
  /** Evaluates at the current step and records the row (the last evaluation also keeps the policy for policy.bin). */
  evaluateNow(): void;
  /** Appends one row to train.csv (kept in the checkpoint too). */
  trainRow(row: Record<string, unknown>): void;
  /** Throws DivergedError when a loss in `stats` is NaN/Inf. */
  checkStats(stats: LearnerStats): void;
  /**
   * A point where the run may stop: lets signals in, notices a dead sweep parent, checkpoints
   * when checkpointInterval steps have passed or a stop was asked for, and then returns the stop
   * (status already recorded), else null.
   */
  safePoint(): Promise<'stopped' | 'preempted' | null>;
  /** A progress line every progressEvery seconds; the ETA's speed counts from `warmupSteps` on. */
  tick(warmupSteps: number): void;
}

export async function trainRun(plan: RunPlan, options: TrainOptions = {}): Promise<TrainOutcome> {
  return runSession(plan, options, onlineDriver(plan, options));
}

/** Env interaction: act, step, let the learner observe (and learn), episode by episode. */
function onlineDriver(plan: RunPlan, options: TrainOptions): RunDriver {
  const { protocol } = plan;
  let env: Env | null = null;
  return {
    trainColumns: [...COMMON_TRAIN_COLUMNS, ...algorithm(plan.algo).statNames],
    async open(cleanups) {
      const opened = await makeEnv(plan.env, { maxEpisodeSteps: protocol.maxEpisodeSteps });
      env = opened;
      cleanups.push(() => opened.close());
    },
    async loop(s) {
      if (!env) throw new Error(`${s.tag}: internal: the training env was not opened`);
      const { counters: c, learner } = s;
      // The ETA's speed is measured from the first post-warm-up step this process sees (runEta).
      const warmupSteps = typeof plan.config.warmupSteps === 'number' ? plan.config.warmupSteps : 0;
      let lastRow = { t: s.wall(), step: c.step };
      let lastStats: LearnerStats | null = null;
      let obs = env.reset({ seed: deriveSeed(plan.seed, TRAIN_EPISODES, c.episode) }).obs;
      let episodeReturn = 0;
      let episodeLength = 0;
      while (c.step < protocol.totalSteps) {
        const action = learner.act(obs, 'explore', c.step);
        checkAction(action, `at step ${c.step + 1}`);
        const r = env.step(action);
        c.step++;
        episodeReturn += r.reward;
        episodeLength++;
        const ended = r.terminated || r.truncated;
        const transition: Transition = { obs, action, reward: r.reward, nextObs: r.obs, terminated: r.terminated, truncated: r.truncated };
        options.onTransition?.(transition, c.step);
        const stats = learner.observe(transition, c.step, ended);
        if (stats) {
          s.checkStats(stats);
          lastStats = stats;
        }
        obs = r.obs;

        if (c.step % protocol.evalInterval === 0 || c.step === protocol.totalSteps) s.evaluateNow();

        if (ended) {
          const t = s.wall();
          const rowRate = (c.step - lastRow.step) / Math.max(t - lastRow.t, 1e-9);
          lastRow = { t, step: c.step };
          s.trainRow({
            step: c.step,
            episode: c.episode,
            episode_return: episodeReturn,
            episode_length: episodeLength,
            wall_seconds: Math.round(t * 10) / 10,
            steps_per_second: Math.round(rowRate * 10) / 10,
            ...(lastStats ?? {}),
          });
          c.episode++;
          episodeReturn = 0;
          episodeLength = 0;
          obs = env.reset({ seed: deriveSeed(plan.seed, TRAIN_EPISODES, c.episode) }).obs;
          // Episode ends are the safe points: signals, a dead sweep parent, checkpoints.
          const request = await s.safePoint();
          if (request) return request;
        }

        s.tick(warmupSteps);
        if (options.stopAfterSteps !== undefined && c.step >= options.stopAfterSteps && c.step < protocol.totalSteps) {
          return 'stopped';
        }
      }
      return 'done';
    },
  };
}

/** Runs `driver` in the plan's run directory under the runner's rules (file comment). */
export async function runSession(plan: RunPlan, options: TrainOptions, driver: RunDriver): Promise<TrainOutcome> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const tag = `[${plan.algo} ${plan.env} seed ${plan.seed} ${plan.label}${driver.label ? ` ${driver.label}` : ''}]`;
  const file = (name: string) => path.join(plan.dir, name);
  const { protocol } = plan;
  // Engine, sampler workers and the lock are checked before anything is written or deleted.
  const engine: EngineInfo = initEngine();
  const samplerWorkers = options.samplerWorkers ?? samplerWorkersFromEnv();
  const lockFile = file('run.lock');

  if (options.fresh) {
    const held = lockState(lockFile);
    if (held.live && held.lock?.pid !== process.pid) {
      const who = held.lock ? `process ${held.lock.pid} is training this run (lock ${lockFile})` : held.why;
      throw new Error(`${tag}: --fresh refused: ${who}; stop it first`);
    }
    fs.rmSync(plan.dir, { recursive: true, force: true });
  }
  try {
    fs.mkdirSync(plan.dir, { recursive: true });
  } catch (e) {
    throw withFile(e, plan.dir);
  }

  // Same directory, other settings: refuse rather than mix (config.json, else status.json's hash, else the checkpoint's).
  const settings = settingsOf(plan);
  const settingsSha256 = sha256(JSON.stringify(settings));
  const otherSettings = (detail: string) =>
    new Error(`${plan.dir} holds a run with other settings (${detail}); use another variant name or --fresh to replace it`);
  const previous = readJson<Record<string, unknown> & { config: unknown; protocol: unknown }>(file('config.json'));
  driver.checkPrevious?.(previous, file('config.json'));
  if (previous && JSON.stringify([previous.config, previous.protocol]) !== JSON.stringify([plan.config, plan.protocol])) {
    throw otherSettings(describeSettingsDiff(settings, { ...settings, config: previous.config, protocol: previous.protocol }));
  }
  const status0 = readJson<RunStatus>(file('status.json'));
  if (!status0 && fs.existsSync(file('status.json'))) {
    throw new Error(
      `${file('status.json')} is unreadable (expected the run's status as JSON); the run may be complete, so it is not ` +
        'restarted over its results. Repair the file, or start again with --fresh',
    );
  }
  if (status0?.settingsSha256 && status0.settingsSha256 !== settingsSha256) {
    throw otherSettings(`status.json records settings ${status0.settingsSha256.slice(0, 12)}…, these are ${settingsSha256.slice(0, 12)}…`);
  }
  if (status0?.state === 'complete') {
    if (!options.quiet) log(`${tag} already complete (final eval ${status0.lastEval?.mean.toFixed(1) ?? '?'}), skipped`);
    return 'skipped';
  }
  if (status0?.state === 'diverged') {
    log(`${tag} diverged earlier (${status0.error ?? 'NaN/Inf'}); not resumed: start it again with --fresh (and other settings)`);
    return 'diverged';
  }
  acquireLock(lockFile, tag, log);

  let stopRequest: 'stopped' | 'preempted' | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequest) return;
    stopRequest = signal === 'SIGINT' ? 'stopped' : 'preempted';
    log(`${tag} ${signal}: stopping at the next ${driver.safePointName ?? 'episode end'}, with a checkpoint`);
  };
  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const cleanups: (() => void | Promise<void>)[] = [];
  try {
    // Temp files of writers that died mid-write (we hold the lock, so none is being written).
    for (const name of fs.readdirSync(plan.dir)) if (/\.tmp-\d+$/.test(name)) fs.rmSync(file(name), { force: true });

    const checkpointFile = file('checkpoint.bin');
    const saved = loadCheckpoint(checkpointFile, tag, log);
    if (saved?.settings && JSON.stringify(saved.settings) !== JSON.stringify(settings)) {
      throw otherSettings(`${checkpointFile}: ${describeSettingsDiff(settings, saved.settings)}`);
    }
    if (saved) {
      // Engines agree to float32 rounding, not bit for bit: one run stays on one engine.
      const startedOn = status0?.starts?.length ? status0.starts[status0.starts.length - 1].engine ?? 'tfjs' : null;
      if (startedOn && startedOn !== engine.name) {
        throw new Error(
          `${tag} ran on the ${startedOn} engine; resuming it on ${engine.name} would mix two engines in one run. ` +
            `Resume with QVPO_ENGINE=${startedOn}, or start it again with --fresh.`,
        );
      }
    }

    const backend: BackendInfo = await initBackend();
    writeAtomic(file('config.json'), JSON.stringify({ ...plan, dir: undefined, settingsSha256 }, null, 1) + '\n');
    writeAtomic(file('environment.json'), JSON.stringify(collectEnvironment(backend, engine), null, 1) + '\n');

    await driver.open?.(cleanups);
    const evalEnv = await makeEnv(plan.env, { maxEpisodeSteps: protocol.maxEpisodeSteps });
    cleanups.push(() => evalEnv.close());
    const learner = algorithm(plan.algo).create(agentSpecOf(evalEnv), plan.config, plan.seed);
    cleanups.push(() => learner.dispose());
    let sampler: SamplerPool | null = null;
    // The worker pool shares tfjs chains; the ORT engine runs a chain as one native call instead.
    if (samplerWorkers > 0 && engine.name === 'tfjs' && learner instanceof OffPolicyLearner && learner.agent instanceof QvpoAgent && !backend.gpu) {
      const policy = learner.agent.policy;
      sampler = await SamplerPool.create(samplerWorkers, policy.netSpec, backend.name);
      cleanups.push(() => sampler?.dispose());
      policy.useSampler(sampler);
    }
    await driver.prepare?.(learner);
    const learnerState = () => (driver.learnerState ? driver.learnerState(learner) : learner.getState());
    const evalColumns = [...EVAL_COLUMNS, ...(driver.evalColumns ?? [])];

    let c: Counters = { step: 0, episode: 0, evals: 0, trainLines: 1, evalLines: 1, wallSeconds: 0, cpuSeconds: 0, lastEval: null };
    // The CSVs' text so far: checkpoints keep it, so a resume restores rows that were cut or lost.
    let csv = { train: driver.trainColumns.join(',') + '\n', eval: evalColumns.join(',') + '\n' };
    if (saved) {
      if (driver.setLearnerState) driver.setLearnerState(learner, saved.learner);
      else learner.setState(saved.learner);
      c = { ...saved.counters, cpuSeconds: saved.counters.cpuSeconds ?? null };
      if (saved.csv) csv = { ...saved.csv };
      else {
        // Checkpoints from before the rows were kept: cut the files back, refuse if rows are missing.
        for (const which of ['train', 'eval'] as const) {
          const f = file(`${which}.csv`);
          const want = which === 'train' ? c.trainLines : c.evalLines;
          const lines = (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '').split('\n').filter((l) => l.length > 0);
          if (lines.length < want) {
            throw new Error(`${f} has ${lines.length} line(s), the checkpoint at step ${c.step} expects ${want}; the missing rows cannot be restored: start again with --fresh`);
          }
          csv[which] = lines.slice(0, want).join('\n') + '\n';
        }
      }
    }
    writeAtomic(file('train.csv'), csv.train);
    writeAtomic(file('eval.csv'), csv.eval);

    const now = () => new Date().toISOString();
    // Time of this start, added to what the checkpoint carried; the process's own CPU only
    // (a notebook kernel trains runs one after another in one process).
    const started = performance.now() / 1000 - c.wallSeconds;
    const wall = () => performance.now() / 1000 - started;
    const cpuAtStart = process.cpuUsage();
    const cpuBefore = c.cpuSeconds ?? null;
    const cpu = (): number | null => {
      if (cpuBefore === null) return null;
      const used = process.cpuUsage(cpuAtStart);
      return cpuBefore + (used.user + used.system) / 1e6;
    };
    const status: RunStatus = {
      state: 'running',
      algo: plan.algo,
      env: plan.env,
      seed: plan.seed,
      profile: plan.label,
      variant: plan.variant,
      step: c.step,
      totalSteps: protocol.totalSteps,
      startedAt: status0?.startedAt ?? now(),
      updatedAt: now(),
      starts: [
        ...(status0?.starts ?? []),
        { at: now(), fromStep: c.step, pid: process.pid, host: os.hostname(), backend: backend.name, engine: engine.name, samplerWorkers: sampler?.size ?? 0 },
      ],
      ...(c.lastEval ? { lastEval: c.lastEval } : {}),
      paperDiff: plan.paperDiff,
      settingsSha256,
    };
    const saveStatus = () => {
      status.step = c.step;
      status.wallSeconds = Math.round(wall() * 10) / 10;
      const usedCpu = cpu();
      status.cpuSeconds = usedCpu === null ? null : Math.round(usedCpu * 10) / 10;
      status.updatedAt = now();
      writeAtomic(file('status.json'), JSON.stringify(status, null, 1) + '\n');
    };
    saveStatus();
    log(
      `${tag} ${saved ? `resuming at step ${c.step}` : 'starting'} on ${backend.name}, engine ${describeEngine(engine)}${sampler ? ` (+${sampler.size} sampling workers)` : ''}: ${protocol.totalSteps} steps; ` +
        `differs from the paper: ${describePaperDiff(plan.paperDiff)}`,
    );

    let lastProgress = { t: wall(), step: c.step };
    let stepsPerSecond = 0;
    let sinceWarmup: ProgressPoint | null = null;
    let lastCheckpointStep = c.step;
    let finalEvaluation: FinalEvaluation | null = null;
    const checkState = (state: unknown) => {
      const bad = firstNonFinite(state, 'learner');
      if (bad) throw new DivergedError(`non-finite value in the learner's state at step ${c.step}: ${bad}`);
    };
    const checkpoint = () => {
      c.wallSeconds = wall();
      c.cpuSeconds = cpu();
      const state = learnerState();
      checkState(state);
      writeCheckpoint(checkpointFile, { counters: c, learner: state, settings, csv }, { keepPrevious: true });
      lastCheckpointStep = c.step;
      saveStatus();
    };

    const session: RunSession = {
      plan,
      tag,
      learner,
      counters: c,
      wall,
      evaluateNow() {
        const evalIndex = c.evals;
        // Taken before the evaluation draws from the generator, so policy.bin replays it exactly.
        const policyAtEval = c.step === protocol.totalSteps ? learner.getPolicyState() : null;
        const res = evaluate(learner, evalEnv, protocol.evalEpisodes, (e) => evaluationSeed(plan.seed, evalIndex, protocol.evalEpisodes, e));
        if (!Number.isFinite(res.mean)) throw new DivergedError(`evaluation return is ${res.mean} at step ${c.step}`);
        if (policyAtEval) finalEvaluation = { step: c.step, index: evalIndex, mean: res.mean, std: res.std, returns: res.returns, lengths: res.lengths, policy: policyAtEval };
        c.evals++;
        c.lastEval = { step: c.step, mean: res.mean, std: res.std };
        status.lastEval = c.lastEval;
        const line = csvLine(evalColumns, {
          step: c.step,
          return_mean: res.mean,
          return_std: res.std,
          episodes: protocol.evalEpisodes,
          wall_seconds: Math.round(wall() * 10) / 10,
          length_mean: res.lengthMean,
          ...(driver.evalCells?.(res) ?? {}),
        });
        appendText(file('eval.csv'), line);
        csv.eval += line;
        c.evalLines++;
        saveStatus();
      },
      trainRow(row) {
        const line = csvLine(driver.trainColumns, row);
        appendText(file('train.csv'), line);
        csv.train += line;
        c.trainLines++;
      },
      checkStats(stats) {
        for (const [k, v] of Object.entries(stats)) {
          if (/loss/i.test(k) && !Number.isFinite(v)) throw new DivergedError(`${k} is ${v} at step ${c.step}`);
        }
      },
      async safePoint() {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (options.parentPid !== undefined && process.ppid !== options.parentPid && !stopRequest) {
          log(`${tag} the sweep process ${options.parentPid} is gone: stopping, with a checkpoint`);
          stopRequest = 'stopped';
        }
        const request = stopRequest as 'stopped' | 'preempted' | null;
        if (c.step < protocol.totalSteps && (request || c.step - lastCheckpointStep >= protocol.checkpointInterval)) {
          if (c.step !== lastCheckpointStep || !fs.existsSync(checkpointFile)) checkpoint();
        }
        if (request && c.step < protocol.totalSteps) {
          status.state = request;
          saveStatus();
          log(`${tag} ${request} at step ${c.step} with a checkpoint; run the same command again to resume`);
          return request;
        }
        return null;
      },
      tick(warmupSteps) {
        const t = wall();
        if (sinceWarmup === null && c.step >= warmupSteps) sinceWarmup = { t, step: c.step };
        if (t - lastProgress.t >= (options.progressEvery ?? 10)) {
          stepsPerSecond = (c.step - lastProgress.step) / (t - lastProgress.t);
          lastProgress = { t, step: c.step };
          if (!options.quiet) {
            const eta = runEta({ step: c.step, totalSteps: protocol.totalSteps, warmupSteps, since: sinceWarmup, now: t });
            const ev = c.lastEval ? `last eval ${c.lastEval.mean.toFixed(1)} ± ${c.lastEval.std.toFixed(1)} @${c.lastEval.step}` : 'no eval yet';
            log(
              `${tag} step ${c.step}/${protocol.totalSteps} (${((100 * c.step) / protocol.totalSteps).toFixed(1)}%) | ` +
                `${stepsPerSecond.toFixed(1)} steps/s | ${eta} | ${ev}`,
            );
          }
        }
      },
    };

    try {
      const ended = await driver.loop(session);
      if (ended !== 'done') return ended;
      checkState(learnerState());
      // Every loop ends with an evaluation at totalSteps, so this is set.
      if (!finalEvaluation) throw new Error(`${tag} ended without a final evaluation`);
      writePolicyFile(file(POLICY_FILE), { plan, engine: engine.name, finalEvaluation });
      status.state = 'complete';
      status.finishedAt = now();
      status.files = {
        train: { rows: lineCount(csv.train) - 1, sha256: sha256(csv.train) },
        eval: { rows: lineCount(csv.eval) - 1, sha256: sha256(csv.eval) },
      };
      saveStatus();
      fs.rmSync(checkpointFile, { force: true });
      fs.rmSync(previousCheckpointFile(checkpointFile), { force: true });
      log(
        `${tag} complete in ${formatDuration(wall())}${status.cpuSeconds != null ? ` (CPU ${formatDuration(status.cpuSeconds)})` : ''}: final eval ${c.lastEval?.mean.toFixed(1)} ± ${c.lastEval?.std.toFixed(1)} ` +
          `over ${protocol.evalEpisodes} episodes`,
      );
      return 'complete';
    } catch (e) {
      const diverged = e instanceof DivergedError;
      status.state = diverged ? 'diverged' : 'failed';
      status.error = (e as Error).message;
      try {
        saveStatus();
      } catch (e2) {
        // A full disk: the compact status, its error shortened if need be, over the old file's bytes.
        const statusFile = file('status.json');
        const room = fs.existsSync(statusFile) ? fs.statSync(statusFile).size : 0;
        const compact = () => JSON.stringify(status);
        const over = Buffer.byteLength(compact()) - room;
        if (over > 0 && status.error) status.error = status.error.slice(0, Math.max(40, status.error.length - over - 2)) + '…';
        if (!overwriteInPlace(statusFile, compact())) log(`${tag} could not record the ${status.state} state: ${(e2 as Error).message}`);
      }
      if (!diverged) throw e;
      log(`${tag} diverged: ${status.error}; stopped, not counted in tables (try a smaller learning rate, then --fresh)`);
      return 'diverged';
    }
  } finally {
    if (options.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    for (const f of cleanups.reverse()) await f();
    // Only our own lock: a lock another process took meanwhile is theirs.
    if (readJson<LockInfo>(lockFile)?.pid === process.pid) fs.rmSync(lockFile, { force: true });
  }
}
