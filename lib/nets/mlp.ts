/**
 * Multi-layer perceptron with Mish (or another) activation between layers and none at the
 * output. Weights are [in, out] variables so a layer is one `dense` call.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { Activation, activate, dense, denseNoGrad } from './layers';
import { disposeVariables } from './params';

/**
 * `qvpo-normal`: weights N(0, (1/(2√fan_in))²), biases 0 — what the official QVPO code ends up
 * doing (its truncated-normal helper never writes the truncation back, spec §2.3).
 * `torch-default`: PyTorch's nn.Linear default, weights and biases U(±1/√fan_in), used by the
 * baselines' reference implementations.
 */
export type WeightInit = 'qvpo-normal' | 'torch-default';

export interface MlpOptions {
  activation?: Activation;
  init?: WeightInit;
}

export function initialWeights(fanIn: number, fanOut: number, init: WeightInit, rng: Rng): { w: Float32Array; b: Float32Array } {
  const w = new Float32Array(fanIn * fanOut);
  const b = new Float32Array(fanOut);
  if (init === 'qvpo-normal') {
    const std = 1 / (2 * Math.sqrt(fanIn));
    for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
  } else {
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < w.length; i++) w[i] = rng.uniformIn(-bound, bound);
    for (let i = 0; i < b.length; i++) b[i] = rng.uniformIn(-bound, bound);
  }
  return { w, b };
}

export class Mlp {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly weights: tf.Variable<tf.Rank.R2>[] = [];
  readonly biases: tf.Variable<tf.Rank.R1>[] = [];

  /** `sizes` = [input, hidden..., output]. */
  constructor(sizes: readonly number[], rng: Rng, options: MlpOptions = {}) {
    if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new Error(`Mlp sizes must be at least two positive integers, got [${sizes.join(', ')}]`);
    }
    this.sizes = sizes.slice();
    this.activation = options.activation ?? 'mish';
    const init = options.init ?? 'qvpo-normal';
    for (let i = 0; i + 1 < sizes.length; i++) {
      const { w, b } = initialWeights(sizes[i], sizes[i + 1], init, rng);
      // tidy disposes the initial-value tensors (each variable keeps its own copy)
      this.weights.push(tf.tidy(() => tf.variable(tf.tensor2d(w, [sizes[i], sizes[i + 1]]))));
      this.biases.push(tf.tidy(() => tf.variable(tf.tensor1d(b))));
    }
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return this.applyAfterFirst(dense(x, this.weights[0], this.biases[0]));
  }

  /**
   * The rest of the network from the first layer's pre-activation. Callers that feed a
   * concatenated input whose parts repeat (a state shared by many samples, a time embedding
   * shared by a whole batch) compute the first layer block by block — see firstLayerBlock —
   * and continue here: the same numbers for a fraction of the work.
   */
  applyAfterFirst(pre: tf.Tensor2D): tf.Tensor2D {
    let h = pre;
    for (let i = 1; i < this.weights.length; i++) {
      h = dense(activate(h, this.activation), this.weights[i], this.biases[i]);
    }
    return h;
  }

  /**
   * applyAfterFirst for calls no gradient flows through (sampling chains, scoring candidates):
   * fused layers without custom-gradient scopes, the same numbers with fewer kernels.
   */
  inferAfterFirst(pre: tf.Tensor2D): tf.Tensor2D {
    let h = pre;
    for (let i = 1; i < this.weights.length; i++) {
      h = denseNoGrad(activate(h, this.activation, true), this.weights[i], this.biases[i]);
    }
    return h;
  }

  /** Rows [from, from + count) of the first weight matrix: the block one input part multiplies. */
  firstLayerBlock(from: number, count: number): tf.Tensor2D {
    return tf.slice(this.weights[0], [from, 0], [count, -1]);
  }

  get firstBias(): tf.Tensor1D {
    return this.biases[0];
  }

  /** Variables in a fixed order: w0, b0, w1, b1, ... */
  get variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    this.weights.forEach((w, i) => out.push(w, this.biases[i]));
    return out;
  }

  dispose(): void {
    disposeVariables(this.variables);
  }
}
