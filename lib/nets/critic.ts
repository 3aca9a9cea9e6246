/**
 * Double-Q critic: two independent MLPs on [state, action] (state first). Every use of Q in
 * QVPO (TD target, candidate selection, Q-weights) takes min(Q1, Q2).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { Activation } from './layers';
import { Mlp, WeightInit } from './mlp';
import { repeatRows } from '../diffusion/select';
import { engine } from '../engine';

export interface CriticOptions {
  hidden: readonly number[];
  activation?: Activation;
  init?: WeightInit;
}

export class DoubleCritic {
  readonly q1: Mlp;
  readonly q2: Mlp;

  constructor(obsDim: number, actDim: number, rng: Rng, options: CriticOptions) {
    const sizes = [obsDim + actDim, ...options.hidden, 1];
    const mlpOptions = { activation: options.activation ?? 'mish', init: options.init ?? 'qvpo-normal' };
    this.q1 = new Mlp(sizes, rng, mlpOptions);
    this.q2 = new Mlp(sizes, rng, mlpOptions);
  }

  /** Both heads, each [N, 1]. */
  both(obs: tf.Tensor2D, act: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
    const x = tf.concat([obs, act], 1);
    return [this.q1.apply(x), this.q2.apply(x)];
  }

  /** min(Q1, Q2) as a vector [N]. */
  min(obs: tf.Tensor2D, act: tf.Tensor2D): tf.Tensor1D {
    const [a, b] = this.both(obs, act);
    return tf.reshape(tf.minimum(a, b), [-1]) as tf.Tensor1D;
  }

  /**
   * min(Q1, Q2) for `k` candidate actions per state: states [B, obs], actions [B·k, act]
   * grouped by state. Each head's first layer is split, W·[s, a] + b = (W_s·s + b) + W_a·a,
   * so the state part is computed once per state rather than once per candidate. Scores
   * only select and weigh candidates, so no gradient flows through them. Runs on the
   * selected compute engine (lib/engine).
   */
  minRepeated(states: tf.Tensor2D, actions: tf.Tensor2D, k: number): tf.Tensor1D {
    return engine().scoreMin(this, states, actions, k);
  }

  /** minRepeated in tfjs kernels: the reference engine's implementation. */
  minRepeatedTfjs(states: tf.Tensor2D, actions: tf.Tensor2D, k: number): tf.Tensor1D {
    const obsDim = states.shape[1];
    const actDim = actions.shape[1];
    const head = (q: Mlp) => {
      const statePart = tf.add(tf.matMul(states, q.firstLayerBlock(0, obsDim)), q.firstBias) as tf.Tensor2D;
      const pre = tf.add(repeatRows(statePart, k), tf.matMul(actions, q.firstLayerBlock(obsDim, actDim))) as tf.Tensor2D;
      return q.inferAfterFirst(pre);
    };
    return tf.reshape(tf.minimum(head(this.q1), head(this.q2)), [-1]) as tf.Tensor1D;
  }

  get variables(): tf.Variable[] {
    return [...this.q1.variables, ...this.q2.variables];
  }

  dispose(): void {
    this.q1.dispose();
    this.q2.dispose();
  }
}
