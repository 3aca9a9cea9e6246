/**
 * DPMD and SDAC: reweighted score matching (Ma et al., ICML 2025). Both train the kit's
 * diffusion policy by a Q-weighted denoising loss on samples they can draw — no gradient
 * through the reverse chain, no gradient of Q — and differ only in which samples and weights.
 * This file follows the official code's update (dpmd-spec §4–5) step by step, on a batch
 * (s, a, r, s', done) of B stored transitions:
 *
 *   1. TD target: a' = the best of N chains of the current policy at s' under min(Q1, Q2),
 *      plus exploration noise N(0, (0.1·α)²); y = 0.2·r + γ(1 − done)·min(Q1', Q2')(s', a')
 *   2. critic: one Adam step on MSE(Q1(s, a), y) + MSE(Q2(s, a), y)
 *   3. policy, every 2nd update, one Adam step on a weighted denoising loss:
 *      DPMD (mirror descent, π_new ∝ π·exp(Q/α)): the rows (s', a') of step 1, weighted by
 *           w = exp(clip((q − μ)/σ, ±3)/α) with q = min(Q1, Q2)(s', a') from the critic after
 *           step 2 and μ, σ running statistics of q (updated at every update)
 *      SDAC (soft actor-critic, π ∝ exp(Q/α)): a₀ = best of N chains at s plus noise; one step
 *           t and ã_t = √ᾱ_t·a₀ + √(1−ᾱ_t)·ε₁ per state; M reverse samples
 *           a₀′ = (ã_t − √(1−ᾱ_t)·ε₂)/√ᾱ_t each, weighted by a softmax over the M of
 *           min(Q1, Q2)(s, clip(a₀′))·5/α; ε_θ(ã_t, t, s) regresses onto ε₂. Its critic is the
 *           one the update started with (the official code scores before the critic step)
 *   4. temperature, every 250 updates: one Adam step of log α on −log α·(H_target − H(α)),
 *      H(α) the entropy of the exploration noise (closed form), H_target = −0.9·|A|
 *   5. targets, every 2nd update: Polyak τ for the critic and the policy
 *
 * Acting (training and evaluation alike): the best of N chains of the *target* policy under
 * the current min(Q1, Q2); training adds the noise N(0, (0.1·α)²), evaluation does not.
 * Actions are in [−1, 1]^d inside the agent; the noisy behaviour action is not clipped (as
 * in the code: the env clamps the force).
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, AdamState, clipByGlobalNorm, gradientsOf } from '../../nets/adam';
import { engine } from '../../engine';
import { DoubleCritic } from '../../nets/critic';
import { SavedTensor, copyVariables, loadVariables, saveVariables, softUpdate } from '../../nets/params';
import { DiffusionPolicy, DiffusionPolicyState } from '../../diffusion/policy';
import { repeatRows } from '../../diffusion/select';
import { LossNoise } from '../../diffusion/ddpm';
import { Batch, ReplayBuffer } from '../../replay/buffer';
import { Rng, RngState } from '../../util/rng';
import { ActionScaler } from '../action-scale';
import { LearnerStats, PolicyState, checkPolicyKind } from '../learner';
import type { AgentSpec } from '../qvpo/agent';
import { RsmConfig, RsmObjective, dpmdSchema } from './config';
import { INITIAL_Q_STATS, QStats, mirrorDescentWeights, policyLrAt, reverseSamples, softmaxWeights, temperatureGradient, updateQStats } from './weights';

/** What the last policy step measured; reported until the next one. */
export interface PolicyStepStats {
  actorLoss: number;
  actorGradNorm: number;
  actorLr: number;
  /** Mean min(Q1, Q2) of the rows the weights were computed from. */
  qMean: number;
  weightMean: number;
  weightMax: number;
}

export interface RsmState {
  kind: 'rsm';
  objective: RsmObjective;
  policy: DiffusionPolicyState;
  critic: SavedTensor[];
  criticTarget: SavedTensor[];
  criticOptimizer: AdamState;
  logAlpha: SavedTensor[];
  alphaOptimizer: AdamState;
  rng: RngState;
  qStats: QStats;
  policyStats: PolicyStepStats | null;
  updates: number;
}

