/**
 * DDPM sampling and the (weighted) ε-prediction loss (lib/diffusion/ddpm.ts, policy.ts), and
 * the noise net's time embedding and input layout (noise-net.ts), spec §2.1, §3, §4.3.
 * Fake nets make the chain computable by hand in float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { diffusionLoss, drawLossNoise, sampleActions, sampleActionsReference } from '../../lib/diffusion/ddpm';
import { repeatRows } from '../../lib/diffusion/select';
import { NoiseNet } from '../../lib/diffusion/noise-net';
import { DiffusionPolicy } from '../../lib/diffusion/policy';
import { DiffusionCoefficients, diffusionCoefficients } from '../../lib/diffusion/schedule';
import { Rng } from '../../lib/util/rng';
import { BOTH, testOnBackends } from '../helpers/backends';
import { assertAllClose, assertArrayIdentical, assertClose, hcat, mat, mean, mlpForward64, readMlp, sinusoid64, std, values } from '../helpers/numeric';

type EpsFn = (x: tf.Tensor2D, t: number | tf.Tensor1D, s: tf.Tensor2D) => tf.Tensor2D;

/**
 * A stand-in for NoiseNet with the members the samplers and the loss use: the plain call
 * (timeTable/predict) and the chain call (prepareChain/predictInChain), both giving `eps`.
 */
function fakeNet(actDim: number, T: number, eps: EpsFn): NoiseNet & { calls: number } {
  const net = {
    actDim,
    T,
    calls: 0,
    timeTable: () => tf.zeros([T, 4]) as tf.Tensor2D,
    predict(x: tf.Tensor2D, t: number | tf.Tensor1D, s: tf.Tensor2D) {
      net.calls++;
      return eps(x, t, s);
    },
    prepareChain(states: tf.Tensor2D, k: number) {
      return { rows: states.shape[0] * k, xWeight: tf.zeros([1, 1]), stateTerm: tf.zeros([1, 1]), timeTerm: tf.zeros([1, 1]) };
    },
    predictInChain(x: tf.Tensor2D, t: number) {
      net.calls++;
      return eps(x, t, x);
    },
  };
  return net as unknown as NoiseNet & { calls: number };
}

/**
 * An Rng whose normals() returns scripted arrays and records the calls; once the script runs
 * out it returns `after` for every value (e.g. huge numbers that would show in the output).
 */
class ScriptedRng extends Rng {
  calls: number[] = [];
  constructor(
    private readonly script: Float32Array[],
    private readonly after: number,
  ) {
    super(0);
  }
  override normals(n: number): Float32Array {
    const k = this.calls.length;
    this.calls.push(n);
    if (k < this.script.length) {
      assert.equal(this.script[k].length, n, `draw ${k} size`);
      return Float32Array.from(this.script[k]);
    }
    return new Float32Array(n).fill(this.after);
  }
}

/** The reverse chain of spec §3 in float64 for an ε̂ given as a JS function. */
function chain64(
  coef: DiffusionCoefficients,
  z: Float32Array[],
  epsHat: (x: number, i: number) => number,
  clipDenoised: boolean,
  noiseRatio = 1,
): number[] {
  let x = Array.from(z[0]);
  for (let i = coef.T - 1; i >= 0; i--) {
    const sab = Math.sqrt(coef.alphasCumprod[i]);
    x = x.map((xv, j) => {
      let x0 = xv / sab - Math.sqrt(1 / coef.alphasCumprod[i] - 1) * epsHat(xv, i);
      if (clipDenoised) x0 = Math.min(1, Math.max(-1, x0));
      const abPrev = i === 0 ? 1 : coef.alphasCumprod[i - 1];
      const beta = coef.betas[i];
      const mu = ((beta * Math.sqrt(abPrev)) / (1 - coef.alphasCumprod[i])) * x0 + (((1 - abPrev) * Math.sqrt(1 - beta)) / (1 - coef.alphasCumprod[i])) * xv;
      if (i === 0) return mu;
      const sigma = Math.sqrt((beta * (1 - abPrev)) / (1 - coef.alphasCumprod[i]));
      return mu + sigma * noiseRatio * z[coef.T - i][j];
    });
  }
  return x.map((v) => Math.min(1, Math.max(-1, v)));
}

