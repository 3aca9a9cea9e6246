/** rollout(): one record per step with reward terms, torso height and flags. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { episodeReturn, rollout, rolloutAsync } from '../../lib/envs/rollout';
import { makeEnv } from '../../lib/envs/registry';
import { Rng } from '../../lib/util/rng';
import { Env } from '../../lib/envs/types';

function fixedPolicy(seed: number, size: number) {
  const rng = new Rng(seed);
  return () => Array.from({ length: size }, () => rng.uniformIn(-1, 1));
}

test('rollout records match a hand-written loop with the same seed and actions', async () => {
  const env = await makeEnv('Hopper-v3');
  const records = rollout(env, fixedPolicy(1, 3), { seed: 5 });
  env.reset({ seed: 5 });
  const policy = fixedPolicy(1, 3);
  const expected: { reward: number; terminated: boolean; truncated: boolean; height: number }[] = [];
  for (;;) {
    const r = env.step(policy());
    expected.push({ reward: r.reward, terminated: r.terminated, truncated: r.truncated, height: r.info.torso_height as number });
    if (r.terminated || r.truncated) break;
  }
  assert.equal(records.length, expected.length);
  records.forEach((rec, i) => {
    assert.equal(rec.step, i + 1);
    assert.equal(rec.reward, expected[i].reward);
    assert.equal(rec.torso_height, expected[i].height);
    assert.equal(rec.terminated, expected[i].terminated);
    assert.equal(rec.truncated, expected[i].truncated);
    const sum = (rec.forward_reward as number) + (rec.healthy_reward as number) - (rec.ctrl_cost as number) - (rec.contact_cost as number);
    assert.ok(Math.abs(sum - rec.reward) < 1e-12, 'terms add up to the reward');
    assert.equal(typeof rec.x_position, 'number');
    assert.equal(typeof rec.x_velocity, 'number');
    assert.equal(typeof rec.is_healthy, 'boolean');
  });
  assert.equal(records[records.length - 1].terminated, true);
  assert.ok(records.slice(0, -1).every((r) => !r.terminated && !r.truncated));
  assert.ok(Math.abs(episodeReturn(records) - expected.reduce((s, e) => s + e.reward, 0)) < 1e-9);
  env.close();
});

test('rollout stops at maxSteps; the async variant accepts async policies; toy envs get nulls', async () => {
  const env = await makeEnv('HalfCheetah-v3');
  const records = rollout(env, () => [0, 0, 0, 0, 0, 0], { seed: 1, maxSteps: 25 });
  assert.equal(records.length, 25);
  assert.ok(records.every((r) => !r.truncated && !r.terminated && r.healthy_reward === 0));
  const asyncRecords = await rolloutAsync(env, async () => [0, 0, 0, 0, 0, 0], { seed: 1, maxSteps: 25 });
  assert.deepEqual(asyncRecords, records);
  assert.throws(() => rollout(env, () => [0, 0, 0, 0, 0, 0], { maxSteps: 0 }), /maxSteps must be a positive integer, got 0/);
  env.close();

  const toy: Env = {
    id: 'Toy-v0',
    observationSpace: { size: 1, low: new Float64Array([0]), high: new Float64Array([0]) },
    actionSpace: { size: 1, low: new Float64Array([-1]), high: new Float64Array([1]) },
    maxEpisodeSteps: 3,
    reset: () => ({ obs: new Float64Array(1), info: {} }),
    step: () => ({ obs: new Float64Array(1), reward: 1, terminated: false, truncated: false, info: { note: 'x' } }),
    close: () => {},
  };
  const toyRecords = rollout(toy, () => [0]);
  assert.equal(toyRecords.length, 3);
  assert.equal(toyRecords[0].torso_height, null);
  assert.equal(toyRecords[0].forward_reward, null);
  assert.equal('note' in toyRecords[0], false, 'string info entries are not copied');
});