/** A critic step's results; `grads` only when they are to be applied again (criticDoubleStep). */
interface CriticStep {
  loss: tf.Scalar;
  gradNorm: tf.Scalar;
  grads?: tf.Tensor[];
}

/** DPMD/SDAC's kept policy (see getPolicyState). */
export interface RsmPolicyFile extends PolicyState {
  kind: 'rsm-policy';
  objective: RsmObjective;
  target: SavedTensor[];
  critic: SavedTensor[];
}

export class RsmAgent {
  readonly config: RsmConfig;
  readonly policy: DiffusionPolicy;
  readonly critic: DoubleCritic;
  readonly criticTarget: DoubleCritic;
  readonly logAlpha: tf.Variable;
  private readonly criticOptimizer: Adam;
  private readonly alphaOptimizer: Adam;
  private readonly scaler: ActionScaler;
  private readonly rng: Rng;
  /** exp(log α), kept in step with logAlpha. */
  alpha: number;
  qStats: QStats = { ...INITIAL_Q_STATS };
  policyStats: PolicyStepStats | null = null;
  updates = 0;

  constructor(
    readonly spec: AgentSpec,
    config: Partial<RsmConfig>,
    seed: number,
  ) {
    this.config = dpmdSchema.make(config);
    const c = this.config;
    if (c.noiseScale === 0 && c.alphaLr > 0) {
      throw new Error('DPMD/SDAC: noiseScale 0 makes the noise entropy −∞ and α grow without bound; set alphaLr 0 to keep α fixed');
    }
    const name = c.objective.toUpperCase();
    this.scaler = new ActionScaler(spec, name);
    this.rng = new Rng(seed);
    const hidden = Array.from({ length: c.hiddenLayers }, () => c.hiddenWidth);
    this.policy = new DiffusionPolicy(spec.obsDim, spec.actDim, this.rng, {
      diffusionSteps: c.diffusionSteps,
      betaSchedule: c.betaSchedule,
      betaScale: c.betaScale,
      initialNoiseStd: c.initialNoiseStd,
      hidden,
      lr: c.actorLr,
      adamEps: c.adamEps,
      gradClipNorm: 0, // the code clips no gradient
      noiseRatio: 1,
      clipDenoised: true,
    });
    this.critic = new DoubleCritic(spec.obsDim, spec.actDim, this.rng, { hidden });
    this.criticTarget = new DoubleCritic(spec.obsDim, spec.actDim, this.rng, { hidden });
    copyVariables(this.criticTarget.variables, this.critic.variables);
    this.criticOptimizer = new Adam(this.critic.variables, { lr: c.criticLr, eps: c.adamEps });
    this.logAlpha = tf.tidy(() => tf.variable(tf.scalar(Math.log(c.initialAlpha)), true));
    this.alpha = c.initialAlpha;
    this.alphaOptimizer = new Adam([this.logAlpha], { lr: c.alphaLr, eps: c.adamEps });
  }

  // ---------------------------------------------------------------- acting

  /** Actions for a batch of observations (row-major [n, obsDim]), in env units. */
  actBatch(obs: ArrayLike<number>, n: number, mode: 'behaviour' | 'eval'): Float32Array {
    const noiseStd = mode === 'eval' ? 0 : this.config.noiseScale * this.alpha;
    const actions = tf.tidy(() => this.bestParticles(tf.tensor2d(Float32Array.from(obs), [n, this.spec.obsDim]), 'target', noiseStd));
    const a = actions.dataSync() as Float32Array;
    actions.dispose();
    return this.scaler.toEnv(a);
  }

  act(obs: ArrayLike<number>, mode: 'behaviour' | 'eval'): Float32Array {
    return this.actBatch(obs, 1, mode);
  }

