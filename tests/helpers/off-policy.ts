/** A shared check for off-policy learners: checkpoint round trip and tensor leaks (not a test file). */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LearnerStats } from '../../lib/agents/learner';
import { OffPolicyLearner } from '../../lib/agents/off-policy';
import { Rng } from '../../lib/util/rng';

/** One transition on random 3-number observations; reward = the action's first coordinate. */
function randomStep(learner: OffPolicyLearner, i: number, rng: Rng): LearnerStats | null {
  const obs = rng.uniforms(3, -1, 1);
  const action = learner.act(obs, 'explore', i);
  const t = { obs, action, reward: action[0], nextObs: rng.uniforms(3, -1, 1), terminated: false, truncated: i % 6 === 5 };
  return learner.observe(t, i + 1, true);
}

/**
 * Runs `make(4)` for 14 steps (past a warm-up of 10), restores its checkpoint into `make(9)`
 * with the same RNG position and asserts the next step gives identical stats in both; then
 * runs 5 more steps and an evaluation action and asserts no tensor outlives the learners.
 * Returns the compared stats for the caller's own checks.
 */
export function checkRoundTripAndLeaks(make: (seed: number) => OffPolicyLearner): LearnerStats {
  const a = make(4);
  const rng = new Rng(5);
  for (let i = 0; i < 14; i++) randomStep(a, i, rng);
  const b = make(9);
  b.setState(structuredClone(a.getState()));
  const rngB = new Rng(0);
  rngB.setState(rng.getState());
  const before = tf.memory().numTensors;
  const sa = randomStep(a, 14, rng);
  const sb = randomStep(b, 14, rngB);
  assert.deepEqual(sb, sa, 'the restored learner takes the same step');
  assert.ok(sa, 'an update happened after warm-up');
  for (let i = 15; i < 20; i++) randomStep(a, i, rng);
  a.act([0, 0, 0], 'eval', 20);
  b.dispose();
  a.dispose();
  assert.ok(tf.memory().numTensors <= before, 'no tensors left behind');
  return sa;
}
