/**
 * A diffusion policy as QVPO (and DIPO, QSM, DPMD, SDAC) use it: the noise net, its Polyak-averaged
 * target copy, the DDPM coefficients and the optimiser, with sampling and one training step.
 * Actions live in [−1, 1]^d; scaling to env bounds is the agent's job.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, AdamState } from '../nets/adam';
import { SavedTensor, copyVariables, loadVariables, saveVariables, softUpdate } from '../nets/params';
import { Rng } from '../util/rng';
import type { DoubleCritic } from '../nets/critic';
import { Proposal, engine } from '../engine';
import { ChainGradientSteps, LossNoise, diffusionLoss, drawChainNoise, drawLossNoise, sampleWithGradient } from './ddpm';
import { NoiseNet } from './noise-net';
import type { SamplerPool } from './sampler-pool';
import { BetaSchedule, DiffusionCoefficients, diffusionCoefficients } from './schedule';

export interface DiffusionPolicyOptions {
  diffusionSteps: number;
  betaSchedule: BetaSchedule;
  /** Multiplies every β of the schedule (DPMD/SDAC: 0.8); default 1. */
  betaScale?: number;
  /** Std of the chains' starting point x_T (DPMD/SDAC: 0.5); default 1, DDPM's N(0, I). */
  initialNoiseStd?: number;
  hidden: readonly number[];
  /**
   * Hidden width of the time-embedding MLP (32 → timeHidden → 32). Default: the first hidden
   * width, as in the official model, where one `hidden_size` sets both.
   */
  timeHidden?: number;
  /** Width of the sinusoidal time embedding (default 32; Diffusion-QL: 16). */
  timeEmbedDim?: number;
  lr: number;
  adamEps: number;
  /** Global gradient-norm clip; 0 disables. */
  gradClipNorm: number;
  noiseRatio: number;
  clipDenoised: boolean;
}

export interface DiffusionPolicyState {
  net: SavedTensor[];
  target: SavedTensor[];
  optimizer: AdamState;
}

export class DiffusionPolicy {
  readonly net: NoiseNet;
  readonly target: NoiseNet;
  readonly coef: DiffusionCoefficients;
  readonly optimizer: Adam;
  /** Worker threads that share large sampling batches (same samples, more cores); null = none. */
  private sampler: SamplerPool | null = null;

  constructor(
    readonly obsDim: number,
    readonly actDim: number,
    rng: Rng,
    readonly options: DiffusionPolicyOptions,
  ) {
    this.coef = diffusionCoefficients(options.betaSchedule, options.diffusionSteps, options.betaScale ?? 1);
    const netOptions = this.netOptions; // netSpec hands the same options to sampler workers
    this.net = new NoiseNet(obsDim, actDim, options.diffusionSteps, rng, netOptions);
    this.target = new NoiseNet(obsDim, actDim, options.diffusionSteps, rng, netOptions);
    copyVariables(this.target.variables, this.net.variables);
    this.optimizer = new Adam(this.net.variables, { lr: options.lr, eps: options.adamEps });
  }

  /**
   * `k` actions per row of `states` [B, obs] from the current (or target) network, in
   * [−1, 1]: [B·k, act], rows grouped by state.
   */
  sample(states: tf.Tensor2D, k: number, rng: Rng, which: 'current' | 'target' = 'current', noiseRatio = this.options.noiseRatio): tf.Tensor2D {
    const net = which === 'target' ? this.target : this.net;
    const options = { noiseRatio, clipDenoised: this.options.clipDenoised };
    const noise = this.chainNoise(states.shape[0] * k, rng);
    return engine().sample(net, this.coef, states, k, noise, options, this.sampler);
  }

  /**
   * `k` candidates per state from the current (or target) network, scored by `critic`'s
   * min(Q1, Q2), the best kept: one engine call. The same draws from `rng` as sample().
   * `keepSamples` also returns every candidate. The caller disposes the tensors.
   */
  propose(states: tf.Tensor2D, k: number, rng: Rng, which: 'current' | 'target', critic: DoubleCritic, keepSamples = false): Proposal {
    const net = which === 'target' ? this.target : this.net;
    const options = { noiseRatio: this.options.noiseRatio, clipDenoised: this.options.clipDenoised };
    const noise = this.chainNoise(states.shape[0] * k, rng);
    return engine().propose(net, this.coef, critic, states, k, noise, options, keepSamples, this.sampler);
  }