  /** Uniform random action in env units (the warm-up policy). */
  randomAction(): Float32Array {
    return this.scaler.toEnv(this.rng.uniforms(this.spec.actDim, -1, 1));
  }

  toEnvUnits(a: Float32Array): Float32Array {
    return this.scaler.toEnv(a);
  }

  toPolicyUnits(a: ArrayLike<number>): Float32Array {
    return this.scaler.toPolicy(a);
  }

  /**
   * The code's get_action: N chains per state from the current or target policy, the best
   * under min(Q1, Q2) of the current critic, plus N(0, noiseStd²) noise (none when 0).
   * Call inside tidy.
   */
  private bestParticles(states: tf.Tensor2D, which: 'current' | 'target', noiseStd: number): tf.Tensor2D {
    const best = this.policy.propose(states, this.config.particles, this.rng, which, this.critic).best;
    if (noiseStd === 0) return best;
    const [n, d] = best.shape;
    return tf.add(best, tf.mul(tf.tensor2d(this.rng.normals(n * d), [n, d]), noiseStd));
  }

  // ---------------------------------------------------------------- learning

  /** One update (steps 1–5 of the header). */
  update(buffer: ReplayBuffer, _envStep: number, wantStats = false): LearnerStats | null {
    const c = this.config;
    const batch = buffer.sample(c.batchSize, this.rng);
    const n = batch.size;
    const { obsDim, actDim } = this.spec;
    const alpha = this.alpha;
    const noiseStd = c.noiseScale * alpha;
    const policyDue = this.updates % c.policyDelay === 0;
    const s = tf.tensor2d(batch.obs, [n, obsDim]);
    const a = tf.tensor2d(batch.act, [n, actDim]);
    const s2 = tf.tensor2d(batch.nextObs, [n, obsDim]);

    // 1. TD target, from the current policy's noisy best particle at s'
    const nextActions = tf.tidy(() => this.bestParticles(s2, 'current', noiseStd));
    const y = this.tdTarget(batch, s2, nextActions);

    // 3. (SDAC) the policy step, scored by the critic this update started with
    if (c.objective === 'sdac' && policyDue) this.sdacPolicyStep(s, alpha);

    // 2. critic
    const critic: CriticStep = c.criticDoubleStep ? this.criticStepKeepingGradients(s, a, y) : engine().criticStep(this.critic, this.criticOptimizer, s, a, y, 0);

    // 3. (DPMD) the policy step on (s', a'), scored by the critic after its step
    if (c.objective === 'dpmd') this.dpmdPolicyStep(s2, nextActions, alpha, policyDue);

    // The DPMD code applies the same critic gradients a second time, with Adam's moved state.
    if (critic.grads) this.criticOptimizer.apply(critic.grads);

    // 4. temperature
    if (this.updates % c.alphaUpdateEvery === 0) this.temperatureStep();

    // 5. targets
    if (policyDue) {
      softUpdate(this.criticTarget.variables, this.critic.variables, c.tau);
      this.policy.updateTarget(c.tau);
    }
    this.updates++;

    const read = (t: tf.Tensor) => (t.dataSync() as Float32Array)[0];
    const stats: LearnerStats | null = wantStats
      ? {
          criticLoss: read(critic.loss),
          criticGradNorm: read(critic.gradNorm),
          ...(this.policyStats ?? {}),
          alpha,
          // the running statistics of Q exist only for DPMD's weights
          ...(c.objective === 'dpmd' ? { qRunningMean: this.qStats.mean, qRunningStd: this.qStats.std } : {}),
        }
      : null;
    tf.dispose([s, a, s2, nextActions, y, critic.loss, critic.gradNorm, ...(critic.grads ?? [])]);
    return stats;
  }

