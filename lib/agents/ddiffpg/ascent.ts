/**
 * DDiffPG's target-action refinement (ddiffpg-spec.md §7 step 3b): a few Adam steps directly on
 * a batch of actions, maximising the mean of a frozen critic's min(Q1, Q2):
 *
 *   a ← clamp(a, ±(1 − margin));  repeat `steps` times:
 *     g = ∇_a [−mean_rows min(Q1, Q2)(s, a)],  clipped to global norm `gradClip` (torch's clip_grad_norm_)
 *     Adam step (PyTorch's rule, lr, eps) on a;  a ← clamp(a, ±(1 − margin))
 *
 * The Adam state lives for one call (the code makes a fresh optimiser each time).
 *
 * For ReLU critics (the kit's DDiffPG default) the action gradient is written out by hand:
 * one forward pass keeps each layer's ReLU mask, the backward pass multiplies the output
 * gradient through the transposed weights and masks down to the action block of the first
 * layer. The state's share of the first layer, s·W_s + b, is computed once per call (the states
 * do not move), and the min picks each row's lower head, as torch.min's gradient does. No weight
 * gradients are formed: measured on the WASM backend (2 × 64 and 2 × 128 ReLU heads, 128–256
 * rows) a step costs 3–4× less CPU than tfjs autodiff, which also computes every weight's
 * gradient. Other activations take tfjs autodiff.
 * The Adam arithmetic on the [n × d] actions runs in plain JS (float64).
 */
import * as tf from '@tensorflow/tfjs';
import type { DoubleCritic } from '../../nets/critic';
import type { Mlp } from '../../nets/mlp';

export interface AscentOptions {
  steps: number;
  lr: number;
  /** Adam epsilon (the code: 1e−5). */
  eps: number;
  /** Global-norm clip of the gradient; ≤ 0 disables. */
  gradClip: number;
  /** Actions are clamped to ±(1 − margin). */
  margin: number;
  beta1?: number;
  beta2?: number;
}

export interface AscentResult {
  actions: Float32Array;
  /** Mean min(Q1, Q2) of the rows before and after the ascent. */
  qBefore: number;
  qAfter: number;
}

/** The frozen pieces of one head for a call: the state's first-layer share and transposed weights. */
interface HeadContext {
  mlp: Mlp;
  statePart: tf.Tensor2D;
  actionWeight: tf.Tensor2D;
  actionWeightT: tf.Tensor2D;
  weightsT: tf.Tensor2D[];
}

function headContext(mlp: Mlp, states: tf.Tensor2D, obsDim: number, actDim: number): HeadContext {
  const parts = tf.tidy(() => ({
    statePart: tf.add(tf.matMul(states, mlp.firstLayerBlock(0, obsDim)), mlp.firstBias) as tf.Tensor2D,
    actionWeight: mlp.firstLayerBlock(obsDim, actDim),
    actionWeightT: tf.transpose(mlp.firstLayerBlock(obsDim, actDim)) as tf.Tensor2D,
    // index 0 is a placeholder: the first layer's backward pass uses actionWeightT
    weightsT: mlp.weights.map((w, i) => (i === 0 ? tf.zeros([1, 1]) : tf.transpose(w)) as tf.Tensor2D),
  }));
  return { mlp, ...parts };
}

function disposeHead(h: HeadContext): void {
  tf.dispose([h.statePart, h.actionWeight, h.actionWeightT, ...h.weightsT]);
}

/** Q of one ReLU head and dQ/da for every row (∂ of the row's own Q). Call inside tidy. */
function reluHeadWithGradient(h: HeadContext, a: tf.Tensor2D): { q: tf.Tensor2D; grad: tf.Tensor2D } {
  const { mlp } = h;
  const masks: tf.Tensor2D[] = [];
  let pre = tf.add(h.statePart, tf.matMul(a, h.actionWeight)) as tf.Tensor2D;
  for (let l = 1; l < mlp.weights.length; l++) {
    masks.push(tf.step(pre) as tf.Tensor2D);
    pre = tf.add(tf.matMul(tf.relu(pre), mlp.weights[l]), mlp.biases[l]) as tf.Tensor2D;
  }
  // pre is now Q [n, 1]; walk back from dQ/dQ = 1.
  let g: tf.Tensor2D = tf.onesLike(pre);
  for (let l = mlp.weights.length - 1; l >= 1; l--) g = tf.mul(tf.matMul(g, h.weightsT[l]), masks[l - 1]) as tf.Tensor2D;
  return { q: pre, grad: tf.matMul(g, h.actionWeightT) as tf.Tensor2D };
}

