/**
 * The kit's forward-only hot paths as ONNX graphs: the whole T-step reverse chain, the
 * min(Q1, Q2) scoring of candidates and best-of-K selection. Each mirrors, op for op, what
 * the tfjs engine computes (lib/diffusion/ddpm.ts reverseChain, NoiseNet.prepareChain /
 * predictInChain, DoubleCritic.minRepeated, select.ts), so the two agree to float32 rounding.
 *
 * Layouts: every network's weights are graph inputs named `<prefix>w<i>` [in, out] and
 * `<prefix>b<i>` [out], in the order Mlp.variables lists them. Rows are grouped by state:
 * row b·k + j is sample j of state b. Batch sizes are named dimensions (one session serves
 * every batch size); k, T, the schedule and the sampling options are part of the graph.
 */
import type { Activation } from '../../nets/layers';
import type { SampleOptions } from '../../diffusion/ddpm';
import type { DiffusionCoefficients } from '../../diffusion/schedule';
import { sinusoidalEmbedding } from '../../diffusion/noise-net';
import { GraphBuilder } from './model';

/** Shape of one MLP: [input, hidden..., output] and its activation. */
export interface MlpShape {
  sizes: readonly number[];
  activation: Activation;
}

export interface NoiseNetShape {
  obsDim: number;
  actDim: number;
  timeEmbedDim: number;
  timeMlp: MlpShape;
  main: MlpShape;
}

export interface CriticShape {
  obsDim: number;
  actDim: number;
  q1: MlpShape;
  q2: MlpShape;
}

export interface MlpInputs extends MlpShape {
  w: string[];
  b: string[];
}

/** Names of an MLP's weight inputs in Mlp.variables order (w0, b0, w1, b1, ...). */
export function mlpInputNames(prefix: string, shape: MlpShape): string[] {
  const names: string[] = [];
  for (let i = 0; i + 1 < shape.sizes.length; i++) names.push(`${prefix}w${i}`, `${prefix}b${i}`);
  return names;
}

/** Declares an MLP's weights as graph inputs, under mlpInputNames' names. */
export function mlpInputs(g: GraphBuilder, prefix: string, shape: MlpShape): MlpInputs {
  const names = mlpInputNames(prefix, shape);
  const w: string[] = [];
  const b: string[] = [];
  for (let i = 0; i + 1 < shape.sizes.length; i++) {
    w.push(g.input(names[2 * i], [shape.sizes[i], shape.sizes[i + 1]]));
    b.push(g.input(names[2 * i + 1], [shape.sizes[i + 1]]));
  }
  return { ...shape, w, b };
}

/** An MLP's weight inputs in Mlp.variables order (w0, b0, w1, b1, ...). */
export function mlpParams(mlp: MlpInputs): string[] {
  return mlp.w.flatMap((w, i) => [w, mlp.b[i]]);
}

/**
 * Mish(x) = x·tanh(softplus(x)) in its sigmoid form, as mishNoGrad computes it:
 * u = 1 − sigmoid(x), Mish = x·(1 − u²)/(1 + u²). (ONNX's own Mish op runs a scalar
 * Softplus in ORT's CPU provider, several times slower.)
 */
export function mish(g: GraphBuilder, x: string): string {
  const one = g.scalar(1);
  const u = g.op('Sub', [one, g.op('Sigmoid', [x])]);
  const u2 = g.op('Mul', [u, u]);
  return g.op('Mul', [x, g.op('Div', [g.op('Sub', [one, u2]), g.op('Add', [one, u2])])]);
}

export function activate(g: GraphBuilder, x: string, activation: Activation): string {
  switch (activation) {
    case 'mish':
      return mish(g, x);
    case 'relu':
      return g.op('Relu', [x]);
    case 'tanh':
      return g.op('Tanh', [x]);
  }
}

function dense(g: GraphBuilder, x: string, w: string, b: string): string {
  return g.op('Add', [g.op('MatMul', [x, w]), b]);
}