function script(T: number, n: number, seed: number, scale = 1): Float32Array[] {
  const r = new Rng(seed);
  return Array.from({ length: T }, () => r.normals(n).map((v) => v * scale));
}

const CLIP = { noiseRatio: 1, clipDenoised: true };
const NOCLIP = { noiseRatio: 1, clipDenoised: false };

testOnBackends('sampling follows the reverse chain by hand; T·N·d normals; no noise at i = 0', BOTH, () => {
  const T = 6;
  const [b, k, d] = [5, 2, 2];
  const n = b * k;
  const coef = diffusionCoefficients('cosine', T);
  const c = 0.3;
  const net = fakeNet(d, T, (x) => tf.mul(x, c) as tf.Tensor2D);
  const z = script(T, n * d, 1, 0.5);
  const states = tf.zeros([b, 3]) as tf.Tensor2D;
  // two generators that agree on the T draws the chain needs and differ afterwards
  const r1 = new ScriptedRng(z, 1e12);
  const r2 = new ScriptedRng(z, -1e12);
  const a1 = sampleActions(net, coef, states, k, r1, CLIP);
  const a2 = sampleActions(net, coef, states, k, r2, CLIP);
  assert.deepEqual(a1.shape, [n, d], 'B·k rows');
  assert.deepEqual(r1.calls, new Array(T).fill(n * d), 'x_T plus one draw per step i = T−1..1: exactly T·N·d normals');
  assert.equal(net.calls, 2 * T, 'one ε̂ per step');
  // σ_0 = exp(½·log 1e-20) = 1e-10, so a z of ±1e12 at i = 0 would move the output by ±100
  assertArrayIdentical(values(a1), values(a2), 'output independent of any draw after the chain');
  const expected = chain64(coef, z, (x) => c * x, true);
  assertAllClose(values(a1), expected, 'chain by hand', 1e-5, 1e-5);
  // noise ratio 0: the posterior means only
  const a0 = sampleActions(net, coef, states, k, new ScriptedRng(z, 0), { noiseRatio: 0, clipDenoised: true });
  assertAllClose(values(a0), chain64(coef, z, (x) => c * x, true, 0), 'noiseRatio 0 by hand', 1e-5, 1e-5);
  // the plain-call reference sampler runs the same chain
  const reps = repeatRows(states, k);
  const r3 = new ScriptedRng(z, 1e12);
  const ref = sampleActionsReference(net, coef, reps, r3, CLIP);
  assert.deepEqual(r3.calls, new Array(T).fill(n * d), 'reference: T·N·d normals');
  assertAllClose(values(ref), expected, 'reference chain by hand', 1e-5, 1e-5);
  tf.dispose([a1, a2, a0, ref, reps, states]);
});

