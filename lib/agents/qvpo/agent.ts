/**
 * QVPO: a diffusion policy trained by a Q-weighted variational (ε-prediction) loss, with a
 * diffusion entropy term and best-of-K action selection (Ding et al., NeurIPS 2024).
 * This file follows the official code's training iteration step by step (spec §1):
 *
 *   1. critic:  y = r + γ(1−done)·max_{k≤Kt} min(Q1',Q2')(s', a'_k),  a'_k ~ target actor
 *               loss = MSE(Q1(s,a), y) + MSE(Q2(s,a), y)
 *   2. actor:   for a fresh batch of states draw Nd actions each from the current actor,
 *               score them with min(Q1,Q2), keep the best a_max with weight w(s) (qadv/qcut),
 *               add Ne uniform actions per state with weight ω_ent·w(s), and take one step on
 *               the weighted diffusion loss over all B + Ne·B rows
 *   3. targets: Polyak-average critic and actor with τ
 *
 * Actions are in [−1, 1]^d inside the agent and scaled to the env's bounds at the edge.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, AdamState } from '../../nets/adam';
import { engine } from '../../engine';
import { DoubleCritic } from '../../nets/critic';
import { SavedTensor, copyVariables, loadVariables, saveVariables, softUpdate } from '../../nets/params';
import { DiffusionPolicy, DiffusionPolicyState } from '../../diffusion/policy';
import { Batch, ReplayBuffer } from '../../replay/buffer';
import { Rng, RngState } from '../../util/rng';
import { PhaseTimer } from '../../util/timer';
import { ActionScaler } from '../action-scale';
import { PolicyState, checkPolicyKind } from '../learner';
import { QvpoConfig, qvpoSchema } from './config';
import { actorRows, entropyAlphaAt, qWeights } from './weights';

export interface AgentSpec {
  obsDim: number;
  actDim: number;
  actionLow: ArrayLike<number>;
  actionHigh: ArrayLike<number>;
}

export type ActMode = 'behaviour' | 'eval';

export type QvpoUpdateStats = {
  criticLoss: number;
  actorLoss: number;
  /** Mean over states of the best sample's min(Q1,Q2). */
  qBest: number;
  /** Mean over states of V(s), the mean q of the Nd samples. */
  qMean: number;
  /** Mean Q-weight w(s), and the fraction of states with w(s) > 0. */
  weightMean: number;
  weightPositive: number;
  /** Mean over states and action dims of the std of the Nd samples: the policy's spread. */
  sampleStd: number;
  entropyAlpha: number;
  criticGradNorm: number;
  actorGradNorm: number;
  /** Further scalars an actor step of a subclass logs (QSM: qGradScale). */
  [extra: string]: number;
};

/** What an actor step hands back to update() (scalars, disposed there). */
export interface ActorStepResult {
  loss: tf.Scalar;
  gradNorm: tf.Scalar;
  qBest: tf.Scalar;
  qMean: tf.Scalar;
  weightMean: tf.Scalar;
  weightPositive: tf.Scalar;
  sampleStd: tf.Scalar;
  /** Further scalars to log under their own names. */
  extra?: Record<string, tf.Scalar>;
}

export interface QvpoState {
  kind: 'qvpo';
  policy: DiffusionPolicyState;
  critic: SavedTensor[];
  criticTarget: SavedTensor[];
  criticOptimizer: AdamState;
  rng: RngState;
  entropyAlpha: number;
  updates: number;
}

/**
 * What evaluation acts with (DIPO and QSM too): the noise net (current, not target) and the
 * critic that picks the best of the evaluation candidates.
 */
export interface DiffusionPolicyFile extends PolicyState {
  kind: 'diffusion-policy';
  net: SavedTensor[];
  critic: SavedTensor[];
}

export class QvpoAgent {
  readonly config: QvpoConfig;
  readonly policy: DiffusionPolicy;
  readonly critic: DoubleCritic;
  readonly criticTarget: DoubleCritic;
  private readonly criticOptimizer: Adam;
  protected readonly rng: Rng;
  private readonly scaler: ActionScaler;
  /** Current ω_ent (decays with env steps). */
  entropyAlpha: number;
  updates = 0;