/** Layers 1.. of an MLP from the first layer's pre-activation (Mlp.inferAfterFirst). */
export function afterFirst(g: GraphBuilder, pre: string, mlp: MlpInputs): string {
  let h = pre;
  for (let i = 1; i < mlp.w.length; i++) h = dense(g, activate(g, h, mlp.activation), mlp.w[i], mlp.b[i]);
  return h;
}

/** Rows [from, from + count) of a weight matrix (Mlp.firstLayerBlock). */
function rowBlock(g: GraphBuilder, w: string, from: number, count: number): string {
  return g.op('Slice', [w, g.ints([from]), g.ints([from + count]), g.ints([0])]);
}

/** [B, D] → [B·k, D], each row repeated k times in place (select.ts repeatRows). */
export function repeatRows(g: GraphBuilder, x: string, k: number, width: number): string {
  if (k === 1) return x;
  const expanded = g.op('Expand', [g.op('Unsqueeze', [x, g.ints([1])]), g.ints([1, k, 1])]);
  return g.op('Reshape', [expanded, g.ints([-1, width])]);
}

/**
 * The reverse chain over `states` [B, obs] with k samples per state and the chain's normal
 * draws `noise` [T, B·k, act] (drawChainNoise's arrays, in order): x_T = noise[0]; for
 * i = T−1..0, x̂0 = √(1/ᾱ_i)·x − √(1/ᾱ_i − 1)·ε̂ (clipped), x ← c1·x̂0 + c2·x + σ_i·ratio·noise[T−i]
 * (no noise at i = 0); finally clip to [−1, 1]. Returns samples [B·k, act].
 */
export function reverseChain(
  g: GraphBuilder,
  net: { timeMlp: MlpInputs; main: MlpInputs; shape: NoiseNetShape },
  coef: DiffusionCoefficients,
  states: string,
  noise: string,
  k: number,
  options: SampleOptions,
): string {
  const { actDim, obsDim, timeEmbedDim } = net.shape;
  const T = coef.T;
  const width = net.main.sizes[1];
  // Time embedding of every step index, then its block of the first layer: [T, width].
  const steps = Array.from({ length: T }, (_, i) => i);
  const sinusoids = g.floats(sinusoidalEmbedding(steps, timeEmbedDim), [T, timeEmbedDim]);
  const table = dense(g, activate(g, dense(g, sinusoids, net.timeMlp.w[0], net.timeMlp.b[0]), net.timeMlp.activation), net.timeMlp.w[1], net.timeMlp.b[1]);
  const w0 = net.main.w[0];
  const timeTerm = g.op('MatMul', [table, rowBlock(g, w0, actDim, timeEmbedDim)]);
  // State block once per state, repeated over its k samples: [B·k, width].
  const stateTerm = repeatRows(g, g.op('Add', [g.op('MatMul', [states, rowBlock(g, w0, actDim + timeEmbedDim, obsDim)]), net.main.b[0]]), k, width);
  const xWeight = rowBlock(g, w0, 0, actDim);
  const clipLo = g.scalar(-1);
  const clipHi = g.scalar(1);

  let x = g.op('Gather', [noise, g.ints([0], [])], { axis: 0 });
  for (let i = T - 1; i >= 0; i--) {
    const timeRow = g.op('Gather', [timeTerm, g.ints([i], [])], { axis: 0 });
    const pre = g.op('Add', [g.op('Add', [g.op('MatMul', [x, xWeight]), stateTerm]), timeRow]);
    const eps = afterFirst(g, pre, net.main);
    let x0 = g.op('Sub', [g.op('Mul', [x, g.scalar(coef.sqrtRecipAlphasCumprod[i])]), g.op('Mul', [eps, g.scalar(coef.sqrtRecipm1AlphasCumprod[i])])]);
    if (options.clipDenoised) x0 = g.op('Clip', [x0, clipLo, clipHi]);
    const mean = g.op('Add', [g.op('Mul', [x0, g.scalar(coef.posteriorMeanCoef1[i])]), g.op('Mul', [x, g.scalar(coef.posteriorMeanCoef2[i])])]);
    if (i === 0) {
      x = mean;
    } else {
      const sigma = Math.exp(0.5 * coef.posteriorLogVarianceClipped[i]) * options.noiseRatio;
      const z = g.op('Gather', [noise, g.ints([T - i], [])], { axis: 0 });
      x = g.op('Add', [mean, g.op('Mul', [z, g.scalar(sigma)])]);
    }
  }
  return g.op('Clip', [x, clipLo, clipHi]);
}