testOnBackends('x̂0 is clipped to [−1, 1] at every step (huge ε̂), and the output too', BOTH, () => {
  const T = 5;
  const [n, d] = [4, 3];
  const coef = diffusionCoefficients('cosine', T);
  // ε̂ = −1e4 + 0.1x: x̂0 = √(1/ᾱ)x + 1e4·√(1/ᾱ − 1) would be far outside [−1, 1]
  const net = fakeNet(d, T, (x) => tf.add(tf.mul(tf.onesLike(x), -1e4), tf.mul(x, 0.1)) as tf.Tensor2D);
  const z = script(T, n * d, 2);
  const states = tf.zeros([n, 1]) as tf.Tensor2D;
  const clipped = sampleActions(net, coef, states, 1, new ScriptedRng(z, 0), CLIP);
  const raw = sampleActions(net, coef, states, 1, new ScriptedRng(z, 0), NOCLIP);
  const eps = (x: number) => -1e4 + 0.1 * x;
  assertAllClose(values(clipped), chain64(coef, z, eps, true), 'clipped chain by hand', 1e-5, 1e-5);
  assertAllClose(values(raw), chain64(coef, z, eps, false), 'unclipped chain by hand', 1e-5, 1e-5);
  for (const v of [...values(clipped), ...values(raw)]) assert.ok(v >= -1 && v <= 1, `output ${v} in [−1, 1]`);
  // without the x̂0 clip the chain is pushed to the +1 wall; with it, the last x̂0 is 1 and
  // the output is c1(0)·1 + c2(0)·x = 1 exactly (c1(0) = 1, c2(0) = 0)
  assert.ok(values(raw).every((v) => v === 1));
  assertAllClose(values(clipped), new Array(n * d).fill(1), 'x̂0 clipped to 1', 0, 1e-6);
  // a milder ε̂ where only the x̂0 clip differs
  const mild = fakeNet(d, T, (x) => tf.mul(x, -2) as tf.Tensor2D);
  const m1 = sampleActions(mild, coef, states, 1, new ScriptedRng(z, 0), CLIP);
  const m2 = sampleActions(mild, coef, states, 1, new ScriptedRng(z, 0), NOCLIP);
  assertAllClose(values(m1), chain64(coef, z, (x) => -2 * x, true), 'mild clipped', 1e-5, 1e-5);
  assertAllClose(values(m2), chain64(coef, z, (x) => -2 * x, false), 'mild unclipped', 1e-5, 1e-5);
  assert.ok(values(m1).some((v, i) => Math.abs(v - values(m2)[i]) > 1e-3), 'the x̂0 clip changes this chain');
  tf.dispose([clipped, raw, m1, m2, states]);
});

test('the analytic optimal denoiser for N(μ, σ²) data gives samples with mean μ (and std ≈ σ)', async () => {
  await initBackend('cpu');
  const T = 20;
  const coef = diffusionCoefficients('cosine', T);
  const [mu, sigma] = [0.3, 0.2];
  const n = 4000;
  // ε̂(x, i) = (x − √ᾱ μ)·√(1−ᾱ)/(ᾱσ² + 1 − ᾱ), the exact E[ε | x_i]
  const net = fakeNet(1, T, (x, t) => {
    const ab = coef.alphasCumprod[t as number];
    return tf.mul(tf.sub(x, Math.sqrt(ab) * mu), Math.sqrt(1 - ab) / (ab * sigma * sigma + 1 - ab)) as tf.Tensor2D;
  });
  const states = tf.zeros([1, 1]) as tf.Tensor2D;
  const a = sampleActions(net, coef, states, n, new Rng(31), CLIP);
  assert.deepEqual(a.shape, [n, 1]);
  const xs = values(a);
  assert.ok(Math.abs(mean(xs) - mu) < 0.02, `sample mean ${mean(xs)}, expected ${mu}`);
  assert.ok(Math.abs(std(xs) - sigma) < 0.05, `sample std ${std(xs)}, expected ≈ ${sigma}`);
  // the test discriminates: the zero denoiser (ε̂ = 0, x̂0 = x/√ᾱ) gives a mean near 0 instead
  const zeroNet = fakeNet(1, T, (x) => tf.zerosLike(x) as tf.Tensor2D);
  const b = sampleActions(zeroNet, coef, states, n, new Rng(31), CLIP);
  assert.ok(Math.abs(mean(values(b))) < 0.05, `zero denoiser mean ${mean(values(b))}`);
  tf.dispose([a, b, states]);
});

function smallPolicy(seed: number, obsDim = 3, actDim = 2): DiffusionPolicy {
  return new DiffusionPolicy(obsDim, actDim, new Rng(seed), {
    diffusionSteps: 5,
    betaSchedule: 'cosine',
    hidden: [16, 16],
    lr: 1e-3,
    adamEps: 1e-5,
    gradClipNorm: 2,
    noiseRatio: 1,
    clipDenoised: true,
  });
}