  constructor(
    readonly spec: AgentSpec,
    config: Partial<QvpoConfig>,
    seed: number,
  ) {
    this.config = qvpoSchema.make(config);
    const c = this.config;
    const { obsDim, actDim } = spec;
    this.scaler = new ActionScaler(spec, 'QVPO');
    this.rng = new Rng(seed);
    const hidden = Array.from({ length: c.hiddenLayers }, () => c.hiddenWidth);
    this.policy = new DiffusionPolicy(obsDim, actDim, this.rng, {
      diffusionSteps: c.diffusionSteps,
      betaSchedule: c.betaSchedule,
      hidden,
      lr: c.actorLr,
      adamEps: c.adamEps,
      gradClipNorm: c.gradClipNorm,
      noiseRatio: c.noiseRatio,
      clipDenoised: true,
    });
    this.critic = new DoubleCritic(obsDim, actDim, this.rng, { hidden });
    this.criticTarget = new DoubleCritic(obsDim, actDim, this.rng, { hidden });
    copyVariables(this.criticTarget.variables, this.critic.variables);
    this.criticOptimizer = new Adam(this.critic.variables, { lr: c.criticLr, eps: c.adamEps });
    this.entropyAlpha = c.entropyAlpha;
  }

  // ---------------------------------------------------------------- acting

  /**
   * Actions for a batch of observations (row-major [n, obsDim]), in env units.
   * behaviour: best of Kb samples under min(Q1,Q2); eval: best of evalSamples.
   */
  actBatch(obs: ArrayLike<number>, n: number, mode: ActMode): Float32Array {
    const k = mode === 'eval' ? this.config.evalSamples : this.config.behaviourSamples;
    const normalised = tf.tidy(() => {
      const states = tf.tensor2d(Float32Array.from(obs), [n, this.spec.obsDim]);
      return this.bestActions(states, k, 'current').actions;
    });
    const a = normalised.dataSync() as Float32Array;
    normalised.dispose();
    return this.toEnvUnits(a);
  }

  act(obs: ArrayLike<number>, mode: ActMode): Float32Array {
    return this.actBatch(obs, 1, mode);
  }

  /** Uniform random action in env units (the warm-up policy). */
  randomAction(): Float32Array {
    const a = this.rng.uniforms(this.spec.actDim, -1, 1);
    return this.toEnvUnits(a);
  }

  toEnvUnits(a: Float32Array): Float32Array {
    return this.scaler.toEnv(a);
  }

  /** Env-unit action → the [−1, 1] policy space the buffer stores. */
  toPolicyUnits(a: ArrayLike<number>): Float32Array {
    return this.scaler.toPolicy(a);
  }

  /**
   * K candidates per state from the current or target actor, scored by the matching critic;
   * returns the best action per state and its score. Call inside tidy.
   */
  private bestActions(states: tf.Tensor2D, k: number, which: 'current' | 'target'): { actions: tf.Tensor2D; q: tf.Tensor1D } {
    const critic = which === 'target' ? this.criticTarget : this.critic;
    const pick = this.policy.propose(states, k, this.rng, which, critic);
    return { actions: pick.best, q: pick.bestQ };
  }

  // ---------------------------------------------------------------- learning

  /**
   * One QVPO iteration (critic, actor, targets) after env step `envStep`. `timer` (benchmarks
   * only) charges each phase's wall time, waiting for its results.
   */
  update(buffer: ReplayBuffer, envStep: number, wantStats = false, timer?: PhaseTimer): QvpoUpdateStats | null {
    const c = this.config;
    timer?.start();
    const critic = this.updateCritic(buffer.sample(c.batchSize, this.rng));
    timer?.lap('critic', critic.loss);
    const actor = this.actorStep(buffer, timer);
    softUpdate(this.criticTarget.variables, this.critic.variables, c.tau);
    this.policy.updateTarget(c.tau);
    timer?.lap('targets');
    const usedAlpha = this.entropyAlpha;
    this.entropyAlpha = entropyAlphaAt(envStep, c.entropyAlpha, c.entropyAlphaFloor, c.entropyDecaySteps);
    this.updates++;

    let stats: QvpoUpdateStats | null = null;
    if (wantStats) {
      const read = (t: tf.Tensor) => (t.dataSync() as Float32Array)[0];
      stats = {
        criticLoss: read(critic.loss),
        actorLoss: read(actor.loss),
        qBest: read(actor.qBest),
        qMean: read(actor.qMean),
        weightMean: read(actor.weightMean),
        weightPositive: read(actor.weightPositive),
        sampleStd: read(actor.sampleStd),
        entropyAlpha: usedAlpha,
        criticGradNorm: read(critic.gradNorm),
        actorGradNorm: read(actor.gradNorm),
      };
      for (const [name, value] of Object.entries(actor.extra ?? {})) stats[name] = read(value);
    }
    tf.dispose([...Object.values(critic), ...Object.values(actor)]);
    return stats;
  }

