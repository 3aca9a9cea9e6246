/**
 * Evaluating a finished run's policy.bin, as `qvpo-kit eval` and the rollout recorder do.
 *
 * Two ways to choose episodes:
 *   - no seed (default): the run's final evaluation replayed — the same reset seeds as the
 *     runner used for it, and the policy's generator as it was when it began. On the engine
 *     the run used, the first `evalEpisodes` returns equal the last row of eval.csv.
 *   - a seed S: fresh episodes, reset with the seeds a seed-S run's first evaluation uses,
 *     and the generator started from S. Deterministic: the same S gives the same returns.
 * Only the diffusion agents (QVPO, DIPO, QSM) draw from the generator when evaluating; the
 * others act deterministically, so for them the seed only changes the episodes' start states.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Learner } from '../agents/learner';
import { agentSpecOf, algorithm } from '../agents/registry';
import { initBackend } from '../backend';
import { EngineInfo, initEngine } from '../engine';
import { makeEnv } from '../envs/registry';
import { Env } from '../envs/types';
import { Rng } from '../util/rng';
import { POLICY_FILE, PolicyFileContents, readPolicyFile } from './policy-file';
import { evaluate, evaluationSeed } from './train';

/** Seeds stay within 31 bits, as the CLI's --seed does. */
export const MAX_SEED = 2 ** 31 - 1;
export const MAX_EPISODES = 10_000;

export interface OpenedPolicy {
  runDir: string;
  file: string;
  contents: PolicyFileContents;
  learner: Learner;
  env: Env;
  engine: EngineInfo;
  /** Why the engine differs from the run's (returns then agree to float32 rounding only); null when the same. */
  engineNote: string | null;
  close(): void;
}

export interface PolicyEpisodes {
  /** Episodes to run (default: the run's evalEpisodes). */
  episodes?: number;
  /** Fresh episodes from this seed instead of the run's final evaluation. */
  seed?: number;
}

function checkWhole(value: number | undefined, what: string, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
}

/** Throws unless `runDir` holds a readable policy.bin, saying why it does not (run state, age). */
function policyFileOf(runDir: string): string {
  if (!fs.existsSync(runDir) || !fs.statSync(runDir).isDirectory()) {
    throw new Error(`run directory ${runDir} does not exist (expected e.g. results/runs/quick/qvpo/Hopper-v3/seed-0)`);
  }
  const file = path.join(runDir, POLICY_FILE);
  if (fs.existsSync(file)) return file;
  let state: string | undefined;
  try {
    state = (JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8')) as { state?: string }).state;
  } catch {
    state = undefined;
  }
  const why =
    state === undefined
      ? 'the folder has no readable status.json: is it a run directory?'
      : state === 'complete'
        ? 'the run completed before runs kept their policy; train it again with --fresh to get one'
        : `the run is ${state}, and only complete runs have one`;
  throw new Error(`${file} does not exist: ${why}`);
}

/** The run's engine where QVPO_ENGINE does not choose another and it starts here. */
function startEngine(recorded: string): { engine: EngineInfo; note: string | null } {
  let engine: EngineInfo;
  let why = '';
  if (process.env.QVPO_ENGINE) engine = initEngine();
  else {
    try {
      engine = initEngine(recorded);
    } catch (e) {
      why = ` (it does not start here: ${(e as Error).message})`;
      engine = initEngine();
    }
  }
  const note =
    engine.name === recorded
      ? null
      : `the run used the ${recorded} engine${why}; this evaluation runs on ${engine.name}, so returns agree with the run's to float32 rounding, not bit for bit`;
  return { engine, note };
}

/** Loads a run's policy into a fresh learner and env; `seed` restarts the policy's generator. */
export async function openPolicy(runDir: string, options: { seed?: number } = {}): Promise<OpenedPolicy> {
  checkWhole(options.seed, 'seed', 0, MAX_SEED);
  const file = policyFileOf(runDir);
  const contents = readPolicyFile(file);
  const { engine, note } = startEngine(contents.engine);
  await initBackend();
  const env = await makeEnv(contents.env, { maxEpisodeSteps: contents.protocol.maxEpisodeSteps });
  let learner: Learner;
  try {
    learner = algorithm(contents.algo).create(agentSpecOf(env), contents.config, contents.seed);
  } catch (e) {
    env.close();
    throw e;
  }
  const policy = options.seed === undefined ? contents.policy : { ...contents.policy, rng: new Rng(options.seed).getState() };
  try {
    learner.setPolicyState(policy);
  } catch (e) {
    learner.dispose();
    env.close();
    throw new Error(`${file}: the policy does not fit a ${contents.algo} learner on ${contents.env} with the run's settings: ${(e as Error).message}`);
  }
  return {
    runDir,
    file,
    contents,
    learner,
    env,
    engine,
    engineNote: note,
    close: () => {
      learner.dispose();
      env.close();
    },
  };
}

/** Reset seeds of the episodes `options` asks for (see the file comment). */
export function episodeSeeds(contents: PolicyFileContents, options: PolicyEpisodes = {}): number[] {
  const episodes = options.episodes ?? contents.protocol.evalEpisodes;
  checkWhole(episodes, 'episodes', 1, MAX_EPISODES);
  checkWhole(options.seed, 'seed', 0, MAX_SEED);
  return Array.from({ length: episodes }, (_, e) =>
    options.seed === undefined
      ? evaluationSeed(contents.seed, contents.finalEvaluation.index, contents.protocol.evalEpisodes, e)
      : evaluationSeed(options.seed, 0, episodes, e),
  );
}

export interface PolicyEvaluation {
  contents: PolicyFileContents;
  /** True when these episodes are the run's final evaluation (no seed given). */
  replaysFinalEvaluation: boolean;
  seeds: number[];
  returns: number[];
  lengths: number[];
  mean: number;
  std: number;
  engine: string;
  engineNote: string | null;
}

/** Runs the policy's evaluation episodes (the runner's own evaluate()). */
export async function evaluatePolicy(runDir: string, options: PolicyEpisodes = {}): Promise<PolicyEvaluation> {
  checkWhole(options.episodes, 'episodes', 1, MAX_EPISODES);
  const opened = await openPolicy(runDir, { ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  try {
    const seeds = episodeSeeds(opened.contents, options);
    const res = evaluate(opened.learner, opened.env, seeds.length, (e) => seeds[e]);
    return {
      contents: opened.contents,
      replaysFinalEvaluation: options.seed === undefined,
      seeds,
      returns: res.returns,
      lengths: res.lengths,
      mean: res.mean,
      std: res.std,
      engine: opened.engine.name,
      engineNote: opened.engineNote,
    };
  } finally {
    opened.close();
  }
}
