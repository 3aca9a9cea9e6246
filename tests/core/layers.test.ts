/**
 * dense and Mish (lib/nets/layers.ts): the hand-written backward passes against tfjs autodiff
 * of the reference implementations and against float64 formulas, including extreme inputs.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { activate, dense, denseNoGrad, denseReference, mish, mishNoGrad, mishReference } from '../../lib/nets/layers';
import { Mlp } from '../../lib/nets/mlp';
import { Rng } from '../../lib/util/rng';
import { BOTH, testOnBackends } from '../helpers/backends';
import { assertAllClose, dense64, mat, mishGrad64, mish64, values } from '../helpers/numeric';

const EXTREME = [-200, -50, -20, -19.99, -5, -1, -1e-3, 0, 1e-3, 0.5, 1, 5, 19.99, 20, 20.01, 25, 50, 200];

testOnBackends('dense: value and gradients equal denseReference autodiff and x·W + b by hand', BOTH, () => {
  const rng = new Rng(1);
  const [n, din, dout] = [6, 4, 3];
  const xData = Array.from(rng.normals(n * din));
  // extreme inputs in the first row
  xData.splice(0, 4, 200, -200, 20, -20);
  const wData = Array.from(rng.normals(din * dout));
  const bData = Array.from(rng.normals(dout));
  const rData = Array.from(rng.normals(n * dout));
  tf.tidy(() => {
    const x = tf.tensor2d(xData, [n, din]);
    const w = tf.tensor2d(wData, [din, dout]);
    const b = tf.tensor1d(bData);
    const r = tf.tensor2d(rData, [n, dout]);
    const grads = (f: typeof dense) => tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(f(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), r)),
    )([x, w, b]);
    const y = dense(x, w, b);
    const y64 = dense64(mat(n, din, x.dataSync()), mat(din, dout, w.dataSync()), b.dataSync());
    assertAllClose(values(y), y64.data, 'dense value vs float64', 1e-5, 1e-5);
    assertAllClose(values(y), values(denseReference(x, w, b)), 'dense value vs reference', 1e-6, 1e-5);

    const [gx, gw, gb] = grads(dense);
    const [rx, rw, rb] = grads(denseReference);
    assert.deepEqual(gx.shape, [n, din]);
    assert.deepEqual(gw.shape, [din, dout]);
    assert.deepEqual(gb.shape, [dout]);
    assertAllClose(values(gx), values(rx), 'dx vs autodiff', 1e-6, 1e-6);
    assertAllClose(values(gw), values(rw), 'dW vs autodiff', 1e-6, 1e-5);
    assertAllClose(values(gb), values(rb), 'db vs autodiff', 1e-6, 1e-6);

    // by hand in float64: dx = R·Wᵀ, dW = xᵀ·R, db = Σ_rows R
    const X = mat(n, din, x.dataSync());
    const W = mat(din, dout, w.dataSync());
    const R = mat(n, dout, r.dataSync());
    const dx: number[] = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < din; k++) {
      let s = 0;
      for (let j = 0; j < dout; j++) s += R.data[i * dout + j] * W.data[k * dout + j];
      dx.push(s);
    }
    const dw: number[] = [];
    for (let k = 0; k < din; k++) for (let j = 0; j < dout; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += X.data[i * din + k] * R.data[i * dout + j];
      dw.push(s);
    }
    const db = Array.from({ length: dout }, (_, j) => R.data.filter((_, idx) => idx % dout === j).reduce((a, c) => a + c, 0));
    assertAllClose(values(gx), dx, 'dx by hand', 1e-5, 1e-5);
    assertAllClose(values(gw), dw, 'dW by hand', 1e-5, 1e-4);
    assertAllClose(values(gb), db, 'db by hand', 1e-5, 1e-5);
  });
});

testOnBackends('mish: value and gradient equal mishReference autodiff and the float64 formula, extremes included', BOTH, () => {
  const rng = new Rng(2);
  const xs = [...EXTREME, ...Array.from(rng.normals(40)).map((v) => 4 * v)];
  tf.tidy(() => {
    const x = tf.tensor1d(xs);
    const y = mish(x);
    const yRef = mishReference(x);
    const g = tf.grad((t: tf.Tensor) => tf.sum(mish(t)))(x);
    const gRef = tf.grad((t: tf.Tensor) => tf.sum(mishReference(t)))(x);
    const yv = values(y);
    const gv = values(g);
    for (const v of [...yv, ...gv]) assert.ok(Number.isFinite(v), 'finite everywhere');
    assertAllClose(yv, xs.map(mish64), 'mish value vs float64', 1e-6, 1e-6);
    assertAllClose(yv, values(yRef), 'mish value vs reference', 1e-6, 1e-6);
    assertAllClose(gv, xs.map(mishGrad64), 'mish gradient vs float64', 1e-6, 1e-6);
    assertAllClose(gv, values(gRef), 'mish gradient vs reference autodiff', 1e-6, 1e-6);
    // spot values: Mish(1) = tanh(ln(1 + e)) = 0.865098, Mish'(0) = tanh(ln 2) = 0.6
    assertAllClose([yv[xs.indexOf(1)], gv[xs.indexOf(0)], yv[xs.indexOf(200)], gv[xs.indexOf(200)], gv[xs.indexOf(-200)]],
      [0.865098, 0.6, 200, 1, 0], 'spot values', 0, 2e-6);
    // an upstream gradient other than ones is multiplied in
    const dy = tf.tensor1d(xs.map((_, i) => (i % 3) - 1));
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(mish(t), dy)))(x);
    assertAllClose(values(g2), xs.map((v, i) => mishGrad64(v) * ((i % 3) - 1)), 'chain rule', 1e-6, 1e-6);
  });
  // a 2-D input keeps its shape
  tf.tidy(() => assert.deepEqual(mish(tf.zeros([2, 3])).shape, [2, 3]));
});

testOnBackends('an MLP built from dense + mish has the same gradients as one built from the references', BOTH, () => {
  const mlp = new Mlp([5, 16, 16, 2], new Rng(3));
  const rng = new Rng(4);
  tf.tidy(() => {
    const x = tf.tensor2d(rng.normals(7 * 5), [7, 5]);
    const target = tf.tensor2d(rng.normals(7 * 2), [7, 2]);
    const referenceApply = (inp: tf.Tensor2D) => {
      let h = inp;
      for (let i = 0; i < mlp.weights.length; i++) {
        h = denseReference(h, mlp.weights[i], mlp.biases[i]);
        if (i < mlp.weights.length - 1) h = mishReference(h);
      }
      return h;
    };
    const lossOf = (f: (x: tf.Tensor2D) => tf.Tensor2D) => () => tf.mean(tf.square(tf.sub(f(x), target))) as tf.Scalar;
    const a = tf.variableGrads(lossOf((t) => mlp.apply(t)), mlp.variables);
    const b = tf.variableGrads(lossOf(referenceApply), mlp.variables);
    assertAllClose([a.value.dataSync()[0]], [b.value.dataSync()[0]], 'loss', 1e-6, 1e-7);
    for (const v of mlp.variables) assertAllClose(values(a.grads[v.name]), values(b.grads[v.name]), `grad ${v.name}`, 1e-5, 1e-6);
  });
  tf.tidy(() => {
    const x = tf.tensor1d([-1, 0, 2]);
    assertAllClose(values(activate(x, 'relu')), [0, 0, 2], 'relu');
    assertAllClose(values(activate(x, 'tanh')), [-1, 0, 2].map(Math.tanh), 'tanh');
    assertAllClose(values(activate(x, 'mish')), [-1, 0, 2].map(mish64), 'mish');
  });
  mlp.dispose();
});

testOnBackends('the no-gradient layers (sampling, scoring) give the numbers of dense and mish', BOTH, () => {
  const rng = new Rng(7);
  tf.tidy(() => {
    const x = tf.tensor2d([...EXTREME, ...Array.from(rng.normals(6))], [4, 6]);
    // the sigmoid form of Mish against the float64 formula, extremes included
    assertAllClose(values(mishNoGrad(x)), values(x).map(mish64), 'mishNoGrad vs float64', 1e-6, 1e-6);
    const w = tf.tensor2d(rng.normals(6 * 5), [6, 5]);
    const b = tf.tensor1d(rng.normals(5));
    assert.deepEqual(values(denseNoGrad(x, w, b)), values(dense(x, w, b)), 'dense');
    const mlp = new Mlp([6, 8, 8, 2], rng);
    const pre = tf.matMul(x, tf.ones([6, 8])) as tf.Tensor2D;
    assertAllClose(values(mlp.inferAfterFirst(pre)), values(mlp.applyAfterFirst(pre)), 'MLP after the first layer', 1e-5, 1e-6);
    mlp.dispose();
  });
});
