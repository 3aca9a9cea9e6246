/**
 * MLP initialisation and forward pass, the double critic, parameter copies and checkpoints,
 * Adam (PyTorch rule) and global-norm clipping (lib/nets/*).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { Adam, clipByGlobalNorm, gradientsOf } from '../../lib/nets/adam';
import { DoubleCritic } from '../../lib/nets/critic';
import { Mlp, initialWeights } from '../../lib/nets/mlp';
import { copyVariables, countParameters, loadVariables, saveVariables, softUpdate } from '../../lib/nets/params';
import { Rng } from '../../lib/util/rng';
import { BOTH, testOnBackends } from '../helpers/backends';
import { assertAllClose, assertClose, hcat, mat, mean, mlpForward64, readMlp, std, values } from '../helpers/numeric';

test('MLP init (qvpo-normal): weights N(0, (1/(2√fan_in))²) untruncated, biases exactly 0', async () => {
  await initBackend('cpu');
  const mlp = new Mlp([400, 100, 50], new Rng(10));
  const sizes = [400, 100, 50];
  for (let i = 0; i < 2; i++) {
    const w = Array.from(mlp.weights[i].dataSync());
    assert.deepEqual(mlp.weights[i].shape, [sizes[i], sizes[i + 1]]);
    const expectedStd = 1 / (2 * Math.sqrt(sizes[i]));
    const s = std(w);
    assert.ok(Math.abs(s / expectedStd - 1) < 0.04, `layer ${i}: std ${s}, expected ${expectedStd}`);
    assert.ok(Math.abs(mean(w)) < (4 * expectedStd) / Math.sqrt(w.length), `layer ${i}: mean ${mean(w)}`);
    // spec §2.3: the truncation is a no-op, so ≈ 4.55% of weights lie beyond 2σ (a truncated normal has none)
    const beyond = w.filter((v) => Math.abs(v) > 2 * expectedStd).length / w.length;
    assert.ok(beyond > 0.03 && beyond < 0.06, `layer ${i}: fraction beyond 2σ ${beyond}`);
    assert.ok(mlp.biases[i].dataSync().every((v) => v === 0), `layer ${i}: biases 0`);
  }
  assert.equal(countParameters(mlp.variables), 400 * 100 + 100 + 100 * 50 + 50);
  assert.deepEqual(mlp.variables.map((v) => v.shape), [[400, 100], [100], [100, 50], [50]], 'order w0, b0, w1, b1');
  mlp.dispose();
});

test('MLP init (torch-default): weights and biases U(±1/√fan_in)', () => {
  const { w, b } = initialWeights(64, 500, 'torch-default', new Rng(11));
  const bound = 1 / 8;
  assert.ok(w.every((v) => Math.abs(v) <= bound) && b.every((v) => Math.abs(v) <= bound), 'within bounds');
  assert.ok(Math.abs(std(Array.from(w)) / (bound / Math.sqrt(3)) - 1) < 0.03, `std ${std(Array.from(w))}`);
  assert.ok(Math.max(...w) > 0.99 * bound && Math.min(...w) < -0.99 * bound, 'fills the range');
  assert.ok(b.some((v) => v !== 0), 'biases are not zero');
  assert.ok(Math.abs(std(Array.from(b)) / (bound / Math.sqrt(3)) - 1) < 0.15);
  // same seed → same weights
  assert.deepEqual(initialWeights(3, 4, 'qvpo-normal', new Rng(5)), initialWeights(3, 4, 'qvpo-normal', new Rng(5)));
  assert.throws(() => new Mlp([4], new Rng(1)), /Mlp sizes must be at least two positive integers, got \[4\]/);
  assert.throws(() => new Mlp([4, 0, 2], new Rng(1)), /got \[4, 0, 2\]/);
});

testOnBackends('MLP forward = float64 Mish MLP with no output activation', BOTH, () => {
  const mlp = new Mlp([3, 8, 8, 2], new Rng(12));
  const rng = new Rng(13);
  const xs = Array.from(rng.normals(5 * 3)).map((v) => 3 * v);
  const y = tf.tidy(() => values(mlp.apply(tf.tensor2d(xs, [5, 3]))));
  const y64 = mlpForward64(readMlp(mlp), mat(5, 3, xs));
  assertAllClose(y, y64.data, 'mlp forward', 1e-5, 1e-6);
  mlp.dispose();
});

testOnBackends('DoubleCritic: two independent heads on [state, action]; min is their elementwise min', BOTH, () => {
  const [obsDim, actDim, n] = [3, 2, 12];
  const critic = new DoubleCritic(obsDim, actDim, new Rng(20), { hidden: [8, 8] });
  const rng = new Rng(21);
  const s = Array.from(rng.normals(n * obsDim));
  const a = Array.from(rng.uniforms(n * actDim, -1, 1));
  const [q1, q2, qmin] = tf.tidy(() => {
    const st = tf.tensor2d(s, [n, obsDim]);
    const at = tf.tensor2d(a, [n, actDim]);
    const [h1, h2] = critic.both(st, at);
    assert.deepEqual(h1.shape, [n, 1]);
    const m = critic.min(st, at);
    assert.deepEqual(m.shape, [n]);
    return [values(h1), values(h2), values(m)];
  });
  const S = mat(n, obsDim, s);
  const A = mat(n, actDim, a);
  const q1Hand = mlpForward64(readMlp(critic.q1), hcat(S, A)).data;
  const q2Hand = mlpForward64(readMlp(critic.q2), hcat(S, A)).data;
  assertAllClose(q1, q1Hand, 'Q1 on [s, a]', 1e-5, 1e-6);
  assertAllClose(q2, q2Hand, 'Q2 on [s, a]', 1e-5, 1e-6);
  const swapped = mlpForward64(readMlp(critic.q1), hcat(A, mat(n, obsDim, s.map((v) => v)))).data;
  assert.ok(swapped.some((v, i) => Math.abs(v - q1[i]) > 1e-3), 'the order [a, s] would give different values');
  assert.ok(q1.some((v, i) => Math.abs(v - q2[i]) > 1e-4), 'the heads are independent');
  assert.ok(q1.some((v, i) => v < q2[i]) && q1.some((v, i) => v > q2[i]), 'both heads win somewhere (test is informative)');
  assertAllClose(qmin, q1.map((v, i) => Math.min(v, q2[i])), 'min(Q1, Q2)', 0, 0);
  assert.equal(critic.variables.length, 12);
  critic.dispose();
});

testOnBackends('softUpdate, copyVariables, saveVariables/loadVariables and their errors', BOTH, () => {
  const target = [tf.variable(tf.tensor2d([[1, 2], [3, 4]])), tf.variable(tf.tensor1d([10]))];
  const source = [tf.variable(tf.tensor2d([[5, 6], [7, 8]])), tf.variable(tf.tensor1d([-10]))];
  softUpdate(target, source, 0.25);
  // θ' ← τθ + (1 − τ)θ'
  assertAllClose(values(target[0]), [0.25 * 5 + 0.75 * 1, 0.25 * 6 + 0.75 * 2, 0.25 * 7 + 0.75 * 3, 0.25 * 8 + 0.75 * 4], 'soft w', 1e-7, 0);
  assertAllClose(values(target[1]), [0.25 * -10 + 0.75 * 10], 'soft b', 1e-7, 0);
  softUpdate(target, source, 0.005);
  assertClose(target[1].dataSync()[0], 0.005 * -10 + 0.995 * 5, 'τ = 0.005', 1e-6, 1e-6);
  copyVariables(target, source);
  assert.deepEqual(values(target[0]), [5, 6, 7, 8]);
  assert.deepEqual(values(target[1]), [-10]);

  const saved = saveVariables(source);
  assert.deepEqual(saved.map((s) => s.shape), [[2, 2], [1]]);
  assert.ok(saved[0].values instanceof Float32Array);
  const fresh = [tf.variable(tf.zeros([2, 2])), tf.variable(tf.zeros([1]))];
  loadVariables(fresh, saved);
  assert.deepEqual(values(fresh[0]), [5, 6, 7, 8]);
  assert.deepEqual(values(fresh[1]), [-10]);

  const wrongShape = [tf.variable(tf.zeros([1, 4])), tf.variable(tf.zeros([1]))];
  assert.throws(() => loadVariables(wrongShape, saved, 'critic'), /critic: tensor 0 has shape \[2,2\] in the checkpoint, \[1,4\] in the network/);
  assert.throws(() => loadVariables([fresh[0]], saved, 'actor'), /actor: checkpoint has 2 tensors, the network has 1/);
  assert.deepEqual(values(wrongShape[0]), [0, 0, 0, 0], 'nothing loaded after a mismatch at tensor 0');
  tf.dispose([...target, ...source, ...fresh, ...wrongShape]);
});

testOnBackends('saveVariables gives a snapshot: writing into it does not change the live network, nor vice versa', BOTH, () => {
  // A checkpoint must be a copy. On the cpu backend, dataSync() returns the tensor's own
  // storage and tf.tensor() adopts the given array, so without a copy the snapshot and the
  // variable share memory.
  const v = tf.variable(tf.tensor1d([1, 2, 3]));
  const saved = saveVariables([v]);
  saved[0].values[0] = 99;
  assert.deepEqual(values(v), [1, 2, 3], 'mutating the snapshot changed the live variable');
  const w = tf.variable(tf.zeros([3]));
  const source = [{ shape: [3], values: new Float32Array([4, 5, 6]) }];
  loadVariables([w], source);
  source[0].values[0] = 77;
  assert.deepEqual(values(w), [4, 5, 6], 'mutating the loaded checkpoint changed the live variable');
  tf.dispose([v, w]);
});

/** Adam by hand in float64, PyTorch's rule: θ −= lr·m̂/(√v̂ + eps). */
function adamHand(theta: number, grads: number[], lr: number, eps: number, b1 = 0.9, b2 = 0.999): number[] {
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((g, k) => {
    const t = k + 1;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const mHat = m / (1 - b1 ** t);
    const vHat = v / (1 - b2 ** t);
    theta -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    out.push(theta);
  });
  return out;
}

