/** Registry: ids, static specs, option validation, custom envs. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envSpec, listEnvIds, makeEnv, registerEnv, unregisterEnv, QVPO_ENV_IDS } from '../../lib/envs/registry';
import { Env, boxSpace, checkAction } from '../../lib/envs/types';

const EXPECTED: Record<string, [number, number, number]> = {
  // id: [obsDim, actDim, |action bound|]
  'Hopper-v3': [11, 3, 1],
  'Walker2d-v3': [17, 6, 1],
  'HalfCheetah-v3': [17, 6, 1],
  'Ant-v3': [111, 8, 1],
  'Humanoid-v3': [376, 17, 0.4],
  'Hopper-v4': [11, 3, 1],
  'Walker2d-v4': [17, 6, 1],
  'HalfCheetah-v4': [17, 6, 1],
  'Ant-v4': [27, 8, 1],
  'Humanoid-v4': [376, 17, 0.4],
};

test('listEnvIds lists the five v3 tasks (and their v4 variants)', () => {
  const ids = listEnvIds();
  for (const id of Object.keys(EXPECTED)) assert.ok(ids.includes(id), id);
  assert.deepEqual([...QVPO_ENV_IDS], ['Hopper-v3', 'Walker2d-v3', 'HalfCheetah-v3', 'Ant-v3', 'Humanoid-v3']);
});

test('envSpec gives dims, bounds, time limit and thresholds without creating an env', () => {
  for (const [id, [obsDim, actDim, bound]] of Object.entries(EXPECTED)) {
    const s = envSpec(id);
    assert.equal(s.id, id);
    assert.equal(s.obsDim, obsDim, `${id} obsDim`);
    assert.equal(s.actDim, actDim, `${id} actDim`);
    assert.deepEqual(s.actionLow, new Array(actDim).fill(-bound));
    assert.deepEqual(s.actionHigh, new Array(actDim).fill(bound));
    assert.equal(s.maxEpisodeSteps, 1000);
  }
  assert.deepEqual(
    ['Hopper-v3', 'Walker2d-v3', 'HalfCheetah-v3', 'Ant-v3', 'Humanoid-v3'].map((id) => envSpec(id).rewardThreshold),
    [3800, null, 4800, 6000, null],
  );
  assert.deepEqual(
    ['Hopper-v3', 'Walker2d-v3', 'HalfCheetah-v3', 'Ant-v3', 'Humanoid-v3'].map((id) => envSpec(id).dt),
    [0.008, 0.008, 0.05, 0.05, 0.015],
  );
  assert.equal(envSpec('Ant-v4', { useContactForces: true }).obsDim, 111);
  assert.equal(envSpec('Hopper-v3', { maxEpisodeSteps: 50 }).maxEpisodeSteps, 50);
});

test('unknown ids and bad options give errors that say what is expected', async () => {
  assert.throws(() => envSpec('Hopper-v2'), /unknown env id 'Hopper-v2'; known ids: .*Hopper-v3/);
  await assert.rejects(() => makeEnv('hopper-v3'), /unknown env id 'hopper-v3'; known ids: Ant-v3, /);
  await assert.rejects(
    () => makeEnv('Hopper-v3', { ctrl_cost_weight: 0.1 }),
    /Hopper-v3: unknown option 'ctrl_cost_weight'; known options: maxEpisodeSteps, computeContactForces, forwardRewardWeight, ctrlCostWeight/,
  );
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['Hopper-v3', { maxEpisodeSteps: 0 }, /option 'maxEpisodeSteps' expected a positive integer or null \(no limit\), got 0/],
    ['Hopper-v3', { maxEpisodeSteps: 10.5 }, /got 10.5/],
    ['Hopper-v3', { healthyZRange: [1, 0] }, /option 'healthyZRange' expected \[low, high\] with numbers low < high .*got \[1, 0\]/],
    ['Hopper-v3', { healthyZRange: 0.7 }, /option 'healthyZRange' expected \[low, high\].*got 0.7/],
    ['Walker2d-v3', { terminateWhenUnhealthy: 'no' }, /option 'terminateWhenUnhealthy' expected true or false, got "no"/],
    ['HalfCheetah-v3', { resetNoiseScale: -0.1 }, /option 'resetNoiseScale' expected a finite number >= 0, got -0.1/],
    ['HalfCheetah-v3', { ctrlCostWeight: NaN }, /option 'ctrlCostWeight' expected a finite number, got NaN/],
    ['HalfCheetah-v3', { healthyReward: 1 }, /HalfCheetah-v3: unknown option 'healthyReward'/],
    ['Ant-v3', { computeContactForces: 1 }, /option 'computeContactForces' expected true or false, got 1/],
  ];
  for (const [id, options, message] of bad) {
    assert.throws(() => envSpec(id, options), message, `${id} ${JSON.stringify(options)}`);
    await assert.rejects(() => makeEnv(id, options), message);
  }
});

test('every built-in id creates an env matching its spec; options take effect', async () => {
  for (const id of Object.keys(EXPECTED)) {
    const env = await makeEnv(id);
    const s = envSpec(id);
    assert.equal(env.id, id);
    assert.equal(env.observationSpace.size, s.obsDim);
    assert.equal(env.actionSpace.size, s.actDim);
    assert.deepEqual(Array.from(env.actionSpace.low), s.actionLow);
    assert.deepEqual(Array.from(env.actionSpace.high), s.actionHigh);
    assert.equal(env.maxEpisodeSteps, s.maxEpisodeSteps);
    assert.equal(env.reset({ seed: 0 }).obs.length, s.obsDim);
    env.close();
  }
  const env = await makeEnv('Hopper-v3', { healthyReward: 2, ctrlCostWeight: 0, maxEpisodeSteps: 3 });
  env.reset({ seed: 0 });
  const r = env.step([1, 1, 1]);
  assert.equal(r.info.healthy_reward, 2);
  assert.equal(r.info.ctrl_cost, 0);
  env.step([0, 0, 0]);
  assert.equal(env.step([0, 0, 0]).truncated, true);
  env.close();
});

/** A one-step bandit, the kind of toy env other code registers. */
class Bandit implements Env {
  readonly id = 'TestBandit-v0';
  readonly observationSpace = boxSpace([0], [0]);
  readonly actionSpace = boxSpace([-1], [1]);
  readonly maxEpisodeSteps = 1;
  constructor(readonly best: number) {}
  reset() {
    return { obs: new Float64Array(1), info: {} };
  }
  step(action: ArrayLike<number>) {
    checkAction(this.id, this.actionSpace, action);
    const reward = -((action[0] - this.best) ** 2);
    return { obs: new Float64Array(1), reward, terminated: true, truncated: false, info: { forward_reward: reward } };
  }
  close() {}
}

