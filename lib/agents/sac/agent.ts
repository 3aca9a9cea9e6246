/**
 * SAC: Soft Actor-Critic with automatic temperature (Haarnoja et al., 2018, "SAC and
 * Applications"). A tanh-squashed Gaussian actor, a twin critic with a Polyak target, and a
 * learned temperature α:
 *
 *   critic:  y = r + γ(1−done)·(min(Q1', Q2')(s', a') − α·log π(a'|s')),   a' ~ π(·|s')
 *   actor:   minimise E[α·log π(a|s) − min(Q1, Q2)(s, a)],   a = tanh(μ + σε) (reparameterised)
 *   α:       minimise −E[log α · (log π(a|s) + H̄)],   H̄ = targetEntropyPerDim·|A| (−|A|)
 *
 * log π of the squashed action is the Gaussian log-density of u = μ + σε minus
 * Σ log(1 − tanh(u)²), computed stably as 2(log 2 − u − softplus(−2u)). log σ is clamped to
 * [−20, 2]. Evaluation acts with tanh(μ). Actions are in [−1, 1]^d inside the agent.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, AdamState, gradientsOf } from '../../nets/adam';
import { DoubleCritic } from '../../nets/critic';
import { Mlp } from '../../nets/mlp';
import { SavedTensor, copyVariables, loadVariables, saveVariables, softUpdate } from '../../nets/params';
import { Batch, ReplayBuffer } from '../../replay/buffer';
import { Rng, RngState } from '../../util/rng';
import { ActionScaler } from '../action-scale';
import { PolicyState, checkPolicyKind } from '../learner';
import { AgentSpec } from '../qvpo/agent';
import { SacConfig, sacSchema } from './config';

export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;

/**
 * a = tanh(μ + σε) and log π(a) summed over dimensions, from the actor head's mean and
 * (unclamped) log σ and standard normal noise ε, all [n, d]. Returns a [n, d], logProb [n].
 */
export function squashedGaussian(mean: tf.Tensor2D, logStdRaw: tf.Tensor2D, eps: tf.Tensor2D): { action: tf.Tensor2D; logProb: tf.Tensor1D } {
  return tf.tidy(() => {
    const logStd = tf.clipByValue(logStdRaw, LOG_STD_MIN, LOG_STD_MAX);
    const u = tf.add(mean, tf.mul(tf.exp(logStd), eps));
    const gaussian = tf.sub(tf.sub(tf.mul(tf.square(eps), -0.5), logStd), 0.5 * Math.log(2 * Math.PI));
    const logDetTanh = tf.mul(tf.sub(tf.sub(Math.log(2), u), tf.softplus(tf.mul(u, -2))), 2);
    return { action: tf.tanh(u) as tf.Tensor2D, logProb: tf.sum(tf.sub(gaussian, logDetTanh), 1) as tf.Tensor1D };
  });
}

export interface SacState {
  kind: 'sac';
  actor: SavedTensor[];
  critic: SavedTensor[];
  criticTarget: SavedTensor[];
  logAlpha: SavedTensor[];
  actorOptimizer: AdamState;
  criticOptimizer: AdamState;
  alphaOptimizer: AdamState;
  rng: RngState;
  updates: number;
}

/** What evaluation acts with: the actor alone. */
export interface SacPolicyFile extends PolicyState {
  kind: 'sac-policy';
  actor: SavedTensor[];
}

export class SacAgent {
  readonly config: SacConfig;
  readonly actor: Mlp;
  readonly critic: DoubleCritic;
  readonly criticTarget: DoubleCritic;
  readonly logAlpha: tf.Variable;
  readonly targetEntropy: number;
  private readonly actorOptimizer: Adam;
  private readonly criticOptimizer: Adam;
  private readonly alphaOptimizer: Adam;
  private readonly scaler: ActionScaler;
  private readonly rng: Rng;
  updates = 0;