test('DiffusionPolicy: the time MLP is as wide as the hidden layers (the official model\'s one hidden_size), unless timeHidden says otherwise', () => {
  const opts = { diffusionSteps: 5, betaSchedule: 'cosine' as const, lr: 1e-3, adamEps: 1e-5, gradClipNorm: 2, noiseRatio: 1, clipDenoised: true };
  const p = new DiffusionPolicy(3, 2, new Rng(1), { ...opts, hidden: [64, 64, 64] });
  assert.deepEqual([...p.net.timeMlp.sizes], [32, 64, 32]);
  assert.deepEqual([...p.target.timeMlp.sizes], [32, 64, 32]);
  assert.deepEqual(p.netSpec.net, { hidden: [64, 64, 64], timeHidden: 64 });
  const q = new DiffusionPolicy(3, 2, new Rng(1), { ...opts, hidden: [64, 64, 64], timeHidden: 256 });
  assert.deepEqual([...q.net.timeMlp.sizes], [32, 256, 32]);
  assert.equal(q.netSpec.net.timeHidden, 256);
  p.dispose();
  q.dispose();
});

testOnBackends('DiffusionPolicy.sample: shape, range, same seed → identical, other seed → different, target net', BOTH, () => {
  const policy = smallPolicy(40);
  const states = tf.tensor2d(new Rng(41).normals(16 * 3), [16, 3]);
  const k = 4;
  const s1 = policy.sample(states, k, new Rng(7));
  const s2 = policy.sample(states, k, new Rng(7));
  const s3 = policy.sample(states, k, new Rng(8));
  assert.deepEqual(s1.shape, [16 * k, 2]);
  for (const v of values(s1)) assert.ok(v >= -1 && v <= 1 && Number.isFinite(v));
  assertArrayIdentical(values(s2), values(s1), 'same seed');
  assert.ok(values(s3).some((v, i) => v !== values(s1)[i]), 'different seed → different samples');
  // the target starts as a copy: same samples; after perturbing the net they differ
  const t1 = policy.sample(states, k, new Rng(7), 'target');
  assertArrayIdentical(values(t1), values(s1), 'target = net at construction');
  tf.tidy(() => policy.net.main.biases[0].assign(tf.add(policy.net.main.biases[0], 0.5)));
  const s4 = policy.sample(states, k, new Rng(7));
  const t2 = policy.sample(states, k, new Rng(7), 'target');
  assertArrayIdentical(values(t2), values(s1), 'target unchanged');
  assert.ok(values(s4).some((v, i) => v !== values(s1)[i]), 'perturbed net differs');
  policy.syncTarget();
  assertArrayIdentical(values(policy.sample(states, k, new Rng(7), 'target')), values(s4), 'syncTarget copies the net');
  // noiseRatio 0 through the policy: two seeds differ only through x_T
  const d1 = policy.sample(states, 1, new Rng(9), 'current', 0);
  assert.deepEqual(d1.shape, [16, 2]);
  tf.dispose([s1, s2, s3, s4, t1, t2, d1, states]);
  policy.dispose();
});

testOnBackends('sampling outside tf.tidy keeps only its output (no tensor leak)', BOTH, () => {
  // sampleActions disposes its own intermediates (x, the chain constants) so callers need no
  // tidy; every call must leave exactly one new tensor, its result.
  const policy = smallPolicy(45);
  const states = tf.tensor2d(new Rng(46).normals(4 * 3), [4, 3]);
  policy.sample(states, 2, new Rng(1)).dispose(); // warm-up
  const before = tf.memory().numTensors;
  const outs = [policy.sample(states, 2, new Rng(1)), policy.sample(states, 3, new Rng(2), 'target')];
  outs.push(sampleActions(policy.net, policy.coef, states, 1, new Rng(3), CLIP));
  const leaked = tf.memory().numTensors - before - outs.length;
  tf.dispose(outs);
  assert.equal(leaked, 0, `${leaked} tensors leaked by 3 sampling calls`);
  tf.dispose(states);
  policy.dispose();
});

