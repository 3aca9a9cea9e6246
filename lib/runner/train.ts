/**
 * One training run, resumable. Files in the run directory:
 *   config.json       the plan (algorithm config, protocol, paperDiff)
 *   environment.json  machine and software of the latest start (earlier ones in status.json)
 *   status.json       running | complete | failed, step counts, timestamps — written atomically
 *   train.csv         one row per finished training episode, with the learner's latest stats
 *   eval.csv          one row per evaluation (every evalInterval steps and at the end)
 *   checkpoint.bin    learner state (networks, optimisers, replay buffer, RNGs) + counters,
 *                     taken at episode ends; removed once the run is complete
 *   run.lock          the pid of the process running it
 * A killed run restarts from its checkpoint with the CSVs cut back to what the checkpoint had
 * seen, so a resumed run writes the same rows an uninterrupted one would. Only `complete` runs
 * count in tables.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OffPolicyLearner } from '../agents/off-policy';
import { QvpoAgent } from '../agents/qvpo/agent';
import { agentSpecOf, algorithm } from '../agents/registry';
import { SamplerPool, samplerWorkersFromEnv } from '../diffusion/sampler-pool';
import { Learner, LearnerStats } from '../agents/learner';
import { BackendInfo, initBackend } from '../backend';
import { collectEnvironment } from '../backend/environment';
import { EngineInfo, describeEngine, initEngine } from '../engine';
import { makeEnv } from '../envs/registry';
import { Env } from '../envs/types';
import { toCsv } from '../report/table';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { RunPlan, describePaperDiff } from './plan';

export type RunState = 'running' | 'complete' | 'failed';

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
}

export type TrainOutcome = 'complete' | 'skipped' | 'stopped';

const COMMON_TRAIN_COLUMNS = ['step', 'episode', 'episode_return', 'episode_length', 'wall_seconds', 'steps_per_second'];
const EVAL_COLUMNS = ['step', 'return_mean', 'return_std', 'episodes', 'wall_seconds', 'length_mean'];

/** Seeds for episode resets and evaluation episodes, derived from the run seed (splitmix32). */
export function deriveSeed(runSeed: number, stream: number, index: number): number {
  let x = (Math.imul(runSeed + 1, 0x9e3779b9) ^ Math.imul(stream + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
const TRAIN_EPISODES = 1;
const EVAL_EPISODES = 2;

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
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

/** Keeps the first `lines` lines of a CSV file (header included). */
function truncateLines(file: string, lines: number): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const kept = text.split('\n').slice(0, lines);
  fs.writeFileSync(file, kept.join('\n') + '\n');
}

function csvLine(columns: readonly string[], row: Record<string, unknown>): string {
  return toCsv([row], [...columns]).split('\n')[1] + '\n';
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface EvalResult {
  mean: number;
  std: number;
  lengthMean: number;
  returns: number[];
}

/** `episodes` episodes of the learner's evaluation policy, each reset with a derived seed. */
export function evaluate(learner: Learner, env: Env, episodes: number, seedOf: (e: number) => number): EvalResult {
  const returns: number[] = [];
  let lengthSum = 0;
  for (let e = 0; e < episodes; e++) {
    let { obs } = env.reset({ seed: seedOf(e) });
    let total = 0;
    for (;;) {
      const r = env.step(learner.act(obs, 'eval', 0));
      total += r.reward;
      lengthSum++;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
    returns.push(total);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes);
  return { mean, std, lengthMean: lengthSum / episodes, returns };
}

interface Counters {
  step: number;
  episode: number;
  evals: number;
  trainLines: number;
  evalLines: number;
  wallSeconds: number;
  lastEval: RunStatus['lastEval'] | null;
}

export async function trainRun(plan: RunPlan, options: TrainOptions = {}): Promise<TrainOutcome> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const tag = `[${plan.algo} ${plan.env} seed ${plan.seed} ${plan.label}]`;
  const file = (name: string) => path.join(plan.dir, name);
  const { protocol } = plan;
  const entry = algorithm(plan.algo);
  // The engine is chosen (and a bad QVPO_ENGINE / QVPO_ORT_* refused) before anything is written.
  const engine: EngineInfo = initEngine();

  if (options.fresh) fs.rmSync(plan.dir, { recursive: true, force: true });
  fs.mkdirSync(plan.dir, { recursive: true });

  // Same directory, other settings: refuse rather than mix.
  const previous = readJson<{ config: unknown; protocol: unknown }>(file('config.json'));
  if (previous && JSON.stringify([previous.config, previous.protocol]) !== JSON.stringify([plan.config, plan.protocol])) {
    throw new Error(`${plan.dir} holds a run with other settings; use another variant name or --fresh to replace it`);
  }
  const status0 = readJson<RunStatus>(file('status.json'));
  if (status0?.state === 'complete') {
    if (!options.quiet) log(`${tag} already complete (final eval ${status0.lastEval?.mean.toFixed(1) ?? '?'}), skipped`);
    return 'skipped';
  }
  const lock = readJson<{ pid: number; host: string }>(file('run.lock'));
  if (lock && lock.host === os.hostname() && lock.pid !== process.pid && pidAlive(lock.pid)) {
    throw new Error(`${tag} is being run by process ${lock.pid}`);
  }
  writeAtomic(file('run.lock'), JSON.stringify({ pid: process.pid, host: os.hostname() }) + '\n');

  const backend: BackendInfo = await initBackend();
  writeAtomic(file('config.json'), JSON.stringify({ ...plan, dir: undefined }, null, 1) + '\n');
  writeAtomic(file('environment.json'), JSON.stringify(collectEnvironment(backend, engine), null, 1) + '\n');

  const envOptions = { maxEpisodeSteps: protocol.maxEpisodeSteps };
  const env = await makeEnv(plan.env, envOptions);
  const evalEnv = await makeEnv(plan.env, envOptions);
  const learner = entry.create(agentSpecOf(env), plan.config, plan.seed);
  const samplerWorkers = options.samplerWorkers ?? samplerWorkersFromEnv();
  let sampler: SamplerPool | null = null;
  // The worker pool shares tfjs chains; the ORT engine runs a chain as one native call instead.
  if (samplerWorkers > 0 && engine.name === 'tfjs' && learner instanceof OffPolicyLearner && learner.agent instanceof QvpoAgent && !backend.gpu) {
    const policy = learner.agent.policy;
    sampler = await SamplerPool.create(samplerWorkers, policy.netSpec, backend.name);
    policy.useSampler(sampler);
  }
  const trainColumns = [...COMMON_TRAIN_COLUMNS, ...entry.statNames];

  let c: Counters = { step: 0, episode: 0, evals: 0, trainLines: 1, evalLines: 1, wallSeconds: 0, lastEval: null };
  const checkpointFile = file('checkpoint.bin');
  const resumed = fs.existsSync(checkpointFile);
  if (resumed) {
    // Engines agree to float32 rounding, not bit for bit: one run stays on one engine.
    const startedOn = status0?.starts?.length ? status0.starts[status0.starts.length - 1].engine ?? 'tfjs' : null;
    if (startedOn && startedOn !== engine.name) {
      fs.rmSync(file('run.lock'), { force: true });
      throw new Error(
        `${tag} ran on the ${startedOn} engine; resuming it on ${engine.name} would mix two engines in one run. ` +
          `Resume with QVPO_ENGINE=${startedOn}, or start it again with --fresh.`,
      );
    }
    const saved = readCheckpoint(checkpointFile) as { counters: Counters; learner: unknown };
    learner.setState(saved.learner);
    c = saved.counters;
    truncateLines(file('train.csv'), c.trainLines);
    truncateLines(file('eval.csv'), c.evalLines);
  } else {
    fs.writeFileSync(file('train.csv'), trainColumns.join(',') + '\n');
    fs.writeFileSync(file('eval.csv'), EVAL_COLUMNS.join(',') + '\n');
  }

  const now = () => new Date().toISOString();
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
  };
  const saveStatus = () => {
    status.step = c.step;
    status.updatedAt = now();
    writeAtomic(file('status.json'), JSON.stringify(status, null, 1) + '\n');
  };
  saveStatus();
  log(
    `${tag} ${resumed ? `resuming at step ${c.step}` : 'starting'} on ${backend.name}, engine ${describeEngine(engine)}${sampler ? ` (+${sampler.size} sampling workers)` : ''}: ${protocol.totalSteps} steps; ` +
      `differs from the paper: ${describePaperDiff(plan.paperDiff)}`,
  );

  const started = performance.now() / 1000 - c.wallSeconds;
  const wall = () => performance.now() / 1000 - started;
  let lastProgress = { t: wall(), step: c.step };
  let stepsPerSecond = 0;
  let lastRow = { t: wall(), step: c.step };
  let lastStats: LearnerStats | null = null;
  let lastCheckpointStep = c.step;

  try {
    let obs = env.reset({ seed: deriveSeed(plan.seed, TRAIN_EPISODES, c.episode) }).obs;
    let episodeReturn = 0;
    let episodeLength = 0;
    while (c.step < protocol.totalSteps) {
      const action = learner.act(obs, 'explore', c.step);
      const r = env.step(action);
      c.step++;
      episodeReturn += r.reward;
      episodeLength++;
      const ended = r.terminated || r.truncated;
      const stats = learner.observe(
        { obs, action, reward: r.reward, nextObs: r.obs, terminated: r.terminated, truncated: r.truncated },
        c.step,
        ended,
      );
      if (stats) lastStats = stats;
      obs = r.obs;

      if (c.step % protocol.evalInterval === 0 || c.step === protocol.totalSteps) {
        const evalIndex = c.evals;
        const res = evaluate(learner, evalEnv, protocol.evalEpisodes, (e) => deriveSeed(plan.seed, EVAL_EPISODES, evalIndex * protocol.evalEpisodes + e));
        c.evals++;
        c.lastEval = { step: c.step, mean: res.mean, std: res.std };
        status.lastEval = c.lastEval;
        fs.appendFileSync(
          file('eval.csv'),
          csvLine(EVAL_COLUMNS, {
            step: c.step,
            return_mean: res.mean,
            return_std: res.std,
            episodes: protocol.evalEpisodes,
            wall_seconds: Math.round(wall() * 10) / 10,
            length_mean: res.lengthMean,
          }),
        );
        c.evalLines++;
        saveStatus();
      }

      if (ended) {
        const t = wall();
        const rowRate = (c.step - lastRow.step) / Math.max(t - lastRow.t, 1e-9);
        lastRow = { t, step: c.step };
        fs.appendFileSync(
          file('train.csv'),
          csvLine(trainColumns, {
            step: c.step,
            episode: c.episode,
            episode_return: episodeReturn,
            episode_length: episodeLength,
            wall_seconds: Math.round(t * 10) / 10,
            steps_per_second: Math.round(rowRate * 10) / 10,
            ...(lastStats ?? {}),
          }),
        );
        c.trainLines++;
        c.episode++;
        episodeReturn = 0;
        episodeLength = 0;
        obs = env.reset({ seed: deriveSeed(plan.seed, TRAIN_EPISODES, c.episode) }).obs;
        if (c.step - lastCheckpointStep >= protocol.checkpointInterval && c.step < protocol.totalSteps) {
          c.wallSeconds = wall();
          writeCheckpoint(checkpointFile, { counters: c, learner: learner.getState() });
          lastCheckpointStep = c.step;
          saveStatus();
        }
      }

      const t = wall();
      if (t - lastProgress.t >= (options.progressEvery ?? 10)) {
        stepsPerSecond = (c.step - lastProgress.step) / (t - lastProgress.t);
        lastProgress = { t, step: c.step };
        if (!options.quiet) {
          const eta = (protocol.totalSteps - c.step) / Math.max(stepsPerSecond, 1e-9);
          const ev = c.lastEval ? `last eval ${c.lastEval.mean.toFixed(1)} ± ${c.lastEval.std.toFixed(1)} @${c.lastEval.step}` : 'no eval yet';
          log(
            `${tag} step ${c.step}/${protocol.totalSteps} (${((100 * c.step) / protocol.totalSteps).toFixed(1)}%) | ` +
              `${stepsPerSecond.toFixed(1)} steps/s | ETA ${formatDuration(eta)} | ${ev}`,
          );
        }
      }
      if (options.stopAfterSteps !== undefined && c.step >= options.stopAfterSteps && c.step < protocol.totalSteps) {
        return 'stopped';
      }
    }
    status.state = 'complete';
    status.finishedAt = now();
    saveStatus();
    fs.rmSync(checkpointFile, { force: true });
    log(
      `${tag} complete in ${formatDuration(wall())}: final eval ${c.lastEval?.mean.toFixed(1)} ± ${c.lastEval?.std.toFixed(1)} ` +
        `over ${protocol.evalEpisodes} episodes`,
    );
    return 'complete';
  } catch (e) {
    status.state = 'failed';
    status.error = (e as Error).message;
    saveStatus();
    throw e;
  } finally {
    learner.dispose();
    await sampler?.dispose();
    env.close();
    evalEnv.close();
    fs.rmSync(file('run.lock'), { force: true });
  }
}
