/**
 * Best-of-K action selection, shared by every place a diffusion policy proposes several
 * candidates and a critic picks one (behaviour Kb, target Kt, evaluation, QVPO's Nd).
 * Rows are grouped by state: row b·K + k is candidate k of state b.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * [B, D] → [B·K, D], each row repeated K times in place. Done by a broadcasting add of zeros:
 * the WASM backend's Tile and Gather kernels are 20–35× slower for this.
 */
export function repeatRows(x: tf.Tensor2D, k: number): tf.Tensor2D {
  const [b, d] = x.shape;
  if (k === 1) return tf.clone(x);
  return tf.reshape(tf.add(tf.expandDims(x, 1), tf.zeros([1, k, 1])), [b * k, d]) as tf.Tensor2D;
}

export interface BestOfK {
  /** Index of the best candidate per state, int32 [B] (first one on ties, like torch.max). */
  index: tf.Tensor1D;
  /** Its score [B]. */
  best: tf.Tensor1D;
  /** Mean score over the K candidates [B]. */
  mean: tf.Tensor1D;
}

/** Picks the best of K scores per state from flat scores [B·K]. */
export function bestOfK(scores: tf.Tensor1D, k: number): BestOfK {
  const grid = tf.reshape(scores, [-1, k]) as tf.Tensor2D;
  return {
    index: tf.argMax(grid, 1) as tf.Tensor1D,
    best: tf.max(grid, 1) as tf.Tensor1D,
    mean: tf.mean(grid, 1) as tf.Tensor1D,
  };
}

/** Rows `b·K + index[b]` of candidates [B·K, D] → [B, D]. */
export function gatherBest(candidates: tf.Tensor2D, index: tf.Tensor1D, k: number): tf.Tensor2D {
  const b = index.shape[0];
  const rows = tf.add(tf.range(0, b * k, k, 'int32'), tf.cast(index, 'int32'));
  return tf.gather(candidates, rows) as tf.Tensor2D;
}
