/**
 * Adam with PyTorch's update rule (bias-corrected moments, eps added after the square root),
 * and global-norm gradient clipping as torch.nn.utils.clip_grad_norm_ does it. Written out
 * so its state is plain data in checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import { SavedTensor, loadVariables, saveVariables } from './params';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export interface AdamState {
  step: number;
  m: SavedTensor[];
  v: SavedTensor[];
}

/** β1 and β2 when none are given (PyTorch's defaults). */
export const ADAM_BETAS = { beta1: 0.9, beta2: 0.999 } as const;

export class Adam {
  /** Mutable for schedules (PPO anneals it linearly). */
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private step = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(
    private readonly vars: readonly tf.Variable[],
    options: AdamOptions,
  ) {
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? ADAM_BETAS.beta1;
    this.beta2 = options.beta2 ?? ADAM_BETAS.beta2;
    this.eps = options.eps ?? 1e-8;
    // tidy disposes the zeros each variable was made from (a variable keeps its own copy)
    this.m = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.v = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  get steps(): number {
    return this.step;
  }

  /** One update with `grads` in the same order as the variables. */
  apply(grads: readonly tf.Tensor[]): void {
    if (grads.length !== this.vars.length) {
      throw new Error(`Adam.apply: got ${grads.length} gradients for ${this.vars.length} variables`);
    }
    const { stepSize, sqrtC2 } = this.nextStep();
    tf.tidy(() => {
      for (let i = 0; i < grads.length; i++) {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtC2), this.eps);
        this.vars[i].assign(tf.sub(this.vars[i], tf.mul(tf.div(m, denom), stepSize)));
      }
    });
  }

  /**
   * Counts one more step and returns its bias corrections: stepSize = lr/(1 − β1^t) and
   * sqrtC2 = √(1 − β2^t). apply() uses it; so does an engine that runs the update itself.
   */
  nextStep(): { stepSize: number; sqrtC2: number } {
    this.step += 1;
    return { stepSize: this.lr / (1 - Math.pow(this.beta1, this.step)), sqrtC2: Math.sqrt(1 - Math.pow(this.beta2, this.step)) };
  }

  /** The parameters it updates and its moment estimates, in the same order. */
  get parameters(): readonly tf.Variable[] {
    return this.vars;
  }

  get moments(): { m: readonly tf.Variable[]; v: readonly tf.Variable[] } {
    return { m: this.m, v: this.v };
  }

  /** Back to the freshly constructed state (zero moments, step 0). */
  reset(): void {
    tf.tidy(() => {
      for (const t of [...this.m, ...this.v]) t.assign(tf.zerosLike(t));
    });
    this.step = 0;
  }

  getState(): AdamState {
    return { step: this.step, m: saveVariables(this.m), v: saveVariables(this.v) };
  }

  setState(state: AdamState): void {
    loadVariables(this.m, state.m, 'Adam first moments');
    loadVariables(this.v, state.v, 'Adam second moments');
    this.step = state.step;
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}

/**
 * Scales `grads` so their global L2 norm is at most `maxNorm` (coefficient
 * maxNorm / (norm + 1e-6), capped at 1, as PyTorch). Returns new tensors and the norm
 * before clipping; `maxNorm <= 0` or non-finite disables clipping. Call inside tidy.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) return { grads: grads.slice(), norm };
  const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
  return { grads: grads.map((g) => tf.mul(g, coef)), norm };
}

/**
 * Gradients of `loss` with respect to `vars`, in their order (tfjs keys them by name).
 */
export function gradientsOf(loss: () => tf.Scalar, vars: readonly tf.Variable[]): { value: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(loss, vars as tf.Variable[]);
  return { value, grads: vars.map((v) => grads[v.name]) };
}
