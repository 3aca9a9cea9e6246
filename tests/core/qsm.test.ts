/**
 * QSM (lib/agents/qsm): the score target by hand, the actor step moving samples up a critic
 * whose gradient is known, full updates (stats, checkpoint round trip, no tensor leak), and
 * learning on the three-peak bandit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { QsmAgent, qScoreTarget } from '../../lib/agents/qsm/agent';
import { qsmSchema } from '../../lib/agents/qsm/config';
import { OffPolicyLearner } from '../../lib/agents/off-policy';
import { Mlp } from '../../lib/nets/mlp';
import { Rng } from '../../lib/util/rng';
import { assertAllClose, values } from '../helpers/numeric';
import { BANDIT_SPEC, assertLearnsBandit } from '../helpers/bandit-learning';
import { checkRoundTripAndLeaks } from '../helpers/off-policy';
import { randomBuffer } from '../helpers/replay';

const SPEC = { obsDim: 3, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };
const SMALL = { hiddenWidth: 16, hiddenLayers: 2, batchSize: 16, diffusionSteps: 5 };

test('QSM defaults: α = 10 on the normalised gradient, one behaviour and target sample, the kit\'s diffusion nets', () => {
  const d = qsmSchema.defaults;
  assert.deepEqual(
    [d.behaviourSamples, d.explorationNoise, d.targetSamples, d.evalSamples, d.scoreScale, d.normaliseGradient, d.actorLr, d.timeLimitAsTerminal],
    [1, 0.1, 1, 10, 10, true, 3e-4, false],
  );
  assert.deepEqual([d.diffusionSteps, d.betaSchedule, d.hiddenWidth, d.hiddenLayers, d.batchSize], [20, 'cosine', 256, 3, 256]);
  assert.throws(() => qsmSchema.make({ scoreScale: 0 }), /scoreScale/);
});

test('score target ε* = −α·σ_t·∇Q / mean|∇Q| (and without the normalisation, −α·σ_t·∇Q)', async () => {
  await initBackend('cpu');
  tf.tidy(() => {
    const grad = tf.tensor2d([2, -1, 0.5, 0], [2, 2]);
    const sigma = tf.tensor2d([0.5, 1], [2, 1]);
    // mean |g| = (2 + 1 + 0.5 + 0) / 4 = 0.875
    const normalised = qScoreTarget(grad, sigma, 2, true);
    assertAllClose(values(normalised.target), [-2 / 0.875, 1 / 0.875, -1 / 0.875, 0], 'normalised', 1e-5, 1e-6);
    assertAllClose(values(normalised.gradScale), [0.875], 'mean |∇Q|');
    assertAllClose(values(qScoreTarget(grad, sigma, 2, false).target), [-2, 1, -1, 0], 'raw', 1e-6, 1e-6);
  });
});

/** Makes both heads Q(s, a) ≈ 3·k + a0 (Mish ≈ identity far right of 0): ∇a Q = (1, 0). */
function rampCritic(head: Mlp, obsDim: number): void {
  head.weights.forEach((w, i) => {
    const [rows, cols] = w.shape;
    const values = new Float32Array(rows * cols);
    values[(i === 0 ? obsDim : 0) * cols] = 1; // unit 0 reads a0 (first layer) or unit 0 (later)
    w.assign(tf.tensor2d(values, [rows, cols]));
  });
  head.biases.forEach((b, i) => b.assign(tf.fill(b.shape, i === head.biases.length - 1 ? 0 : 3) as tf.Tensor1D));
}

test('actor steps move the policy\'s samples up the critic\'s gradient (a0 up, a1 unchanged)', async () => {
  await initBackend('cpu');
  // the critic barely moves (lr 1e-10): only the actor learns against the ramp
  const agent = new QsmAgent(SPEC, { ...SMALL, actorLr: 3e-3, criticLr: 1e-10 }, 3);
  rampCritic(agent.critic.q1, 3);
  rampCritic(agent.critic.q2, 3);
  const buffer = randomBuffer(200, 4, () => true);
  const rng = new Rng(5);
  const states = tf.tensor2d(rng.uniforms(3 * 8, -1, 1), [8, 3]);
  const columnMeans = () => {
    const a = values(agent.policy.sample(states, 50, rng));
    const mean = (j: number) => a.filter((_, k) => k % 2 === j).reduce((s, v) => s + v, 0) / (a.length / 2);
    return [mean(0), mean(1)];
  };
  const before = columnMeans();
  let last = null;
  for (let i = 0; i < 300; i++) last = agent.update(buffer, 1000, i === 299);
  const after = columnMeans();
  assert.ok(after[0] > 0.6 && after[0] > before[0] + 0.4, `mean a0 ${before[0].toFixed(3)} → ${after[0].toFixed(3)}`);
  assert.ok(Math.abs(after[1]) < 0.3, `mean a1 ${before[1].toFixed(3)} → ${after[1].toFixed(3)} should stay near 0`);
  // ∇a Q = (1, 0) for every row: the logged raw scale is mean |g| = 0.5
  assert.ok(last && Math.abs(last.qGradScale - 0.5) < 0.02, `qGradScale ${last?.qGradScale}`);
  states.dispose();
  agent.dispose();
});

test('full updates through the off-policy learner: stats, checkpoint round trip, no tensor leak', async () => {
  await initBackend('cpu');
  const config = qsmSchema.make({ ...SMALL, warmupSteps: 10, replaySize: 100 });
  const stats = checkRoundTripAndLeaks((seed) => new OffPolicyLearner(new QsmAgent(SPEC, config, seed), config));
  assert.ok(Number.isFinite(stats.actorLoss) && Number.isFinite(stats.qMean) && stats.qGradScale > 0, `stats ${JSON.stringify(stats)}`);
});

test('behaviour noise is clipped to the action box, even when large', async () => {
  await initBackend('cpu');
  const noisy = new QsmAgent({ ...SPEC, actionLow: [-2, 0], actionHigh: [2, 1] }, { ...SMALL, explorationNoise: 5 }, 1);
  const acts = Array.from({ length: 10 }, () => Array.from(noisy.act([0, 0, 0], 'behaviour'))).flat();
  assert.ok(acts.every((v, k) => (k % 2 === 0 ? v >= -2 && v <= 2 : v >= 0 && v <= 1)), `actions ${acts.map((v) => v.toFixed(2))}`);
  assert.ok(acts.some((v, k) => k % 2 === 0 && Math.abs(v) > 1.99), 'large noise reaches the bounds');
  noisy.dispose();
});

test('learning: on the three-peak bandit QSM ends well above a uniform random policy', { timeout: 180_000 }, async (t) => {
  await initBackend('wasm');
  const config = qsmSchema.make({ hiddenWidth: 64, batchSize: 64, diffusionSteps: 10, actorLr: 1e-3, warmupSteps: 200, replaySize: 10_000 });
  assertLearnsBandit(t, (seed) => new OffPolicyLearner(new QsmAgent(BANDIT_SPEC, config, seed), config), 1200, 0.3);
});
