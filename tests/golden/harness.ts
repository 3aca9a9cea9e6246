/**
 * The golden tests' harness (not a test file): what is under test, built by small factories,
 * the comparison with the fixtures' tolerances, and the conversion between the fixtures'
 * PyTorch weight layout and the kit's.
 *
 * A `GoldenVariant` is one way of computing the kit's updates: the kit's agents on the tfjs
 * `cpu` and `wasm` backends, with each compute engine (lib/engine: tfjs, ort). A variant's
 * `qvpo`/`dipo` factories return a `Subject` running its update: load the fixture's settings
 * and weights, take the random draws from the given Rng, report what one update computed, and
 * hand the networks back in the fixture's layout.
 */
import * as tf from '@tensorflow/tfjs';
import { DipoAgent } from '../../lib/agents/dipo/agent';
import { DIPO_VARIANTS, DipoConfig } from '../../lib/agents/dipo/config';
import { AgentSpec, QvpoAgent } from '../../lib/agents/qvpo/agent';
import { QvpoConfig, QTransform } from '../../lib/agents/qvpo/config';
import { initBackend } from '../../lib/backend';
import { ENGINE_NAMES, EngineName, setEngine } from '../../lib/engine';
import { BetaSchedule } from '../../lib/diffusion/schedule';
import { SavedTensor, loadVariables } from '../../lib/nets/params';
import { Batch, ReplayBuffer } from '../../lib/replay/buffer';
import { Rng } from '../../lib/util/rng';
import { ScriptedRng } from './scripted-rng';
import { DipoFixture, FixtureConfig, IterationFixture, NETWORK_NAMES, Networks, QvpoFixture, Replay, StateDict, Tensor } from './fixture';

// ------------------------------------------------------------------ tolerances

export interface Tolerance {
  /** max |actual − expected| ≤ abs */
  abs?: number;
  /** |actual − expected| ≤ rel·|expected| for every entry */
  rel?: number;
}

/** The fixtures' suggested tolerances (format notes §9, and §10 for the clipped fixture). */
export const QVPO_TOLERANCES = {
  y: { abs: 5e-5 },
  criticLoss: { rel: 1e-5 },
  criticGradNorm: { rel: 1e-5 },
  qBestMean: { abs: 2e-5 },
  vMean: { abs: 2e-5 },
  bestActions: { abs: 5e-5 },
  weights: { abs: 5e-5 },
  actorLoss: { rel: 5e-5 },
  actorGradNorm: { rel: 5e-5 },
  entropyAlpha: { abs: 1e-12 },
  params: { abs: 1e-6 },
} satisfies Record<string, Tolerance>;

export type QvpoTolerances = typeof QVPO_TOLERANCES;

/** The clipped fixture works in 50× units: the abs tolerances of y, the q means and the weights scale with it. */
export const CLIPPED_TOLERANCES: QvpoTolerances = {
  ...QVPO_TOLERANCES,
  y: { abs: 2e-3 },
  qBestMean: { abs: 1e-3 },
  vMean: { abs: 1e-3 },
  weights: { abs: 2.5e-3 },
};

export const DIPO_TOLERANCES = {
  y: { abs: 5e-5 },
  criticLoss: { rel: 1e-5 },
  criticGradNorm: { rel: 1e-5 },
  improvedActions: { abs: 2e-5 },
  qMeanBefore: { abs: 1e-5 },
  qMeanAfter: { abs: 1e-5 },
  // not among the format notes' suggestions: the other gradient norms' tolerance
  actionGradNorms: { rel: 1e-5 },
  actorLoss: { rel: 1e-5 },
  actorGradNorm: { rel: 1e-5 },
  params: { abs: 1e-6 },
} satisfies Record<string, Tolerance>;

// ------------------------------------------------------------------ comparison

export interface ComparisonRow {
  quantity: string;
  maxAbs: number;
  maxRel: number;
  tolerance: Tolerance;
  ok: boolean;
}

