/**
 * HalfCheetah-v3: observation = qpos[1:] ++ qvel (unclipped); reward = Δx/dt − 0.1·Σa² with
 * dt = 0.01·5; never terminates; reset noise qpos U(±0.1), qvel 0.1·N(0, 1).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../lib/util/rng';
import { assertArrayEqual, assertClose, copy, mujocoEnv, randomAction, sumSq } from './helpers';

const DT = 0.01 * 5;

test('HalfCheetah-v3: spaces and constants', async () => {
  const env = await mujocoEnv('HalfCheetah-v3');
  assert.equal(env.observationSpace.size, 17);
  assert.equal(env.actionSpace.size, 6);
  assert.deepEqual(Array.from(env.actionSpace.low), [-1, -1, -1, -1, -1, -1]);
  assert.equal(env.dt, DT);
  assert.equal(env.frameSkip, 5);
  env.close();
});

test('HalfCheetah-v3: observation and reward agree with a hand computation; no termination', async () => {
  const env = await mujocoEnv('HalfCheetah-v3');
  const rng = new Rng(13);
  const { obs } = env.reset({ seed: 0 });
  const d = env.physics.data;
  assertArrayEqual(obs, [...copy(d.qpos).slice(1), ...copy(d.qvel)], 'reset obs');
  let unclipped = false;
  let ret = 0;
  for (let t = 1; t <= 1000; t++) {
    const xBefore = env.physics.data.qpos[0];
    const action = randomAction(rng, env.actionSpace.low, env.actionSpace.high);
    const r = env.step(action);
    const qpos = copy(env.physics.data.qpos);
    const qvel = copy(env.physics.data.qvel);
    if (qvel.some((v) => Math.abs(v) > 10)) unclipped = true;
    assertArrayEqual(r.obs, [...qpos.slice(1), ...qvel], `obs at step ${t}`);
    const forward = (qpos[0] - xBefore) / DT;
    const ctrl = 0.1 * sumSq(action);
    assertClose(r.info.forward_reward as number, forward, 'forward_reward');
    assertClose(r.info.ctrl_cost as number, ctrl, 'ctrl_cost');
    assert.equal(r.info.healthy_reward, 0);
    assert.equal(r.info.contact_cost, 0);
    assertClose(r.info.torso_height as number, 0.7 + qpos[1], 'torso height');
    assertClose(r.reward, forward - ctrl, `reward at step ${t}`);
    assert.equal(r.terminated, false);
    assert.equal(r.truncated, t === 1000);
    ret += r.reward;
  }
  assert.ok(unclipped, 'velocities above 10 appear unclipped in the observation');
  // A random policy drifts backwards and pays ≈ 0.2 per step in control: gym's ≈ −280.
  assert.ok(ret > -450 && ret < -150, `random return ${ret}`);
  env.close();
});

test('HalfCheetah-v3: reset noise is U(±0.1) on qpos and Gaussian 0.1·N(0,1) on qvel', async () => {
  const env = await mujocoEnv('HalfCheetah-v3');
  const qposDev: number[] = [];
  const qvelDev: number[] = [];
  env.reset({ seed: 44 });
  for (let i = 0; i < 400; i++) {
    env.reset();
    qposDev.push(...copy(env.physics.data.qpos)); // qpos0 = 0
    qvelDev.push(...copy(env.physics.data.qvel));
  }
  const maxQ = Math.max(...qposDev.map(Math.abs));
  assert.ok(maxQ <= 0.1 && maxQ > 0.099, `max |qpos noise| = ${maxQ}`);
  assertClose(Math.sqrt(sumSq(qposDev) / qposDev.length), 0.1 / Math.sqrt(3), 'uniform qpos noise std', 0.05);
  assertClose(Math.sqrt(sumSq(qvelDev) / qvelDev.length), 0.1, 'Gaussian qvel noise std', 0.05);
  const beyond = qvelDev.filter((v) => Math.abs(v) > 0.1).length / qvelDev.length;
  assert.ok(beyond > 0.27 && beyond < 0.37, `P(|qvel noise| > 1σ) = ${beyond} (Gaussian: 0.317)`);
  assert.ok(Math.max(...qvelDev.map(Math.abs)) > 0.3, 'Gaussian tails');
  env.close();
});
