/**
 * Runs one episode and returns one flat record per step, ready for a table or a plot:
 *
 *   const env = await makeEnv('Hopper-v3');
 *   const records = rollout(env, (obs) => policy(obs), { seed: 0 });
 *   // records[i] = { step, reward, forward_reward, healthy_reward, ctrl_cost, contact_cost,
 *   //                x_position, x_velocity, torso_height, terminated, truncated, ...other info }
 *
 * `step` counts from 1 (the env's step count after that step), so with a 1000-step limit the
 * last record of a full episode has step 1000 and truncated = true. Every numeric or boolean
 * `info` entry is copied into the record; the standard reward terms and torso height are
 * always present (null when an env does not report them). The episode ends at termination,
 * truncation or `maxSteps`, whichever comes first.
 */

import { Env, EnvInfo } from './types';

/** Maps an observation (and the 0-based step index) to an action. */
export type Policy = (obs: Float64Array, stepIndex: number) => ArrayLike<number>;
export type AsyncPolicy = (obs: Float64Array, stepIndex: number) => ArrayLike<number> | Promise<ArrayLike<number>>;

export interface RolloutOptions {
  /** Seed for `env.reset`; without it the env's random stream continues. */
  seed?: number;
  /** Stop after this many steps; default env.maxEpisodeSteps, or 1000 if the env has none. */
  maxSteps?: number;
}

export interface StepRecordCore {
  step: number;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  forward_reward: number | null;
  healthy_reward: number | null;
  ctrl_cost: number | null;
  contact_cost: number | null;
  x_position: number | null;
  x_velocity: number | null;
  torso_height: number | null;
}

export type StepRecord = StepRecordCore & Record<string, number | boolean | null>;

const CORE_INFO_KEYS = [
  'forward_reward',
  'healthy_reward',
  'ctrl_cost',
  'contact_cost',
  'x_position',
  'x_velocity',
  'torso_height',
] as const;

function stepLimit(env: Env, options: RolloutOptions): number {
  const maxSteps = options.maxSteps ?? env.maxEpisodeSteps ?? 1000;
  if (!Number.isInteger(maxSteps) || maxSteps <= 0) {
    throw new Error(`rollout: maxSteps must be a positive integer, got ${String(options.maxSteps)}`);
  }
  return maxSteps;
}

function makeRecord(step: number, reward: number, terminated: boolean, truncated: boolean, info: EnvInfo): StepRecord {
  const record: Record<string, number | boolean | null> = { step, reward, terminated, truncated };
  for (const key of CORE_INFO_KEYS) {
    const v = info[key];
    record[key] = typeof v === 'number' ? v : null;
  }
  for (const key of Object.keys(info)) {
    const v = info[key];
    if (!(key in record) && (typeof v === 'number' || typeof v === 'boolean')) record[key] = v;
  }
  return record as StepRecord;
}

/** One episode with a synchronous policy. */
export function rollout(env: Env, policy: Policy, options: RolloutOptions = {}): StepRecord[] {
  const maxSteps = stepLimit(env, options);
  let { obs } = env.reset(options.seed === undefined ? {} : { seed: options.seed });
  const records: StepRecord[] = [];
  for (let t = 0; t < maxSteps; t++) {
    const r = env.step(policy(obs, t));
    records.push(makeRecord(t + 1, r.reward, r.terminated, r.truncated, r.info));
    obs = r.obs;
    if (r.terminated || r.truncated) break;
  }
  return records;
}

/** One episode with a policy that may return a Promise (e.g. one that awaits a model). */
export async function rolloutAsync(env: Env, policy: AsyncPolicy, options: RolloutOptions = {}): Promise<StepRecord[]> {
  const maxSteps = stepLimit(env, options);
  let { obs } = env.reset(options.seed === undefined ? {} : { seed: options.seed });
  const records: StepRecord[] = [];
  for (let t = 0; t < maxSteps; t++) {
    const r = env.step(await policy(obs, t));
    records.push(makeRecord(t + 1, r.reward, r.terminated, r.truncated, r.info));
    obs = r.obs;
    if (r.terminated || r.truncated) break;
  }
  return records;
}

/** Sum of rewards of a list of records (the episode return). */
export function episodeReturn(records: readonly StepRecordCore[]): number {
  let s = 0;
  for (const r of records) s += r.reward;
  return s;
}