/** Collects every comparison (for the report) and fails once, listing all that are off. */
export class Comparison {
  readonly rows: ComparisonRow[] = [];

  /**
   * `float32`: read each expected number as the float32 it names (the fixtures' encoding of
   * float32 outputs); off for numbers the official code keeps in float64 (ω_ent).
   */
  check(quantity: string, actual: number | ArrayLike<number>, expected: number | ArrayLike<number>, tolerance: Tolerance, float32 = true): void {
    const a = typeof actual === 'number' ? [actual] : Array.from(actual);
    const e = typeof expected === 'number' ? [expected] : Array.from(expected);
    if (a.length !== e.length) {
      this.rows.push({ quantity: `${quantity} (length ${a.length}, expected ${e.length})`, maxAbs: NaN, maxRel: NaN, tolerance, ok: false });
      return;
    }
    let maxAbs = 0;
    let maxRel = 0;
    let ok = true;
    for (let i = 0; i < e.length; i++) {
      const want = float32 ? Math.fround(e[i]) : e[i];
      const d = Math.abs(a[i] - want);
      if (!Number.isFinite(a[i])) ok = false;
      maxAbs = Math.max(maxAbs, d);
      const rel = d === 0 ? 0 : d / Math.abs(want);
      maxRel = Math.max(maxRel, rel);
      if (tolerance.abs !== undefined && !(d <= tolerance.abs)) ok = false;
      if (tolerance.rel !== undefined && !(d <= tolerance.rel * Math.abs(want))) ok = false;
    }
    this.rows.push({ quantity, maxAbs, maxRel, tolerance, ok });
  }

  /** A condition that is not a numeric comparison. */
  require(quantity: string, ok: boolean, detail: string): void {
    this.rows.push({ quantity: `${quantity}: ${detail}`, maxAbs: NaN, maxRel: NaN, tolerance: {}, ok });
  }

  lines(): string[] {
    return this.rows.map((r) => {
      const tol = [r.tolerance.abs !== undefined ? `abs ${r.tolerance.abs}` : '', r.tolerance.rel !== undefined ? `rel ${r.tolerance.rel}` : ''].filter(Boolean).join(', ');
      const num = Number.isNaN(r.maxAbs) ? '' : `max|Δ| ${r.maxAbs.toExponential(2)} (rel ${r.maxRel.toExponential(2)})${tol ? `, tolerance ${tol}` : ''}`;
      return `${r.ok ? 'ok ' : 'OFF'} ${r.quantity}${num ? ': ' + num : ''}`;
    });
  }

  assertAll(label: string): void {
    const off = this.rows.filter((r) => !r.ok);
    if (off.length) {
      const all = this.lines();
      throw new Error(`${label}: ${off.length} of ${this.rows.length} checks out of tolerance:\n  ${all.filter((l) => l.startsWith('OFF')).join('\n  ')}`);
    }
  }
}

// ------------------------------------------------------------------ weight layouts

/** The fixtures' layer names in the order of the kit's variable lists (W, b per layer). */
export const ACTOR_LAYERS = ['time_mlp.1', 'time_mlp.3', 'layer.0', 'layer.2', 'layer.4', 'layer.6'];
export const CRITIC_LAYERS = ['q1_model.0', 'q1_model.2', 'q1_model.4', 'q1_model.6', 'q2_model.0', 'q2_model.2', 'q2_model.4', 'q2_model.6'];
export const LAYERS_OF: Record<(typeof NETWORK_NAMES)[number], string[]> = {
  actor: ACTOR_LAYERS,
  actor_target: ACTOR_LAYERS,
  critic: CRITIC_LAYERS,
  critic_target: CRITIC_LAYERS,
};