testOnBackends('the lean chain (sampleActions, k per state) equals the plain-call reference on repeated states', BOTH, () => {
  const policy = smallPolicy(42);
  const [b, k] = [6, 5];
  const states = tf.tensor2d(new Rng(43).normals(b * 3), [b, 3]);
  const lean = sampleActions(policy.net, policy.coef, states, k, new Rng(11), CLIP);
  const reps = repeatRows(states, k);
  const ref = sampleActionsReference(policy.net, policy.coef, reps, new Rng(11), CLIP);
  assert.deepEqual(lean.shape, [b * k, 2]);
  assertAllClose(values(lean), values(ref), 'lean vs reference chain', 1e-5, 1e-5);
  // and predictInChain = predict on the repeated states at every step index
  const x = tf.tensor2d(new Rng(44).normals(b * k * 2), [b * k, 2]);
  const chain = policy.net.prepareChain(states, k);
  assert.equal(chain.rows, b * k);
  for (let t = 0; t < 5; t++) {
    const p1 = tf.tidy(() => values(policy.net.predictInChain(x, t, chain)));
    const p2 = tf.tidy(() => values(policy.net.predict(x, t, reps)));
    assertAllClose(p1, p2, `predictInChain t=${t}`, 1e-5, 1e-6);
  }
  tf.dispose([lean, ref, reps, x, states, chain.stateTerm, chain.timeTerm, chain.xWeight]);
  policy.dispose();
});

/** Float64 ε̂ of a real NoiseNet: time MLP on the sinusoid, main MLP on [x, emb, s]. */
function noiseNetForward64(net: NoiseNet, x: number[][], t: number[], s: number[][]): number[][] {
  const timeMlp = readMlp(net.timeMlp);
  const main = readMlp(net.main);
  return x.map((xr, r) => {
    const emb = mlpForward64(timeMlp, mat(1, net.timeEmbedDim, sinusoid64(t[r], net.timeEmbedDim)));
    const inp = hcat(mat(1, xr.length, xr), emb, mat(1, s[r].length, s[r]));
    return mlpForward64(main, inp).data;
  });
}

testOnBackends('NoiseNet.predict equals a float64 forward of [x, emb(t), s], per-row t (training) and scalar t (sampling)', BOTH, () => {
  const [obsDim, actDim, T, n] = [3, 2, 7, 9];
  const net = new NoiseNet(obsDim, actDim, T, new Rng(50), { hidden: [16, 16], timeHidden: 24 });
  assert.equal(net.timeEmbedDim, 32);
  assert.deepEqual(net.timeMlp.sizes, [32, 24, 32]);
  assert.deepEqual(net.main.sizes, [actDim + 32 + obsDim, 16, 16, actDim]);
  const rng = new Rng(51);
  const x = Array.from({ length: n }, () => Array.from(rng.normals(actDim)));
  const s = Array.from({ length: n }, () => Array.from(rng.normals(obsDim)));
  const t = [0, 6, 3, 3, 1, 5, 2, 4, 6];
  const expected = noiseNetForward64(net, x, t, s).flat();
  const got = tf.tidy(() => values(net.predict(tf.tensor2d(x), tf.tensor1d(t, 'int32'), tf.tensor2d(s))));
  assertAllClose(got, expected, 'per-row t', 1e-4, 1e-5);
  const at3 = tf.tidy(() => values(net.predict(tf.tensor2d(x), 3, tf.tensor2d(s))));
  assertAllClose(at3, noiseNetForward64(net, x, new Array(n).fill(3), s).flat(), 'scalar t = 3', 1e-4, 1e-5);
  net.dispose();
});