/**
 * min(Q1, Q2) of k candidate actions per state (DoubleCritic.minRepeated): each head's first
 * layer split into its state block (once per state) and action block. Returns [B·k, 1].
 */
export function scoreMin(g: GraphBuilder, critic: { q1: MlpInputs; q2: MlpInputs; shape: CriticShape }, states: string, actions: string, k: number): string {
  const { obsDim, actDim } = critic.shape;
  const head = (q: MlpInputs) => {
    const width = q.sizes[1];
    const statePart = g.op('Add', [g.op('MatMul', [states, rowBlock(g, q.w[0], 0, obsDim)]), q.b[0]]);
    const pre = g.op('Add', [repeatRows(g, statePart, k, width), g.op('MatMul', [actions, rowBlock(g, q.w[0], obsDim, actDim)])]);
    return afterFirst(g, pre, q);
  };
  return g.op('Min', [head(critic.q1), head(critic.q2)]);
}

/**
 * Best of k per state from scores [B·k, 1] and candidates [B·k, act] (select.ts bestOfK and
 * gatherBest; the first maximum wins ties, like torch.max).
 */
export function selectBest(g: GraphBuilder, scores: string, candidates: string, k: number, actDim: number): { best: string; bestQ: string; meanQ: string; index: string } {
  const grid = g.op('Reshape', [scores, g.ints([-1, k])]);
  const index = g.op('ArgMax', [grid], { axis: 1, keepdims: 0, select_last_index: 0 });
  const bestQ = g.op('ReduceMax', [grid], { axes: [1], keepdims: 0 });
  const meanQ = g.op('ReduceMean', [grid], { axes: [1], keepdims: 0 });
  const byState = g.op('Reshape', [candidates, g.ints([-1, k, actDim])]);
  const pick = g.op('Expand', [g.op('Reshape', [index, g.ints([-1, 1, 1])]), g.ints([1, 1, actDim])]);
  const best = g.op('Reshape', [g.op('GatherElements', [byState, pick], { axis: 1 }), g.ints([-1, actDim])]);
  return { best, bestQ, meanQ, index };
}

// ---------------------------------------------------------------------------- training

/**
 * Mish with the one-exponential form of the gradient path (layers.ts `mish`): with
 * e = exp(min(x, 20)) and n = e(e + 2), Mish = x·n/(n + 2) and
 * Mish' = n/(n + 2) + 4x·e(e + 1)/(n + 2)². Returns the value and a function giving the
 * backward product dy ⊙ Mish'(x).
 */
function mishWithGrad(g: GraphBuilder, x: string): { y: string; back: (dy: string) => string } {
  const e = g.op('Exp', [g.op('Min', [x, g.scalar(20)])]);
  const n = g.op('Mul', [e, g.op('Add', [e, g.scalar(2)])]);
  const d = g.op('Add', [n, g.scalar(2)]);
  const ratio = g.op('Div', [n, d]);
  const y = g.op('Mul', [x, ratio]);
  const back = (dy: string) => {
    const curve = g.op('Div', [g.op('Mul', [g.op('Mul', [x, g.scalar(4)]), g.op('Mul', [e, g.op('Add', [e, g.scalar(1)])])]), g.op('Mul', [d, d])]);
    return g.op('Mul', [dy, g.op('Add', [ratio, curve])]);
  };
  return { y, back };
}