/** W[out, in] (PyTorch) ↔ W[in, out] (kit): the same transpose both ways. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

export function toKitLayout(dict: StateDict, layers: readonly string[]): SavedTensor[] {
  return layers.flatMap((name) => {
    const w = dict[`${name}.weight`];
    const b = dict[`${name}.bias`];
    if (!w || !b) throw new Error(`fixture has no ${name}.weight/bias`);
    const [out, inp] = w.shape;
    return [
      { shape: [inp, out], values: transpose(w.data, out, inp) },
      { shape: [...b.shape], values: Float32Array.from(b.data) },
    ];
  });
}

export function fromKitLayout(vars: readonly tf.Variable[], layers: readonly string[]): StateDict {
  if (vars.length !== 2 * layers.length) throw new Error(`${vars.length} variables for ${layers.length} layers`);
  const dict: StateDict = {};
  layers.forEach((name, i) => {
    const [w, b] = [vars[2 * i], vars[2 * i + 1]];
    const [inp, out] = w.shape;
    dict[`${name}.weight`] = { shape: [out, inp], data: transpose(Float32Array.from(w.dataSync() as Float32Array), inp, out) };
    dict[`${name}.bias`] = { shape: [...b.shape], data: Float32Array.from(b.dataSync() as Float32Array) };
  });
  return dict;
}

// ------------------------------------------------------------------ what a variant computes

/** What one QVPO update computed (fixture format §6). */
export interface QvpoStep {
  y: number[];
  criticLoss: number;
  criticGradNorm: number;
  qBestMean: number;
  vMean: number;
  bestActions: number[];
  weights: number[];
  actorLoss: number;
  actorGradNorm: number;
  entropyAlphaUsed: number;
  entropyAlphaAfter: number;
}

/** What one DIPO update computed (fixture format §6). */
export interface DipoStep {
  y: number[];
  criticLoss: number;
  criticGradNorm: number;
  qMeanBefore: number;
  qMeanAfter: number;
  improvedActions: number[];
  actionGradNorms: number[];
  actorLoss: number;
  actorGradNorm: number;
}

export interface Subject<S> {
  /** One update after env step `envStep`, every random draw taken from `rng`. */
  step(envStep: number, rng: Rng): S;
  /** The four networks, in the fixture's layout and keys. */
  networks(): Networks;
  /** The actions the next actor draw of each replay row would start from, [N·d]. */
  storedActions(): Float32Array;
  dispose(): void;
}

export interface GoldenVariant {
  name: string;
  /** Prepares the variant (backend, engine) before each test that uses it. */
  setup(): Promise<void>;
  qvpo(fixture: QvpoFixture): Subject<QvpoStep>;
  /** The QVPO repository's DIPO path. */
  dipo(fixture: DipoFixture): Subject<DipoStep>;
}

// ------------------------------------------------------------------ the kit's agents

export function specOf(c: FixtureConfig): AgentSpec {
  return { obsDim: c.obs_dim, actDim: c.act_dim, actionLow: Array(c.act_dim).fill(-1), actionHigh: Array(c.act_dim).fill(1) };
}

/** The settings both agents share, from the fixture's config. */
function sharedConfig(c: FixtureConfig) {
  return {
    gamma: c.gamma,
    tau: c.tau,
    batchSize: c.batch_size,
    actorLr: c.actor_lr,
    criticLr: c.critic_lr,
    adamEps: c.adam_eps,
    gradClipNorm: c.grad_clip_norm,
    hiddenWidth: c.hidden_width,
    hiddenLayers: c.hidden_layers,
    diffusionSteps: c.diffusion_steps,
    betaSchedule: c.beta_schedule as BetaSchedule,
    noiseRatio: c.noise_ratio,
    targetSamples: c.target_samples,
  };
}

export function qvpoConfigOf(f: QvpoFixture): Partial<QvpoConfig> {
  const c = f.config;
  return {
    ...sharedConfig(c),
    trainSamples: c.train_samples as number,
    entropySamples: c.entropy_samples as number,
    qTransform: c.q_transform as QTransform,
    qcutThreshold: (c.cut as number | undefined) ?? 1,
    entropyAlpha: c.entropy_alpha as number,
    entropyAlphaFloor: c.entropy_alpha_floor as number,
    entropyDecaySteps: c.entropy_decay_steps as number,
  };
}

