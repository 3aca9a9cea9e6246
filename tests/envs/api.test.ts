/**
 * Env API behaviour shared by all MuJoCo tasks: lifecycle errors, action validation, seeding,
 * time limit, cached views surviving WASM memory growth.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../lib/util/rng';
import { MjData, wasmHeapBytes } from '../../lib/envs/mujoco/loader';
import { TASK_IDS, assertArrayEqual, copy, mujocoEnv, randomAction } from './helpers';

test('step before reset, after close, and after the episode ended throw clear errors', async () => {
  const env = await mujocoEnv('Hopper-v3');
  assert.throws(() => env.step([0, 0, 0]), /Hopper-v3: step\(\) called before reset\(\)/);
  env.reset({ seed: 0 });
  // Hopper with full-forward torque falls quickly and terminates.
  let r = env.step([1, 1, 1]);
  let n = 1;
  while (!r.terminated && n < 1000) {
    r = env.step([1, 1, 1]);
    n++;
  }
  assert.equal(r.terminated, true, 'hopper fell');
  assert.throws(() => env.step([0, 0, 0]), new RegExp(`episode is over \\(terminated at step ${n}\\); call reset\\(\\)`));
  env.reset();
  env.step([0, 0, 0]); // fine again after reset
  env.close();
  env.close(); // idempotent
  assert.equal(env.isClosed, true);
  assert.throws(() => env.step([0, 0, 0]), /Hopper-v3: step\(\) called after close\(\)/);
  assert.throws(() => env.reset(), /Hopper-v3: reset\(\) called after close\(\)/);
  assert.throws(() => env.physics, /after close/);
});

test('bad actions are rejected with a message naming the value', async () => {
  const env = await mujocoEnv('Walker2d-v3');
  env.reset({ seed: 1 });
  const bad: [unknown, RegExp][] = [
    [[0, 0, 0], /Walker2d-v3: action must have 6 components, got 3/],
    [[0, 0, 0, 0, 0, 0, 0], /must have 6 components, got 7/],
    [[0, 0, NaN, 0, 0, 0], /action\[2\] must be a finite number, got NaN/],
    [[0, 0, 0, Infinity, 0, 0], /action\[3\] must be a finite number, got Infinity/],
    [[0, 0, 0, 0, '1', 0], /action\[4\] must be a finite number, got 1/],
    [undefined, /action must be an array of 6 numbers, got undefined/],
    [null, /action must be an array of 6 numbers, got null/],
    [0.5, /action must be an array of 6 numbers, got 0.5/],
  ];
  for (const [action, message] of bad) {
    assert.throws(() => env.step(action as number[]), message, `action ${String(action)}`);
  }
  // The rejected actions did not advance the episode; a typed array is accepted.
  assert.equal(env.elapsedSteps, 0);
  const r = env.step(new Float32Array(6));
  assert.equal(r.obs.length, 17);
  assert.equal(env.elapsedSteps, 1);
  assert.throws(() => env.reset({ seed: -1 }), /reset seed must be an integer in \[0, 2\^32\), got -1/);
  assert.throws(() => env.reset({ seed: 1.5 }), /got 1.5/);
  env.close();
});

for (const id of TASK_IDS) {
  test(`${id}: same seed → identical first observation and identical trajectory`, async () => {
    const a = await mujocoEnv(id);
    const b = await mujocoEnv(id);
    const steps = id.startsWith('Humanoid') ? 30 : 60;
    const actionRng = new Rng(99);
    const actions = Array.from({ length: steps }, () => randomAction(actionRng, a.actionSpace.low, a.actionSpace.high));
    const ra = a.reset({ seed: 123 });
    const rb = b.reset({ seed: 123 });
    assertArrayEqual(ra.obs, rb.obs, 'first obs');
    const other = a.reset({ seed: 124 }).obs;
    assert.ok(other.some((v, i) => v !== ra.obs[i]), 'another seed gives another first observation');
    a.reset({ seed: 123 });
    for (let t = 0; t < steps; t++) {
      const sa = a.step(actions[t]);
      const sb = b.step(actions[t]);
      assertArrayEqual(sa.obs, sb.obs, `obs at step ${t + 1}`);
      assert.ok(Object.is(sa.reward, sb.reward), `reward at step ${t + 1}`);
      assert.equal(sa.terminated, sb.terminated);
      assert.deepEqual(sa.info, sb.info);
      if (sa.terminated) break;
    }
    // Reset without a seed continues the stream: the same in both envs, different from the seeded start.
    const na = a.reset().obs;
    const nb = b.reset().obs;
    assertArrayEqual(na, nb, 'unseeded reset after identical histories');
    assert.ok(na.some((v, i) => v !== ra.obs[i]), 'unseeded reset draws new noise');
    a.close();
    b.close();
  });
}

test('truncation at step 1000 (HalfCheetah never terminates)', async () => {
  const env = await mujocoEnv('HalfCheetah-v3');
  assert.equal(env.maxEpisodeSteps, 1000);
  env.reset({ seed: 5 });
  const rng = new Rng(5);
  for (let t = 1; t <= 1000; t++) {
    const r = env.step(randomAction(rng, env.actionSpace.low, env.actionSpace.high));
    assert.equal(r.terminated, false);
    assert.equal(r.truncated, t === 1000, `truncated at step ${t}`);
  }
  assert.throws(() => env.step([0, 0, 0, 0, 0, 0]), /episode is over \(truncated at step 1000\)/);
  env.close();
});

test('truncation at step 1000 for a task that can terminate (Hopper with terminateWhenUnhealthy=false)', async () => {
  const env = await mujocoEnv('Hopper-v3', { terminateWhenUnhealthy: false });
  env.reset({ seed: 6 });
  let sawUnhealthy = false;
  for (let t = 1; t <= 1000; t++) {
    const r = env.step([0.3, -0.2, 0.1]);
    assert.equal(r.terminated, false);
    assert.equal(r.truncated, t === 1000, `truncated at step ${t}`);
    if (r.info.is_healthy === false) {
      sawUnhealthy = true;
      assert.equal(r.info.healthy_reward, 0, 'no healthy reward while unhealthy when not terminating');
    }
  }
  assert.ok(sawUnhealthy, 'the hopper fell at some point');
  env.close();
});

test('terminal step that is also the time limit: terminated and truncated both true', async () => {
  const probe = await mujocoEnv('Hopper-v3');
  probe.reset({ seed: 7 });
  let k = 0;
  for (;;) {
    k++;
    if (probe.step([1, -1, 1]).terminated) break;
  }
  probe.close();
  const env = await mujocoEnv('Hopper-v3', { maxEpisodeSteps: k });
  assert.equal(env.maxEpisodeSteps, k);
  env.reset({ seed: 7 });
  for (let t = 1; t < k; t++) {
    const r = env.step([1, -1, 1]);
    assert.equal(r.terminated || r.truncated, false);
  }
  const last = env.step([1, -1, 1]);
  assert.equal(last.terminated, true);
  assert.equal(last.truncated, true);
  assert.throws(() => env.step([0, 0, 0]), /terminated and truncated at step/);
  env.close();
  const unlimited = await mujocoEnv('HalfCheetah-v3', { maxEpisodeSteps: null });
  assert.equal(unlimited.maxEpisodeSteps, null);
  unlimited.reset({ seed: 0 });
  for (let t = 0; t < 1005; t++) assert.equal(unlimited.step([0, 0, 0, 0, 0, 0]).truncated, false);
  unlimited.close();
});

test('cached views are refreshed after WASM memory grows', async () => {
  const env = await mujocoEnv('Ant-v3');
  const { mj, model } = env.physics;
  env.reset({ seed: 3 });
  env.step([0.1, 0.2, 0.3, 0.4, -0.1, -0.2, -0.3, -0.4]);
  const before = wasmHeapBytes(mj);
  const hogs: MjData[] = [];
  while (wasmHeapBytes(mj) === before) hogs.push(new mj.MjData(model)); // ~15 MB each
  try {
    const r = env.step([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const data = env.physics.data; // fresh views
    assertArrayEqual(r.obs.subarray(0, 13), copy(data.qpos).slice(2), 'obs qpos part after growth');
    assertArrayEqual(r.obs.subarray(13, 27), copy(data.qvel), 'obs qvel part after growth');
    assertArrayEqual(copy(data.ctrl), [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 'ctrl written after growth');
    const again = env.reset({ seed: 3 });
    assertArrayEqual(again.obs.subarray(0, 13), copy(env.physics.data.qpos).slice(2), 'reset after growth');
  } finally {
    for (const h of hogs) h.delete();
    env.close();
  }
});
