/**
 * DDiffPG's novelty-based intrinsic reward (ddiffpg-spec.md §8): NovelD on top of RND.
 *
 * - Input: the position part of the state (the first `positionDims` dims: 2 for mazes, 3 for
 *   manipulation) is NeRF-encoded as [p, sin(2⁰p), cos(2⁰p), …, sin(2^{L−1}p), cos(2^{L−1}p)]
 *   with L = 10 (raw input included, no π factor, as the spec writes it); the rest of the state
 *   is appended unchanged.
 * - RND pair: a fixed random target net and a trained predictor, both MLPs
 *   [512, 256, 128] → 128 with ELU, orthogonal weights (gain √2) and zero biases.
 * - Novelty n(s) = ‖f_pred(s) − f_target(s)‖₂ (no gradient).
 * - NovelD reward r_int(s, s') = 0.01 · max(n(s') − 0.5 · n(s), 0). No episodic first-visit
 *   condition (the spec's code has none) and no normalisation (the code's running-std option is
 *   off by default; not implemented here).
 * - Predictor step: MSE to the target features on the batch's s and s' together; AdamW lr 1e−4,
 *   global grad-norm clip 1.0; one step per gradient iteration (the caller's loop).
 *
 * Declared choices:
 * - AdamW's weight decay is not given by the spec; PyTorch's default 0.01 is used, applied the
 *   decoupled way (w ← w·(1 − lr·λ) before the Adam step), on top of the kit's Adam.
 * - The networks are kit `Mlp`s (for their parameters), re-initialised orthogonally, with the
 *   forward pass written here because the kit's Mlp has no ELU.
 * - The encoding is computed in JS (float64, then float32) before the nets see it.
 */
import * as tf from '@tensorflow/tfjs';
import { Mlp } from '../../nets/mlp';
import { dense } from '../../nets/layers';
import { Adam, AdamState, clipByGlobalNorm, gradientsOf } from '../../nets/adam';
import { SavedTensor, loadVariables, saveVariables } from '../../nets/params';
import { Rng } from '../../util/rng';

export interface NoveltyConfig {
  /** Leading state dims that are a position and get the sin/cos encoding. */
  positionDims: number;
  /** Number of frequencies L (2⁰ … 2^{L−1}). */
  frequencies: number;
  hiddenSizes: number[];
  featureDim: number;
  lr: number;
  /** Decoupled (AdamW) weight decay λ. */
  weightDecay: number;
  /** Global grad-norm clip; ≤ 0 disables. */
  gradClip: number;
  /** NovelD's reward scale. */
  scale: number;
  /** NovelD's α: the weight of the current state's novelty. */
  alpha: number;
}

export const NOVELD_DEFAULTS: Readonly<NoveltyConfig> = Object.freeze({
  positionDims: 2,
  frequencies: 10,
  hiddenSizes: [512, 256, 128],
  featureDim: 128,
  lr: 1e-4,
  weightDecay: 0.01,
  gradClip: 1.0,
  scale: 0.01,
  alpha: 0.5,
});

/** Width of the encoded input: P + 2·L·P + (obsDim − P). */
export function encodedSize(obsDim: number, positionDims: number, frequencies: number): number {
  return obsDim + 2 * frequencies * positionDims;
}

/** The NeRF-style encoding of `rows` states of width `obsDim` (row-major), as float32 rows. */
export function positionalEncoding(states: ArrayLike<number>, obsDim: number, positionDims: number, frequencies: number): Float32Array {
  if (states.length % obsDim !== 0) throw new Error(`positionalEncoding: ${states.length} numbers are not rows of ${obsDim}`);
  if (!(positionDims >= 0 && positionDims <= obsDim)) throw new Error(`positionalEncoding: positionDims ${positionDims} must be in [0, ${obsDim}]`);
  const rows = states.length / obsDim;
  const width = encodedSize(obsDim, positionDims, frequencies);
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const src = r * obsDim;
    let o = r * width;
    for (let d = 0; d < positionDims; d++) out[o++] = states[src + d];
    for (let k = 0; k < frequencies; k++) {
      const f = 2 ** k;
      for (let d = 0; d < positionDims; d++) out[o++] = Math.sin(f * states[src + d]);
      for (let d = 0; d < positionDims; d++) out[o++] = Math.cos(f * states[src + d]);
    }
    for (let d = positionDims; d < obsDim; d++) out[o++] = states[src + d];
  }
  return out;
}

