/** Shared helpers for the env tests (not a test file itself). */

import assert from 'node:assert/strict';
import { makeEnv, MakeEnvOptions } from '../../lib/envs/registry';
import { MujocoEnv } from '../../lib/envs/mujoco/base';
import { MujocoTask } from '../../lib/envs/mujoco/specs';
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
