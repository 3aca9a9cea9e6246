/**
 * Ant-v3: observation = qpos[2:] (13) ++ qvel (14) ++ clip(cfrc_ext, ±1) (84, zero under
 * mujoco-py 2.x); reward = Δx_torso/dt + 1 − 0.5·Σa² − 5e-4·Σclip(cfrc_ext)² with x_torso from
 * data.xpos as left by mj_step; healthy = finite state and 0.2 ≤ z ≤ 1 (closed); reset noise
 * qpos U(±0.1) (quaternion included), qvel 0.1·N(0,1). Plus the v4 variants.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../lib/util/rng';
import { AntEnv } from '../../lib/envs/mujoco/ant';
import { assertArrayEqual, assertClose, copy, healthProbe, meanRandomReturn, mujocoEnv, randomAction, sumSq } from './helpers';

const DT = 0.01 * 5;
const TORSO = 1;

test('Ant-v3: spaces, constants and action order', async () => {
  const env = await mujocoEnv('Ant-v3');
  assert.equal(env.observationSpace.size, 111);
  assert.equal(env.actionSpace.size, 8);
  assert.deepEqual(Array.from(env.actionSpace.low), new Array(8).fill(-1));
  assert.equal(env.dt, DT);
  // Actuator 0 drives hip_4 (joint 7), actuator 2 drives hip_1 (joint 1).
  const trn = env.physics.model.actuator_trnid;
  assert.deepEqual([trn[0], trn[2], trn[4], trn[14]], [7, 8, 1, 6]);
  env.close();
});

test('Ant-v3: observation, reward terms and termination agree with a hand computation every step', async () => {
  const env = await mujocoEnv('Ant-v3');
  const rng = new Rng(14);
  let stale = 0;
  let steps = 0;
  let terminations = 0;
  for (let ep = 0; ep < 3; ep++) {
    const { obs } = env.reset({ seed: 200 + ep });
    const d0 = env.physics.data;
    assertArrayEqual(obs, [...copy(d0.qpos).slice(2), ...copy(d0.qvel), ...new Array(84).fill(0)], 'reset obs');
    for (let t = 1; t <= 300; t++) {
      const before = copy(env.physics.data.xpos).slice(3 * TORSO, 3 * TORSO + 2);
      const action = randomAction(rng, env.actionSpace.low, env.actionSpace.high);
      const r = env.step(action);
      const { data } = env.physics;
      const qpos = copy(data.qpos);
      const qvel = copy(data.qvel);
      const xpos = copy(data.xpos);
      const cfrc = copy(data.cfrc_ext);
      assert.ok(cfrc.every((f) => f === 0), 'cfrc_ext stays zero (mujoco-py 2.x behaviour)');
      assertArrayEqual(r.obs, [...qpos.slice(2), ...qvel, ...new Array(84).fill(0)], `obs at step ${t}`);
      const forward = (xpos[3 * TORSO] - before[0]) / DT;
      const ctrl = 0.5 * sumSq(action);
      const healthy = [...qpos, ...qvel].every(Number.isFinite) && qpos[2] >= 0.2 && qpos[2] <= 1;
      assertClose(r.info.x_position as number, xpos[3 * TORSO], 'x_position from xpos');
      assertClose(r.info.y_position as number, xpos[3 * TORSO + 1], 'y_position from xpos');
      assertClose(r.info.x_velocity as number, forward, 'x_velocity');
      assertClose(r.info.y_velocity as number, (xpos[3 * TORSO + 1] - before[1]) / DT, 'y_velocity');
      assertClose(r.info.ctrl_cost as number, ctrl, 'ctrl_cost');
      assert.equal(r.info.contact_cost, 0);
      assert.equal(r.info.healthy_reward, 1);
      assertClose(r.reward, forward + 1 - ctrl, `reward at step ${t}`);
      assert.equal(r.terminated, !healthy, `terminated iff unhealthy (step ${t})`);
      // xpos is the value of RK4's last stage, not the final state (no extra mj_forward).
      if (Math.abs(xpos[3 * TORSO] - qpos[0]) > 1e-9) stale++;
      steps++;
      if (r.terminated) {
        terminations++;
        break;
      }
    }
  }
  assert.ok(terminations >= 1, 'some episode terminated');
  assert.ok(stale > steps / 2, `torso xpos differs from qpos after most steps (${stale}/${steps})`);
  // After an explicit mj_forward the torso frame coincides with the free joint position.
  const { mj, model, data } = env.physics;
  mj.mj_forward(model, data);
  assertArrayEqual(copy(data.xpos).slice(3, 6), copy(data.qpos).slice(0, 3), 'xpos after mj_forward');
  env.close();
});

test('Ant-v3: healthy is a closed z interval plus a finiteness test', async () => {
  const env = (await mujocoEnv('Ant-v3')) as AntEnv;
  const { q, v, check } = healthProbe(env);
  check(() => {}, true, 'initial state');
  check(() => (q[2] = 0.2), true, 'z = 0.2 (closed)');
  check(() => (q[2] = 1.0), true, 'z = 1.0 (closed)');
  check(() => (q[2] = 0.19999), false, 'z below 0.2');
  check(() => (q[2] = 1.00001), false, 'z above 1');
  check(() => (v[5] = 1e6), true, 'large but finite velocity');
  check(() => (v[5] = Infinity), false, 'infinite velocity');
  check(() => (q[9] = NaN), false, 'NaN joint angle');
  env.close();
});

test('Ant-v3: reset noise U(±0.1) on all 15 qpos (quaternion not renormalised), qvel 0.1·N(0,1)', async () => {
  const env = await mujocoEnv('Ant-v3');
  const init = [0, 0, 0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const qposDev: number[] = [];
  const qvelDev: number[] = [];
  let unnormalised = 0;
  env.reset({ seed: 45 });
  for (let i = 0; i < 300; i++) {
    const { obs } = env.reset();
    const qpos = copy(env.physics.data.qpos);
    for (let j = 0; j < 15; j++) qposDev.push(qpos[j] - init[j]);
    qvelDev.push(...copy(env.physics.data.qvel));
    const quatNorm = Math.hypot(obs[1], obs[2], obs[3], obs[4]);
    if (Math.abs(quatNorm - 1) > 1e-6) unnormalised++;
  }
  const maxQ = Math.max(...qposDev.map(Math.abs));
  assert.ok(maxQ <= 0.1 && maxQ > 0.099, `max |qpos noise| = ${maxQ}`);
  assertClose(Math.sqrt(sumSq(qposDev) / qposDev.length), 0.1 / Math.sqrt(3), 'uniform qpos noise std', 0.05);
  assertClose(Math.sqrt(sumSq(qvelDev) / qvelDev.length), 0.1, 'Gaussian qvel noise std', 0.05);
  assert.ok(unnormalised > 290, 'the noisy quaternion is observed as drawn');
  env.close();
});

test('Ant-v3 with computeContactForces: real clipped forces in obs[27:], contact cost from them', async () => {
  const env = await mujocoEnv('Ant-v3', { computeContactForces: true });
  env.reset({ seed: 9 });
  const rng = new Rng(9);
  let nonzero = 0;
  for (let t = 1; t <= 40; t++) {
    const action = randomAction(rng, env.actionSpace.low, env.actionSpace.high);
    const r = env.step(action);
    const cfrc = copy(env.physics.data.cfrc_ext);
    const clipped = cfrc.map((f) => Math.min(Math.max(f, -1), 1));
    assertArrayEqual(r.obs.subarray(27), clipped, `contact part of obs at step ${t}`);
    const contact = 5e-4 * sumSq(clipped);
    assertClose(r.info.contact_cost as number, contact, 'contact cost');
    assertClose(r.reward, (r.info.forward_reward as number) + 1 - ((r.info.ctrl_cost as number) + contact), 'reward');
    if (contact > 0) nonzero++;
    if (r.terminated) break;
  }
  assert.ok(nonzero > 0, 'the ant touches the floor, so some contact cost is paid');
  env.close();
});

test('Ant-v4: 27-dim observation and no contact cost by default; 111 with useContactForces', async () => {
  const v4 = await mujocoEnv('Ant-v4');
  assert.equal(v4.observationSpace.size, 27);
  const { obs } = v4.reset({ seed: 1 });
  assert.equal(obs.length, 27);
  for (let t = 0; t < 20; t++) {
    const r = v4.step(new Array(8).fill(0.3));
    assert.equal(r.obs.length, 27);
    assert.equal(r.info.contact_cost, 0);
  }
  assert.ok(copy(v4.physics.data.cfrc_ext).some((f) => f !== 0), 'v4 computes cfrc_ext (mj_rnePostConstraint)');
  v4.close();
  const full = await mujocoEnv('Ant-v4', { useContactForces: true });
  assert.equal(full.observationSpace.size, 111);
  full.reset({ seed: 1 });
  let paid = 0;
  for (let t = 0; t < 20; t++) paid += full.step(new Array(8).fill(0.3)).info.contact_cost as number;
  assert.ok(paid > 0, 'contact cost paid with real forces');
  full.close();
  await assert.rejects(() => mujocoEnv('Ant-v3', { useContactForces: false }), /Ant-v3: unknown option 'useContactForces'/);
});

test('Ant-v3: random-policy return is in the usual range', async () => {
  const env = await mujocoEnv('Ant-v3');
  const mean = meanRandomReturn(env, 6, 3);
  // +1 healthy against ≈ 1.33 control cost per step, episodes of 10–1000 steps: ≈ −300…+10.
  assert.ok(mean > -300 && mean < 20, `mean random return ${mean}`);
  env.close();
});