/** NovelD: scale · max(n(s') − α·n(s), 0), element-wise. */
export function noveldReward(noveltyS: ArrayLike<number>, noveltyNext: ArrayLike<number>, alpha = NOVELD_DEFAULTS.alpha, scale = NOVELD_DEFAULTS.scale): Float32Array {
  if (noveltyS.length !== noveltyNext.length) throw new Error(`noveldReward: ${noveltyS.length} novelties of s but ${noveltyNext.length} of s'`);
  const out = new Float32Array(noveltyS.length);
  for (let i = 0; i < out.length; i++) out[i] = scale * Math.max(noveltyNext[i] - alpha * noveltyS[i], 0);
  return out;
}

/**
 * An orthogonal [fanIn, fanOut] matrix times `gain`, like torch.nn.init.orthogonal_ (QR of a
 * Gaussian matrix, signs fixed so R's diagonal is positive — what Gram–Schmidt gives): columns
 * orthonormal when fanIn ≥ fanOut, rows orthonormal otherwise.
 */
export function orthogonalWeights(fanIn: number, fanOut: number, gain: number, rng: Rng): Float32Array {
  const tall = Math.max(fanIn, fanOut);
  const thin = Math.min(fanIn, fanOut);
  // q holds `thin` column vectors of length `tall`, orthonormalised by modified Gram–Schmidt.
  const q = new Float64Array(tall * thin);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let c = 0; c < thin; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < tall; r++) dot += q[r * thin + c] * q[r * thin + p];
      for (let r = 0; r < tall; r++) q[r * thin + c] -= dot * q[r * thin + p];
    }
    let norm = 0;
    for (let r = 0; r < tall; r++) norm += q[r * thin + c] ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < tall; r++) q[r * thin + c] /= norm;
  }
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < fanIn; i++) {
    for (let j = 0; j < fanOut; j++) w[i * fanOut + j] = gain * (fanIn >= fanOut ? q[i * thin + j] : q[j * thin + i]);
  }
  return w;
}

export interface NoveltyState {
  kind: 'ddiffpg-novelty';
  target: SavedTensor[];
  predictor: SavedTensor[];
  optimizer: AdamState;
  updates: number;
}

/** The RND pair and its optimizer; all inputs are row-major float32 states of width obsDim. */
export class NoveltyModule {
  readonly config: Readonly<NoveltyConfig>;
  readonly obsDim: number;
  readonly inputDim: number;
  private readonly target: Mlp;
  private readonly predictor: Mlp;
  private readonly optimizer: Adam;
  private updates = 0;

  constructor(obsDim: number, config: Partial<NoveltyConfig> = {}, seed = 0) {
    const c: NoveltyConfig = { ...NOVELD_DEFAULTS, ...config, hiddenSizes: [...(config.hiddenSizes ?? NOVELD_DEFAULTS.hiddenSizes)] };
    if (!(Number.isInteger(obsDim) && obsDim >= 1)) throw new Error(`NoveltyModule: obsDim must be a positive integer, got ${obsDim}`);
    if (!(Number.isInteger(c.positionDims) && c.positionDims >= 0 && c.positionDims <= obsDim)) {
      throw new Error(`NoveltyModule: positionDims must be an integer in [0, obsDim = ${obsDim}], got ${c.positionDims}`);
    }
    if (!(Number.isInteger(c.frequencies) && c.frequencies >= 0)) throw new Error(`NoveltyModule: frequencies must be an integer >= 0, got ${c.frequencies}`);
    this.config = Object.freeze(c);
    this.obsDim = obsDim;
    this.inputDim = encodedSize(obsDim, c.positionDims, c.frequencies);
    const sizes = [this.inputDim, ...c.hiddenSizes, c.featureDim];
    const rng = new Rng(seed);
    this.target = orthogonalMlp(sizes, rng);
    this.predictor = orthogonalMlp(sizes, rng);
    this.optimizer = new Adam(this.predictor.variables, { lr: c.lr });
  }