  /**
   * One action per row of `states` from the current network with the graph kept, so a loss on
   * it trains the noise net through the chain (`through` its steps: all, or the last only).
   * Call inside a gradient function, wrapped in tidy. The same draws from `rng` as sample(…, 1).
   */
  sampleWithGradient(states: tf.Tensor2D, rng: Rng, through: ChainGradientSteps = 'all'): tf.Tensor2D {
    const options = { noiseRatio: this.options.noiseRatio, clipDenoised: this.options.clipDenoised };
    return sampleWithGradient(this.net, this.coef, states, this.chainNoise(states.shape[0], rng), options, through);
  }

  /** The normal draws of a chain over `rows` rows, x_T at this policy's initial std. */
  private chainNoise(rows: number, rng: Rng): Float32Array[] {
    return drawChainNoise(this.coef.T, rows, this.actDim, rng, this.options.initialNoiseStd ?? 1);
  }

  /** Share sampling with a pool of worker threads (its own lifetime), or stop with null. */
  useSampler(pool: SamplerPool | null): void {
    if (pool && (pool.spec.obsDim !== this.obsDim || pool.spec.actDim !== this.actDim || pool.spec.T !== this.coef.T)) {
      throw new Error(`useSampler: the pool was built for ${pool.spec.obsDim}/${pool.spec.actDim}/T=${pool.spec.T}, this policy is ${this.obsDim}/${this.actDim}/T=${this.coef.T}`);
    }
    this.sampler = pool;
  }

  /** What a SamplerPool needs to rebuild this policy's noise net in a worker. */
  get netSpec(): { obsDim: number; actDim: number; T: number; net: { hidden: readonly number[]; timeHidden: number; timeEmbedDim?: number } } {
    return { obsDim: this.obsDim, actDim: this.actDim, T: this.coef.T, net: this.netOptions };
  }

  /** The noise net's architecture options (both nets and every sampler worker use these). */
  get netOptions(): { hidden: readonly number[]; timeHidden: number; timeEmbedDim?: number } {
    const options = { hidden: this.options.hidden, timeHidden: this.options.timeHidden ?? this.options.hidden[0] ?? 256 };
    return this.options.timeEmbedDim === undefined ? options : { ...options, timeEmbedDim: this.options.timeEmbedDim };
  }

  /** The (weighted) ε-prediction loss on given rows with given draws, no update. */
  loss(actions: tf.Tensor2D, states: tf.Tensor2D, weights: tf.Tensor1D | null, noise: LossNoise, target?: tf.Tensor2D): tf.Scalar {
    return diffusionLoss(this.net, this.coef, actions, states, noise, weights, target);
  }

  /**
   * One optimiser step on the (weighted) diffusion loss of the rows. The step indices and
   * noise are drawn from `rng` unless `fixed.noise` gives them (QSM needs the noisy actions
   * before the step to build `fixed.target`, what ε_θ regresses onto in place of ε).
   * Returns the loss and the gradient norm before clipping as kept scalars the caller disposes.
   */
  trainStep(
    actions: tf.Tensor2D,
    states: tf.Tensor2D,
    weights: tf.Tensor1D | null,
    rng: Rng,
    fixed: { noise?: LossNoise; target?: tf.Tensor2D } = {},
  ): { loss: tf.Scalar; gradNorm: tf.Scalar } {
    const noise = fixed.noise ?? drawLossNoise(actions.shape[0], this.actDim, this.coef.T, rng);
    return engine().diffusionStep(this.net, this.coef, this.optimizer, actions, states, weights, noise, this.options.gradClipNorm, fixed.target);
  }

  /** target ← net (hard copy). */
  syncTarget(): void {
    copyVariables(this.target.variables, this.net.variables);
  }

  /** target ← τ·net + (1−τ)·target. */
  updateTarget(tau: number): void {
    softUpdate(this.target.variables, this.net.variables, tau);
  }

  getState(): DiffusionPolicyState {
    return {
      net: saveVariables(this.net.variables),
      target: saveVariables(this.target.variables),
      optimizer: this.optimizer.getState(),
    };
  }

  setState(state: DiffusionPolicyState): void {
    loadVariables(this.net.variables, state.net, 'diffusion policy');
    loadVariables(this.target.variables, state.target, 'diffusion policy target');
    this.optimizer.setState(state.optimizer);
  }

  dispose(): void {
    this.net.dispose();
    this.target.dispose();
    this.optimizer.dispose();
  }
}
