/**
 * The parts of DPMD and SDAC that are theirs alone (dpmd-spec §3.1, §4, §5): the weights of
 * their denoising losses, SDAC's batch of reverse samples, the closed-form temperature
 * gradient and the policy's learning-rate schedule. Everything else (chains, scoring, the
 * weighted loss and its Adam step) is the kit's diffusion policy and critic.
 */
import * as tf from '@tensorflow/tfjs';
import { LossNoise } from '../../diffusion/ddpm';
import { DiffusionCoefficients } from '../../diffusion/schedule';
import { Rng } from '../../util/rng';
import { QNormalisation } from './config';

/** Running mean and std of Q (DPMD), starting at 0 and 1 as the official code's. */
export interface QStats {
  mean: number;
  std: number;
}

export const INITIAL_Q_STATS: QStats = { mean: 0, std: 1 };

// A σ of exactly 0 (a constant critic) would make the weights 0/0; the code has no guard.
const MIN_STD = 1e-8;

/**
 * DPMD's mirror-descent weights w = exp(clip(n(q), −clip, clip)/α), not normalised, with
 * n(q) = (q − μ)/σ (`intended`) or q − μ/σ (`official`: the code's operator-precedence slip,
 * under which Q-values of MuJoCo size saturate at exp(clip/α)). Call inside tidy.
 */
export function mirrorDescentWeights(q: tf.Tensor1D, stats: QStats, alpha: number, clip: number, normalisation: QNormalisation): tf.Tensor1D {
  const std = Math.max(stats.std, MIN_STD);
  let normalised: tf.Tensor1D;
  switch (normalisation) {
    case 'intended':
      normalised = tf.div(tf.sub(q, stats.mean), std);
      break;
    case 'official':
      normalised = tf.sub(q, stats.mean / std);
      break;
    default:
      throw new Error(`unknown Q normalisation "${String(normalisation)}": expected intended or official`);
  }
  return tf.exp(tf.div(tf.clipByValue(normalised, -clip, clip), alpha)) as tf.Tensor1D;
}

/** μ ← μ + rate·(mean q − μ), σ ← σ + rate·(std q − σ), with this batch's mean and (population) std. */
export function updateQStats(stats: QStats, batchMean: number, batchStd: number, rate: number): QStats {
  return { mean: stats.mean + rate * (batchMean - stats.mean), std: stats.std + rate * (batchStd - stats.std) };
}

/**
 * SDAC's self-normalised weights: over each state's m scores (rows b·m … b·m + m − 1 of `q`),
 * softmax(q·scale) — with scale = weightScale/α. The softmax subtracts each state's maximum,
 * so Q-values in the thousands do not overflow. Returns [B·m]. Call inside tidy.
 */
export function softmaxWeights(q: tf.Tensor1D, m: number, scale: number): tf.Tensor1D {
  return tf.reshape(tf.softmax(tf.mul(tf.reshape(q, [-1, m]), scale)), [-1]);
}

/** SDAC's training rows: M reverse samples for each state's noisy proposal. */
export interface ReverseSamples {
  /** ã_t = √ᾱ_t·a₀ + √(1−ᾱ_t)·ε₁ per state [B·d]. */
  noisy: Float32Array;
  /** a₀′ = (ã_t − √(1−ᾱ_t)·ε₂)/√ᾱ_t per copy [B·M·d], unclipped: the loss rebuilds ã_t from it. */
  actions: Float32Array;
  /** a₀′ clipped to [−1, 1] [B·M·d]: what the critic scores. */
  clipped: Float32Array;
  /** Each copy's step (its state's t) and ε₂: the loss's draws, so ε_θ regresses onto ε₂. */
  noise: LossNoise;
}

/**
 * For proposals a₀ [B·d] (one per state): one step t ~ U{0..T−1} and ε₁ ~ N(0, I) per state,
 * ã_t = √ᾱ_t·a₀ + √(1−ᾱ_t)·ε₁; then M copies with ε₂ ~ N(0, I) each and the reverse sample
 * a₀′ = (ã_t − √(1−ᾱ_t)·ε₂)/√ᾱ_t. The kit's weighted denoising loss on rows (a₀′, t, ε₂) forms
 * √ᾱ_t·a₀′ + √(1−ᾱ_t)·ε₂ = ã_t as the noisy input and ε₂ as the target: SDAC's loss, with no
 * new loss code (dpmd-spec §5.2, summary §2). Draws from `rng`: t, then ε₁, then ε₂.
 */
export function reverseSamples(coef: DiffusionCoefficients, proposals: Float32Array, d: number, m: number, rng: Rng): ReverseSamples {
  if (proposals.length % d !== 0) throw new Error(`reverseSamples: ${proposals.length} numbers are not rows of ${d}`);
  const b = proposals.length / d;
  const steps = Int32Array.from({ length: b }, () => rng.int(coef.T));
  const eps1 = rng.normals(b * d);
  const eps2 = rng.normals(b * m * d);
  const noisy = new Float32Array(b * d);
  const actions = new Float32Array(b * m * d);
  const clipped = new Float32Array(b * m * d);
  const t = new Int32Array(b * m);
  for (let s = 0; s < b; s++) {
    const signal = coef.sqrtAlphasCumprod[steps[s]];
    const scale = coef.sqrtOneMinusAlphasCumprod[steps[s]];
    for (let j = 0; j < d; j++) noisy[s * d + j] = signal * proposals[s * d + j] + scale * eps1[s * d + j];
    for (let c = 0; c < m; c++) {
      const row = s * m + c;
      t[row] = steps[s];
      for (let j = 0; j < d; j++) {
        const a = (noisy[s * d + j] - scale * eps2[row * d + j]) / signal;
        actions[row * d + j] = a;
        clipped[row * d + j] = Math.min(1, Math.max(-1, a));
      }
    }
  }
  return { noisy, actions, clipped, noise: { t, eps: eps2 } };
}

/** Entropy of the exploration noise N(0, (noiseScale·α)²·I_d): ½·d·ln(2πe·(noiseScale·α)²). */
export function noiseEntropy(alpha: number, noiseScale: number, d: number): number {
  return 0.5 * d * Math.log(2 * Math.PI * Math.E * (noiseScale * alpha) ** 2);
}

/**
 * The gradient in log α of the temperature loss −log α·(H_target − H), with the surrogate
 * entropy H = noiseEntropy(α) held constant (stop-gradient in the code): H − H_target. It is
 * positive (α falls) while the noise is wider than the target entropy allows; zero at
 * noiseScale·α* = √(e^(2·targetPerDim)/(2πe)) — α* ≈ 0.984 for 0.1 and −0.9, whatever d.
 */
export function temperatureGradient(alpha: number, noiseScale: number, d: number, targetEntropyPerDim: number): number {
  return noiseEntropy(alpha, noiseScale, d) - targetEntropyPerDim * d;
}

/**
 * The policy's learning rate at its k-th update (k = 0, 1, …), optax.linear_schedule: lr0 for
 * k ≤ start, then linear to lrEnd over `steps` updates, lrEnd afterwards.
 */
export function policyLrAt(k: number, lr0: number, lrEnd: number, start: number, steps: number): number {
  const frac = Math.min(1, Math.max(0, (k - start) / steps));
  return lr0 + frac * (lrEnd - lr0);
}