testOnBackends('regression: the per-row time embedding used in training equals the rows of timeTable()', BOTH, () => {
  // tfjs-backend-wasm 4.22 writes a float32 oneHot as integer bit patterns (1 → 1.4e-45);
  // the net must still feed the main MLP exactly timeTable()[t] for each row.
  const [obsDim, actDim, T, n] = [2, 2, 6, 12];
  const net = new NoiseNet(obsDim, actDim, T, new Rng(60), { hidden: [8], timeHidden: 16 });
  const inputs: number[][] = [];
  const apply = net.main.apply.bind(net.main);
  net.main.apply = (xIn: tf.Tensor2D) => {
    inputs.push(values(xIn));
    return apply(xIn);
  };
  const coef = diffusionCoefficients('cosine', T);
  const rng = new Rng(61);
  const noise = drawLossNoise(n, actDim, T, rng);
  const tIdx = Array.from(noise.t);
  assert.ok(new Set(tIdx).size >= 4, 'several distinct steps in the batch');
  const actions = tf.tensor2d(rng.uniforms(n * actDim, -1, 1), [n, actDim]);
  const states = tf.tensor2d(rng.normals(n * obsDim), [n, obsDim]);
  const table = tf.tidy(() => values(net.timeTable()));
  assert.ok(table.some((v) => Math.abs(v) > 1e-3), 'the table is not trivially zero');
  tf.tidy(() => diffusionLoss(net, coef, actions, states, noise, null));
  assert.equal(inputs.length, 1);
  const width = actDim + 32 + obsDim;
  const inp = inputs[0];
  for (let r = 0; r < n; r++) {
    const row = inp.slice(r * width, (r + 1) * width);
    const embRow = row.slice(actDim, actDim + 32);
    assertAllClose(embRow, table.slice(tIdx[r] * 32, (tIdx[r] + 1) * 32), `row ${r} (t = ${tIdx[r]}) embedding`, 1e-5, 1e-6);
    // state in the last columns, noisy action first: x_t = √ᾱ a + √(1−ᾱ) ε
    assertAllClose(row.slice(actDim + 32), values(states).slice(r * obsDim, (r + 1) * obsDim), `row ${r} state`, 0, 0);
    const ab = coef.alphasCumprod[tIdx[r]];
    const a = values(actions).slice(r * actDim, (r + 1) * actDim);
    const xt = a.map((v, j) => Math.sqrt(ab) * v + Math.sqrt(1 - ab) * noise.eps[r * actDim + j]);
    assertAllClose(row.slice(0, actDim), xt, `row ${r} noisy action`, 1e-5, 1e-6);
  }
  // the gradient path (training) sees the same embedding: a gradient step through the one-hot
  // reaches the time MLP's weights
  const { grads } = tf.variableGrads(() => diffusionLoss(net, coef, actions, states, noise, null), net.timeMlp.variables);
  const gnorm = Object.values(grads).reduce((acc, g) => acc + values(g).reduce((s2, v) => s2 + v * v, 0), 0);
  assert.ok(gnorm > 0 && Number.isFinite(gnorm), `time MLP receives gradient (${gnorm})`);
  tf.dispose([...Object.values(grads), actions, states]);
  net.dispose();
});

