/**
 * The ONNX Runtime engine: a whole reverse chain, or a whole action (chain + scoring +
 * best-of-K), is one call into a graph the kit builds from the network shapes
 * (lib/engine/onnx/). Weights are graph inputs read from the tfjs variables at each call,
 * so one session per (shapes, k, T, options) serves the whole run.
 *
 * Sessions run through onnxruntime-node's synchronous native binding (the public
 * `InferenceSession.run` is a Promise, the agents are synchronous). Providers:
 * QVPO_ORT_PROVIDER = cpu (default) | cuda | webgpu; intra-op threads QVPO_ORT_THREADS
 * (default 1: measured fastest per CPU-second, see bench/NOTES.md).
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { LossNoise, SampleOptions, forwardScales } from '../diffusion/ddpm';
import { ADAM_BETAS, type Adam } from '../nets/adam';
import type { NoiseNet } from '../diffusion/noise-net';
import type { DiffusionCoefficients } from '../diffusion/schedule';
import type { DoubleCritic } from '../nets/critic';
import type { Mlp } from '../nets/mlp';
import { sinusoidalEmbedding } from '../diffusion/noise-net';
import { CriticShape, MlpShape, NoiseNetShape, actionAscent, clipAndAdam, mlpForTraining, mlpInputNames, mlpInputs, mlpParams, reverseChain, scoreMin, selectBest } from './onnx/graphs';
import { GraphBuilder } from './onnx/model';
import type { ActionAscent, ActionAscentOptions, ComputeEngine, Proposal, TrainResult } from './types';

export const ORT_PROVIDERS = ['cpu', 'cuda', 'webgpu'] as const;
export type OrtProvider = (typeof ORT_PROVIDERS)[number];

interface OrtTensor {
  readonly data: Float32Array | BigInt64Array;
  readonly dims: readonly number[];
}
type TensorCtor = new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => OrtTensor;
interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtTensor>;
  dispose(): void;
}
interface OrtModules {
  Tensor: TensorCtor;
  Session: new () => NativeSession;
  version: string;
}

let modules: OrtModules | null = null;

/** Loads onnxruntime-node's native binding, or throws saying why it cannot. */
export function loadOrt(): OrtModules {
  if (modules) return modules;
  /* eslint-disable @typescript-eslint/no-var-requires */
  const common = require('onnxruntime-common') as { Tensor: TensorCtor; env: { logLevel?: string } };
  const binding = require('onnxruntime-node/dist/binding') as { binding: { InferenceSession: new () => NativeSession }; initOrt: () => void };
  const version = (require('onnxruntime-node/package.json') as { version: string }).version;
  /* eslint-enable @typescript-eslint/no-var-requires */
  // ORT's own log would print a failed provider's reason a second time, in colour codes: the
  // engine reports it in its error instead.
  common.env.logLevel = 'fatal';
  binding.initOrt();
  modules = { Tensor: common.Tensor, Session: binding.binding.InferenceSession, version };
  return modules;
}

export interface OrtEngineOptions {
  provider: OrtProvider;
  threads: number;
}

interface CompiledGraph {
  session: NativeSession;
}

function mlpShape(mlp: Mlp): MlpShape {
  return { sizes: mlp.sizes, activation: mlp.activation };
}

function netShape(net: NoiseNet): NoiseNetShape {
  return { obsDim: net.obsDim, actDim: net.actDim, timeEmbedDim: net.timeEmbedDim, timeMlp: mlpShape(net.timeMlp), main: mlpShape(net.main) };
}

/** Key strings are built once per object (they are compared at every call). */
const keyCache = new WeakMap<object, string>();
function cachedKey<T extends object>(o: T, make: (o: T) => string): string {
  let key = keyCache.get(o);
  if (key === undefined) {
    key = make(o);
    keyCache.set(o, key);
  }
  return key;
}
const netKey = (net: NoiseNet) => cachedKey(net, (n) => JSON.stringify(netShape(n)));
// A critic's input dims are its first layer's: [obs + act]; the split point comes with the call.
const criticKey = (critic: DoubleCritic, obsDim: number) => `${cachedKey(critic, (c) => JSON.stringify([mlpShape(c.q1), mlpShape(c.q2)]))}/${obsDim}`;
const adamKey = (optimizer: Adam) => cachedKey(optimizer, (o) => [o.beta1, o.beta2, o.eps].join(','));

