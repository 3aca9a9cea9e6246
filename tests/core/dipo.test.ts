/**
 * DIPO (lib/agents/dipo): the action-gradient improvement of stored actions, the buffer's
 * improvable action copy (ring reset, checkpoint), and one full update with no tensor leak.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { DipoAgent } from '../../lib/agents/dipo/agent';
import { dipoSchema } from '../../lib/agents/dipo/config';
import { OffPolicyLearner } from '../../lib/agents/off-policy';
import { ReplayBuffer } from '../../lib/replay/buffer';
import { Rng } from '../../lib/util/rng';
import { values } from '../helpers/numeric';
import { checkRoundTripAndLeaks } from '../helpers/off-policy';

const SPEC = { obsDim: 3, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };
const SMALL = { hiddenWidth: 16, hiddenLayers: 2, batchSize: 8, diffusionSteps: 5, targetSamples: 2, behaviourSamples: 2, evalSamples: 3 };

function filled(n: number, seed: number): ReplayBuffer {
  const rng = new Rng(seed);
  const b = new ReplayBuffer(100, 3, 2, { improvedActions: true });
  for (let i = 0; i < n; i++) b.add(rng.uniforms(3, -1, 1), rng.uniforms(2, -0.5, 0.5), rng.uniformIn(-1, 1), rng.uniforms(3, -1, 1), i % 9 === 0);
  return b;
}

test('DIPO defaults: 20 action steps, action lr 0.03, grad norm 0.1·|A|', () => {
  const d = dipoSchema.defaults;
  assert.deepEqual([d.actionGradientSteps, d.actionLr, d.actionGradNormPerDim, d.batchSize, d.diffusionSteps], [20, 0.03, 0.1, 256, 20]);
});

test('one action step is Adam\'s first step up the gradient of min(Q1, Q2): lr·g/(|g| + eps) per coordinate, within [−1, 1]', async () => {
  await initBackend('cpu');
  const agent = new DipoAgent(SPEC, { ...SMALL, actionGradientSteps: 1, actionLr: 0.03, actionGradNormPerDim: 0 }, 0);
  const buffer = filled(20, 1);
  const idx = Int32Array.from([0, 3, 7]);
  const batch = buffer.gather(idx);
  const s = tf.tensor2d(batch.obs, [3, 3]);
  const g = values(tf.grad((a: tf.Tensor) => tf.sum(agent.critic.min(s, a as tf.Tensor2D)))(tf.tensor2d(batch.act, [3, 2])));
  const out = agent.improveActions(buffer, idx);
  out.actions.forEach((a, k) => {
    // Adam's first step: m̂ = g, v̂ = g², so Δa = lr·g/(|g| + eps) with eps = 1e-5
    const expected = Math.min(1, Math.max(-1, batch.act[k] + (0.03 * g[k]) / (Math.abs(g[k]) + 1e-5)));
    assert.ok(Math.abs(a - expected) < 1e-6, `coordinate ${k}: ${a} vs ${expected}`);
  });
  assert.deepEqual(Array.from(buffer.gatherImproved(idx)), Array.from(out.actions), 'written back');
  assert.deepEqual(Array.from(buffer.gather(idx).act), Array.from(batch.act), 'the actions taken stay for the critic');
  s.dispose();
  agent.dispose();
});

test('20 steps raise the critic value of the stored actions', async () => {
  await initBackend('cpu');
  const agent = new DipoAgent(SPEC, SMALL, 2);
  const out = agent.improveActions(filled(30, 3), Int32Array.from([1, 2, 4, 8, 16]));
  assert.ok(out.qAfter > out.qBefore, `mean min-Q ${out.qBefore} → ${out.qAfter}`);
  assert.ok(out.actions.every((a) => a >= -1 && a <= 1));
  agent.dispose();
});

test('improvable copy: reset when the ring overwrites a row, kept in checkpoints, clear errors', () => {
  const b = new ReplayBuffer(2, 1, 1, { improvedActions: true });
  b.add([0], [0.1], 0, [0], false);
  b.add([1], [0.2], 0, [1], false);
  b.setImproved(Int32Array.from([0, 1]), [0.9, 0.8]);
  b.add([2], [0.3], 0, [2], false); // overwrites row 0
  assert.deepEqual(Array.from(b.gatherImproved(Int32Array.from([0, 1]))).map((x) => +x.toFixed(3)), [0.3, 0.8]);
  const copy = new ReplayBuffer(2, 1, 1, { improvedActions: true });
  copy.setState(b.getState());
  assert.deepEqual(copy.gatherImproved(Int32Array.from([1])), b.gatherImproved(Int32Array.from([1])));
  const plain = new ReplayBuffer(2, 1, 1);
  assert.throws(() => plain.gatherImproved(Int32Array.from([0])), /keeps no improved actions/);
  assert.throws(() => copy.setState(plain.getState()), /the checkpoint has no improved actions/);
  assert.throws(() => b.setImproved(Int32Array.from([0]), [1, 2]), /2 numbers for 1 rows of 1/);
});

test('full updates through the off-policy learner: stats, checkpoint round trip, no tensor leak', async () => {
  await initBackend('cpu');
  const config = dipoSchema.make({ ...SMALL, actionGradientSteps: 3, warmupSteps: 10, replaySize: 100 });
  const make = (seed: number) => new OffPolicyLearner(new DipoAgent(SPEC, config, seed), config);
  const probe = make(0);
  assert.ok(probe.buffer.getState().improved, 'the learner gives DIPO a buffer with improvable actions');
  probe.dispose();
  const stats = checkRoundTripAndLeaks(make);
  assert.ok(Number.isFinite(stats.actorLoss) && stats.qBest >= stats.qMean - 1e-6, `stats ${JSON.stringify(stats)}`);
});