testOnBackends('diffusion loss equals a hand computation (fake ε̂, given t and ε); weighted mean divides by N·d', BOTH, () => {
  const T = 4;
  const coef = diffusionCoefficients('linear', T);
  const [n, d] = [3, 2];
  // ε̂ = 0.5·x_t + 0.1·t (per row): checks both the noising and that each row uses its own t
  const net = fakeNet(d, T, (x, t) => {
    const tt = tf.reshape(tf.cast(t as tf.Tensor1D, 'float32'), [-1, 1]);
    return tf.add(tf.mul(x, 0.5), tf.mul(tt, 0.1)) as tf.Tensor2D;
  });
  const a = [0.2, -0.4, 0.9, 0.1, -1, 0.5];
  const eps = Float32Array.from([0.3, -1.2, 0.7, 0.05, -0.6, 1.5]);
  const t = Int32Array.from([0, 3, 1]);
  const w = [2, 0.5, 0];
  // a regression target other than ε (QSM's): the same noisy input, ε̂ compared with it
  const target = [1, 0, -0.5, 0.25, 0, 2];
  const sq: number[] = [];
  const sqTarget: number[] = [];
  for (let r = 0; r < n; r++) {
    let ab = 1;
    for (let k = 0; k <= t[r]; k++) ab *= 1 - (1e-4 + ((2e-2 - 1e-4) * k) / (T - 1));
    for (let j = 0; j < d; j++) {
      const xt = Math.sqrt(ab) * a[r * d + j] + Math.sqrt(1 - ab) * eps[r * d + j];
      const pred = 0.5 * xt + 0.1 * t[r];
      sq.push((eps[r * d + j] - pred) ** 2);
      sqTarget.push((target[r * d + j] - pred) ** 2);
    }
  }
  const plain = sq.reduce((s2, v) => s2 + v, 0) / (n * d);
  const weighted = sq.reduce((s2, v, k) => s2 + w[Math.floor(k / d)] * v, 0) / (n * d);
  tf.tidy(() => {
    const actions = tf.tensor2d(a, [n, d]);
    const states = tf.zeros([n, 1]) as tf.Tensor2D;
    const l0 = diffusionLoss(net, coef, actions, states, { t, eps }, null).dataSync()[0];
    const l1 = diffusionLoss(net, coef, actions, states, { t, eps }, tf.tensor1d(w)).dataSync()[0];
    assertClose(l0, plain, 'unweighted = plain mean', 1e-5, 1e-7);
    assertClose(l1, weighted, 'weighted = Σ w_i (ε − ε̂)² / (N·d)', 1e-5, 1e-7);
    // the zero-weight row still counts in the denominator: not Σ w·sq / (d·#nonzero) nor / Σw
    assert.ok(Math.abs(l1 - (weighted * 3) / 2) > 1e-3 && Math.abs(l1 - (weighted * n * d) / (d * 2.5)) > 1e-3);
    // all-ones weights = unweighted
    const l2 = diffusionLoss(net, coef, actions, states, { t, eps }, tf.ones([n]) as tf.Tensor1D).dataSync()[0];
    assertClose(l2, l0, 'weights of 1', 1e-6, 1e-8);
    const l3 = diffusionLoss(net, coef, actions, states, { t, eps }, null, tf.tensor2d(target, [n, d])).dataSync()[0];
    assertClose(l3, sqTarget.reduce((s2, v) => s2 + v, 0) / (n * d), 'ε̂ regressed onto a given target', 1e-5, 1e-7);
    assert.throws(
      () => diffusionLoss(net, coef, actions, states, { t: Int32Array.from([0, 1]), eps }, null),
      /noisyActions: noise drawn for 2 rows \(6 numbers\), batch has 3 rows of 2/,
    );
  });
});

