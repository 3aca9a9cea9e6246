/**
 * Parameter lists: the variables of a network, as plain arrays for checkpoints, copies
 * for target networks and Polyak averaging.
 */
import * as tf from '@tensorflow/tfjs';

export interface SavedTensor {
  shape: number[];
  /** float32 values, row-major. */
  values: Float32Array;
}

/** Reads variables into plain arrays (outside tidy: reading typed arrays inside tidy is slow). */
export function saveVariables(vars: readonly tf.Variable[]): SavedTensor[] {
  // A copy: on the CPU backend dataSync() hands out the tensor's own storage.
  return vars.map((v) => ({ shape: v.shape.slice(), values: Float32Array.from(v.dataSync() as Float32Array) }));
}

export function loadVariables(vars: readonly tf.Variable[], saved: readonly SavedTensor[], what = 'parameters'): void {
  if (saved.length !== vars.length) {
    throw new Error(`${what}: checkpoint has ${saved.length} tensors, the network has ${vars.length}`);
  }
  vars.forEach((v, i) => {
    const s = saved[i];
    if (s.shape.join('x') !== v.shape.join('x')) {
      throw new Error(`${what}: tensor ${i} has shape [${s.shape}] in the checkpoint, [${v.shape}] in the network`);
    }
    // A copy: tf.tensor() may adopt the array it is given, tying the checkpoint to the network.
    tf.tidy(() => v.assign(tf.tensor(Float32Array.from(s.values), v.shape, 'float32')));
  });
}

/** target ← source (hard copy). */
export function copyVariables(target: readonly tf.Variable[], source: readonly tf.Variable[]): void {
  tf.tidy(() => target.forEach((t, i) => t.assign(source[i])));
}

/** target ← τ·source + (1−τ)·target, the soft update of target networks. */
export function softUpdate(target: readonly tf.Variable[], source: readonly tf.Variable[], tau: number): void {
  tf.tidy(() => {
    for (let i = 0; i < target.length; i++) {
      target[i].assign(tf.add(tf.mul(source[i], tau), tf.mul(target[i], 1 - tau)));
    }
  });
}

export function disposeVariables(vars: readonly tf.Variable[]): void {
  for (const v of vars) v.dispose();
}

export function countParameters(vars: readonly tf.Variable[]): number {
  return vars.reduce((n, v) => n + v.size, 0);
}
