/**
 * Hopper-v3: observation = qpos[1:] ++ clip(qvel, ±10); reward = Δx/dt + 1 − 0.001·Σa² with
 * dt = 0.002·4; healthy = (qpos[2:], qvel) in (−100, 100), z > 0.7, |angle| < 0.2 (all strict);
 * reset noise U(±0.005) on qpos and qvel. Expected values are computed here from the MuJoCo
 * state read straight from MjData, not from the env's code.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../lib/util/rng';
import { HopperEnv } from '../../lib/envs/mujoco/hopper';
import { assertArrayEqual, assertClose, copy, healthProbe, meanRandomReturn, mujocoEnv, randomAction, sumSq } from './helpers';

const DT = 0.002 * 4;

function expectedObs(qpos: number[], qvel: number[]): number[] {
  return [...qpos.slice(1), ...qvel.map((v) => Math.min(Math.max(v, -10), 10))];
}

function healthyByHand(qpos: number[], qvel: number[]): boolean {
  const state = [...qpos.slice(2), ...qvel];
  return state.every((s) => s > -100 && s < 100) && qpos[1] > 0.7 && qpos[2] > -0.2 && qpos[2] < 0.2;
}

test('Hopper-v3: spaces and constants', async () => {
  const env = await mujocoEnv('Hopper-v3');
  assert.equal(env.observationSpace.size, 11);
  assert.equal(env.actionSpace.size, 3);
  assert.deepEqual(Array.from(env.actionSpace.low), [-1, -1, -1]);
  assert.deepEqual(Array.from(env.actionSpace.high), [1, 1, 1]);
  assert.equal(env.dt, DT);
  assert.equal(env.frameSkip, 4);
  assert.equal(env.maxEpisodeSteps, 1000);
  env.close();
});

test('Hopper-v3: observation, reward terms and termination agree with a hand computation every step', async () => {
  const env = await mujocoEnv('Hopper-v3');
  const rng = new Rng(11);
  let terminations = 0;
  for (let ep = 0; ep < 5; ep++) {
    const { obs } = env.reset({ seed: ep });
    const d0 = env.physics.data;
    assertArrayEqual(obs, expectedObs(copy(d0.qpos), copy(d0.qvel)), 'reset obs');
    for (let t = 1; t <= 1000; t++) {
      const xBefore = env.physics.data.qpos[0];
      const action = randomAction(rng, env.actionSpace.low, env.actionSpace.high);
      const r = env.step(action);
      const { data } = env.physics;
      const qpos = copy(data.qpos);
      const qvel = copy(data.qvel);
      assertArrayEqual(r.obs, expectedObs(qpos, qvel), `obs, episode ${ep} step ${t}`);
      assertArrayEqual(copy(data.ctrl), action, 'raw action in ctrl');
      const forward = (qpos[0] - xBefore) / DT;
      const ctrl = 0.001 * sumSq(action);
      const healthy = healthyByHand(qpos, qvel);
      assertClose(r.info.x_position as number, qpos[0], 'x_position');
      assertClose(r.info.x_velocity as number, forward, 'x_velocity');
      assertClose(r.info.forward_reward as number, forward, 'forward_reward');
      assertClose(r.info.ctrl_cost as number, ctrl, 'ctrl_cost');
      assert.equal(r.info.healthy_reward, 1, 'healthy reward is paid on every step (v3), terminal included');
      assert.equal(r.info.contact_cost, 0);
      assert.equal(r.info.torso_height, qpos[1]);
      assertClose(r.reward, forward + 1 - ctrl, `reward, episode ${ep} step ${t}`);
      assert.equal(r.terminated, !healthy, `terminated iff unhealthy (step ${t})`);
      assert.equal(r.info.is_healthy, healthy);
      assert.equal(r.truncated, false);
      if (r.terminated) {
        terminations++;
        break;
      }
    }
  }
  assert.equal(terminations, 5, 'random actions make every episode terminate');
  env.close();
});

test('Hopper-v3: healthy ranges are open intervals and use the unclipped velocity', async () => {
  const env = (await mujocoEnv('Hopper-v3')) as HopperEnv;
  const { q, v, check } = healthProbe(env);
  check(() => {}, true, 'initial state');
  check(() => (q[1] = 0.7), false, 'z = 0.7 (open bound)');
  check(() => (q[1] = 0.7000001), true, 'z just above 0.7');
  check(() => (q[1] = 1e6), true, 'no upper bound on z');
  check(() => (q[2] = 0.2), false, 'angle = 0.2');
  check(() => (q[2] = -0.2), false, 'angle = -0.2');
  check(() => (q[2] = 0.1999), true, 'angle 0.1999');
  check(() => (v[4] = 100), false, 'a joint velocity of 100 (unclipped)');
  check(() => (v[4] = 99.9), true, 'a joint velocity of 99.9');
  check(() => (q[0] = 500), true, 'x is not part of the state-range test');
  check(() => (q[3] = -100), false, 'a joint angle of -100');
  check(() => (v[0] = NaN), false, 'NaN velocity');
  env.close();
});

test('Hopper-v3: velocities beyond ±10 are clipped in the observation only', async () => {
  const env = await mujocoEnv('Hopper-v3');
  env.reset({ seed: 2 });
  env.physics.data.qvel[2] = 60; // spin the torso
  const r = env.step([0, 0, 0]);
  const qvel = copy(env.physics.data.qvel);
  assert.ok(qvel[2] > 10, `torso angular velocity still large (${qvel[2]})`);
  assert.equal(r.obs[5 + 2], 10);
  assert.ok(r.obs.every((x) => x <= 10 && x >= -10));
  env.close();
});

test('Hopper-v3: raw actions go to ctrl unclipped; MuJoCo clamps the force; cost uses the raw action', async () => {
  const a = await mujocoEnv('Hopper-v3');
  const b = await mujocoEnv('Hopper-v3');
  a.reset({ seed: 4 });
  b.reset({ seed: 4 });
  const ra = a.step([5, -5, 2]);
  const rb = b.step([1, -1, 1]);
  assertArrayEqual(copy(a.physics.data.ctrl), [5, -5, 2], 'ctrl keeps the raw action');
  assertArrayEqual(ra.obs, rb.obs, 'same dynamics as the clamped action');
  assertClose(ra.info.ctrl_cost as number, 0.001 * 54, 'ctrl cost of the raw action');
  a.close();
  b.close();
});

test('Hopper-v3: reset noise is U(±0.005) on every qpos and qvel coordinate', async () => {
  const env = await mujocoEnv('Hopper-v3');
  const init = [0, 1.25, 0, 0, 0, 0];
  const dev: number[] = [];
  env.reset({ seed: 42 });
  for (let i = 0; i < 400; i++) {
    const { obs } = env.reset();
    const { data } = env.physics;
    const qpos = copy(data.qpos);
    const qvel = copy(data.qvel);
    assertArrayEqual(obs, expectedObs(qpos, qvel), 'reset obs');
    for (let j = 0; j < 6; j++) dev.push(qpos[j] - init[j], qvel[j]);
  }
  const maxAbs = Math.max(...dev.map(Math.abs));
  assert.ok(maxAbs <= 0.005 && maxAbs > 0.0049, `max |noise| = ${maxAbs}`);
  const std = Math.sqrt(sumSq(dev) / dev.length);
  assertClose(std, 0.005 / Math.sqrt(3), 'uniform noise std', 0.05);
  env.close();
});

test('Hopper-v3: random-policy return is in the usual range', async () => {
  const env = await mujocoEnv('Hopper-v3');
  const mean = meanRandomReturn(env, 10, 1);
  // ~20 steps of +1 healthy reward, small forward velocity: gym's random Hopper scores ≈ 10–40.
  assert.ok(mean > 5 && mean < 60, `mean random return ${mean}`);
  env.close();
});
