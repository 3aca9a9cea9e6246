/**
 * Shared helpers for the core tests (not a test file itself): tolerant comparisons,
 * float64 reference implementations written independently of lib/, and small tensor utilities.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** |a − b| ≤ abs + rel·max(|a|, |b|). */
export function isClose(a: number, b: number, rel = 1e-6, abs = 1e-6): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (a === b) return true;
  return Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));
}

export function assertClose(actual: number, expected: number, what: string, rel = 1e-6, abs = 1e-6): void {
  assert.ok(isClose(actual, expected, rel, abs), `${what}: got ${actual}, expected ${expected} (rel ${rel}, abs ${abs})`);
}

export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rel = 1e-6,
  abs = 1e-6,
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      isClose(actual[i], expected[i], rel, abs),
      `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (rel ${rel}, abs ${abs})`,
    );
  }
}

/** Bit-for-bit equality (Object.is, so NaN and −0 count). */
export function assertArrayIdentical(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Object.is(actual[i], expected[i]), `${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** Population standard deviation. */
export function std(a: ArrayLike<number>): number {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
  return Math.sqrt(s / a.length);
}

/** A tensor's values as a plain float64 array. */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

// ------------------------------------------------------------------ float64 references

/** Mish(x) = x·tanh(softplus(x)), float64, from the textbook definition. */
export function mish64(x: number): number {
  const sp = x > 30 ? x : Math.log1p(Math.exp(x));
  return x * Math.tanh(sp);
}

/** d/dx Mish = tanh(sp) + x·sech²(sp)·σ(x). */
export function mishGrad64(x: number): number {
  const sp = x > 30 ? x : Math.log1p(Math.exp(x));
  const th = Math.tanh(sp);
  const sig = 1 / (1 + Math.exp(-x));
  return th + x * (1 - th * th) * sig;
}

/** Row-major matrix [rows, cols] of float64. */
export interface Mat {
  rows: number;
  cols: number;
  data: number[];
}

export function mat(rows: number, cols: number, data: ArrayLike<number>): Mat {
  assert.equal(data.length, rows * cols, 'mat: data length');
  return { rows, cols, data: Array.from(data) };
}

/** x·W + b with W [in, out] (the kit's layout). */
export function dense64(x: Mat, w: Mat, b: ArrayLike<number>): Mat {
  assert.equal(x.cols, w.rows, 'dense64: inner dims');
  const out = new Array<number>(x.rows * w.cols).fill(0);
  for (let r = 0; r < x.rows; r++) {
    for (let j = 0; j < w.cols; j++) {
      let s = b[j];
      for (let k = 0; k < x.cols; k++) s += x.data[r * x.cols + k] * w.data[k * w.cols + j];
      out[r * w.cols + j] = s;
    }
  }
  return { rows: x.rows, cols: w.cols, data: out };
}

/** A float64 copy of an MLP's parameters (weights [in, out] and biases). */
export interface Mlp64 {
  weights: Mat[];
  biases: number[][];
}

export function readMlp(m: { weights: tf.Variable[]; biases: tf.Variable[] }): Mlp64 {
  return {
    weights: m.weights.map((w) => mat(w.shape[0] as number, w.shape[1] as number, w.dataSync())),
    biases: m.biases.map((b) => Array.from(b.dataSync())),
  };
}

/** Forward pass: Mish between layers, nothing at the output. */
export function mlpForward64(m: Mlp64, x: Mat): Mat {
  let h = x;
  for (let i = 0; i < m.weights.length; i++) {
    h = dense64(h, m.weights[i], m.biases[i]);
    if (i < m.weights.length - 1) h = { ...h, data: h.data.map(mish64) };
  }
  return h;
}

/** Concatenate matrices along columns. */
export function hcat(...parts: Mat[]): Mat {
  const rows = parts[0].rows;
  const cols = parts.reduce((n, p) => n + p.cols, 0);
  const data: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (const p of parts) {
      assert.equal(p.rows, rows, 'hcat: rows');
      for (let c = 0; c < p.cols; c++) data.push(p.data[r * p.cols + c]);
    }
  }
  return { rows, cols, data };
}

/**
 * The sinusoidal time embedding written from the spec (§2.1): 16 frequencies for dim 32,
 * f_k = exp(−k·ln(10000)/(half−1)), [sin(t f_k)..., cos(t f_k)...].
 */
export function sinusoid64(t: number, dim: number): number[] {
  const half = dim / 2;
  const out = new Array<number>(dim);
  for (let k = 0; k < half; k++) {
    const f = Math.exp((-k * Math.log(10000)) / (half - 1));
    out[k] = Math.sin(t * f);
    out[half + k] = Math.cos(t * f);
  }
  return out;
}

/** Cosine ᾱ(k/T) schedule written from the spec (§3), float64; returns β of length T. */
export function cosineBetas64(T: number, s = 0.008): number[] {
  const f = (k: number) => Math.cos((((k / T) + s) / (1 + s)) * (Math.PI / 2)) ** 2;
  const out: number[] = [];
  for (let k = 1; k <= T; k++) out.push(Math.min(0.999, Math.max(0, 1 - f(k) / f(k - 1))));
  return out;
}
