/**
 * The ORT engine computes what the tfjs reference engine computes, on fixed weights and fixed
 * noise, to float32 rounding (≤ 1e-5): reverse chains from current and target weights over
 * several batch shapes and k, candidate scoring, and best-of-k selection. Also: a weight that
 * changes is never served stale from the engine's weight cache, and many calls leak neither
 * tfjs tensors nor ORT sessions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DiffusionPolicy } from '../../lib/diffusion/policy';
import { drawChainNoise } from '../../lib/diffusion/ddpm';
import { DoubleCritic } from '../../lib/nets/critic';
import { OrtEngine } from '../../lib/engine/ort';
import { TfjsEngine } from '../../lib/engine/tfjs';
import { Rng } from '../../lib/util/rng';
import { BOTH, testOnBackends } from '../helpers/backends';
import { assertAllClose } from '../helpers/numeric';

const TOL = 1e-5;
const read = (t: tf.Tensor) => Array.from(t.dataSync());

function makeNets(obsDim: number, actDim: number, T: number, width: number) {
  const rng = new Rng(3);
  const policy = new DiffusionPolicy(obsDim, actDim, rng, {
    diffusionSteps: T,
    betaSchedule: 'cosine',
    hidden: [width, width, width],
    lr: 1e-4,
    adamEps: 1e-5,
    gradClipNorm: 2,
    noiseRatio: 1,
    clipDenoised: true,
  });
  // Make the target differ from the current net, so "which" matters.
  policy.target.variables.forEach((v, i) => v.assign(tf.add(v, tf.mul(tf.randomNormal(v.shape, 0, 0.05, 'float32', 10 + i), 1))));
  const critic = new DoubleCritic(obsDim, actDim, rng, { hidden: [width, width, width] });
  return { policy, critic };
}

const CASES = [
  { name: 'Hopper dims, T 20', obs: 11, act: 3, T: 20, width: 32, batches: [[1, 4], [8, 1], [5, 8]] },
  { name: 'Humanoid dims, T 5', obs: 376, act: 17, T: 5, width: 16, batches: [[3, 4], [2, 32]] },
];

testOnBackends('ORT chains, scores and picks equal the tfjs engine on fixed weights and noise', BOTH, () => {
  const ref = new TfjsEngine();
  const ort = new OrtEngine({ provider: 'cpu', threads: 1 });
  try {
    for (const c of CASES) {
      const { policy, critic } = makeNets(c.obs, c.act, c.T, c.width);
      for (const [b, k] of c.batches) {
        const states = tf.tensor2d(new Rng(b * 100 + k).normals(b * c.obs), [b, c.obs]);
        const noise = drawChainNoise(c.T, b * k, c.act, new Rng(7));
        for (const options of [{ noiseRatio: 1, clipDenoised: true }, { noiseRatio: 0, clipDenoised: false }]) {
          for (const net of [policy.net, policy.target]) {
            const what = `${c.name} B ${b} k ${k} ${net === policy.net ? 'current' : 'target'} ratio ${options.noiseRatio}`;
            const a = ref.sample(net, policy.coef, states, k, noise, options);
            const o = ort.sample(net, policy.coef, states, k, noise, options);
            assert.deepEqual(o.shape, [b * k, c.act]);
            assertAllClose(read(o), read(a), `${what}: samples`, 0, TOL);
            const qa = ref.scoreMin(critic, states, a, k);
            const qo = ort.scoreMin(critic, states, a, k);
            assertAllClose(read(qo), read(qa), `${what}: min(Q1,Q2)`, TOL, TOL);
            const pa = ref.propose(net, policy.coef, critic, states, k, noise, options, true);
            const po = ort.propose(net, policy.coef, critic, states, k, noise, options, true);
            assertAllClose(read(po.best), read(pa.best), `${what}: best action`, 0, TOL);
            assertAllClose(read(po.bestQ), read(pa.bestQ), `${what}: best q`, TOL, TOL);
            assertAllClose(read(po.meanQ), read(pa.meanQ), `${what}: mean q`, TOL, TOL);
            assert.deepEqual(read(po.index), read(pa.index), `${what}: chosen index`);
            assert.equal(po.index.dtype, 'int32');
            assertAllClose(read(po.samples as tf.Tensor), read(pa.samples as tf.Tensor), `${what}: proposal samples`, 0, TOL);
            tf.dispose([a, o, qa, qo, ...(Object.values(pa) as tf.Tensor[]), ...(Object.values(po) as tf.Tensor[])]);
          }
        }
        states.dispose();
      }
      policy.dispose();
      critic.dispose();
    }
  } finally {
    ort.dispose();
  }
});

test('a weight assigned between calls is used at once (no stale cached copy)', () => {
  const ort = new OrtEngine({ provider: 'cpu', threads: 1 });
  const { policy, critic } = makeNets(4, 2, 5, 8);
  const states = tf.tensor2d([0.1, -0.2, 0.3, 0.4], [1, 4]);
  const actions = tf.tensor2d([0.5, -0.5, 0.1, 0.2], [2, 2]);
  try {
    const before = read(ort.scoreMin(critic, states, actions, 2));
    critic.q1.biases[critic.q1.biases.length - 1].assign(tf.tensor1d([100]));
    critic.q2.biases[critic.q2.biases.length - 1].assign(tf.tensor1d([100]));
    const after = read(ort.scoreMin(critic, states, actions, 2));
    const expected = read(new TfjsEngine().scoreMin(critic, states, actions, 2));
    assertAllClose(after, expected, 'scores after the assign', TOL, TOL);
    assert.ok(after[0] > before[0] + 50, `the new output bias shows: ${before[0]} → ${after[0]}`);
  } finally {
    ort.dispose();
    policy.dispose();
    critic.dispose();
    tf.dispose([states, actions]);
  }
});

test('many calls leak no tensors and build one session per graph shape', () => {
  const ort = new OrtEngine({ provider: 'cpu', threads: 1 });
  const { policy, critic } = makeNets(11, 3, 5, 16);
  const states = tf.tensor2d(new Rng(1).normals(4 * 11), [4, 11]);
  const rng = new Rng(2);
  try {
    const step = () => {
      const p = ort.propose(policy.net, policy.coef, critic, states, 4, drawChainNoise(5, 16, 3, rng), { noiseRatio: 1, clipDenoised: true }, false);
      tf.dispose(Object.values(p) as tf.Tensor[]);
    };
    for (let i = 0; i < 5; i++) step();
    const tensors = tf.memory().numTensors;
    const sessions = ort.sessionCount;
    const rss = process.memoryUsage().rss;
    for (let i = 0; i < 400; i++) step();
    assert.equal(tf.memory().numTensors, tensors, 'tfjs tensors after 400 calls');
    assert.equal(ort.sessionCount, sessions, 'ORT sessions after 400 calls');
    const grownMiB = (process.memoryUsage().rss - rss) / 2 ** 20;
    assert.ok(grownMiB < 64, `resident memory grew by ${grownMiB.toFixed(1)} MiB over 400 calls`);
  } finally {
    ort.dispose();
    policy.dispose();
    critic.dispose();
    states.dispose();
  }
  assert.throws(() => ort.scoreMin(critic, states, states, 1), /used after dispose/);
});