function activationWithGrad(g: GraphBuilder, x: string, activation: Activation): { y: string; back: (dy: string) => string } {
  switch (activation) {
    case 'mish':
      return mishWithGrad(g, x);
    case 'relu': {
      const y = g.op('Relu', [x]);
      return { y, back: (dy) => g.op('Mul', [dy, g.op('Cast', [g.op('Greater', [x, g.scalar(0)])], { to: 1 })]) };
    }
    case 'tanh': {
      const y = g.op('Tanh', [x]);
      return { y, back: (dy) => g.op('Mul', [dy, g.op('Sub', [g.scalar(1), g.op('Mul', [y, y])])]) };
    }
  }
}

/** An MLP's forward pass that keeps what its backward pass needs. */
export interface MlpTape {
  out: string;
  /**
   * Gradients of every weight (Mlp.variables order) from d(out); dInput too when asked.
   * `wantWeights` false skips the weight gradients (grads is then empty): for a gradient in
   * the input alone.
   */
  backward(dOut: string, wantInput: boolean, wantWeights?: boolean): { grads: string[]; dInput: string | null };
}

export function mlpForTraining(g: GraphBuilder, x: string, mlp: MlpInputs): MlpTape {
  const inputs: string[] = [x];
  const acts: { back: (dy: string) => string }[] = [];
  let h = dense(g, x, mlp.w[0], mlp.b[0]);
  for (let i = 1; i < mlp.w.length; i++) {
    const a = activationWithGrad(g, h, mlp.activation);
    acts.push(a);
    inputs.push(a.y);
    h = dense(g, a.y, mlp.w[i], mlp.b[i]);
  }
  return {
    out: h,
    backward(dOut, wantInput, wantWeights = true) {
      const grads: string[] = wantWeights ? new Array(2 * mlp.w.length) : [];
      let dz = dOut;
      for (let i = mlp.w.length - 1; i >= 0; i--) {
        // dW = inputᵀ·dz, db = Σ_rows dz, d(input) = dz·Wᵀ
        if (wantWeights) {
          grads[2 * i] = g.op('Gemm', [inputs[i], dz], { transA: 1 });
          grads[2 * i + 1] = g.op('ReduceSum', [dz, g.ints([0])], { keepdims: 0 });
        }
        if (i > 0 || wantInput) {
          const dIn = g.op('Gemm', [dz, mlp.w[i]], { transB: 1 });
          if (i === 0) return { grads, dInput: dIn };
          dz = acts[i - 1].back(dIn);
        }
      }
      return { grads, dInput: null };
    },
  };
}

/**
 * Global-norm clipping (clipByGlobalNorm: coefficient maxNorm/(norm + 1e-6) capped at 1;
 * none when maxNorm ≤ 0) then one Adam step (nets/adam.ts: PyTorch's rule) for every
 * parameter. `stepSize` = lr/(1 − β1^t) and `sqrtC2` = √(1 − β2^t) are scalar inputs, so
 * the graph serves every step. Returns the norm before clipping and the new p, m, v.
 */
export function clipAndAdam(
  g: GraphBuilder,
  params: readonly string[],
  grads: readonly string[],
  m: readonly string[],
  v: readonly string[],
  hyper: { stepSize: string; sqrtC2: string; beta1: number; beta2: number; eps: number; maxNorm: number },
): { norm: string; p: string[]; m: string[]; v: string[] } {
  const norm = g.op('Sqrt', [g.op('Sum', grads.map((gr) => g.op('ReduceSumSquare', [gr], { keepdims: 0 })))]);
  let clipped = grads.slice();
  if (hyper.maxNorm > 0 && Number.isFinite(hyper.maxNorm)) {
    const coef = g.op('Min', [g.op('Div', [g.scalar(hyper.maxNorm), g.op('Add', [norm, g.scalar(1e-6)])]), g.scalar(1)]);
    clipped = grads.map((gr) => g.op('Mul', [gr, coef]));
  }
  const out = { norm, p: [] as string[], m: [] as string[], v: [] as string[] };
  clipped.forEach((gr, i) => {
    const m1 = g.op('Add', [g.op('Mul', [m[i], g.scalar(hyper.beta1)]), g.op('Mul', [gr, g.scalar(1 - hyper.beta1)])]);
    const v1 = g.op('Add', [g.op('Mul', [v[i], g.scalar(hyper.beta2)]), g.op('Mul', [g.op('Mul', [gr, gr]), g.scalar(1 - hyper.beta2)])]);
    const denom = g.op('Add', [g.op('Div', [g.op('Sqrt', [v1]), hyper.sqrtC2]), g.scalar(hyper.eps)]);
    out.p.push(g.op('Sub', [params[i], g.op('Mul', [g.op('Div', [m1, denom]), hyper.stepSize])]));
    out.m.push(m1);
    out.v.push(v1);
  });
  return out;
}