/** The named variant `qvpo-repo` at the fixture's sizes (the test checks it agrees with the fixture's settings). */
export function dipoConfigOf(f: DipoFixture): Partial<DipoConfig> {
  const c = f.config;
  return { ...DIPO_VARIANTS['qvpo-repo'].overrides, hiddenWidth: c.hidden_width, hiddenLayers: c.hidden_layers, batchSize: c.batch_size };
}

function tensorRows(t: Tensor, row: number): Float32Array {
  const width = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return t.data.subarray(row * width, (row + 1) * width);
}

function replayOf(r: Replay, improvedActions: boolean): ReplayBuffer {
  const [obsDim, actDim] = [r.obs.shape[1], r.act.shape[1]];
  const buffer = new ReplayBuffer(r.size, obsDim, actDim, { improvedActions });
  for (let i = 0; i < r.size; i++) {
    buffer.add(tensorRows(r.obs, i), tensorRows(r.act, i), r.reward.data[i], tensorRows(r.next_obs, i), r.done[i] === 1);
  }
  return buffer;
}

function loadNetworks(agent: QvpoAgent, n: Networks): void {
  loadVariables(agent.policy.net.variables, toKitLayout(n.actor, ACTOR_LAYERS), 'actor');
  loadVariables(agent.policy.target.variables, toKitLayout(n.actor_target, ACTOR_LAYERS), 'actor target');
  loadVariables(agent.critic.variables, toKitLayout(n.critic, CRITIC_LAYERS), 'critic');
  loadVariables(agent.criticTarget.variables, toKitLayout(n.critic_target, CRITIC_LAYERS), 'critic target');
}

function networksOf(agent: QvpoAgent): Networks {
  return {
    actor: fromKitLayout(agent.policy.net.variables, ACTOR_LAYERS),
    actor_target: fromKitLayout(agent.policy.target.variables, ACTOR_LAYERS),
    critic: fromKitLayout(agent.critic.variables, CRITIC_LAYERS),
    critic_target: fromKitLayout(agent.criticTarget.variables, CRITIC_LAYERS),
  };
}

/** y = r + γ(1 − done)·q in the kit's float32 order of operations. */
function tdTarget(batch: Batch, q: Float32Array | null, gamma: number): number[] {
  const f = Math.fround;
  return Array.from(batch.reward, (r, i) => (q ? f(r + f(f(f(1 - batch.done[i]) * f(gamma)) * q[i])) : r));
}

/**
 * Watches one kit agent's update from the outside: the critic batch (the first buffer.sample
 * of an update), the target critic's score of the best target candidates (private
 * bestActions(…, 'target')), and the rows of the actor's diffusion-loss step (policy.trainStep).
 */
class KitProbe {
  criticBatch: Batch | null = null;
  targetQ: Float32Array | null = null;
  lossActions: Float32Array | null = null;
  lossWeights: Float32Array | null = null;

  constructor(agent: QvpoAgent, buffer: ReplayBuffer) {
    const sample = buffer.sample.bind(buffer);
    buffer.sample = (n: number, rng: Rng) => {
      const batch = sample(n, rng);
      this.criticBatch ??= batch;
      return batch;
    };
    const internals = agent as unknown as { bestActions: (s: tf.Tensor2D, k: number, which: string) => { actions: tf.Tensor2D; q: tf.Tensor1D } };
    const bestActions = internals.bestActions.bind(agent);
    internals.bestActions = (s, k, which) => {
      const out = bestActions(s, k, which);
      if (which === 'target') this.targetQ = Float32Array.from(out.q.dataSync() as Float32Array);
      return out;
    };
    const trainStep = agent.policy.trainStep.bind(agent.policy);
    agent.policy.trainStep = (actions, states, weights, rng, fixed) => {
      this.lossActions = Float32Array.from(actions.dataSync() as Float32Array);
      this.lossWeights = weights ? Float32Array.from(weights.dataSync() as Float32Array) : null;
      return trainStep(actions, states, weights, rng, fixed);
    };
  }

