/**
 * Humanoid-v3: observation = qpos[2:] (22) ++ qvel (23) ++ cinert (140) ++ cvel (84) ++
 * qfrc_actuator (23) ++ cfrc_ext (84, zero under mujoco-py 2.x); reward = 1.25·Δx_com/dt + 5
 * − 0.1·Σctrl² − min(5e-7·Σcfrc_ext², 10), x_com = mass-weighted mean of xipos as left by
 * mj_step; healthy = 1 < z < 2 (strict); reset noise U(±0.01). Plus Humanoid-v4.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../lib/util/rng';
import { HumanoidEnv } from '../../lib/envs/mujoco/humanoid';
import { MjData } from '../../lib/envs/mujoco/loader';
import { assertArrayEqual, assertClose, copy, meanRandomReturn, mujocoEnv, randomAction, sumSq } from './helpers';

const DT = 0.003 * 5;

function observationFromData(d: MjData): number[] {
  return [
    ...copy(d.qpos).slice(2),
    ...copy(d.qvel),
    ...copy(d.cinert),
    ...copy(d.cvel),
    ...copy(d.qfrc_actuator),
    ...copy(d.cfrc_ext),
  ];
}

function massCenter(mass: number[], xipos: number[]): [number, number] {
  let m = 0;
  let x = 0;
  let y = 0;
  for (let b = 0; b < mass.length; b++) {
    m += mass[b];
    x += mass[b] * xipos[3 * b];
    y += mass[b] * xipos[3 * b + 1];
  }
  return [x / m, y / m];
}

test('Humanoid-v3: spaces and constants', async () => {
  const env = await mujocoEnv('Humanoid-v3');
  assert.equal(env.observationSpace.size, 376);
  assert.equal(env.actionSpace.size, 17);
  assert.deepEqual(Array.from(env.actionSpace.low), new Array(17).fill(-0.4));
  assert.deepEqual(Array.from(env.actionSpace.high), new Array(17).fill(0.4));
  assert.equal(env.dt, DT);
  env.close();
});

test('Humanoid-v3: observation, reward terms and termination agree with a hand computation every step', async () => {
  const env = await mujocoEnv('Humanoid-v3');
  const mass = copy(env.physics.model.body_mass);
  const rng = new Rng(15);
  let terminations = 0;
  let stale = 0;
  let steps = 0;
  for (let ep = 0; ep < 3; ep++) {
    const { obs } = env.reset({ seed: 300 + ep });
    const reset = observationFromData(env.physics.data);
    assertArrayEqual(obs, reset, 'reset obs');
    assert.ok(reset.slice(292).every((f) => f === 0));
    for (let t = 1; t <= 1000; t++) {
      const before = massCenter(mass, copy(env.physics.data.xipos));
      // Actions beyond the bounds: ctrl keeps them, and the control cost uses data.ctrl.
      const action = randomAction(rng, env.actionSpace.low, env.actionSpace.high).map((a) => a * 1.5);
      const r = env.step(action);
      const d = env.physics.data;
      const expected = observationFromData(d);
      assertArrayEqual(r.obs, expected, `obs at step ${t}`);
      assert.ok(expected.slice(292).every((f) => f === 0), 'cfrc_ext stays zero');
      assertArrayEqual(copy(d.ctrl), action, 'raw action in ctrl');
      const after = massCenter(mass, copy(d.xipos));
      const forward = 1.25 * ((after[0] - before[0]) / DT);
      const ctrl = 0.1 * sumSq(copy(d.ctrl));
      const z = d.qpos[2];
      const healthy = z > 1 && z < 2;
      assertClose(r.info.x_position as number, after[0], 'x_position = COM x');
      assertClose(r.info.y_position as number, after[1], 'y_position = COM y');
      assertClose(r.info.forward_reward as number, forward, 'forward_reward', 1e-9, 1e-12);
      assertClose(r.info.ctrl_cost as number, ctrl, 'ctrl_cost');
      assert.equal(r.info.contact_cost, 0);
      assert.equal(r.info.healthy_reward, 5);
      assertClose(r.reward, forward + 5 - ctrl, `reward at step ${t}`, 1e-9, 1e-12);
      assert.equal(r.terminated, !healthy, `terminated iff unhealthy (step ${t})`);
      // Kinematics are those of RK4's last stage (no extra mj_forward): the torso frame, which
      // sits on the free joint, lags the final qpos slightly.
      const xpos = copy(d.xpos);
      if (Math.hypot(xpos[3] - d.qpos[0], xpos[4] - d.qpos[1], xpos[5] - d.qpos[2]) > 1e-9) stale++;
      steps++;
      if (r.terminated) {
        terminations++;
        break;
      }
    }
  }
  assert.equal(terminations, 3);
  assert.ok(stale > steps / 2, `kinematics left as mj_step computed them (${stale}/${steps})`);
  const { mj, model, data } = env.physics;
  mj.mj_forward(model, data);
  assertArrayEqual(copy(data.xpos).slice(3, 6), copy(data.qpos).slice(0, 3), 'torso xpos after mj_forward');
  env.close();
});

test('Humanoid-v3: healthy z is the open interval (1, 2)', async () => {
  const env = (await mujocoEnv('Humanoid-v3')) as HumanoidEnv;
  env.reset({ seed: 0 });
  const q = env.physics.data.qpos;
  for (const [z, expected] of [[1, false], [1.0001, true], [1.4, true], [1.9999, true], [2, false]] as const) {
    q[2] = z;
    assert.equal(env.isHealthy(), expected, `z = ${z}`);
  }
  env.close();
});

test('Humanoid-v3: reset noise is U(±0.01) on every qpos and qvel coordinate', async () => {
  const env = await mujocoEnv('Humanoid-v3');
  const init = copy(env.physics.model.qpos0);
  const dev: number[] = [];
  env.reset({ seed: 46 });
  for (let i = 0; i < 200; i++) {
    env.reset();
    const qpos = copy(env.physics.data.qpos);
    for (let j = 0; j < 24; j++) dev.push(qpos[j] - init[j]);
    dev.push(...copy(env.physics.data.qvel));
  }
  const maxAbs = Math.max(...dev.map(Math.abs));
  assert.ok(maxAbs <= 0.01 && maxAbs > 0.0099, `max |noise| = ${maxAbs}`);
  assertClose(Math.sqrt(sumSq(dev) / dev.length), 0.01 / Math.sqrt(3), 'uniform noise std', 0.05);
  env.close();
});

test('Humanoid-v3 with computeContactForces: real forces in the observation, contact cost capped at 10', async () => {
  const env = await mujocoEnv('Humanoid-v3', { computeContactForces: true });
  env.reset({ seed: 8 });
  const rng = new Rng(8);
  let paid = 0;
  for (let t = 1; t <= 60; t++) {
    const r = env.step(randomAction(rng, env.actionSpace.low, env.actionSpace.high));
    const cfrc = copy(env.physics.data.cfrc_ext);
    assertArrayEqual(r.obs.subarray(292), cfrc, 'unclipped cfrc_ext in obs');
    const contact = Math.min(5e-7 * sumSq(cfrc), 10);
    assertClose(r.info.contact_cost as number, contact, 'contact cost');
    paid += contact;
    if (r.terminated) break;
  }
  assert.ok(paid > 0, 'some contact cost was paid');
  env.close();
});

test('Humanoid-v4: real contact forces in the observation, no contact cost in the reward', async () => {
  const env = await mujocoEnv('Humanoid-v4');
  assert.equal(env.observationSpace.size, 376);
  env.reset({ seed: 8 });
  const rng = new Rng(8);
  let forces = 0;
  for (let t = 1; t <= 60; t++) {
    const r = env.step(randomAction(rng, env.actionSpace.low, env.actionSpace.high));
    if (r.obs.subarray(292).some((f) => f !== 0)) forces++;
    assert.equal(r.info.contact_cost, 0);
    assertClose(r.reward, (r.info.forward_reward as number) + 5 - (r.info.ctrl_cost as number), 'reward');
    if (r.terminated) break;
  }
  assert.ok(forces > 0, 'contact forces appear in the observation');
  env.close();
  await assert.rejects(() => mujocoEnv('Humanoid-v4', { contactCostWeight: 1 }), /unknown option 'contactCostWeight'/);
});

test('Humanoid-v3: random-policy return is in the usual range', async () => {
  const env = await mujocoEnv('Humanoid-v3');
  const mean = meanRandomReturn(env, 8, 4);
  // ≈ 25 steps of +5 before falling: gym's random Humanoid scores ≈ 120.
  assert.ok(mean > 60 && mean < 250, `mean random return ${mean}`);
  env.close();
});