testOnBackends('Adam: first and second step on a scalar by hand (eps after the bias-corrected sqrt)', BOTH, () => {
  // Small gradients make eps = 1e-5 matter: TF/Keras-style eps placement would give a different number.
  const lr = 0.1;
  const eps = 1e-5;
  const grads = [1e-4, -3e-4];
  const expected = adamHand(1, grads, lr, eps);
  // step 1 by hand: m̂ = g, v̂ = g² → θ = 1 − 0.1·1e-4/(1e-4 + 1e-5) = 0.909090...
  assertClose(expected[0], 1 - 0.1 / 1.1, 'hand step 1', 1e-12, 1e-12);
  const x = tf.variable(tf.scalar(1));
  const opt = new Adam([x], { lr, eps });
  assert.equal(opt.eps, eps);
  assert.equal(opt.beta1, 0.9);
  assert.equal(opt.beta2, 0.999);
  opt.apply([tf.scalar(grads[0])]);
  assertClose(x.dataSync()[0], expected[0], 'Adam step 1', 1e-6, 1e-7);
  opt.apply([tf.scalar(grads[1])]);
  assertClose(x.dataSync()[0], expected[1], 'Adam step 2', 1e-6, 1e-7);
  assert.equal(opt.steps, 2);
  // the TF-style update would be far off (sanity that the test discriminates)
  const tfStyle = 1 - (lr * Math.sqrt(1 - 0.999) / (1 - 0.9)) * ((0.1 * 1e-4) / (Math.sqrt(0.001 * 1e-8) + eps));
  assert.ok(Math.abs(tfStyle - expected[0]) > 1e-3);

  // reset(): back to step 0 with zero moments, so the next step is a first step again
  opt.reset();
  assert.equal(opt.steps, 0);
  const before = x.dataSync()[0];
  opt.apply([tf.scalar(grads[0])]);
  assertClose(x.dataSync()[0], adamHand(before, [grads[0]], lr, eps)[0], 'first step after reset', 1e-6, 1e-7);
  assert.throws(() => opt.apply([]), /Adam.apply: got 0 gradients for 1 variables/);
  opt.dispose();
  x.dispose();
});

