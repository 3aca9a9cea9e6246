/**
 * QVPO's Q-weighted variational loss, the parts specific to it (spec §4.2–4.3):
 * the Q-weight of each state's best sample and the rows the diffusion loss is taken over.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../util/rng';
import { repeatRows } from '../../diffusion/select';
import { QTransform } from './config';

/**
 * w(s) from the best sample's q and the mean q V(s) of the Nd samples:
 *   qadv: max(q − V(s), 0)   (raw reward units, no normalisation)
 *   qcut: max(q, cut)
 */
export function qWeights(qBest: tf.Tensor1D, qMean: tf.Tensor1D, transform: QTransform, cut: number): tf.Tensor1D {
  switch (transform) {
    case 'qadv':
      return tf.relu(tf.sub(qBest, qMean)) as tf.Tensor1D;
    case 'qcut':
      return tf.maximum(qBest, cut);
    default:
      throw new Error(`unknown Q transform "${String(transform)}": expected qadv or qcut`);
  }
}

export interface ActorRows {
  states: tf.Tensor2D;
  actions: tf.Tensor2D;
  weights: tf.Tensor1D;
}

/**
 * The B + Ne·B rows of the actor loss: each state's best action with weight w(s), then Ne
 * actions drawn uniformly from [−1, 1]^d per state with weight ω_ent·w(s). With ω_ent = 0
 * or Ne = 0 the entropy rows are left out entirely (as the official code skips the branch).
 */
export function actorRows(
  states: tf.Tensor2D,
  bestActions: tf.Tensor2D,
  weights: tf.Tensor1D,
  entropyAlpha: number,
  entropySamples: number,
  rng: Rng,
): ActorRows {
  if (entropyAlpha <= 0 || entropySamples <= 0) {
    return { states: tf.clone(states), actions: tf.clone(bestActions), weights: tf.clone(weights) };
  }
  const [b, d] = bestActions.shape;
  const ne = entropySamples;
  const uniform = tf.tensor2d(rng.uniforms(b * ne * d, -1, 1), [b * ne, d]);
  const entropyWeights = tf.reshape(repeatRows(tf.reshape(tf.mul(weights, entropyAlpha), [b, 1]) as tf.Tensor2D, ne), [-1]);
  return {
    states: tf.concat([states, repeatRows(states, ne)], 0),
    actions: tf.concat([bestActions, uniform], 0),
    weights: tf.concat([weights, entropyWeights as tf.Tensor1D], 0),
  };
}

/**
 * ω_ent after the update at env step n (main.py): a linear decay from ω0 towards 0 over
 * `decaySteps`, floored at `floor`, never above ω0 (so ω0 below the floor stays ω0).
 */
export function entropyAlphaAt(step: number, alpha0: number, floor: number, decaySteps: number): number {
  return Math.min(alpha0, Math.max(floor, alpha0 - (alpha0 * step) / decaySteps));
}
