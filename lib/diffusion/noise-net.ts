/**
 * ε_θ(x_t, t, s): the noise-prediction network of the diffusion policy (spec §2.1).
 *
 *   time embedding: sinusoid(t) (dim 32) → Linear 32→H → Mish → Linear H→32
 *   main MLP:       [x_t, emb(t), s] → 3 × (Linear, Mish) of width 256 → Linear → act_dim
 *
 * H = `timeHidden`. The official model has one `hidden_size` for both the time MLP and the
 * main layers (256 at paper settings), so DiffusionPolicy passes its hidden width; the 256
 * default here applies only to nets built directly without the option.
 *
 * t is the integer step index 0..T−1, not normalised. Only T distinct embeddings exist, so
 * they are computed once per call as a [T, 32] table and gathered — the same numbers as
 * embedding every row, at a fraction of the cost.
 */
import * as tf from '@tensorflow/tfjs';
import { Activation } from '../nets/layers';
import { Mlp } from '../nets/mlp';
import { Rng } from '../util/rng';
import { repeatRows } from './select';

export interface ChainContext {
  rows: number;
  xWeight: tf.Tensor2D;
  stateTerm: tf.Tensor2D;
  timeTerm: tf.Tensor2D;
}

export interface NoiseNetOptions {
  hidden: readonly number[];
  timeEmbedDim?: number;
  /** Hidden width of the time MLP (default 256). */
  timeHidden?: number;
  activation?: Activation;
}

/** [sin(t·f_k)..., cos(t·f_k)...] with f_k = exp(−k·ln(10000)/(half−1)), k = 0..half−1. */
export function sinusoidalEmbedding(steps: ArrayLike<number>, dim: number): Float32Array {
  if (dim % 2 !== 0 || dim < 4) throw new Error(`time embedding dim must be even and >= 4, got ${dim}`);
  const half = dim / 2;
  const scale = Math.log(10000) / (half - 1);
  const out = new Float32Array(steps.length * dim);
  for (let r = 0; r < steps.length; r++) {
    for (let k = 0; k < half; k++) {
      const angle = steps[r] * Math.exp(-k * scale);
      out[r * dim + k] = Math.sin(angle);
      out[r * dim + half + k] = Math.cos(angle);
    }
  }
  return out;
}

export class NoiseNet {
  readonly obsDim: number;
  readonly actDim: number;
  readonly T: number;
  readonly timeEmbedDim: number;
  readonly timeMlp: Mlp;
  readonly main: Mlp;
  /** Constant sinusoids for t = 0..T−1, [T, timeEmbedDim]. */
  private readonly sinusoids: tf.Tensor2D;

  constructor(obsDim: number, actDim: number, T: number, rng: Rng, options: NoiseNetOptions) {
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.T = T;
    this.timeEmbedDim = options.timeEmbedDim ?? 32;
    const activation = options.activation ?? 'mish';
    this.timeMlp = new Mlp([this.timeEmbedDim, options.timeHidden ?? 256, this.timeEmbedDim], rng, { activation });
    this.main = new Mlp([actDim + this.timeEmbedDim + obsDim, ...options.hidden, actDim], rng, { activation });
    const steps = Array.from({ length: T }, (_, i) => i);
    this.sinusoids = tf.keep(tf.tensor2d(sinusoidalEmbedding(steps, this.timeEmbedDim), [T, this.timeEmbedDim]));
  }

  /** The learned time embedding of every step index, [T, timeEmbedDim]. */
  timeTable(): tf.Tensor2D {
    return this.timeMlp.apply(this.sinusoids);
  }

  /**
   * ε̂ for rows (x [N, act], s [N, obs]) at step `t`: one index for all rows (sampling) or
   * an int32 vector [N] (training). `table` may pass a precomputed timeTable().
   */
  predict(x: tf.Tensor2D, t: number | tf.Tensor1D, s: tf.Tensor2D, table?: tf.Tensor2D): tf.Tensor2D {
    const n = x.shape[0];
    const tab = table ?? this.timeTable();
    const emb =
      typeof t === 'number'
        ? tf.tile(tf.slice(tab, [t, 0], [1, this.timeEmbedDim]), [n, 1])
        : // one-hot · table rather than gather: same rows, and its gradient is a matmul
          // (gather's gradient needs UnsortedSegmentSum, which the WASM backend lacks).
          // The one-hot is made as int32 and cast: tfjs-backend-wasm 4.22 writes a float32
          // oneHot as integer bit patterns (1 → 1.4e-45).
          tf.matMul(tf.cast(tf.oneHot(t, this.T), 'float32') as tf.Tensor2D, tab) as tf.Tensor2D;
    return this.main.apply(tf.concat([x, emb, s], 1));
  }

  /**
   * Constants of one reverse chain over `states` [B, obs] with `k` samples per state
   * (rows b·k + j): the first layer split by input part, W·[x, emb, s] + b =
   * W_x·x + (W_s·s + b) + W_e·emb(t). The state part is computed once per state (not per
   * sample and step), the time part once per step index (not per row). The caller disposes
   * the three tensors.
   */
  prepareChain(states: tf.Tensor2D, k: number): ChainContext {
    const { actDim, timeEmbedDim, obsDim } = this;
    const [xWeight, stateTerm, timeTerm] = tf.tidy(() => {
      const perState = tf.add(tf.matMul(states, this.main.firstLayerBlock(actDim + timeEmbedDim, obsDim)), this.main.firstBias);
      return [
        this.main.firstLayerBlock(0, actDim),
        repeatRows(perState as tf.Tensor2D, k),
        tf.matMul(this.timeTable(), this.main.firstLayerBlock(actDim, timeEmbedDim)),
      ];
    }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    return { rows: states.shape[0] * k, xWeight, stateTerm, timeTerm };
  }

  /**
   * ε̂ for the chain's rows at step index `t`; equals predict() on the repeated states.
   * Sampling takes no gradient, so the rest of the net runs without gradient bookkeeping.
   */
  predictInChain(x: tf.Tensor2D, t: number, chain: ChainContext): tf.Tensor2D {
    const timeRow = tf.slice(chain.timeTerm, [t, 0], [1, -1]);
    const pre = tf.add(tf.add(tf.matMul(x, chain.xWeight), chain.stateTerm), timeRow) as tf.Tensor2D;
    return this.main.inferAfterFirst(pre);
  }

  get variables(): tf.Variable[] {
    return [...this.timeMlp.variables, ...this.main.variables];
  }

  dispose(): void {
    this.timeMlp.dispose();
    this.main.dispose();
    this.sinusoids.dispose();
  }
}
