/**
 * SAC (lib/agents/sac): the squashed-Gaussian log-probability against a float64 hand
 * computation, the log σ clamp, the temperature update's direction, the TD target's done mask,
 * checkpoint round trip, no tensor leak, and learning on the three-peak bandit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { OffPolicyLearner } from '../../lib/agents/off-policy';
import { SacAgent, squashedGaussian } from '../../lib/agents/sac/agent';
import { SacConfig, sacSchema } from '../../lib/agents/sac/config';
import { AgentSpec } from '../../lib/agents/qvpo/agent';
import { assertAllClose, assertClose, values } from '../helpers/numeric';
import { BANDIT_SPEC, assertLearnsBandit } from '../helpers/bandit-learning';
import { randomBuffer } from '../helpers/replay';

const SPEC: AgentSpec = { obsDim: 3, actDim: 2, actionLow: [-2, 0], actionHigh: [2, 1] };
const SMALL: Partial<SacConfig> = { hiddenWidth: 16, hiddenLayers: 2, batchSize: 8 };


test('squashed Gaussian: a = tanh(μ + σε), log π = Σ log N(u; μ, σ) − log(1 − tanh²u), log σ clamped to [−20, 2]', async () => {
  await initBackend('cpu');
  const mean = [0.3, -1.2, 2.5, 0];
  const logStd = [-0.5, 0.2, 3, -25]; // the last two are clamped to 2 and −20
  const eps = [1.1, -0.4, 0.7, 2];
  const { action, logProb } = squashedGaussian(tf.tensor2d(mean, [2, 2]), tf.tensor2d(logStd, [2, 2]), tf.tensor2d(eps, [2, 2]));
  const hand = [0, 1].map((row) => {
    let lp = 0;
    const a: number[] = [];
    for (let j = 0; j < 2; j++) {
      const i = 2 * row + j;
      const ls = Math.min(2, Math.max(-20, logStd[i]));
      const u = mean[i] + Math.exp(ls) * eps[i];
      a.push(Math.tanh(u));
      lp += -0.5 * eps[i] ** 2 - ls - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - Math.tanh(u) ** 2);
    }
    return { a, lp };
  });
  assertAllClose(values(action), hand.flatMap((h) => h.a), 'squashed actions', 1e-5, 1e-6);
  assertClose(values(logProb)[0], hand[0].lp, 'log π row 0', 1e-5, 1e-5);
  // row 1: u = 2.5 + e²·0.7 ≈ 7.67, where 1 − tanh²u underflows in float32; the stable form stays finite
  assert.ok(Number.isFinite(values(logProb)[1]), 'log π finite for a saturated tanh');
  assertClose(values(logProb)[1], -0.5 * 0.49 - 2 - 0.5 * Math.log(2 * Math.PI) - 2 * (Math.log(2) - 7.6723 - Math.log1p(Math.exp(-2 * 7.6723))) + (-0.5 * 4 + 20 - 0.5 * Math.log(2 * Math.PI)), 'log π row 1', 1e-3, 1e-2);
});

test('temperature: α rises while the policy entropy is below the target and falls above it', async () => {
  await initBackend('cpu');
  const buffer = randomBuffer(64, 1, () => false);
  // a target far above any reachable entropy pushes α up; one far below pushes it down
  const up = new SacAgent(SPEC, { ...SMALL, targetEntropyPerDim: 50, alphaLr: 0.01 }, 0);
  const down = new SacAgent(SPEC, { ...SMALL, targetEntropyPerDim: -50, alphaLr: 0.01 }, 0);
  for (let i = 0; i < 3; i++) {
    up.update(buffer, i + 1, false);
    down.update(buffer, i + 1, false);
  }
  assert.ok(up.alpha > 1.02, `α ${up.alpha} should have risen from 1`);
  assert.ok(down.alpha < 0.98, `α ${down.alpha} should have fallen from 1`);
  const fixed = new SacAgent(SPEC, { ...SMALL, autoTuneAlpha: false, initialAlpha: 0.2 }, 0);
  fixed.update(buffer, 1, false);
  assertClose(fixed.alpha, 0.2, 'fixed α', 1e-6, 1e-7);
  [up, down, fixed].forEach((a) => a.dispose());
});

test('TD target: a terminal row gives y = r; γ = 0 gives y = r everywhere', async () => {
  await initBackend('cpu');
  const batch = { size: 2, obs: new Float32Array(6), act: new Float32Array(4), reward: Float32Array.from([0.5, -1]), nextObs: Float32Array.from([0.1, 0.2, 0.3, -0.3, 0.2, 0.1]), done: Float32Array.from([0, 1]) };
  const agent = new SacAgent(SPEC, SMALL, 1);
  const y = values(agent.tdTarget(batch, 0.2));
  assert.equal(y[1], -1);
  assert.notEqual(y[0], 0.5, 'the bootstrapped row adds the soft value');
  agent.dispose();
  const myopic = new SacAgent(SPEC, { ...SMALL, gamma: 0 }, 1);
  assert.deepEqual(values(myopic.tdTarget(batch, 0.2)), [0.5, -1]);
  myopic.dispose();
});

test('actions stay in the env box; evaluation is deterministic; checkpoint round trip; no tensor leak', async () => {
  await initBackend('cpu');
  const buffer = randomBuffer(64, 5, (i) => i % 7 === 0);
  const a = new SacAgent(SPEC, SMALL, 6);
  for (let i = 0; i < 50; i++) {
    const x = a.act([0.1 * i, -0.2, 0.3], 'behaviour');
    assert.ok(x[0] >= -2 && x[0] <= 2 && x[1] >= 0 && x[1] <= 1, `action ${x} in the box`);
  }
  assert.deepEqual(a.act([0.1, 0.2, 0.3], 'eval'), a.act([0.1, 0.2, 0.3], 'eval'));
  for (let i = 0; i < 3; i++) a.update(buffer, i + 1, false);
  const before = tf.memory().numTensors;
  const b = new SacAgent(SPEC, SMALL, 99);
  b.setState(a.getState());
  assert.deepEqual(b.update(buffer, 4, true), a.update(buffer, 4, true));
  b.dispose();
  for (let i = 0; i < 20; i++) {
    a.update(buffer, 5 + i, i % 3 === 0);
    a.act([0, 0, 0], 'behaviour');
  }
  assert.equal(tf.memory().numTensors, before, 'tensor count after 20 more updates and acts');
  a.dispose();
  assert.throws(() => new SacAgent({ ...SPEC, actionHigh: [1] }, SMALL, 0), /SAC: action bounds have 2\/1 entries, actDim is 2/);
});

test('learning: on the three-peak bandit SAC ends well above a uniform random policy', { timeout: 120_000 }, async (t) => {
  await initBackend('wasm');
  // Rewards here are ≤ 1 and the budget is 1000 updates: start the temperature at 0.1 (not 1)
  // and let it adapt faster, or the entropy bonus dominates the whole run.
  const config = sacSchema.make({ hiddenWidth: 64, batchSize: 64, warmupSteps: 200, replaySize: 10_000, initialAlpha: 0.1, alphaLr: 3e-3 });
  assertLearnsBandit(t, (seed) => new OffPolicyLearner(new SacAgent(BANDIT_SPEC, config, seed), config), 1200, 0.3);
});