  constructor(
    readonly spec: AgentSpec,
    config: Partial<SacConfig>,
    seed: number,
  ) {
    this.config = sacSchema.make(config);
    const c = this.config;
    this.scaler = new ActionScaler(spec, 'SAC');
    this.rng = new Rng(seed);
    const hidden = Array.from({ length: c.hiddenLayers }, () => c.hiddenWidth);
    const options = { activation: 'relu' as const, init: 'torch-default' as const };
    this.actor = new Mlp([spec.obsDim, ...hidden, 2 * spec.actDim], this.rng, options);
    this.critic = new DoubleCritic(spec.obsDim, spec.actDim, this.rng, { hidden, ...options });
    this.criticTarget = new DoubleCritic(spec.obsDim, spec.actDim, this.rng, { hidden, ...options });
    copyVariables(this.criticTarget.variables, this.critic.variables);
    this.logAlpha = tf.tidy(() => tf.variable(tf.scalar(Math.log(c.initialAlpha))));
    this.targetEntropy = c.targetEntropyPerDim * spec.actDim;
    this.actorOptimizer = new Adam(this.actor.variables, { lr: c.actorLr });
    this.criticOptimizer = new Adam(this.critic.variables, { lr: c.criticLr });
    this.alphaOptimizer = new Adam([this.logAlpha], { lr: c.alphaLr });
  }

  get alpha(): number {
    return Math.exp((this.logAlpha.dataSync() as Float32Array)[0]);
  }

  /** The actor head split into mean and raw log σ. */
  private head(states: tf.Tensor2D): { mean: tf.Tensor2D; logStd: tf.Tensor2D } {
    const out = this.actor.apply(states);
    const [mean, logStd] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { mean, logStd };
  }

  /** a ~ π(·|s) with its log-probability; the noise comes from the agent's generator. */
  sample(states: tf.Tensor2D): { action: tf.Tensor2D; logProb: tf.Tensor1D } {
    const n = states.shape[0];
    const eps = tf.tensor2d(this.rng.normals(n * this.spec.actDim), [n, this.spec.actDim]);
    const { mean, logStd } = this.head(states);
    return squashedGaussian(mean, logStd, eps);
  }

  // ---------------------------------------------------------------- acting

  act(obs: ArrayLike<number>, mode: 'behaviour' | 'eval'): Float32Array {
    const t = tf.tidy(() => {
      const s = tf.tensor2d(Float32Array.from(obs), [1, this.spec.obsDim]);
      return mode === 'eval' ? tf.tanh(this.head(s).mean) : this.sample(s).action;
    });
    const u = t.dataSync() as Float32Array;
    t.dispose();
    return this.scaler.toEnv(u);
  }

  randomAction(): Float32Array {
    return this.scaler.toEnv(this.rng.uniforms(this.spec.actDim, -1, 1));
  }

  toPolicyUnits(a: ArrayLike<number>): Float32Array {
    return this.scaler.toPolicy(a);
  }

  // ---------------------------------------------------------------- learning

  /** y = r + γ(1−done)·(min(Q1', Q2')(s', a') − α·log π(a'|s')), shape [n, 1]. */
  tdTarget(batch: Batch, alpha: number): tf.Tensor2D {
    const n = batch.size;
    return tf.tidy(() => {
      const s2 = tf.tensor2d(batch.nextObs, [n, this.spec.obsDim]);
      const next = this.sample(s2);
      const soft = tf.sub(this.criticTarget.min(s2, next.action), tf.mul(next.logProb, alpha));
      const notDone = tf.sub(1, tf.tensor1d(batch.done));
      return tf.reshape(tf.add(tf.tensor1d(batch.reward), tf.mul(tf.mul(notDone, this.config.gamma), soft)), [n, 1]) as tf.Tensor2D;
    });
  }