testOnBackends('diffusion loss with a real NoiseNet equals the float64 forward, weighted over N·d', BOTH, () => {
  const [obsDim, actDim, T, n] = [2, 2, 5, 6];
  const net = new NoiseNet(obsDim, actDim, T, new Rng(70), { hidden: [8, 8], timeHidden: 8 });
  const coef = diffusionCoefficients('cosine', T);
  const rng = new Rng(71);
  const noise = drawLossNoise(n, actDim, T, rng);
  const a = Array.from({ length: n }, () => Array.from(rng.uniforms(actDim, -1, 1)));
  const s = Array.from({ length: n }, () => Array.from(rng.normals(obsDim)));
  const w = [1, 0.3, 0, 2, 0.02, 0.02];
  const xt = a.map((row, r) => row.map((v, j) => Math.sqrt(coef.alphasCumprod[noise.t[r]]) * v + Math.sqrt(1 - coef.alphasCumprod[noise.t[r]]) * noise.eps[r * actDim + j]));
  const pred = noiseNetForward64(net, xt, Array.from(noise.t), s);
  let sum = 0;
  for (let r = 0; r < n; r++) for (let j = 0; j < actDim; j++) sum += w[r] * (noise.eps[r * actDim + j] - pred[r][j]) ** 2;
  const got = tf.tidy(() => diffusionLoss(net, coef, tf.tensor2d(a), tf.tensor2d(s), noise, tf.tensor1d(w)).dataSync()[0]);
  assertClose(got, sum / (n * actDim), 'weighted loss vs float64', 1e-4, 1e-7);
  net.dispose();
});

test('drawLossNoise: t uniform in {0..T−1}, eps of N·d normals, deterministic', async () => {
  const a = drawLossNoise(2000, 3, 20, new Rng(80));
  const b = drawLossNoise(2000, 3, 20, new Rng(80));
  assert.deepEqual(a, b);
  assert.equal(a.t.length, 2000);
  assert.equal(a.eps.length, 6000);
  assert.ok(a.t.every((v) => v >= 0 && v < 20));
  assert.equal(new Set(a.t).size, 20, 'every step index occurs');
  assert.ok(Math.abs(mean(Array.from(a.eps))) < 0.05 && Math.abs(std(Array.from(a.eps)) - 1) < 0.05);
});

testOnBackends('DiffusionPolicy.trainStep lowers the loss on fixed data, state round trip, no tensor leak', BOTH, () => {
  const opts = {
    diffusionSteps: 5,
    betaSchedule: 'cosine' as const,
    hidden: [16, 16],
    lr: 3e-3,
    adamEps: 1e-5,
    gradClipNorm: 2,
    noiseRatio: 1,
    clipDenoised: true,
  };
  const policy = new DiffusionPolicy(2, 2, new Rng(90), opts);
  const rng = new Rng(91);
  const n = 32;
  const actions = tf.tensor2d(Array.from({ length: n * 2 }, (_, i) => (i % 2 ? 0.5 : -0.5)), [n, 2]);
  const states = tf.tensor2d(rng.normals(n * 2), [n, 2]);
  const probe = drawLossNoise(n, 2, 5, new Rng(92));
  const lossNow = () => tf.tidy(() => policy.loss(actions, states, null, probe).dataSync()[0]);
  const l0 = lossNow();
  const before = tf.memory().numTensors;
  for (let k = 0; k < 30; k++) {
    const { loss, gradNorm } = policy.trainStep(actions, states, null, rng);
    assert.ok(Number.isFinite(loss.dataSync()[0]) && gradNorm.dataSync()[0] >= 0);
    tf.dispose([loss, gradNorm]);
  }
  assert.equal(tf.memory().numTensors, before, 'trainStep leaks no tensors');
  assert.ok(lossNow() < l0, `loss ${lossNow()} < initial ${l0}`);
  assert.equal(policy.optimizer.steps, 30);
  const other = new DiffusionPolicy(2, 2, new Rng(93), opts);
  other.setState(policy.getState());
  assert.equal(other.optimizer.steps, 30);
  const r1 = new Rng(5);
  const r2 = new Rng(5);
  const x1 = policy.trainStep(actions, states, null, r1);
  const x2 = other.trainStep(actions, states, null, r2);
  assert.equal(x2.loss.dataSync()[0], x1.loss.dataSync()[0], 'same loss after restore');
  assertArrayIdentical(values(other.net.main.weights[0]), values(policy.net.main.weights[0]), 'same update after restore');
  policy.updateTarget(0.5);
  tf.dispose([x1.loss, x1.gradNorm, x2.loss, x2.gradNorm, actions, states]);
  policy.dispose();
  other.dispose();
});