/**
 * DIPO's action improvement as one graph: `steps` Adam steps ascending Σ min(Q1, Q2)(s, a) in
 * the actions a [N, act] (states s [N, obs]), unrolled. Each step mirrors the tfjs engine's
 * ascendActions: the gradient of −Σ min(Q1, Q2) (tf.minimum's rule: a tie goes to Q1), the
 * global-norm clip over the batch, a fresh Adam's step t (stepSize_t and √(1 − β2^t) are
 * constants here), then a clamped to [−1, 1]. Returns the final actions, each step's norm
 * before clipping [steps], and mean min(Q1, Q2) before the first and after the last step.
 */
export function actionAscent(
  g: GraphBuilder,
  critic: { q1: MlpInputs; q2: MlpInputs; shape: CriticShape },
  states: string,
  actions: string,
  hyper: { steps: number; lr: number; beta1: number; beta2: number; eps: number; maxNorm: number },
): { actions: string; norms: string; qBefore: string; qAfter: string } {
  const { obsDim, actDim } = critic.shape;
  const forward = (a: string) => {
    const x = g.op('Concat', [states, a], { axis: 1 });
    const tapes = [mlpForTraining(g, x, critic.q1), mlpForTraining(g, x, critic.q2)];
    return { tapes, minQ: g.op('Min', [tapes[0].out, tapes[1].out]) };
  };
  const meanOf = (minQ: string) => g.op('ReduceMean', [minQ], { keepdims: 0 });
  let a = actions;
  let m = g.op('Mul', [actions, g.scalar(0)]);
  let v = m;
  const norms: string[] = [];
  let qBefore = '';
  for (let t = 1; t <= hyper.steps; t++) {
    const { tapes, minQ } = forward(a);
    if (t === 1) qBefore = meanOf(minQ);
    const [q1, q2] = [tapes[0].out, tapes[1].out];
    // d(−Σ min)/dQ1 = −[Q1 ≤ Q2], d(−Σ min)/dQ2 = −[Q1 > Q2]
    const toQ1 = g.op('Neg', [g.op('Cast', [g.op('LessOrEqual', [q1, q2])], { to: 1 })]);
    const toQ2 = g.op('Neg', [g.op('Cast', [g.op('Greater', [q1, q2])], { to: 1 })]);
    const dx = g.op('Add', [tapes[0].backward(toQ1, true, false).dInput as string, tapes[1].backward(toQ2, true, false).dInput as string]);
    const da = g.op('Slice', [dx, g.ints([obsDim]), g.ints([obsDim + actDim]), g.ints([1])]);
    const stepSize = g.scalar(hyper.lr / (1 - Math.pow(hyper.beta1, t)));
    const sqrtC2 = g.scalar(Math.sqrt(1 - Math.pow(hyper.beta2, t)));
    const next = clipAndAdam(g, [a], [da], [m], [v], { stepSize, sqrtC2, beta1: hyper.beta1, beta2: hyper.beta2, eps: hyper.eps, maxNorm: hyper.maxNorm });
    norms.push(g.op('Reshape', [next.norm, g.ints([1])]));
    a = g.op('Clip', [next.p[0], g.scalar(-1), g.scalar(1)]);
    [m, v] = [next.m[0], next.v[0]];
  }
  const qAfter = meanOf(forward(a).minQ);
  return { actions: a, norms: norms.length === 1 ? norms[0] : g.op('Concat', norms, { axis: 0 }), qBefore, qAfter };
}