  reset(): void {
    this.criticBatch = this.targetQ = this.lossActions = this.lossWeights = null;
  }

  y(gamma: number): number[] {
    if (!this.criticBatch) throw new Error('the update drew no critic batch');
    return tdTarget(this.criticBatch, this.targetQ, gamma);
  }
}

function useRng(agent: QvpoAgent, rng: Rng): void {
  (agent as unknown as { rng: Rng }).rng = rng;
}

function kitQvpo(f: QvpoFixture): Subject<QvpoStep> {
  const agent = new QvpoAgent(specOf(f.config), qvpoConfigOf(f), 0);
  loadNetworks(agent, f.init);
  const buffer = replayOf(f.replay, false);
  const probe = new KitProbe(agent, buffer);
  const b = f.config.batch_size;
  const d = f.config.act_dim;
  return {
    step(envStep, rng) {
      useRng(agent, rng);
      probe.reset();
      const used = agent.entropyAlpha;
      const stats = agent.update(buffer, envStep, true);
      if (!stats || !probe.lossActions || !probe.lossWeights) throw new Error('the update returned no stats or took no actor step');
      return {
        y: probe.y(agent.config.gamma),
        criticLoss: stats.criticLoss,
        criticGradNorm: stats.criticGradNorm,
        qBestMean: stats.qBest,
        vMean: stats.qMean,
        bestActions: Array.from(probe.lossActions.subarray(0, b * d)),
        weights: Array.from(probe.lossWeights),
        actorLoss: stats.actorLoss,
        actorGradNorm: stats.actorGradNorm,
        entropyAlphaUsed: used,
        entropyAlphaAfter: agent.entropyAlpha,
      };
    },
    networks: () => networksOf(agent),
    storedActions: () => buffer.gather(Int32Array.from({ length: buffer.size }, (_, i) => i)).act,
    dispose: () => agent.dispose(),
  };
}

function kitDipo(f: DipoFixture): Subject<DipoStep> {
  const agent = new DipoAgent(specOf(f.config), dipoConfigOf(f), 0);
  loadNetworks(agent, f.init);
  const buffer = replayOf(f.replay, agent.improvesStoredActions);
  const probe = new KitProbe(agent, buffer);
  let gradNorms: number[] = [];
  const improve = agent.improveActions.bind(agent);
  agent.improveActions = (buf, idx) => {
    const out = improve(buf, idx);
    gradNorms = out.gradNorms;
    return out;
  };
  const all = Int32Array.from({ length: buffer.size }, (_, i) => i);
  return {
    step(envStep, rng) {
      useRng(agent, rng);
      probe.reset();
      const stats = agent.update(buffer, envStep, true);
      if (!stats || !probe.lossActions) throw new Error('the update returned no stats or took no actor step');
      return {
        y: probe.y(agent.config.gamma),
        criticLoss: stats.criticLoss,
        criticGradNorm: stats.criticGradNorm,
        qMeanBefore: stats.qMean,
        qMeanAfter: stats.qBest,
        improvedActions: Array.from(probe.lossActions),
        actionGradNorms: gradNorms,
        actorLoss: stats.actorLoss,
        actorGradNorm: stats.actorGradNorm,
      };
    },
    networks: () => networksOf(agent),
    storedActions: () => (agent.improvesStoredActions ? buffer.gatherImproved(all) : buffer.gather(all).act),
    dispose: () => agent.dispose(),
  };
}

/** The kit's agents on one tfjs backend and one compute engine (lib/engine). */
function kitVariant(backend: 'cpu' | 'wasm', engine: EngineName): GoldenVariant {
  return {
    name: `${engine} engine, tfjs ${backend}`,
    async setup() {
      await initBackend(backend);
      if (tf.getBackend() !== backend) throw new Error(`backend ${backend} did not start (got ${tf.getBackend()})`);
      setEngine(engine);
    },
    qvpo: kitQvpo,
    dipo: kitDipo,
  };
}