test('registerEnv adds a non-MuJoCo env; duplicates and bad specs are refused', async () => {
  const spec = { obsDim: 1, actDim: 1, actionLow: [-1], actionHigh: [1], maxEpisodeSteps: 1, rewardThreshold: 0 };
  registerEnv('TestBandit-v0', (o) => new Bandit(typeof o.best === 'number' ? o.best : 0.5), spec);
  try {
    assert.ok(listEnvIds().includes('TestBandit-v0'));
    assert.equal(envSpec('TestBandit-v0').obsDim, 1);
    const env = await makeEnv('TestBandit-v0', { best: 0.25 });
    env.reset();
    assert.equal(env.step([0.25]).reward, -0);
    assert.throws(() => registerEnv('TestBandit-v0', () => new Bandit(0), spec), /already registered/);
    registerEnv('TestBandit-v0', () => new Bandit(0.1), spec, { replace: true });
    assert.throws(() => registerEnv('Hopper-v3', () => new Bandit(0), spec), /built-in env and cannot be replaced/);
    assert.throws(() => registerEnv('Other-v0', () => new Bandit(0), { ...spec, actionLow: [2] }), /actionLow.*exceeds actionHigh/);
    assert.throws(() => registerEnv('Other-v0', () => new Bandit(0), { ...spec, obsDim: 0 }), /spec.obsDim must be a positive integer, got 0/);
    registerEnv('WrongSize-v0', () => new Bandit(0), { ...spec, obsDim: 2 });
    await assert.rejects(() => makeEnv('WrongSize-v0'), /does not match its registered spec: observation size 1 ≠ spec 2/);
  } finally {
    unregisterEnv('TestBandit-v0');
    unregisterEnv('WrongSize-v0');
  }
  assert.ok(!listEnvIds().includes('TestBandit-v0'));
  assert.equal(unregisterEnv('Hopper-v3'), false, 'built-ins stay');
});
