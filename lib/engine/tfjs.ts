/**
 * The reference engine: TensorFlow.js kernels on the current tfjs backend, the code every
 * other engine is tested against. Large chains may be shared with a SamplerPool's worker
 * threads (same samples, more cores).
 */
import * as tf from '@tensorflow/tfjs';
import { diffusionLoss, sampleActionsWithNoise } from '../diffusion/ddpm';
import { Adam, clipByGlobalNorm, gradientsOf } from '../nets/adam';
import { bestOfK, gatherBest } from '../diffusion/select';
import type { ActionAscent, ComputeEngine, Proposal, TrainResult } from './types';

export class TfjsEngine implements ComputeEngine {
  readonly name = 'tfjs' as const;
  readonly details: Record<string, string | number | boolean> = {};

  sample(...[net, coef, states, k, noise, options, pool]: Parameters<ComputeEngine['sample']>): tf.Tensor2D {
    return pool ? pool.sample(net, coef, states, k, noise, options) : sampleActionsWithNoise(net, coef, states, k, noise, options);
  }

  scoreMin(...[critic, states, actions, k]: Parameters<ComputeEngine['scoreMin']>): tf.Tensor1D {
    return critic.minRepeatedTfjs(states, actions, k);
  }

  propose(...[net, coef, critic, states, k, noise, options, keepSamples, pool]: Parameters<ComputeEngine['propose']>): Proposal {
    return tf.tidy(() => {
      const samples = this.sample(net, coef, states, k, noise, options, pool);
      const pick = bestOfK(this.scoreMin(critic, states, samples, k), k);
      const out: Proposal = { best: gatherBest(samples, pick.index, k), bestQ: pick.best, meanQ: pick.mean, index: pick.index };
      if (keepSamples) out.samples = samples;
      return out as unknown as tf.TensorContainerObject;
    }) as unknown as Proposal;
  }

  criticStep(...[critic, optimizer, states, actions, y, maxNorm]: Parameters<ComputeEngine['criticStep']>): TrainResult {
    return tf.tidy(() => {
      const { value, grads } = gradientsOf(() => {
        const [q1, q2] = critic.both(states, actions);
        return tf.add(tf.losses.meanSquaredError(y, q1), tf.losses.meanSquaredError(y, q2)) as tf.Scalar;
      }, critic.variables);
      const clipped = clipByGlobalNorm(grads, maxNorm);
      optimizer.apply(clipped.grads);
      return { loss: value, gradNorm: clipped.norm };
    });
  }

  diffusionStep(...[net, coef, optimizer, actions, states, weights, noise, maxNorm, target]: Parameters<ComputeEngine['diffusionStep']>): TrainResult {
    return tf.tidy(() => {
      const { value, grads } = gradientsOf(() => diffusionLoss(net, coef, actions, states, noise, weights, target), net.variables);
      const clipped = clipByGlobalNorm(grads, maxNorm);
      optimizer.apply(clipped.grads);
      return { loss: value, gradNorm: clipped.norm };
    });
  }

  ascendActions(...[critic, states, start, { steps, lr, eps, maxNorm }]: Parameters<ComputeEngine['ascendActions']>): ActionAscent {
    const a = tf.variable(start, true);
    const optimizer = new Adam([a], { lr, eps });
    const meanQ = () => tf.tidy(() => tf.mean(critic.min(states, a)) as tf.Scalar);
    const qBefore = meanQ();
    const norms: tf.Scalar[] = [];
    for (let k = 0; k < steps; k++) {
      tf.tidy(() => {
        // the sum, not the mean, as the official code backpropagates ones through −min(Q1,Q2)
        const { grads } = gradientsOf(() => tf.neg(tf.sum(critic.min(states, a))) as tf.Scalar, [a]);
        const clipped = clipByGlobalNorm(grads, maxNorm);
        optimizer.apply(clipped.grads);
        a.assign(tf.clipByValue(a, -1, 1));
        norms.push(tf.keep(clipped.norm));
      });
    }
    const qAfter = meanQ();
    const out: ActionAscent = { actions: tf.clone(a) as tf.Tensor2D, gradNorms: tf.stack(norms) as tf.Tensor1D, qBefore, qAfter };
    tf.dispose([a, ...norms]);
    optimizer.dispose();
    return out;
  }

  dispose(): void {}
}
