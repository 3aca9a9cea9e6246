/**
 * The two DDPM procedures the diffusion policy needs (spec §3):
 * - reverse sampling: x_T ~ N(0, I) (or a given std, drawChainNoise), then T denoising steps with x̂0 clipped to [−1, 1],
 *   posterior mean plus noise (none at the last step), final clip to [−1, 1];
 * - the ε-prediction training loss, optionally weighted per row.
 * All randomness comes from the caller's Rng, so a seed fixes every draw.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { DiffusionCoefficients } from './schedule';
import { NoiseNet } from './noise-net';

export interface SampleOptions {
  /** Multiplies the posterior noise; 1 = the official default, 0 = deterministic chain. */
  noiseRatio: number;
  /** Clip x̂0 to [−1, 1] at every step (clip_denoised). */
  clipDenoised: boolean;
}

/**
 * Draws `k` actions per row of `states` [B, obs] by running the full reverse chain; returns
 * [B·k, act] with row b·k + j the j-th sample of state b. Uses the noise net's split first
 * layer (prepareChain), which gives the same numbers as feeding the concatenated input.
 */
export function sampleActions(
  net: NoiseNet,
  coef: DiffusionCoefficients,
  states: tf.Tensor2D,
  k: number,
  rng: Rng,
  options: SampleOptions,
): tf.Tensor2D {
  return sampleActionsWithNoise(net, coef, states, k, drawChainNoise(coef.T, states.shape[0] * k, net.actDim, rng), options);
}

/** sampleActions with the chain's normal draws given (drawChainNoise): any shard of rows. */
export function sampleActionsWithNoise(
  net: NoiseNet,
  coef: DiffusionCoefficients,
  states: tf.Tensor2D,
  k: number,
  noise: readonly Float32Array[],
  options: SampleOptions,
): tf.Tensor2D {
  const chain = net.prepareChain(states, k);
  try {
    return reverseChain(coef, chain.rows, net.actDim, noise, options, (x, i) => net.predictInChain(x, i, chain));
  } finally {
    tf.dispose([chain.stateTerm, chain.timeTerm, chain.xWeight]);
  }
}

/**
 * The normal draws of one reverse chain over n rows of d, in the order the chain uses them:
 * x_T, then the posterior noise of steps T−1 … 1 (step 0 adds none). Drawing them up front
 * takes the same numbers from `rng` as drawing step by step, and lets rows be split across
 * workers (lib/diffusion/sampler-pool.ts) without changing any sample.
 *
 * x_T ~ N(0, initialStd²·I): DDPM's unit variance by default; DPMD/SDAC start from 0.5·N(0, I).
 * The scale is applied here, to the draws, so every engine's chain sees it without knowing.
 */
export function drawChainNoise(T: number, n: number, d: number, rng: Rng, initialStd = 1): Float32Array[] {
  if (!(initialStd > 0 && Number.isFinite(initialStd))) throw new Error(`initial noise std must be a finite number > 0, got ${initialStd}`);
  const noise = Array.from({ length: T }, () => rng.normals(n * d));
  if (initialStd !== 1) for (let i = 0; i < noise[0].length; i++) noise[0][i] *= initialStd;
  return noise;
}

/**
 * The same chain through the plain network call (concatenated input, one row per sample):
 * the straightforward reference the lean path is tested against.
 */
export function sampleActionsReference(
  net: NoiseNet,
  coef: DiffusionCoefficients,
  repeatedStates: tf.Tensor2D,
  rng: Rng,
  options: SampleOptions,
): tf.Tensor2D {
  const table = net.timeTable();
  const n = repeatedStates.shape[0];
  try {
    return reverseChain(coef, n, net.actDim, drawChainNoise(coef.T, n, net.actDim, rng), options, (x, i) => net.predict(x, i, repeatedStates, table));
  } finally {
    table.dispose();
  }
}

/**
 * x_T = noise[0] (drawChainNoise: N(0, I) or its given std); for i = T−1..0: x̂0 = √(1/ᾱ_i)·x − √(1/ᾱ_i − 1)·ε̂, clipped; x ← posterior
 * mean + σ_i·z·noiseRatio, with no noise at i = 0; finally clip to [−1, 1].
 */
function reverseChain(
  coef: DiffusionCoefficients,
  n: number,
  d: number,
  noise: readonly Float32Array[],
  options: SampleOptions,
  predictNoise: (x: tf.Tensor2D, i: number) => tf.Tensor2D,
): tf.Tensor2D {
  checkChainNoise(coef, noise, n, d);
  let x = tf.tensor2d(noise[0], [n, d]);
  for (let i = coef.T - 1; i >= 0; i--) {
    const prev = x;
    x = tf.tidy(() => reverseStep(coef, prev, predictNoise(prev, i), i, noise, options));
    prev.dispose();
  }
  const out = tf.clipByValue(x, -1, 1) as tf.Tensor2D;
  x.dispose();
  return out;
}

function checkChainNoise(coef: DiffusionCoefficients, noise: readonly Float32Array[], n: number, d: number): void {
  if (noise.length !== coef.T || noise.some((z) => z.length !== n * d)) {
    throw new Error(`reverseChain: expected ${coef.T} noise arrays of ${n}×${d}, got ${noise.length} of ${noise.map((z) => z.length).join('/')}`);
  }
}