  /** Step 1: TD regression of both Q heads onto the best-of-Kt target value. */
  private updateCritic(batch: Batch): { loss: tf.Scalar; gradNorm: tf.Scalar } {
    const c = this.config;
    const { obsDim, actDim } = this.spec;
    const n = batch.size;
    return tf.tidy(() => {
      const s = tf.tensor2d(batch.obs, [n, obsDim]);
      const a = tf.tensor2d(batch.act, [n, actDim]);
      const s2 = tf.tensor2d(batch.nextObs, [n, obsDim]);
      const reward = tf.tensor1d(batch.reward);
      // With every transition terminal (a bandit) the target is the reward: skip the Kt chains.
      const bootstraps = batch.done.some((d) => d === 0);
      const y = tf.reshape(
        bootstraps
          ? tf.add(reward, tf.mul(tf.mul(tf.sub(1, tf.tensor1d(batch.done)), c.gamma), this.bestActions(s2, c.targetSamples, 'target').q))
          : reward,
        [n, 1],
      );
      return engine().criticStep(this.critic, this.criticOptimizer, s, a, y as tf.Tensor2D, c.gradClipNorm);
    });
  }

  /** Step 2 on a fresh batch; DIPO (lib/agents/dipo) replaces it with its own actor step. */
  protected actorStep(buffer: ReplayBuffer, timer?: PhaseTimer): ActorStepResult {
    return this.updateActor(buffer.sample(this.config.batchSize, this.rng), timer);
  }

  /** Step 2: the Q-weighted variational loss with diffusion entropy regularisation. */
  private updateActor(batch: Batch, timer?: PhaseTimer): ActorStepResult {
    const c = this.config;
    const { obsDim, actDim } = this.spec;
    const b = batch.size;
    const nd = c.trainSamples;
    const rows = tf.tidy(() => {
      const states = tf.tensor2d(batch.obs, [b, obsDim]);
      const pick = this.policy.propose(states, nd, this.rng, 'current', this.critic, true);
      const w = qWeights(pick.bestQ, pick.meanQ, c.qTransform, c.qcutThreshold);
      const best = pick.best;
      const spread = tf.mean(tf.sqrt(tf.moments(tf.reshape(pick.samples as tf.Tensor2D, [b, nd, actDim]), 1).variance));
      return {
        ...actorRows(states, best, w, this.entropyAlpha, c.entropySamples, this.rng),
        qBest: tf.mean(pick.bestQ) as tf.Scalar,
        qMean: tf.mean(pick.meanQ) as tf.Scalar,
        weightMean: tf.mean(w) as tf.Scalar,
        weightPositive: tf.mean(tf.cast(tf.greater(w, 0), 'float32')) as tf.Scalar,
        sampleStd: spread as tf.Scalar,
      };
    });
    timer?.lap('sampling', rows.weights);
    const step = this.policy.trainStep(rows.actions, rows.states, rows.weights, this.rng);
    timer?.lap('actor', step.loss);
    tf.dispose([rows.actions, rows.states, rows.weights]);
    return {
      loss: step.loss,
      gradNorm: step.gradNorm,
      qBest: rows.qBest,
      qMean: rows.qMean,
      weightMean: rows.weightMean,
      weightPositive: rows.weightPositive,
      sampleStd: rows.sampleStd,
    };
  }

  // ---------------------------------------------------------------- checkpoints

  getState(): QvpoState {
    return {
      kind: 'qvpo',
      policy: this.policy.getState(),
      critic: saveVariables(this.critic.variables),
      criticTarget: saveVariables(this.criticTarget.variables),
      criticOptimizer: this.criticOptimizer.getState(),
      rng: this.rng.getState(),
      entropyAlpha: this.entropyAlpha,
      updates: this.updates,
    };
  }

  setState(state: QvpoState): void {
    if (state?.kind !== 'qvpo') throw new Error(`QVPO.setState: not a QVPO checkpoint (kind ${String(state?.kind)})`);
    this.policy.setState(state.policy);
    loadVariables(this.critic.variables, state.critic, 'critic');
    loadVariables(this.criticTarget.variables, state.criticTarget, 'critic target');
    this.criticOptimizer.setState(state.criticOptimizer);
    this.rng.setState(state.rng);
    this.entropyAlpha = state.entropyAlpha;
    this.updates = state.updates;
  }

  /** Evaluation samples candidates from the noise net and keeps the critic's best: both, and the generator they draw from. */
  getPolicyState(): DiffusionPolicyFile {
    return { kind: 'diffusion-policy', net: saveVariables(this.policy.net.variables), critic: saveVariables(this.critic.variables), rng: this.rng.getState() };
  }

  setPolicyState(state: PolicyState): void {
    checkPolicyKind(state, 'diffusion-policy', this.constructor.name);
    const s = state as DiffusionPolicyFile;
    loadVariables(this.policy.net.variables, s.net, 'diffusion policy');
    loadVariables(this.critic.variables, s.critic, 'critic');
    this.rng.setState(s.rng);
  }

  dispose(): void {
    this.policy.dispose();
    this.critic.dispose();
    this.criticTarget.dispose();
    this.criticOptimizer.dispose();
  }
}
