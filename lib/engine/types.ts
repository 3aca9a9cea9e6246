/**
 * The compute-engine interface: the hot paths of the diffusion agents — reverse chains,
 * candidate scoring, best-of-K selection, and the critic's and noise net's training steps.
 * Agents reach these through DiffusionPolicy, DoubleCritic and QvpoAgent's critic step and
 * never know which engine runs them.
 *
 * Every method takes and returns tfjs tensors (parameters stay tfjs variables, whatever
 * updates them), and the chains' normal draws come from the kit's Rng in JS, so every engine
 * sees the same numbers and runs stay seeded.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LossNoise, SampleOptions } from '../diffusion/ddpm';
import type { Adam } from '../nets/adam';
import type { NoiseNet } from '../diffusion/noise-net';
import type { SamplerPool } from '../diffusion/sampler-pool';
import type { DiffusionCoefficients } from '../diffusion/schedule';
import type { DoubleCritic } from '../nets/critic';

export const ENGINE_NAMES = ['ort', 'tfjs'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Best-of-k candidates per state. */
export interface Proposal {
  /** The best candidate per state [B, act]. */
  best: tf.Tensor2D;
  /** Its min(Q1, Q2) [B]. */
  bestQ: tf.Tensor1D;
  /** Mean min(Q1, Q2) over the k candidates [B]. */
  meanQ: tf.Tensor1D;
  /** Index of the best candidate (first maximum on ties) [B], int32. */
  index: tf.Tensor1D;
  /** Every candidate [B·k, act], when asked for. */
  samples?: tf.Tensor2D;
}

/** A training step's loss and gradient norm before clipping (kept; the caller disposes). */
export type TrainResult = {
  loss: tf.Scalar;
  gradNorm: tf.Scalar;
};

/** Settings of ascendActions: a fresh Adam (β 0.9, 0.999) run for `steps` steps. */
export interface ActionAscentOptions {
  steps: number;
  lr: number;
  eps: number;
  /** Global-norm clip of the action gradient over the batch (≤ 0: none). */
  maxNorm: number;
}

/** What ascendActions returns (kept; the caller disposes). */
export interface ActionAscent {
  /** The improved actions [N, act]. */
  actions: tf.Tensor2D;
  /** The gradient's global norm before clipping, per step [steps]. */
  gradNorms: tf.Tensor1D;
  /** Mean min(Q1, Q2) of the rows before the first step and after the last. */
  qBefore: tf.Scalar;
  qAfter: tf.Scalar;
}

export interface ComputeEngine {
  readonly name: EngineName;
  /** Facts for logs and run records (threads, provider, ...). */
  readonly details: Record<string, string | number | boolean>;

  /** k reverse chains per row of `states` [B, obs] with the given draws: [B·k, act]. */
  sample(net: NoiseNet, coef: DiffusionCoefficients, states: tf.Tensor2D, k: number, noise: readonly Float32Array[], options: SampleOptions, pool?: SamplerPool | null): tf.Tensor2D;

  /** min(Q1, Q2) of `actions` [B·k, act], k per row of `states` [B, obs]: [B·k]. */
  scoreMin(critic: DoubleCritic, states: tf.Tensor2D, actions: tf.Tensor2D, k: number): tf.Tensor1D;

  /** k chains per state, scored by `critic`, best of k picked: one call. */
  propose(
    net: NoiseNet,
    coef: DiffusionCoefficients,
    critic: DoubleCritic,
    states: tf.Tensor2D,
    k: number,
    noise: readonly Float32Array[],
    options: SampleOptions,
    keepSamples: boolean,
    pool?: SamplerPool | null,
  ): Proposal;

  /**
   * One optimiser step of both critic heads on TD targets `y` [N, 1]:
   * loss = MSE(Q1(s, a), y) + MSE(Q2(s, a), y), gradients clipped to global norm `maxNorm`
   * (≤ 0: none), then `optimizer`'s Adam step. Returns the loss and the norm before clipping.
   */
  criticStep(critic: DoubleCritic, optimizer: Adam, states: tf.Tensor2D, actions: tf.Tensor2D, y: tf.Tensor2D, maxNorm: number): TrainResult;

  /**
   * One optimiser step of the noise net on the (weighted) ε-prediction loss at the given
   * draws (lib/diffusion/ddpm.ts diffusionLoss); `target` replaces ε as the regression target.
   */
  diffusionStep(
    net: NoiseNet,
    coef: DiffusionCoefficients,
    optimizer: Adam,
    actions: tf.Tensor2D,
    states: tf.Tensor2D,
    weights: tf.Tensor1D | null,
    noise: LossNoise,
    maxNorm: number,
    target?: tf.Tensor2D,
  ): TrainResult;

  /**
   * DIPO's action improvement: `steps` Adam steps ascending Σ min(Q1, Q2)(s, a) in the
   * actions (states [N, obs], start actions [N, act]), the gradient clipped to `maxNorm` in
   * global norm over the batch, the actions clamped to [−1, 1] after each step. The critic
   * is not changed.
   */
  ascendActions(critic: DoubleCritic, states: tf.Tensor2D, actions: tf.Tensor2D, options: ActionAscentOptions): ActionAscent;

  /** Frees sessions and native memory (the engine cannot be used afterwards). */
  dispose(): void;
}