  /** y = rewardScale·r + γ(1 − done)·min(Q1', Q2')(s', a') from the target critic, [n, 1]. */
  private tdTarget(batch: Batch, s2: tf.Tensor2D, nextActions: tf.Tensor2D): tf.Tensor2D {
    const c = this.config;
    return tf.tidy(() => {
      const qNext = this.criticTarget.minRepeated(s2, nextActions, 1);
      const notDone = tf.sub(1, tf.tensor1d(batch.done));
      const y = tf.add(tf.mul(tf.tensor1d(batch.reward), c.rewardScale), tf.mul(tf.mul(notDone, c.gamma), qNext));
      return tf.reshape(y, [batch.size, 1]) as tf.Tensor2D;
    });
  }

  /**
   * The critic step in tfjs kernels, keeping the (unclipped) gradients for their second
   * application: the DPMD code's double step (criticDoubleStep). No engine has this fused.
   */
  private criticStepKeepingGradients(s: tf.Tensor2D, a: tf.Tensor2D, y: tf.Tensor2D): CriticStep {
    return tf.tidy(() => {
      const { value, grads } = gradientsOf(() => {
        const [q1, q2] = this.critic.both(s, a);
        return tf.add(tf.losses.meanSquaredError(y, q1), tf.losses.meanSquaredError(y, q2)) as tf.Scalar;
      }, this.critic.variables);
      this.criticOptimizer.apply(grads);
      return { loss: value, gradNorm: clipByGlobalNorm(grads, 0).norm, grads };
    }) as CriticStep;
  }

  /**
   * DPMD's step 3 on the rows (s', a'): the weights from the critic's q and the running
   * statistics before this batch; the statistics then move towards this batch's (every
   * update, as the code computes the loss at every update and applies it every 2nd).
   */
  private dpmdPolicyStep(s2: tf.Tensor2D, nextActions: tf.Tensor2D, alpha: number, due: boolean): void {
    const c = this.config;
    const q = this.critic.minRepeated(s2, nextActions, 1);
    const moments = tf.tidy(() => tf.moments(q));
    const qMean = (moments.mean.dataSync() as Float32Array)[0];
    const qStd = Math.sqrt((moments.variance.dataSync() as Float32Array)[0]);
    if (due) {
      const weights = tf.tidy(() => mirrorDescentWeights(q, this.qStats, alpha, c.qClip, c.qNormalisation));
      this.policyStep(nextActions, s2, weights, qMean);
      weights.dispose();
    }
    this.qStats = updateQStats(this.qStats, qMean, qStd, c.qStatsRate);
    tf.dispose([q, moments.mean, moments.variance]);
  }

  /** SDAC's step 3: M reverse samples per state's noisy proposal, softmax-weighted by Q. */
  private sdacPolicyStep(s: tf.Tensor2D, alpha: number): void {
    const c = this.config;
    const { actDim } = this.spec;
    const m = c.reverseSamples;
    const proposals = tf.tidy(() => this.bestParticles(s, 'current', c.noiseScale * alpha));
    const rows = reverseSamples(this.policy.coef, proposals.dataSync() as Float32Array, actDim, m, this.rng);
    proposals.dispose();
    const b = s.shape[0];
    const actions = tf.tensor2d(rows.actions, [b * m, actDim]);
    const states = tf.tidy(() => repeatRows(s, m));
    const q = tf.tidy(() => this.critic.minRepeated(s, tf.tensor2d(rows.clipped, [b * m, actDim]), m));
    const weights = tf.tidy(() => softmaxWeights(q, m, c.weightScale / alpha));
    const qMean = tf.tidy(() => (tf.mean(q).dataSync() as Float32Array)[0]);
    this.policyStep(actions, states, weights, qMean, rows.noise);
    tf.dispose([actions, states, q, weights]);
  }

  /** One Adam step of the policy at its scheduled learning rate; records what it measured. */
  private policyStep(actions: tf.Tensor2D, states: tf.Tensor2D, weights: tf.Tensor1D, qMean: number, noise?: LossNoise): void {
    const c = this.config;
    const optimizer = this.policy.optimizer;
    optimizer.lr = policyLrAt(optimizer.steps, c.actorLr, c.actorLrEnd, c.actorLrDecayStart, c.actorLrDecaySteps);
    const step = this.policy.trainStep(actions, states, weights, this.rng, noise ? { noise } : {});
    const read = (t: tf.Tensor) => (t.dataSync() as Float32Array)[0];
    const [weightMean, weightMax] = tf.tidy(() => [read(tf.mean(weights)), read(tf.max(weights))]);
    this.policyStats = { actorLoss: read(step.loss), actorGradNorm: read(step.gradNorm), actorLr: optimizer.lr, qMean, weightMean, weightMax };
    tf.dispose([step.loss, step.gradNorm]);
  }