  /** Novelty n(s) = ‖f_pred(s) − f_target(s)‖₂ per row. */
  novelty(states: Float32Array): Float32Array {
    const x = this.encode(states);
    const n = tf.tidy(() => tf.norm(tf.sub(forward(this.predictor, x), forward(this.target, x)), 'euclidean', 1));
    x.dispose();
    const out = n.dataSync() as Float32Array;
    n.dispose();
    return Float32Array.from(out);
  }

  /** NovelD intrinsic reward for transitions (s, s'). */
  intrinsicReward(states: Float32Array, nextStates: Float32Array): Float32Array {
    if (states.length !== nextStates.length) throw new Error(`NoveltyModule: ${states.length} numbers of s but ${nextStates.length} of s'`);
    return noveldReward(this.novelty(states), this.novelty(nextStates), this.config.alpha, this.config.scale);
  }

  /** One predictor step on s and s' together; returns the MSE before the step. */
  update(states: Float32Array, nextStates: Float32Array): number {
    if (states.length !== nextStates.length) throw new Error(`NoveltyModule: ${states.length} numbers of s but ${nextStates.length} of s'`);
    const both = new Float32Array(states.length + nextStates.length);
    both.set(states);
    both.set(nextStates, states.length);
    const x = this.encode(both);
    const { lr, weightDecay, gradClip } = this.config;
    const loss = tf.tidy(() => {
      const goal = forward(this.target, x);
      const { value, grads } = gradientsOf(() => tf.mean(tf.square(tf.sub(forward(this.predictor, x), goal))) as tf.Scalar, this.predictor.variables);
      const clipped = clipByGlobalNorm(grads, gradClip).grads;
      // AdamW: decoupled decay first, then the Adam step.
      if (weightDecay > 0) for (const v of this.predictor.variables) v.assign(tf.mul(v, 1 - lr * weightDecay));
      this.optimizer.apply(clipped);
      return value;
    });
    x.dispose();
    const out = loss.dataSync()[0];
    loss.dispose();
    this.updates++;
    return out;
  }

  get updateCount(): number {
    return this.updates;
  }

  getState(): NoveltyState {
    return {
      kind: 'ddiffpg-novelty',
      target: saveVariables(this.target.variables),
      predictor: saveVariables(this.predictor.variables),
      optimizer: this.optimizer.getState(),
      updates: this.updates,
    };
  }

  setState(state: NoveltyState): void {
    if (state?.kind !== 'ddiffpg-novelty') throw new Error(`NoveltyModule.setState: not a novelty checkpoint (kind ${String(state?.kind)})`);
    loadVariables(this.target.variables, state.target, 'RND target');
    loadVariables(this.predictor.variables, state.predictor, 'RND predictor');
    this.optimizer.setState(state.optimizer);
    this.updates = state.updates;
  }

  dispose(): void {
    this.target.dispose();
    this.predictor.dispose();
    this.optimizer.dispose();
  }

  private encode(states: Float32Array): tf.Tensor2D {
    if (states.length % this.obsDim !== 0) throw new Error(`NoveltyModule: ${states.length} numbers are not rows of obsDim ${this.obsDim}`);
    const rows = states.length / this.obsDim;
    const enc = positionalEncoding(states, this.obsDim, this.config.positionDims, this.config.frequencies);
    return tf.tensor2d(enc, [rows, this.inputDim]);
  }
}

/** A kit Mlp with orthogonal (gain √2) weights and zero biases. */
function orthogonalMlp(sizes: readonly number[], rng: Rng): Mlp {
  // The Mlp's own initial draws are overwritten, so they come from a throwaway generator.
  const mlp = new Mlp(sizes, new Rng(0));
  tf.tidy(() => {
    mlp.weights.forEach((w, i) => w.assign(tf.tensor2d(orthogonalWeights(sizes[i], sizes[i + 1], Math.SQRT2, rng), [sizes[i], sizes[i + 1]])));
    for (const b of mlp.biases) b.assign(tf.zerosLike(b));
  });
  return mlp;
}

/** ELU between layers, none after the last. */
function forward(mlp: Mlp, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  const last = mlp.weights.length - 1;
  mlp.weights.forEach((w, i) => {
    h = dense(h, w, mlp.biases[i]);
    if (i < last) h = tf.elu(h);
  });
  return h;
}
