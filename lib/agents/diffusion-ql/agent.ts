/**
 * Diffusion-QL (Wang, Hunt, Zhou, ICLR 2023): a conditional diffusion policy trained by a
 * behaviour-cloning denoising loss plus a Q term back-propagated through the reverse chain.
 * This file follows one gradient step of the official code (diffusion-ql-spec §4) on a batch
 * (s, a, r, s', not_done) of B transitions — from a dataset (offline) or from the agent's own
 * replay buffer (online):
 *
 *   1. critic target: a' = one chain of the EMA actor at s';
 *      y = r + γ·not_done·min(Q1', Q2')(s', a')   (max-Q backup: per head the max over 10 a',
 *      then the min of the two maxima)
 *   2. critic: one Adam step on MSE(Q1(s, a), y) + MSE(Q2(s, a), y), gradient norm clipped
 *   3. L_bc: the ε-prediction loss on the pair (s, a)
 *   4. L_q: a_new = one chain of the actor at s with gradients through every step; with
 *      probability ½ L_q = −mean Q1(s, a_new) / mean |Q2(s, a_new)|, else the heads swapped,
 *      the denominator held constant (current critic, after step 2)
 *   5. actor: one Adam step on L_bc + η·L_q, gradient norm clipped
 *   6. EMA actor: w_ema ← 0.995·w_ema + 0.005·w every 5th update from update 1000 on; then
 *      the target critic by Polyak τ
 *
 * Evaluation: 50 chains of the (online) actor per state, scored by the target critic's
 * min(Q1, Q2), one drawn with probability softmax(Q). Online, the agent acts with one chain of
 * its actor (the chain's noise is the exploration) — the offline algorithm's updates unchanged,
 * on replay data (spec §8, the "simplest faithful" online variant).
 *
 * The reverse chain with gradients runs in TF.js whatever the compute engine (the engines offer
 * no gradient through a chain); sampling for targets and evaluation, scoring and the critic step
 * go through the engine as in every other diffusion agent. Actions are in [−1, 1]^d inside.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, AdamState, clipByGlobalNorm, gradientsOf } from '../../nets/adam';
import { engine } from '../../engine';
import { DoubleCritic } from '../../nets/critic';
import { SavedTensor, copyVariables, loadVariables, saveVariables, softUpdate } from '../../nets/params';
import { DiffusionPolicy, DiffusionPolicyState } from '../../diffusion/policy';
import { drawLossNoise } from '../../diffusion/ddpm';
import { repeatRows } from '../../diffusion/select';
import { Batch, ReplayBuffer } from '../../replay/buffer';
import { Rng, RngState } from '../../util/rng';
import { ActionScaler } from '../action-scale';
import { LearnerStats, PolicyState, checkPolicyKind } from '../learner';
import type { AgentSpec } from '../qvpo/agent';
import { DiffusionQlConfig, EvalSelection, diffusionQlSchema } from './config';

export const DIFFUSION_QL_STATS = ['criticLoss', 'actorLoss', 'bcLoss', 'qLoss', 'qNew', 'criticGradNorm', 'actorGradNorm'] as const;

export interface DiffusionQlState {
  kind: 'diffusion-ql';
  /** net = the actor, target = its EMA copy. */
  policy: DiffusionPolicyState;
  critic: SavedTensor[];
  criticTarget: SavedTensor[];
  criticOptimizer: AdamState;
  rng: RngState;
  updates: number;
}

/** What evaluation acts with: the actor and the target critic that scores its candidates. */
export interface DiffusionQlPolicyFile extends PolicyState {
  kind: 'diffusion-ql-policy';
  net: SavedTensor[];
  criticTarget: SavedTensor[];
}

/**
 * The index of one candidate drawn with probability softmax(q) (max subtracted for stability),
 * from one uniform draw `u` in [0, 1); or the first maximum for `argmax`.
 */