  /** Step 4: one Adam step of log α with the closed-form gradient H(α) − H_target. */
  private temperatureStep(): void {
    const c = this.config;
    const grad = tf.scalar(temperatureGradient(this.alpha, c.noiseScale, this.spec.actDim, c.targetEntropyPerDim));
    this.alphaOptimizer.apply([grad]);
    grad.dispose();
    this.alpha = Math.exp((this.logAlpha.dataSync() as Float32Array)[0]);
  }

  // ---------------------------------------------------------------- kept policy

  /**
   * What evaluation acts with (policy.bin): the target noise net, whose chains the current
   * critic ranks (bestParticles with 'target'), and that critic. Evaluation adds no noise, so α
   * is not needed.
   */
  getPolicyState(): RsmPolicyFile {
    return { kind: 'rsm-policy', objective: this.config.objective, target: saveVariables(this.policy.target.variables), critic: saveVariables(this.critic.variables), rng: this.rng.getState() };
  }

  setPolicyState(state: PolicyState): void {
    const name = this.config.objective.toUpperCase();
    checkPolicyKind(state, 'rsm-policy', name);
    const s = state as RsmPolicyFile;
    if (s.objective !== this.config.objective) throw new Error(`${name}.setPolicyState: the policy is of ${String(s.objective).toUpperCase()}, this agent is ${name}`);
    loadVariables(this.policy.target.variables, s.target, 'target noise net');
    loadVariables(this.critic.variables, s.critic, 'critic');
    this.rng.setState(s.rng);
  }

  // ---------------------------------------------------------------- checkpoints

  getState(): RsmState {
    return {
      kind: 'rsm',
      objective: this.config.objective,
      policy: this.policy.getState(),
      critic: saveVariables(this.critic.variables),
      criticTarget: saveVariables(this.criticTarget.variables),
      criticOptimizer: this.criticOptimizer.getState(),
      logAlpha: saveVariables([this.logAlpha]),
      alphaOptimizer: this.alphaOptimizer.getState(),
      rng: this.rng.getState(),
      qStats: { ...this.qStats },
      policyStats: this.policyStats ? { ...this.policyStats } : null,
      updates: this.updates,
    };
  }

  setState(state: RsmState): void {
    const name = this.config.objective.toUpperCase();
    if (state?.kind !== 'rsm') throw new Error(`${name}.setState: not a DPMD/SDAC checkpoint (kind ${String(state?.kind)})`);
    if (state.objective !== this.config.objective) throw new Error(`${name}.setState: the checkpoint is of ${String(state.objective).toUpperCase()}, this agent is ${name}`);
    this.policy.setState(state.policy);
    loadVariables(this.critic.variables, state.critic, 'critic');
    loadVariables(this.criticTarget.variables, state.criticTarget, 'critic target');
    this.criticOptimizer.setState(state.criticOptimizer);
    loadVariables([this.logAlpha], state.logAlpha, 'log α');
    this.alphaOptimizer.setState(state.alphaOptimizer);
    this.alpha = Math.exp((this.logAlpha.dataSync() as Float32Array)[0]);
    this.rng.setState(state.rng);
    this.qStats = { ...state.qStats };
    this.policyStats = state.policyStats ? { ...state.policyStats } : null;
    this.updates = state.updates;
  }

  dispose(): void {
    this.policy.dispose();
    this.critic.dispose();
    this.criticTarget.dispose();
    this.criticOptimizer.dispose();
    this.logAlpha.dispose();
    this.alphaOptimizer.dispose();
  }
}