function criticShape(critic: DoubleCritic, obsDim: number, actDim: number): CriticShape {
  return { obsDim, actDim, q1: mlpShape(critic.q1), q2: mlpShape(critic.q2) };
}

export class OrtEngine implements ComputeEngine {
  readonly name = 'ort' as const;
  readonly details: Record<string, string | number | boolean>;
  private readonly ort: OrtModules;
  private readonly graphs = new Map<string, CompiledGraph>();
  /**
   * ORT copies of weights, keyed by the tfjs tensor data they were read from: `assign`
   * gives a variable new data (a new dataId), so a changed weight is never served stale,
   * and between updates (evaluation episodes, behaviour actions) nothing is copied again.
   */
  private weightCache = new WeakMap<object, OrtTensor>();
  private disposed = false;

  constructor(readonly options: OrtEngineOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new Error(`ORT engine: threads must be a whole number ≥ 1, got ${options.threads}`);
    }
    this.ort = loadOrt();
    this.details = { onnxruntime: this.ort.version, provider: options.provider, threads: options.threads };
    this.probe();
  }

  /** Builds and runs a one-node graph, so a provider that cannot start fails here, named. */
  private probe(): void {
    try {
      const graph = this.graph('probe', () => {
        const g = new GraphBuilder('probe');
        g.output(g.op('Relu', [g.input('x', [1])]), 'y', [1]);
        return g;
      });
      this.run(graph, { x: new this.ort.Tensor('float32', Float32Array.of(1), [1]) }, ['y']);
    } catch (e) {
      this.dispose();
      const why = (e as Error).message.split('\n')[0];
      const hint: Record<OrtProvider, string> = {
        cpu: '',
        cuda: ' (the CUDA provider needs CUDA 12 + cuDNN 9 and its provider libraries: see the README, "Compute engines")',
        webgpu: ' (the WebGPU provider needs a GPU adapter through Vulkan: libvulkan1 and the GPU driver)',
      };
      throw new Error(`ONNX Runtime provider "${this.options.provider}" could not start: ${why}${hint[this.options.provider]}`);
    }
  }

  /** Sessions built so far (one per graph shape; tests check this stays bounded). */
  get sessionCount(): number {
    return this.graphs.size;
  }

  sample(net: NoiseNet, coef: DiffusionCoefficients, states: tf.Tensor2D, k: number, noise: readonly Float32Array[], options: SampleOptions): tf.Tensor2D {
    const n = states.shape[0] * k;
    const key = ['sample', netKey(net), k, coefKey(coef), options.noiseRatio, options.clipDenoised].join('|');
    const graph = this.graph(key, () => {
      const g = new GraphBuilder('reverse_chain');
      const { s, z, policy } = chainInputs(g, net, coef.T);
      g.output(reverseChain(g, policy, coef, s, z, k, options), 'samples', ['N', net.actDim]);
      return g;
    });
    const out = this.run(graph, { s: this.tensor(states), z: this.noise(noise, n, net.actDim), ...this.weights('p', net) }, ['samples']);
    return tf.tensor2d(out.samples.data as Float32Array, [n, net.actDim]);
  }

  scoreMin(critic: DoubleCritic, states: tf.Tensor2D, actions: tf.Tensor2D, k: number): tf.Tensor1D {
    const [obsDim, actDim] = [states.shape[1], actions.shape[1]];
    const key = ['score', criticKey(critic, obsDim), k].join('|');
    const graph = this.graph(key, () => {
      const shape = criticShape(critic, obsDim, actDim);
      const g = new GraphBuilder('score_min');
      const s = g.input('s', ['B', obsDim]);
      const a = g.input('a', ['N', actDim]);
      const q = scoreMin(g, { q1: mlpInputs(g, 'q1', shape.q1), q2: mlpInputs(g, 'q2', shape.q2), shape }, s, a, k);
      g.output(g.op('Reshape', [q, g.ints([-1])]), 'q', ['N']);
      return g;
    });
    const out = this.run(graph, { s: this.tensor(states), a: this.tensor(actions), ...this.criticWeights(critic) }, ['q']);
    return tf.tensor1d(out.q.data as Float32Array);
  }

  propose(
    net: NoiseNet,
    coef: DiffusionCoefficients,
    critic: DoubleCritic,
    states: tf.Tensor2D,
    k: number,
    noise: readonly Float32Array[],
    options: SampleOptions,
    keepSamples: boolean,
  ): Proposal {
    const b = states.shape[0];
    const { obsDim, actDim } = net;
    const key = ['propose', netKey(net), criticKey(critic, obsDim), k, coefKey(coef), options.noiseRatio, options.clipDenoised].join('|');
    const graph = this.graph(key, () => {
      const shape = criticShape(critic, obsDim, actDim);
      const g = new GraphBuilder('propose');
      const { s, z, policy } = chainInputs(g, net, coef.T);
      const samples = reverseChain(g, policy, coef, s, z, k, options);
      const q = scoreMin(g, { q1: mlpInputs(g, 'q1', shape.q1), q2: mlpInputs(g, 'q2', shape.q2), shape }, s, samples, k);
      const pick = selectBest(g, q, samples, k, actDim);
      g.output(pick.best, 'best', ['B', actDim]);
      g.output(pick.bestQ, 'bestQ', ['B']);
      g.output(pick.meanQ, 'meanQ', ['B']);
      g.output(pick.index, 'index', ['B'], 'int64');
      g.output(samples, 'samples', ['N', actDim]);
      return g;
    });
    const fetch = ['best', 'bestQ', 'meanQ', 'index', ...(keepSamples ? ['samples'] : [])];
    const out = this.run(graph, { s: this.tensor(states), z: this.noise(noise, b * k, actDim), ...this.weights('p', net), ...this.criticWeights(critic) }, fetch);
    const proposal: Proposal = {
      best: tf.tensor2d(out.best.data as Float32Array, [b, actDim]),
      bestQ: tf.tensor1d(out.bestQ.data as Float32Array),
      meanQ: tf.tensor1d(out.meanQ.data as Float32Array),
      index: tf.tensor1d(Int32Array.from(out.index.data as BigInt64Array, (v) => Number(v)), 'int32'),
    };
    if (keepSamples) proposal.samples = tf.tensor2d(out.samples.data as Float32Array, [b * k, actDim]);
    return proposal;
  }

  criticStep(critic: DoubleCritic, optimizer: Adam, states: tf.Tensor2D, actions: tf.Tensor2D, y: tf.Tensor2D, maxNorm: number): TrainResult {
    const [obsDim, actDim] = [states.shape[1], actions.shape[1]];
    const key = ['criticStep', criticKey(critic, obsDim), adamKey(optimizer), maxNorm].join('|');
    const graph = this.graph(key, () => {
      const shape = criticShape(critic, obsDim, actDim);
      const g = new GraphBuilder('critic_step');
      const s = g.input('s', ['N', obsDim]);
      const a = g.input('a', ['N', actDim]);
      const target = g.input('y', ['N', 1]);
      const q1 = mlpInputs(g, 'q1', shape.q1);
      const q2 = mlpInputs(g, 'q2', shape.q2);
      const x = g.op('Concat', [s, a], { axis: 1 });
      const tapes = [mlpForTraining(g, x, q1), mlpForTraining(g, x, q2)];
      // loss = Σ_heads mean((q − y)²); d loss / d q = 2(q − y)/N
      const twoOverN = g.op('Div', [g.scalar(2), g.op('Cast', [g.op('Size', [target])], { to: 1 })]);
      let loss = '';
      const grads: string[] = [];
      for (const tape of tapes) {
        const diff = g.op('Sub', [tape.out, target]);
        const mse = g.op('ReduceMean', [g.op('Mul', [diff, diff])], { keepdims: 0 });
        loss = loss ? g.op('Add', [loss, mse]) : mse;
        grads.push(...tape.backward(g.op('Mul', [diff, twoOverN]), false).grads);
      }
      const params = [...mlpParams(q1), ...mlpParams(q2)];
      return finishTrainGraph(g, loss, params, grads, optimizer, maxNorm);
    });
    const feeds = { s: this.tensor(states), a: this.tensor(actions), y: this.tensor(y), ...this.criticWeights(critic) };
    return this.trainRun(graph, feeds, optimizer);
  }

  diffusionStep(
    net: NoiseNet,
    coef: DiffusionCoefficients,
    optimizer: Adam,
    actions: tf.Tensor2D,
    states: tf.Tensor2D,
    weights: tf.Tensor1D | null,
    noise: LossNoise,
    maxNorm: number,
    target?: tf.Tensor2D,
  ): TrainResult {
    const [n, actDim] = actions.shape;
    const { signal, scale } = forwardScales(coef, noise, n, actDim, 'diffusionStep');
    const T = coef.T;
    const key = ['diffusionStep', netKey(net), T, adamKey(optimizer), maxNorm].join('|');
    const graph = this.graph(key, () => {
      const shape = netShape(net);
      const g = new GraphBuilder('diffusion_step');
      const s = g.input('s', ['N', shape.obsDim]);
      const a = g.input('a', ['N', actDim]);
      const eps = g.input('eps', ['N', actDim]);
      const goal = g.input('goal', ['N', actDim]);
      const signal = g.input('signal', ['N', 1]);
      const scale = g.input('scale', ['N', 1]);
      const w = g.input('w', ['N', 1]);
      g.input('t', ['N'], 'int64');
      const tm = mlpInputs(g, 'pt', shape.timeMlp);
      const main = mlpInputs(g, 'pm', shape.main);
      // x_t = √ᾱ_t·a + √(1−ᾱ_t)·ε; the time embedding of each row's step through a one-hot
      const x = g.op('Add', [g.op('Mul', [a, signal]), g.op('Mul', [eps, scale])]);
      const steps = Array.from({ length: T }, (_, i) => i);
      const timeTape = mlpForTraining(g, g.floats(sinusoidalEmbedding(steps, shape.timeEmbedDim), [T, shape.timeEmbedDim]), tm);
      const oneHot = g.op('OneHot', ['t', g.ints([T], []), g.floats([0, 1], [2])], { axis: -1 });
      const emb = g.op('MatMul', [oneHot, timeTape.out]);
      const mainTape = mlpForTraining(g, g.op('Concat', [x, emb, s], { axis: 1 }), main);
      // loss = mean_{rows, dims} w·(ε̂ − goal)²; d loss / d ε̂ = 2·w·(ε̂ − goal)/(N·d)
      const diff = g.op('Sub', [mainTape.out, goal]);
      const loss = g.op('ReduceMean', [g.op('Mul', [g.op('Mul', [diff, diff]), w])], { keepdims: 0 });
      const perEntry = g.op('Div', [g.scalar(2), g.op('Cast', [g.op('Size', [diff])], { to: 1 })]);
      const back = mainTape.backward(g.op('Mul', [g.op('Mul', [diff, w]), perEntry]), true);
      const dEmb = g.op('Slice', [back.dInput as string, g.ints([actDim]), g.ints([actDim + shape.timeEmbedDim]), g.ints([1])]);
      const timeGrads = timeTape.backward(g.op('Gemm', [oneHot, dEmb], { transA: 1 }), false).grads;
      const params = [...mlpParams(tm), ...mlpParams(main)];
      return finishTrainGraph(g, loss, params, [...timeGrads, ...back.grads], optimizer, maxNorm);
    });
    const epsTensor = new this.ort.Tensor('float32', noise.eps, [n, actDim]);
    const feeds: Record<string, OrtTensor> = {
      s: this.tensor(states),
      a: this.tensor(actions),
      eps: epsTensor,
      goal: target ? this.tensor(target) : epsTensor,
      signal: new this.ort.Tensor('float32', signal, [n, 1]),
      scale: new this.ort.Tensor('float32', scale, [n, 1]),
      w: weights ? new this.ort.Tensor('float32', weights.dataSync() as Float32Array, [n, 1]) : new this.ort.Tensor('float32', new Float32Array(n).fill(1), [n, 1]),
      t: new this.ort.Tensor('int64', BigInt64Array.from(noise.t, (v) => BigInt(v)), [n]),
      ...this.weights('p', net),
    };
    return this.trainRun(graph, feeds, optimizer);
  }

  ascendActions(critic: DoubleCritic, states: tf.Tensor2D, actions: tf.Tensor2D, options: ActionAscentOptions): ActionAscent {
    const [obsDim, actDim] = [states.shape[1], actions.shape[1]];
    const { steps, lr, eps, maxNorm } = options;
    // a fresh optimiser with Adam's default betas, as the tfjs engine makes it
    const { beta1, beta2 } = ADAM_BETAS;
    const key = ['ascendActions', criticKey(critic, obsDim), steps, lr, eps, maxNorm].join('|');
    const graph = this.graph(key, () => {
      const shape = criticShape(critic, obsDim, actDim);
      const g = new GraphBuilder('action_ascent');
      const s = g.input('s', ['N', obsDim]);
      const a = g.input('a', ['N', actDim]);
      const out = actionAscent(g, { q1: mlpInputs(g, 'q1', shape.q1), q2: mlpInputs(g, 'q2', shape.q2), shape }, s, a, { steps, lr, beta1, beta2, eps, maxNorm });
      g.output(out.actions, 'actions', ['N', actDim]);
      g.output(out.norms, 'norms', [steps]);
      g.output(out.qBefore, 'qBefore', []);
      g.output(out.qAfter, 'qAfter', []);
      return g;
    });
    const out = this.run(graph, { s: this.tensor(states), a: this.tensor(actions), ...this.criticWeights(critic) }, ['actions', 'norms', 'qBefore', 'qAfter']);
    return {
      actions: tf.tensor2d(out.actions.data as Float32Array, [actions.shape[0], actDim]),
      gradNorms: tf.tensor1d(out.norms.data as Float32Array),
      qBefore: tf.scalar((out.qBefore.data as Float32Array)[0]),
      qAfter: tf.scalar((out.qAfter.data as Float32Array)[0]),
    };
  }

  dispose(): void {
    for (const g of this.graphs.values()) g.session.dispose();
    this.graphs.clear();
    this.weightCache = new WeakMap();
    this.disposed = true;
  }

  // ------------------------------------------------------------------ internals

  private graph(key: string, build: () => GraphBuilder): CompiledGraph {
    if (this.disposed) throw new Error('ORT engine: used after dispose()');
    const known = this.graphs.get(key);
    if (known) return known;
    const g = build();
    const bytes = g.encode();
    const session = new this.ort.Session();
    session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, this.sessionOptions());
    const compiled = { session };
    this.graphs.set(key, compiled);
    return compiled;
  }

  private sessionOptions(): object {
    const providers = this.options.provider === 'cpu' ? ['cpu'] : [this.options.provider, 'cpu'];
    return {
      executionProviders: providers.map((name) => ({ name })),
      intraOpNumThreads: this.options.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
      enableMemPattern: true,
    };
  }

  private run(graph: CompiledGraph, feeds: Record<string, OrtTensor>, fetch: string[]): Record<string, OrtTensor> {
    const fetches: Record<string, null> = {};
    for (const name of fetch) fetches[name] = null;
    return graph.session.run(feeds, fetches, {});
  }

  /**
   * Runs a training graph (finishTrainGraph's layout), writes the new parameters and Adam
   * moments back into the tfjs variables and returns loss and gradient norm as scalars.
   */
  private trainRun(graph: CompiledGraph, feeds: Record<string, OrtTensor>, optimizer: Adam): TrainResult {
    const params = optimizer.parameters;
    const { m, v } = optimizer.moments;
    params.forEach((_, i) => {
      feeds[`m${i}`] = this.weight(m[i]);
      feeds[`v${i}`] = this.weight(v[i]);
    });
    const { stepSize, sqrtC2 } = optimizer.nextStep();
    feeds.stepSize = new this.ort.Tensor('float32', Float32Array.of(stepSize), []);
    feeds.sqrtC2 = new this.ort.Tensor('float32', Float32Array.of(sqrtC2), []);
    const names = ['loss', 'norm', ...params.flatMap((_, i) => [`p${i}_next`, `m${i}_next`, `v${i}_next`])];
    const out = this.run(graph, feeds, names);
    tf.tidy(() => {
      params.forEach((p, i) => {
        p.assign(tf.tensor(out[`p${i}_next`].data as Float32Array, p.shape));
        m[i].assign(tf.tensor(out[`m${i}_next`].data as Float32Array, p.shape));
        v[i].assign(tf.tensor(out[`v${i}_next`].data as Float32Array, p.shape));
      });
    });
    return { loss: tf.scalar((out.loss.data as Float32Array)[0]), gradNorm: tf.scalar((out.norm.data as Float32Array)[0]) };
  }

  private tensor(t: tf.Tensor): OrtTensor {
    return new this.ort.Tensor('float32', t.dataSync() as Float32Array, t.shape);
  }

  /** The chain's T noise arrays as one [T, n, d] input. */
  private noise(noise: readonly Float32Array[], n: number, d: number): OrtTensor {
    const all = new Float32Array(noise.length * n * d);
    noise.forEach((z, i) => {
      if (z.length !== n * d) throw new Error(`ORT engine: noise array ${i} holds ${z.length} numbers, expected ${n}×${d}`);
      all.set(z, i * n * d);
    });
    return new this.ort.Tensor('float32', all, [noise.length, n, d]);
  }

  private mlpWeights(prefix: string, mlp: Mlp): Record<string, OrtTensor> {
    const names = mlpInputNames(prefix, mlpShape(mlp));
    const feeds: Record<string, OrtTensor> = {};
    mlp.variables.forEach((v, i) => (feeds[names[i]] = this.weight(v)));
    return feeds;
  }

  private weight(v: tf.Variable): OrtTensor {
    const key = (v as unknown as { dataId: object }).dataId;
    let t = this.weightCache.get(key);
    if (!t) {
      t = this.tensor(v);
      this.weightCache.set(key, t);
    }
    return t;
  }

  private weights(prefix: string, net: NoiseNet): Record<string, OrtTensor> {
    return { ...this.mlpWeights(`${prefix}t`, net.timeMlp), ...this.mlpWeights(`${prefix}m`, net.main) };
  }

  private criticWeights(critic: DoubleCritic): Record<string, OrtTensor> {
    return { ...this.mlpWeights('q1', critic.q1), ...this.mlpWeights('q2', critic.q2) };
  }
}