export function selectCandidate(q: ArrayLike<number>, selection: EvalSelection, u: number): number {
  let best = 0;
  for (let j = 1; j < q.length; j++) if (q[j] > q[best]) best = j;
  if (selection === 'argmax') return best;
  const top = q[best];
  let total = 0;
  const weights = Array.from(q, (v) => {
    const w = Math.exp(v - top);
    total += w;
    return w;
  });
  let cumulative = 0;
  for (let j = 0; j < weights.length; j++) {
    cumulative += weights[j] / total;
    if (u < cumulative) return j;
  }
  return weights.length - 1;
}

/**
 * The Q loss of spec §4 step 4 from both heads' values on fresh actions [N, 1]: −mean(Q_i)
 * over mean|Q_j| with j the other head, the denominator a constant; `firstHead` picks i = 1.
 */
export function normalisedQLoss(q1: tf.Tensor, q2: tf.Tensor, firstHead: boolean): tf.Scalar {
  const [own, other] = firstHead ? [q1, q2] : [q2, q1];
  return tf.div(tf.neg(tf.mean(own)), constant(tf.mean(tf.abs(other)))) as tf.Scalar;
}

/** Identity whose gradient is zero: PyTorch's .detach() for a value inside a gradient function. */
const constant = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

export class DiffusionQlAgent {
  readonly config: DiffusionQlConfig;
  /** net = the actor, target = the EMA actor (TD targets only). */
  readonly policy: DiffusionPolicy;
  readonly critic: DoubleCritic;
  readonly criticTarget: DoubleCritic;
  private readonly criticOptimizer: Adam;
  private readonly scaler: ActionScaler;
  private readonly rng: Rng;
  updates = 0;

  constructor(
    readonly spec: AgentSpec,
    config: Partial<DiffusionQlConfig>,
    seed: number,
  ) {
    this.config = diffusionQlSchema.make(config);
    const c = this.config;
    this.scaler = new ActionScaler(spec, 'Diffusion-QL');
    this.rng = new Rng(seed);
    const hidden = Array.from({ length: c.hiddenLayers }, () => c.hiddenWidth);
    this.policy = new DiffusionPolicy(spec.obsDim, spec.actDim, this.rng, {
      diffusionSteps: c.diffusionSteps,
      betaSchedule: c.betaSchedule,
      hidden,
      timeHidden: c.timeHidden,
      timeEmbedDim: c.timeEmbedDim,
      lr: c.actorLr,
      adamEps: c.adamEps,
      gradClipNorm: c.gradClipNorm,
      noiseRatio: 1,
      clipDenoised: true,
    });
    // PyTorch's default initialisation, as the code's critic (nn.Linear, no custom init)
    this.critic = new DoubleCritic(spec.obsDim, spec.actDim, this.rng, { hidden, init: 'torch-default' });
    this.criticTarget = new DoubleCritic(spec.obsDim, spec.actDim, this.rng, { hidden, init: 'torch-default' });
    copyVariables(this.criticTarget.variables, this.critic.variables);
    this.criticOptimizer = new Adam(this.critic.variables, { lr: c.criticLr, eps: c.adamEps });
  }

  // ---------------------------------------------------------------- acting

  /** Actions for a batch of observations (row-major [n, obsDim]), in env units. */
  actBatch(obs: ArrayLike<number>, n: number, mode: 'behaviour' | 'eval'): Float32Array {
    const a = mode === 'eval' ? this.evaluationActions(obs, n) : this.chainActions(obs, n);
    return this.scaler.toEnv(a);
  }

  act(obs: ArrayLike<number>, mode: 'behaviour' | 'eval'): Float32Array {
    return this.actBatch(obs, 1, mode);
  }

  /** One chain of the actor per state, in [−1, 1]. */
  chainActions(obs: ArrayLike<number>, n: number): Float32Array {
    const actions = tf.tidy(() => this.policy.sample(tf.tensor2d(Float32Array.from(obs), [n, this.spec.obsDim]), 1, this.rng, 'current'));
    const a = Float32Array.from(actions.dataSync() as Float32Array);
    actions.dispose();
    return a;
  }