/**
 * Per row: min(Q1, Q2) and its gradient in a, as one [n, d + 1] array (gradient first, then q).
 */
function minQAndGradient(critic: DoubleCritic, heads: HeadContext[] | null, states: tf.Tensor2D, actions: Float32Array, n: number, d: number): Float32Array {
  const out = tf.tidy(() => {
    const a = tf.tensor2d(actions, [n, d]);
    if (heads) {
      const [h1, h2] = heads.map((h) => reluHeadWithGradient(h, a));
      const first = tf.lessEqual(h1.q, h2.q);
      const q = tf.minimum(h1.q, h2.q);
      const grad = tf.where(tf.tile(first, [1, d]), h1.grad, h2.grad);
      return tf.concat([grad, q], 1);
    }
    const q = tf.reshape(critic.min(states, a), [n, 1]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(critic.min(states, x as tf.Tensor2D)))(a);
    return tf.concat([grad, q], 1);
  });
  const values = Float32Array.from(out.dataSync() as Float32Array);
  out.dispose();
  return values;
}

/** Refines `actions` (n rows of d, policy units) for `states` (n rows of obsDim) by Adam ascent on min(Q1, Q2). */
export function ascendActions(critic: DoubleCritic, states: Float32Array, actions: Float32Array, obsDim: number, actDim: number, o: AscentOptions): AscentResult {
  const d = actDim;
  const n = actions.length / d;
  if (!Number.isInteger(n) || states.length !== n * obsDim) throw new Error(`ascendActions: ${actions.length / d} action rows but ${states.length / obsDim} state rows`);
  if (!(Number.isInteger(o.steps) && o.steps >= 0)) throw new Error(`ascendActions: steps must be an integer >= 0, got ${o.steps}`);
  const bound = 1 - o.margin;
  const beta1 = o.beta1 ?? 0.9;
  const beta2 = o.beta2 ?? 0.999;
  const a = new Float64Array(n * d);
  for (let i = 0; i < a.length; i++) a[i] = Math.min(bound, Math.max(-bound, actions[i]));
  const s = tf.tensor2d(states, [n, obsDim]);
  const relu = critic.q1.activation === 'relu' && critic.q2.activation === 'relu';
  const heads = relu ? [headContext(critic.q1, s, obsDim, d), headContext(critic.q2, s, obsDim, d)] : null;
  const m = new Float64Array(n * d);
  const v = new Float64Array(n * d);
  const meanQ = (values: Float32Array) => {
    let sum = 0;
    for (let r = 0; r < n; r++) sum += values[r * (d + 1) + d];
    return sum / n;
  };
  let qBefore = NaN;
  let qAfter = NaN;
  try {
    for (let step = 0; step <= o.steps; step++) {
      const values = minQAndGradient(critic, heads, s, Float32Array.from(a), n, d);
      if (step === 0) qBefore = meanQ(values);
      if (step === o.steps) {
        qAfter = meanQ(values);
        break;
      }
      // The loss is −mean q: its gradient is −(dq/da)/n per row.
      const g = new Float64Array(n * d);
      let sq = 0;
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < d; j++) {
          const x = -values[r * (d + 1) + j] / n;
          g[r * d + j] = x;
          sq += x * x;
        }
      }
      if (o.gradClip > 0) {
        const coef = Math.min(1, o.gradClip / (Math.sqrt(sq) + 1e-6));
        if (coef < 1) for (let i = 0; i < g.length; i++) g[i] *= coef;
      }
      const t = step + 1;
      const stepSize = o.lr / (1 - Math.pow(beta1, t));
      const c2 = Math.sqrt(1 - Math.pow(beta2, t));
      for (let i = 0; i < a.length; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        a[i] = Math.min(bound, Math.max(-bound, a[i] - (stepSize * m[i]) / (Math.sqrt(v[i]) / c2 + o.eps)));
      }
    }
  } finally {
    s.dispose();
    if (heads) heads.forEach(disposeHead);
  }
  return { actions: Float32Array.from(a), qBefore, qAfter };
}