/** One reverse step from x_i given ε̂ = ε_θ(x_i, i, s): x̂0 (clipped), posterior mean, plus noise unless i = 0. */
function reverseStep(coef: DiffusionCoefficients, x: tf.Tensor2D, eps: tf.Tensor2D, i: number, noise: readonly Float32Array[], options: SampleOptions): tf.Tensor2D {
  let x0 = tf.sub(tf.mul(x, coef.sqrtRecipAlphasCumprod[i]), tf.mul(eps, coef.sqrtRecipm1AlphasCumprod[i]));
  if (options.clipDenoised) x0 = tf.clipByValue(x0, -1, 1);
  const mean = tf.add(tf.mul(x0, coef.posteriorMeanCoef1[i]), tf.mul(x, coef.posteriorMeanCoef2[i])) as tf.Tensor2D;
  if (i === 0) return mean;
  const sigma = Math.exp(0.5 * coef.posteriorLogVarianceClipped[i]) * options.noiseRatio;
  const z = tf.tensor2d(noise[coef.T - i], x.shape);
  return tf.add(mean, tf.mul(z, sigma)) as tf.Tensor2D;
}

/** Through which reverse steps a loss on the chain's output reaches the noise net. */
export type ChainGradientSteps = 'all' | 'last';

/**
 * One action per row of `states` [N, obs] by the same reverse chain as sampleActions, built so
 * that a loss on the result back-propagates into the noise net (Diffusion-QL's L_q,
 * diffusion-ql-spec §4): through every step (`all`, the released agent), or through the last
 * step only (`last`, the toy code's t_last ablation: the earlier steps' output enters that step
 * as a constant). Call inside a gradient function wrapped in tidy: the intermediates stay
 * alive for the backward pass.
 */
export function sampleWithGradient(
  net: NoiseNet,
  coef: DiffusionCoefficients,
  states: tf.Tensor2D,
  noise: readonly Float32Array[],
  options: SampleOptions,
  through: ChainGradientSteps,
): tf.Tensor2D {
  const n = states.shape[0];
  const d = net.actDim;
  checkChainNoise(coef, noise, n, d);
  const table = net.timeTable();
  let x = tf.tensor2d(noise[0], [n, d]);
  for (let i = coef.T - 1; i >= 0; i--) {
    // a copy of the values is a constant to the tape: the gradient stops there
    if (through === 'last' && i === 0) x = tf.tensor2d(x.dataSync() as Float32Array, [n, d]);
    x = reverseStep(coef, x, net.predict(x, i, states, table), i, noise, options);
  }
  return tf.clipByValue(x, -1, 1) as tf.Tensor2D;
}

/** Random draws of one training batch: a step index and a noise vector per row. */
export interface LossNoise {
  t: Int32Array;
  eps: Float32Array;
}

export function drawLossNoise(rows: number, actDim: number, T: number, rng: Rng): LossNoise {
  const t = new Int32Array(rows);
  for (let r = 0; r < rows; r++) t[r] = rng.int(T);
  return { t, eps: rng.normals(rows * actDim) };
}

/**
 * √ᾱ_t and √(1−ᾱ_t) at each row's drawn step, after checking the draws fit a batch of n rows
 * of d (`caller` names who asked). Both engines build x_t from these.
 */
export function forwardScales(coef: DiffusionCoefficients, noise: LossNoise, n: number, d: number, caller: string): { signal: Float32Array; scale: Float32Array } {
  if (noise.t.length !== n || noise.eps.length !== n * d) {
    throw new Error(`${caller}: noise drawn for ${noise.t.length} rows (${noise.eps.length} numbers), batch has ${n} rows of ${d}`);
  }
  const signal = new Float32Array(n);
  const scale = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    signal[r] = coef.sqrtAlphasCumprod[noise.t[r]];
    scale[r] = coef.sqrtOneMinusAlphasCumprod[noise.t[r]];
  }
  return { signal, scale };
}

/**
 * The forward process at each row's drawn step: x_t = √ᾱ_t·a + √(1−ᾱ_t)·ε. Also returns
 * σ_t = √(1−ᾱ_t) per row as [N, 1] (QSM scales its regression target by it).
 */
export function noisyActions(coef: DiffusionCoefficients, actions: tf.Tensor2D, noise: LossNoise): { x: tf.Tensor2D; noiseScale: tf.Tensor2D } {
  const [n, d] = actions.shape;
  const { signal, scale } = forwardScales(coef, noise, n, d, 'noisyActions');
  const noiseScale = tf.tensor2d(scale, [n, 1]);
  const x = tf.add(tf.mul(actions, tf.tensor2d(signal, [n, 1])), tf.mul(tf.tensor2d(noise.eps, [n, d]), noiseScale)) as tf.Tensor2D;
  return { x, noiseScale };
}

/**
 * L = (1/(N·d)) Σ_i w_i ‖ε_i − ε_θ(√ᾱ_{t_i}·a_i + √(1−ᾱ_{t_i})·ε_i, t_i, s_i)‖²
 * (spec §4.3): an element-wise mean over all N·d entries, weights broadcast over the d
 * action components; without weights, w_i = 1. A `target` [N, d] replaces ε_i as what
 * ε_θ regresses onto (QSM's score target); the noisy input stays the same.
 */
export function diffusionLoss(
  net: NoiseNet,
  coef: DiffusionCoefficients,
  actions: tf.Tensor2D,
  states: tf.Tensor2D,
  noise: LossNoise,
  weights: tf.Tensor1D | null,
  target?: tf.Tensor2D,
): tf.Scalar {
  const [n, d] = actions.shape;
  const { x } = noisyActions(coef, actions, noise);
  const predicted = net.predict(x, tf.tensor1d(noise.t, 'int32'), states);
  const sq = tf.square(tf.sub(predicted, target ?? tf.tensor2d(noise.eps, [n, d])));
  return (weights ? tf.mean(tf.mul(sq, tf.reshape(weights, [n, 1]))) : tf.mean(sq)) as tf.Scalar;
}