  /** The code's sample_action: evalSamples chains per state, one picked by softmax (or argmax) of the target critic's min Q. */
  evaluationActions(obs: ArrayLike<number>, n: number): Float32Array {
    const k = this.config.evalSamples;
    const { obsDim, actDim } = this.spec;
    const [candidates, q] = tf.tidy(() => {
      const states = tf.tensor2d(Float32Array.from(obs), [n, obsDim]);
      const samples = this.policy.sample(states, k, this.rng, 'current');
      return [samples, this.criticTarget.minRepeated(states, samples, k)];
    });
    const all = candidates.dataSync() as Float32Array;
    const scores = q.dataSync() as Float32Array;
    tf.dispose([candidates, q]);
    const out = new Float32Array(n * actDim);
    for (let b = 0; b < n; b++) {
      const u = this.config.evalSelection === 'softmax' ? this.rng.uniform() : 0;
      const j = selectCandidate(scores.subarray(b * k, (b + 1) * k), this.config.evalSelection, u);
      out.set(all.subarray((b * k + j) * actDim, (b * k + j + 1) * actDim), b * actDim);
    }
    return out;
  }

  /** Uniform random action in env units (the online warm-up policy). */
  randomAction(): Float32Array {
    return this.scaler.toEnv(this.rng.uniforms(this.spec.actDim, -1, 1));
  }

  toEnvUnits(a: Float32Array): Float32Array {
    return this.scaler.toEnv(a);
  }

  toPolicyUnits(a: ArrayLike<number>): Float32Array {
    return this.scaler.toPolicy(a);
  }

  // ---------------------------------------------------------------- learning

  /** One gradient step (steps 1–6 of the header) on a batch drawn from `buffer`. */
  update(buffer: ReplayBuffer, _envStep: number, wantStats = false): LearnerStats | null {
    const c = this.config;
    const batch = buffer.sample(c.batchSize, this.rng);
    const { obsDim, actDim } = this.spec;
    const n = batch.size;
    const s = tf.tensor2d(batch.obs, [n, obsDim]);
    const a = tf.tensor2d(batch.act, [n, actDim]);

    const y = this.tdTarget(batch);
    const critic = engine().criticStep(this.critic, this.criticOptimizer, s, a, y, c.gradClipNorm);
    const actor = this.actorStep(s, a);

    if (this.updates % c.emaEvery === 0 && this.updates >= c.emaStart) this.policy.updateTarget(1 - c.emaDecay);
    softUpdate(this.criticTarget.variables, this.critic.variables, c.tau);
    this.updates++;

    let stats: LearnerStats | null = null;
    if (wantStats) {
      const read = (t: tf.Tensor) => (t.dataSync() as Float32Array)[0];
      stats = {
        criticLoss: read(critic.loss),
        actorLoss: read(actor.loss),
        bcLoss: read(actor.bcLoss),
        qLoss: read(actor.qLoss),
        qNew: read(actor.qNew),
        criticGradNorm: read(critic.gradNorm),
        actorGradNorm: read(actor.gradNorm),
      };
    }
    tf.dispose([s, a, y, critic.loss, critic.gradNorm, ...Object.values(actor)]);
    return stats;
  }

  /** Step 1: y = r + γ·not_done·V'(s'), V' from the EMA actor's action(s) and the target critic. */
  private tdTarget(batch: Batch): tf.Tensor2D {
    const c = this.config;
    const n = batch.size;
    return tf.tidy(() => {
      const s2 = tf.tensor2d(batch.nextObs, [n, this.spec.obsDim]);
      let next: tf.Tensor;
      if (c.maxQBackup) {
        const k = c.maxQBackupSamples;
        const a2 = this.policy.sample(s2, k, this.rng, 'target');
        const [q1, q2] = this.criticTarget.both(repeatRows(s2, k), a2);
        next = tf.minimum(tf.max(tf.reshape(q1, [n, k]), 1), tf.max(tf.reshape(q2, [n, k]), 1));
      } else {
        next = this.criticTarget.min(s2, this.policy.sample(s2, 1, this.rng, 'target'));
      }
      const notDone = tf.sub(1, tf.tensor1d(batch.done));
      return tf.reshape(tf.add(tf.tensor1d(batch.reward), tf.mul(tf.mul(notDone, c.gamma), next)), [n, 1]) as tf.Tensor2D;
    });
  }

