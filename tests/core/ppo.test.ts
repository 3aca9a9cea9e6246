/**
 * PPO and SPO (lib/agents/ppo): GAE against a worked example, the clipped and the SPO
 * objectives against hand values, the Gaussian log-density, running normalisation, the
 * truncation bootstrap, checkpoint round trip mid-rollout, and learning on the bandit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { PpoLearner, PpoState, gae, gaussianLogProb, policyObjective } from '../../lib/agents/ppo/agent';
import { ppoSchema, spoSchema } from '../../lib/agents/ppo/config';
import { RunningMeanStd } from '../../lib/agents/normalize';
import { Rng } from '../../lib/util/rng';
import { assertAllClose, assertClose, values } from '../helpers/numeric';
import { BANDIT_SPEC, assertLearnsBandit } from '../helpers/bandit-learning';

const SPEC = { obsDim: 3, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };

test('GAE, worked example: γ = 0.9, λ = 0.8, an episode end at t = 1', () => {
  // t=2: δ = 2 + 0.9·0.6 − 0.3 = 2.24 → A = 2.24
  // t=1: ended, δ = 0 − 0.4 → A = −0.4
  // t=0: δ = 1 + 0.9·0.4 − 0.5 = 0.86 → A = 0.86 + 0.72·(−0.4) = 0.572
  const { advantages, returns } = gae([1, 0, 2], [0.5, 0.4, 0.3], [0, 1, 0], 0.6, 0.9, 0.8);
  assertAllClose(advantages, [0.572, -0.4, 2.24], 'advantages', 1e-6, 1e-6);
  assertAllClose(returns, [1.072, 0, 2.54], 'returns = A + V', 1e-6, 1e-6);
  // λ = 1, γ = 1, no ends: A_t = Σ rewards from t + lastValue − V_t
  assertAllClose(gae([1, 1], [0, 0], [0, 0], 5, 1, 1).advantages, [7, 6], 'Monte Carlo limit', 1e-6, 1e-6);
});

test('policy objectives by hand: PPO clip and SPO penalty (ε = 0.2)', async () => {
  await initBackend('cpu');
  const ratio = tf.tensor1d([0.5, 1.1, 1.5, 0.7]);
  const adv = tf.tensor1d([1, 1, 1, -2]);
  assertAllClose(values(policyObjective('ppo-clip', ratio, adv, 0.2)), [0.5, 1.1, 1.2, -1.6], 'PPO', 1e-6, 1e-6);
  // r·A − |A|/(2ε)·(r − 1)²
  assertAllClose(values(policyObjective('spo', ratio, adv, 0.2)), [-0.125, 1.075, 0.875, -1.85], 'SPO', 1e-6, 1e-6);
  // SPO's per-sample optimum is r = 1 + ε·sign(A): zero gradient there
  const g = tf.grad((r: tf.Tensor) => tf.sum(policyObjective('spo', r as tf.Tensor1D, tf.tensor1d([1, -3]), 0.2)));
  assertAllClose(values(g(tf.tensor1d([1.2, 0.8]))), [0, 0], 'SPO gradient at 1 ± ε', 1e-5, 1e-5);
  // PPO's clip has zero gradient beyond the clip for A > 0
  const gp = tf.grad((r: tf.Tensor) => tf.sum(policyObjective('ppo-clip', r as tf.Tensor1D, tf.tensor1d([1]), 0.2)));
  assert.deepEqual(values(gp(tf.tensor1d([1.5]))), [0]);
});

test('Gaussian log-density and running mean/std', async () => {
  await initBackend('cpu');
  const lp = values(gaussianLogProb(tf.tensor2d([[0.5, -1]]), tf.tensor2d([[0, 0]]), tf.tensor1d([0, Math.log(2)])));
  // dim 1: −0.125 − 0 − ½log2π; dim 2: −½(0.5)² − log 2 − ½log2π
  assertClose(lp[0], -0.125 - 0.125 - Math.log(2) - Math.log(2 * Math.PI), 'log N', 1e-6, 1e-6);
  const rms = new RunningMeanStd(1);
  for (const x of [1, 2, 3, 4]) rms.update([x]);
  assertClose(rms.mean[0], 2.5, 'running mean', 1e-4, 1e-4);
  assertClose(rms.variance[0], 1.25, 'running variance (population)', 1e-3, 1e-3);
  assert.throws(() => rms.update([1, 2]), /RunningMeanStd: sample has 2 values, expected 1/);
});

test('a time-limit end bootstraps: γ·V(s\') is added to the stored reward; a termination does not', async () => {
  await initBackend('cpu');
  const learner = new PpoLearner(SPEC, { normalizeObservations: false, normalizeRewards: false, hiddenWidth: 8, rolloutSteps: 100 }, 0);
  const next = [0.2, -0.1, 0.4];
  const v = values(learner.critic.apply(tf.tensor2d([next])))[0];
  learner.act([0, 0, 0], 'explore', 0);
  learner.observe({ obs: [0, 0, 0], action: [0, 0], reward: 1, nextObs: next, terminated: false, truncated: true }, 1, false);
  learner.act(next, 'explore', 1);
  learner.observe({ obs: next, action: [0, 0], reward: 1, nextObs: next, terminated: true, truncated: false }, 2, false);
  const rollout = (learner.getState() as PpoState).rollout;
  assertClose(rollout.reward[0], 1 + 0.99 * v, 'truncated: r + γV(s\')', 1e-5, 1e-6);
  assert.equal(rollout.reward[1], 1, 'terminated: r alone');
  assert.deepEqual(rollout.ended, [1, 1]);
  assert.throws(() => learner.observe({ obs: next, action: [0, 0], reward: 0, nextObs: next, terminated: false, truncated: false }, 3, false), /no pending action/);
  learner.dispose();
});

test('checkpoint mid-rollout: a fresh learner given the state continues identically; SPO defaults', async () => {
  await initBackend('cpu');
  const config = { hiddenWidth: 8, rolloutSteps: 16, minibatchSize: 8, epochs: 2 };
  const drive = (l: PpoLearner, from: number, to: number, rng: Rng) => {
    let stats = null;
    for (let step = from; step < to; step++) {
      const obs = rng.uniforms(3, -1, 1);
      const a = l.act(obs, 'explore', step);
      stats = l.observe({ obs, action: a, reward: a[0] - a[1], nextObs: rng.uniforms(3, -1, 1), terminated: step % 7 === 6, truncated: false }, step + 1, true) ?? stats;
    }
    return stats;
  };
  const a = new PpoLearner(SPEC, config, 1);
  const rngA = new Rng(2);
  drive(a, 0, 21, rngA);
  const saved = structuredClone(a.getState());
  const b = new PpoLearner(SPEC, config, 77);
  b.setState(saved);
  const rngB = new Rng(0);
  rngB.setState(rngA.getState());
  const before = tf.memory().numTensors;
  assert.deepEqual(drive(b, 21, 40, rngB), drive(a, 21, 40, rngA));
  assert.equal(tf.memory().numTensors, before, 'no tensor leak over two update phases');
  a.dispose();
  b.dispose();
  assert.equal(spoSchema.defaults.objective, 'spo');
  assert.equal(ppoSchema.defaults.objective, 'ppo-clip');
  assert.deepEqual([ppoSchema.defaults.rolloutSteps, ppoSchema.defaults.epochs, ppoSchema.defaults.minibatchSize, ppoSchema.defaults.clipEpsilon, ppoSchema.defaults.gaeLambda], [2048, 10, 64, 0.2, 0.95]);
});

for (const objective of ['ppo-clip', 'spo'] as const) {
  test(`learning (${objective}): on the three-peak bandit the policy mean ends well above a uniform random policy`, { timeout: 120_000 }, async (t) => {
    await initBackend('wasm');
    const make = (seed: number) => new PpoLearner(BANDIT_SPEC, { objective, rolloutSteps: 256, annealSteps: 4096, normalizeObservations: false }, seed);
    // 16 rollouts, lr annealed to 0: the mean climbs towards a peak but need not reach it
    assertLearnsBandit(t, make, 4096, 0.25);
  });
}