/** Everything the golden tests run against: every compute engine on both CPU backends. */
export const VARIANTS: readonly GoldenVariant[] = ENGINE_NAMES.flatMap((engine) => [kitVariant('cpu', engine), kitVariant('wasm', engine)]);

const mean = (a: readonly number[]) => a.reduce((s, x) => s + x, 0) / a.length;

/**
 * Runs the fixture's iterations on `subject` (every draw from the fixture, checked draw by
 * draw) and compares every quantity with the official numbers. `clipped` also requires the
 * actor's gradient clip to be active in every iteration. Disposes the subject.
 */
export function compareQvpoFixture(fixture: QvpoFixture, subject: Subject<QvpoStep>, file: string, tol: QvpoTolerances, clipped: boolean): Comparison {
  const cmp = new Comparison();
  try {
    fixture.iterations.forEach((it, k) => {
      const rng = new ScriptedRng(it.draws, `${file} iteration ${k + 1}`);
      const got = subject.step(it.env_step, rng);
      rng.finish();
      const e = it.expected;
      const at = `it${k + 1}`;
      const b = fixture.config.batch_size;
      cmp.check(`${at} y`, got.y, e.y, tol.y);
      cmp.check(`${at} critic loss`, got.criticLoss, e.critic_loss, tol.criticLoss);
      cmp.check(`${at} critic grad norm`, got.criticGradNorm, e.critic_grad_norm, tol.criticGradNorm);
      cmp.check(`${at} mean q_best`, got.qBestMean, mean(e.q_best), tol.qBestMean);
      cmp.check(`${at} mean V`, got.vMean, mean(e.v), tol.vMean);
      cmp.check(`${at} best actions`, got.bestActions, e.best_actions, tol.bestActions);
      cmp.check(`${at} weights (best rows)`, got.weights.slice(0, b), e.weights.slice(0, b), tol.weights);
      cmp.check(`${at} weights (entropy rows)`, got.weights.slice(b), e.weights.slice(b), tol.weights);
      cmp.check(`${at} actor loss`, got.actorLoss, e.actor_loss, tol.actorLoss);
      cmp.check(`${at} actor grad norm`, got.actorGradNorm, e.actor_grad_norm, tol.actorGradNorm);
      cmp.check(`${at} ω_ent used`, got.entropyAlphaUsed, it.entropy_alpha as number, tol.entropyAlpha, false);
      cmp.check(`${at} ω_ent after`, got.entropyAlphaAfter, e.entropy_alpha_after, tol.entropyAlpha, false);
      if (clipped) {
        // keeps the fixture testing the clip: the gradient norm before clipping exceeds the cap
        cmp.require(`${at} actor clip active`, got.actorGradNorm > fixture.config.grad_clip_norm, `‖g‖ ${got.actorGradNorm} > ${fixture.config.grad_clip_norm}`);
      }
    });
    compareNetworks(cmp, 'final', subject.networks(), fixture.final, tol.params);
  } finally {
    subject.dispose();
  }
  return cmp;
}

/** The kit's QVPO agent on whatever backend and engine are active (for scripts that set them). */
export const kitQvpoSubject = (fixture: QvpoFixture): Subject<QvpoStep> => kitQvpo(fixture);

/** The networks' largest difference from the fixture's, per network. */
export function compareNetworks(cmp: Comparison, what: string, actual: Networks, expected: Networks, tolerance: Tolerance): void {
  for (const net of NETWORK_NAMES) {
    const keys = Object.keys(expected[net]);
    cmp.check(
      `${what} ${net}`,
      keys.flatMap((k) => Array.from(actual[net][k]?.data ?? [])),
      keys.flatMap((k) => Array.from(expected[net][k].data)),
      tolerance,
    );
  }
}

export type { IterationFixture };