  update(buffer: ReplayBuffer, _envStep: number, wantStats: boolean): Record<string, number> | null {
    const c = this.config;
    const batch = buffer.sample(c.batchSize, this.rng);
    const n = batch.size;
    const alpha = this.alpha;
    const out = tf.tidy(() => {
      const s = tf.tensor2d(batch.obs, [n, this.spec.obsDim]);
      const a = tf.tensor2d(batch.act, [n, this.spec.actDim]);
      const y = this.tdTarget(batch, alpha);
      const critic = gradientsOf(() => {
        const [q1, q2] = this.critic.both(s, a);
        return tf.add(tf.losses.meanSquaredError(y, q1), tf.losses.meanSquaredError(y, q2)) as tf.Scalar;
      }, this.critic.variables);
      this.criticOptimizer.apply(critic.grads);

      const eps = tf.tensor2d(this.rng.normals(n * this.spec.actDim), [n, this.spec.actDim]);
      // log π of this batch under the pre-update actor, as a constant for the temperature loss
      const before = this.head(s);
      const logProb = squashedGaussian(before.mean, before.logStd, eps).logProb;
      const actor = gradientsOf(() => {
        const { mean, logStd } = this.head(s);
        const pi = squashedGaussian(mean, logStd, eps);
        return tf.mean(tf.sub(tf.mul(pi.logProb, alpha), this.critic.min(s, pi.action))) as tf.Scalar;
      }, this.actor.variables);
      this.actorOptimizer.apply(actor.grads);

      let alphaLoss = tf.scalar(0);
      if (c.autoTuneAlpha) {
        const entropyGap = tf.add(logProb, this.targetEntropy);
        const temperature = gradientsOf(() => tf.neg(tf.mean(tf.mul(this.logAlpha, entropyGap))) as tf.Scalar, [this.logAlpha]);
        this.alphaOptimizer.apply(temperature.grads);
        alphaLoss = temperature.value;
      }
      return { criticLoss: critic.value, actorLoss: actor.value, alphaLoss, entropy: tf.neg(tf.mean(logProb)) };
    });
    softUpdate(this.criticTarget.variables, this.critic.variables, c.tau);
    this.updates++;
    const read = (t: tf.Tensor) => (t.dataSync() as Float32Array)[0];
    const stats = wantStats
      ? { criticLoss: read(out.criticLoss), actorLoss: read(out.actorLoss), alphaLoss: read(out.alphaLoss), alpha, entropy: read(out.entropy) }
      : null;
    tf.dispose(Object.values(out));
    return stats;
  }

  // ---------------------------------------------------------------- checkpoints

  getState(): SacState {
    return {
      kind: 'sac',
      actor: saveVariables(this.actor.variables),
      critic: saveVariables(this.critic.variables),
      criticTarget: saveVariables(this.criticTarget.variables),
      logAlpha: saveVariables([this.logAlpha]),
      actorOptimizer: this.actorOptimizer.getState(),
      criticOptimizer: this.criticOptimizer.getState(),
      alphaOptimizer: this.alphaOptimizer.getState(),
      rng: this.rng.getState(),
      updates: this.updates,
    };
  }

  setState(state: SacState): void {
    if (state?.kind !== 'sac') throw new Error(`SAC.setState: not a SAC checkpoint (kind ${String(state?.kind)})`);
    loadVariables(this.actor.variables, state.actor, 'actor');
    loadVariables(this.critic.variables, state.critic, 'critic');
    loadVariables(this.criticTarget.variables, state.criticTarget, 'critic target');
    loadVariables([this.logAlpha], state.logAlpha, 'log α');
    this.actorOptimizer.setState(state.actorOptimizer);
    this.criticOptimizer.setState(state.criticOptimizer);
    this.alphaOptimizer.setState(state.alphaOptimizer);
    this.rng.setState(state.rng);
    this.updates = state.updates;
  }

  /** Evaluation is tanh of the actor's mean; the generator is kept for uniformity. */
  getPolicyState(): SacPolicyFile {
    return { kind: 'sac-policy', actor: saveVariables(this.actor.variables), rng: this.rng.getState() };
  }

  setPolicyState(state: PolicyState): void {
    checkPolicyKind(state, 'sac-policy', 'SAC');
    loadVariables(this.actor.variables, (state as SacPolicyFile).actor, 'actor');
    this.rng.setState(state.rng);
  }

  dispose(): void {
    for (const m of [this.actor, this.critic, this.criticTarget]) m.dispose();
    this.logAlpha.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
    this.alphaOptimizer.dispose();
  }
}