  /** Steps 3–5: one Adam step of the actor on L_bc + η·L_q (the current critic is not updated). */
  private actorStep(s: tf.Tensor2D, a: tf.Tensor2D): Record<'loss' | 'bcLoss' | 'qLoss' | 'qNew' | 'gradNorm', tf.Scalar> {
    const c = this.config;
    const n = s.shape[0];
    const lossNoise = drawLossNoise(n, this.spec.actDim, this.policy.coef.T, this.rng);
    const firstHead = this.rng.uniform() > 0.5;
    return tf.tidy(() => {
      let parts: { bc: tf.Scalar; q: tf.Scalar; qNew: tf.Scalar } | null = null;
      const { value, grads } = gradientsOf(() => {
        const bc = this.policy.loss(a, s, null, lossNoise);
        if (c.eta === 0) {
          // pure behaviour cloning: L_q would enter with weight 0, so its chain is not run
          parts = { bc: tf.keep(bc), q: tf.keep(tf.scalar(0)), qNew: tf.keep(tf.scalar(0)) };
          return bc;
        }
        const fresh = this.policy.sampleWithGradient(s, this.rng, c.chainGradient);
        const [q1, q2] = this.critic.both(s, fresh);
        const q = normalisedQLoss(q1, q2, firstHead);
        parts = { bc: tf.keep(bc), q: tf.keep(q), qNew: tf.keep(tf.mean(tf.minimum(q1, q2)) as tf.Scalar) };
        return tf.add(bc, tf.mul(q, c.eta)) as tf.Scalar;
      }, this.policy.net.variables);
      const clipped = clipByGlobalNorm(grads, c.gradClipNorm);
      this.policy.optimizer.apply(clipped.grads);
      const { bc, q, qNew } = parts!;
      return { loss: value, bcLoss: bc, qLoss: q, qNew, gradNorm: clipped.norm };
    });
  }

  // ---------------------------------------------------------------- kept policy

  getPolicyState(): DiffusionQlPolicyFile {
    return { kind: 'diffusion-ql-policy', net: saveVariables(this.policy.net.variables), criticTarget: saveVariables(this.criticTarget.variables), rng: this.rng.getState() };
  }

  setPolicyState(state: PolicyState): void {
    checkPolicyKind(state, 'diffusion-ql-policy', 'Diffusion-QL');
    const s = state as DiffusionQlPolicyFile;
    loadVariables(this.policy.net.variables, s.net, 'diffusion policy');
    loadVariables(this.criticTarget.variables, s.criticTarget, 'target critic');
    this.rng.setState(s.rng);
  }

  // ---------------------------------------------------------------- checkpoints

  getState(): DiffusionQlState {
    return {
      kind: 'diffusion-ql',
      policy: this.policy.getState(),
      critic: saveVariables(this.critic.variables),
      criticTarget: saveVariables(this.criticTarget.variables),
      criticOptimizer: this.criticOptimizer.getState(),
      rng: this.rng.getState(),
      updates: this.updates,
    };
  }

  setState(state: DiffusionQlState): void {
    if (state?.kind !== 'diffusion-ql') throw new Error(`Diffusion-QL.setState: not a Diffusion-QL checkpoint (kind ${String(state?.kind)})`);
    this.policy.setState(state.policy);
    loadVariables(this.critic.variables, state.critic, 'critic');
    loadVariables(this.criticTarget.variables, state.criticTarget, 'critic target');
    this.criticOptimizer.setState(state.criticOptimizer);
    this.rng.setState(state.rng);
    this.updates = state.updates;
  }

  dispose(): void {
    this.policy.dispose();
    this.critic.dispose();
    this.criticTarget.dispose();
    this.criticOptimizer.dispose();
  }
}