/** Inputs shared by the chain graphs: states, noise and the noise net's weights. */
function chainInputs(g: GraphBuilder, net: NoiseNet, T: number) {
  const shape = netShape(net);
  const s = g.input('s', ['B', net.obsDim]);
  const z = g.input('z', [T, 'N', net.actDim]);
  const policy = { timeMlp: mlpInputs(g, 'pt', shape.timeMlp), main: mlpInputs(g, 'pm', shape.main), shape };
  return { s, z, policy };
}

/**
 * The Adam inputs and outputs every training graph shares: moments m<i>, v<i> and the step's
 * scalars as inputs; loss, the gradient norm and p<i>_next, m<i>_next, v<i>_next as outputs.
 */
function finishTrainGraph(g: GraphBuilder, loss: string, params: string[], grads: string[], optimizer: Adam, maxNorm: number): GraphBuilder {
  const m = params.map((p, i) => g.input(`m${i}`, null));
  const v = params.map((p, i) => g.input(`v${i}`, null));
  const stepSize = g.input('stepSize', []);
  const sqrtC2 = g.input('sqrtC2', []);
  const next = clipAndAdam(g, params, grads, m, v, { stepSize, sqrtC2, beta1: optimizer.beta1, beta2: optimizer.beta2, eps: optimizer.eps, maxNorm });
  g.output(loss, 'loss', []);
  g.output(next.norm, 'norm', []);
  params.forEach((_, i) => {
    g.output(next.p[i], `p${i}_next`, null);
    g.output(next.m[i], `m${i}_next`, null);
    g.output(next.v[i], `v${i}_next`, null);
  });
  return g;
}


/** A short id per distinct schedule (equal coefficients, equal id). */
const coefIds = new Map<string, string>();
function coefKey(coef: DiffusionCoefficients): string {
  return cachedKey(coef, (c) => {
    const text = coefText(c);
    let id = coefIds.get(text);
    if (id === undefined) {
      id = `schedule${coefIds.size}`;
      coefIds.set(text, id);
    }
    return id;
  });
}

function coefText(coef: DiffusionCoefficients): string {
  return [coef.sqrtRecipAlphasCumprod, coef.sqrtRecipm1AlphasCumprod, coef.posteriorMeanCoef1, coef.posteriorMeanCoef2, coef.posteriorLogVarianceClipped]
    .map((a) => Array.from(a).join(','))
    .join(';');
}

/** Cores this process may use (the default and upper bound for ORT threads). */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
