/** Shared helpers for the env tests (not a test file itself). */

import assert from 'node:assert/strict';
import { makeEnv, MakeEnvOptions } from '../../lib/envs/registry';
import { MujocoEnv } from '../../lib/envs/mujoco/base';
import { MujocoTask } from '../../lib/envs/mujoco/specs';
import { episodeReturn, rollout } from '../../lib/envs/rollout';
import { Rng } from '../../lib/util/rng';

export const TASK_IDS = ['Hopper-v3', 'Walker2d-v3', 'HalfCheetah-v3', 'Ant-v3', 'Humanoid-v3'] as const;

/** makeEnv for a MuJoCo id, typed as the MuJoCo base class (gives access to `physics`). */
export async function mujocoEnv(id: string, options?: MakeEnvOptions): Promise<MujocoEnv<MujocoTask>> {
  const env = await makeEnv(id, options);
  assert.ok(env instanceof MujocoEnv, `${id} should be a MujocoEnv`);
  return env as MujocoEnv<MujocoTask>;
}

/** Uniform random action within the env's bounds. */
export function randomAction(rng: Rng, low: Float64Array, high: Float64Array): number[] {
  const a: number[] = [];
  for (let i = 0; i < low.length; i++) a.push(rng.uniformIn(low[i], high[i]));
  return a;
}

/** |a − b| ≤ abs + rel·max(|a|, |b|). */
export function close(a: number, b: number, rel = 1e-12, abs = 1e-12): boolean {
  return Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));
}

export function assertClose(actual: number, expected: number, what: string, rel = 1e-12, abs = 1e-12): void {
  assert.ok(close(actual, expected, rel, abs), `${what}: got ${actual}, expected ${expected}`);
}

export function assertArrayEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Object.is(actual[i], expected[i]), `${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Copy of a typed array (fresh view read from the binding). */
export function copy(a: ArrayLike<number>): number[] {
  return Array.from(a);
}

export function sumSq(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/**
 * For health tests: resets to seed 0, then `check(edit, expected, what)` restores that qpos, zeroes
 * qvel, applies `edit` (to the returned `q`/`v` views) and asserts `env.isHealthy()`.
 */
export function healthProbe(env: MujocoEnv<MujocoTask> & { isHealthy(): boolean }) {
  env.reset({ seed: 0 });
  const q = env.physics.data.qpos;
  const v = env.physics.data.qvel;
  const base = copy(q);
  const check = (edit: () => void, expected: boolean, what: string) => {
    q.set(base);
    v.fill(0);
    edit();
    assert.equal(env.isHealthy(), expected, what);
  };
  return { q, v, check };
}

/** Mean return of `episodes` episodes (reset seeds 0, 1, …) under uniform random actions drawn from Rng(seed). */
export function meanRandomReturn(env: MujocoEnv<MujocoTask>, episodes: number, seed: number): number {
  const rng = new Rng(seed);
  const { low, high } = env.actionSpace;
  let total = 0;
  for (let ep = 0; ep < episodes; ep++) total += episodeReturn(rollout(env, () => randomAction(rng, low, high), { seed: ep }));
  return total / episodes;
}