testOnBackends('Adam getState/setState round trip continues identically', BOTH, () => {
  const a = tf.variable(tf.tensor1d([0.5, -1, 2]));
  const b = tf.variable(tf.tensor1d([0.5, -1, 2]));
  const optA = new Adam([a], { lr: 0.01, eps: 1e-5 });
  const optB = new Adam([b], { lr: 0.01, eps: 1e-5 });
  const g = (k: number) => tf.tensor1d([0.1 * k, -0.2, 0.3 / k]);
  for (let k = 1; k <= 3; k++) optA.apply([g(k)]);
  const state = optA.getState();
  assert.equal(state.step, 3);
  assert.equal(state.m.length, 1);
  optB.setState(state);
  b.assign(a);
  assert.equal(optB.steps, 3);
  for (let k = 4; k <= 5; k++) {
    optA.apply([g(k)]);
    optB.apply([g(k)]);
  }
  assert.deepEqual(values(b), values(a));
  // the state is independent of later steps (moment values at step 3 stay as saved)
  const again = new Adam([tf.variable(tf.zeros([3]))], { lr: 0.01 });
  assert.throws(() => again.setState({ ...state, m: [{ shape: [4], values: new Float32Array(4) }] }), /Adam first moments: tensor 0 has shape \[4\]/);
  optA.dispose();
  optB.dispose();
  again.dispose();
  tf.dispose([a, b]);
});

