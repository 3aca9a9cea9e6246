/**
 * Walker2d-v3: observation = qpos[1:] ++ clip(qvel, ±10); reward = Δx/dt + 1 − 0.001·Σa² with
 * dt = 0.002·4; healthy = 0.8 < z < 2 and −1 < angle < 1 (no state-range test); reset noise
 * U(±0.005). Expected values come from the MuJoCo state read straight from MjData.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../lib/util/rng';
import { Walker2dEnv } from '../../lib/envs/mujoco/walker2d';
import { assertArrayEqual, assertClose, copy, healthProbe, meanRandomReturn, mujocoEnv, randomAction, sumSq } from './helpers';

const DT = 0.002 * 4;

function expectedObs(qpos: number[], qvel: number[]): number[] {
  return [...qpos.slice(1), ...qvel.map((v) => Math.min(Math.max(v, -10), 10))];
}

test('Walker2d-v3: spaces and constants', async () => {
  const env = await mujocoEnv('Walker2d-v3');
  assert.equal(env.observationSpace.size, 17);
  assert.equal(env.actionSpace.size, 6);
  assert.deepEqual(Array.from(env.actionSpace.low), [-1, -1, -1, -1, -1, -1]);
  assert.deepEqual(Array.from(env.actionSpace.high), [1, 1, 1, 1, 1, 1]);
  assert.equal(env.dt, DT);
  env.close();
});

test('Walker2d-v3: observation, reward terms and termination agree with a hand computation every step', async () => {
  const env = await mujocoEnv('Walker2d-v3');
  const rng = new Rng(12);
  let terminations = 0;
  let sawClip = false;
  for (let ep = 0; ep < 5; ep++) {
    const { obs } = env.reset({ seed: 100 + ep });
    assertArrayEqual(obs, expectedObs(copy(env.physics.data.qpos), copy(env.physics.data.qvel)), 'reset obs');
    for (let t = 1; t <= 1000; t++) {
      const xBefore = env.physics.data.qpos[0];
      const action = randomAction(rng, env.actionSpace.low, env.actionSpace.high);
      const r = env.step(action);
      const qpos = copy(env.physics.data.qpos);
      const qvel = copy(env.physics.data.qvel);
      if (qvel.some((v) => Math.abs(v) > 10)) sawClip = true;
      assertArrayEqual(r.obs, expectedObs(qpos, qvel), `obs, episode ${ep} step ${t}`);
      const forward = (qpos[0] - xBefore) / DT;
      const ctrl = 0.001 * sumSq(action);
      const healthy = qpos[1] > 0.8 && qpos[1] < 2 && qpos[2] > -1 && qpos[2] < 1;
      assertClose(r.info.forward_reward as number, forward, 'forward_reward');
      assertClose(r.info.x_velocity as number, forward, 'x_velocity');
      assertClose(r.info.ctrl_cost as number, ctrl, 'ctrl_cost');
      assert.equal(r.info.healthy_reward, 1);
      assertClose(r.reward, forward + 1 - ctrl, `reward, episode ${ep} step ${t}`);
      assert.equal(r.terminated, !healthy, `terminated iff unhealthy (step ${t})`);
      if (r.terminated) {
        terminations++;
        break;
      }
    }
  }
  assert.equal(terminations, 5);
  assert.ok(sawClip, 'some velocity exceeded 10 and was clipped');
  env.close();
});

test('Walker2d-v3: healthy ranges are open intervals; no state-range test', async () => {
  const env = (await mujocoEnv('Walker2d-v3')) as Walker2dEnv;
  const { q, v, check } = healthProbe(env);
  check(() => {}, true, 'initial state');
  check(() => (q[1] = 0.8), false, 'z = 0.8');
  check(() => (q[1] = 0.80001), true, 'z above 0.8');
  check(() => (q[1] = 2), false, 'z = 2');
  check(() => (q[1] = 1.99999), true, 'z below 2');
  check(() => (q[2] = 1), false, 'angle = 1');
  check(() => (q[2] = -1), false, 'angle = -1');
  check(() => (q[2] = 0.999), true, 'angle 0.999');
  check(() => (v[3] = 1e5), true, 'huge joint velocity is still healthy (no state range in Walker2d)');
  env.close();
});

test('Walker2d-v3: the feet have friction 0.9 (right) and 1.9 (left)', async () => {
  const env = await mujocoEnv('Walker2d-v3');
  const f = env.physics.model.geom_friction;
  assert.equal(f[4 * 3], 0.9, 'foot_geom');
  assert.equal(f[7 * 3], 1.9, 'foot_left_geom');
  env.close();
});

test('Walker2d-v3: reset noise is U(±0.005) on every qpos and qvel coordinate', async () => {
  const env = await mujocoEnv('Walker2d-v3');
  const init = [0, 1.25, 0, 0, 0, 0, 0, 0, 0];
  const dev: number[] = [];
  env.reset({ seed: 43 });
  for (let i = 0; i < 300; i++) {
    env.reset();
    const qpos = copy(env.physics.data.qpos);
    const qvel = copy(env.physics.data.qvel);
    for (let j = 0; j < 9; j++) dev.push(qpos[j] - init[j], qvel[j]);
  }
  const maxAbs = Math.max(...dev.map(Math.abs));
  assert.ok(maxAbs <= 0.005 && maxAbs > 0.0049, `max |noise| = ${maxAbs}`);
  assertClose(Math.sqrt(sumSq(dev) / dev.length), 0.005 / Math.sqrt(3), 'uniform noise std', 0.05);
  env.close();
});

test('Walker2d-v3: random-policy return is in the usual range', async () => {
  const env = await mujocoEnv('Walker2d-v3');
  const mean = meanRandomReturn(env, 10, 2);
  // ~20 steps of +1 healthy reward against a backward drift: gym's random Walker2d scores ≈ 0–10.
  assert.ok(mean > -10 && mean < 25, `mean random return ${mean}`);
  env.close();
});