testOnBackends('clipByGlobalNorm: PyTorch coefficient maxNorm/(norm + 1e-6) capped at 1; disabled for maxNorm <= 0', BOTH, () => {
  tf.tidy(() => {
    const grads = [tf.tensor1d([3, 4]), tf.tensor2d([[12]])];
    // norm = √(9 + 16 + 144) = 13
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 2);
    assertClose(norm.dataSync()[0], 13, 'norm', 1e-7, 0);
    const coef = 2 / (13 + 1e-6);
    assertAllClose(values(clipped[0]), [3 * coef, 4 * coef], 'clipped 0', 1e-6, 0);
    assertAllClose(values(clipped[1]), [12 * coef], 'clipped 1', 1e-6, 0);
    assert.deepEqual(clipped[1].shape, [1, 1]);
    const newNorm = Math.hypot(...values(clipped[0]), ...values(clipped[1]));
    assertClose(newNorm, 2, 'clipped norm', 1e-6, 0);

    // norm below max: untouched (the coefficient 2/0.5 = 4 is capped at 1)
    const small = clipByGlobalNorm([tf.tensor1d([0.3, 0.4])], 2);
    assertClose(small.norm.dataSync()[0], 0.5, 'small norm', 1e-6, 0);
    assertAllClose(values(small.grads[0]), [0.3, 0.4], 'not scaled up', 1e-7, 0);

    for (const off of [0, -1, Infinity, NaN]) {
      const r = clipByGlobalNorm(grads, off);
      assertClose(r.norm.dataSync()[0], 13, `norm reported with maxNorm ${off}`, 1e-7, 0);
      assert.deepEqual(values(r.grads[0]), [3, 4], `disabled for maxNorm ${off}`);
    }
  });
});

testOnBackends('gradientsOf returns gradients in the variables\' order', BOTH, () => {
  const u = tf.variable(tf.scalar(2));
  const v = tf.variable(tf.scalar(3));
  tf.tidy(() => {
    const { value, grads } = gradientsOf(() => tf.mul(tf.square(u), v) as tf.Scalar, [v, u]);
    assertClose(value.dataSync()[0], 12, 'value', 1e-7, 0);
    assertClose(grads[0].dataSync()[0], 4, 'd/dv = u²', 1e-7, 0);
    assertClose(grads[1].dataSync()[0], 12, 'd/du = 2uv', 1e-7, 0);
  });
  tf.dispose([u, v]);
});
