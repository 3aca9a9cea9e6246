/**
 * PPO and SPO: on-policy actor-critic with a Gaussian policy (state-independent log σ), GAE
 * and minibatch epochs over each rollout. The two differ only in the policy objective, per
 * sample with ratio r = π(a|s)/π_old(a|s) and advantage A:
 *
 *   PPO (Schulman et al., 2017):          min(r·A, clip(r, 1−ε, 1+ε)·A)
 *   SPO (Xie et al., 2024, "Simple Policy Optimization"):
 *                                         r·A − |A|/(2ε)·(r − 1)²
 *
 * SPO's quadratic penalty keeps the gradient pulling r back towards the trust region
 * |r − 1| ≤ ε instead of zeroing it outside (PPO's clip), while the optimum of each term stays
 * at r = 1 + ε·sign(A).
 *
 * Rollouts: `rolloutSteps` transitions, then `epochs` passes of shuffled minibatches. An episode
 * cut by the time limit bootstraps: γ·V(s') is added to its last reward (truncation is not
 * termination). Observations are normalised by running statistics and rewards scaled by the
 * running std of the discounted return (gym's NormalizeObservation / NormalizeReward). The
 * learning rate decays linearly to 0 over `annealSteps`. Actions are sampled unbounded and
 * clipped to [−1, 1] only when sent to the env.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, AdamState, clipByGlobalNorm, gradientsOf } from '../../nets/adam';
import { Mlp } from '../../nets/mlp';
import { SavedTensor, loadVariables, saveVariables } from '../../nets/params';
import { Rng, RngState } from '../../util/rng';
import { ActionScaler } from '../action-scale';
import { Learner, LearnerStats, PolicyState, Transition, checkPolicyKind } from '../learner';
import { RunningMeanStd, RunningMeanStdState } from '../normalize';
import { AgentSpec } from '../qvpo/agent';
import { PpoConfig, ppoSchema } from './config';

/**
 * Generalised advantage estimation over one rollout. `ended[t]` = 1 when the episode ended at
 * step t (its reward already carries any truncation bootstrap); `lastValue` = V of the state
 * after the last step (ignored when that step ended an episode).
 */
export function gae(rewards: ArrayLike<number>, values: ArrayLike<number>, ended: ArrayLike<number>, lastValue: number, gamma: number, lambda: number) {
  const n = rewards.length;
  const advantages = new Float32Array(n);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const nextValue = t === n - 1 ? lastValue : values[t + 1];
    const live = 1 - ended[t];
    const delta = rewards[t] + gamma * nextValue * live - values[t];
    next = delta + gamma * lambda * live * next;
    advantages[t] = next;
  }
  const returns = Float32Array.from(advantages, (a, t) => a + values[t]);
  return { advantages, returns };
}

/** Per-sample policy objective (to be maximised) of PPO or SPO. */
export function policyObjective(kind: PpoConfig['objective'], ratio: tf.Tensor1D, adv: tf.Tensor1D, eps: number): tf.Tensor1D {
  return tf.tidy(() => {
    if (kind === 'ppo-clip') return tf.minimum(tf.mul(ratio, adv), tf.mul(tf.clipByValue(ratio, 1 - eps, 1 + eps), adv)) as tf.Tensor1D;
    return tf.sub(tf.mul(ratio, adv), tf.mul(tf.div(tf.abs(adv), 2 * eps), tf.square(tf.sub(ratio, 1)))) as tf.Tensor1D;
  });
}

/** log N(a; μ, σ) summed over dimensions, [n]. */
export function gaussianLogProb(a: tf.Tensor2D, mean: tf.Tensor2D, logStd: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const z = tf.div(tf.sub(a, mean), tf.exp(logStd));
    return tf.sum(tf.sub(tf.sub(tf.mul(tf.square(z), -0.5), logStd), 0.5 * Math.log(2 * Math.PI)), 1) as tf.Tensor1D;
  });
}

interface Rollout {
  obs: number[];
  act: number[];
  logProb: number[];
  value: number[];
  reward: number[];
  ended: number[];
}

const emptyRollout = (): Rollout => ({ obs: [], act: [], logProb: [], value: [], reward: [], ended: [] });

export interface PpoState {
  kind: 'ppo';
  actor: SavedTensor[];
  critic: SavedTensor[];
  logStd: SavedTensor[];
  optimizer: AdamState;
  rng: RngState;
  obsStats: RunningMeanStdState;
  returnStats: RunningMeanStdState;
  discountedReturn: number;
  rollout: Rollout;
  pending: { obs: number[]; act: number[]; logProb: number; value: number } | null;
  updates: number;
  lastStats: LearnerStats | null;
}

export interface PpoPolicyFile extends PolicyState {
  kind: 'gaussian-policy';
  actor: SavedTensor[];
  obsStats: RunningMeanStdState;
}

export class PpoLearner implements Learner {
  readonly config: PpoConfig;
  readonly actor: Mlp;
  readonly critic: Mlp;
  readonly logStd: tf.Variable;
  private readonly optimizer: Adam;
  private readonly scaler: ActionScaler;
  private readonly rng: Rng;
  private readonly obsStats: RunningMeanStd;
  private readonly returnStats = new RunningMeanStd(1);
  private discountedReturn = 0;
  private rollout = emptyRollout();
  private pending: PpoState['pending'] = null;
  updates = 0;
  private lastStats: LearnerStats | null = null;

  constructor(
    readonly spec: AgentSpec,
    config: Partial<PpoConfig>,
    seed: number,
  ) {
    this.config = ppoSchema.make(config);
    const c = this.config;
    this.scaler = new ActionScaler(spec, c.objective === 'spo' ? 'SPO' : 'PPO');
    this.rng = new Rng(seed);
    const hidden = Array.from({ length: c.hiddenLayers }, () => c.hiddenWidth);
    const options = { activation: 'tanh' as const, init: 'torch-default' as const };
    this.actor = new Mlp([spec.obsDim, ...hidden, spec.actDim], this.rng, options);
    this.critic = new Mlp([spec.obsDim, ...hidden, 1], this.rng, options);
    this.logStd = tf.tidy(() => tf.variable(tf.zeros([spec.actDim])));
    this.optimizer = new Adam(this.variables, { lr: c.lr, eps: 1e-5 });
    this.obsStats = new RunningMeanStd(spec.obsDim);
  }

  private get variables(): tf.Variable[] {
    return [...this.actor.variables, ...this.critic.variables, this.logStd];
  }

  private normalizeObs(obs: ArrayLike<number>): Float32Array {
    return this.config.normalizeObservations ? this.obsStats.normalize(obs) : Float32Array.from(obs);
  }

  private value(obs: Float32Array): number {
    const v = tf.tidy(() => this.critic.apply(tf.tensor2d(obs, [1, this.spec.obsDim])));
    const out = (v.dataSync() as Float32Array)[0];
    v.dispose();
    return out;
  }

  act(obs: ArrayLike<number>, mode: 'explore' | 'eval', _envStep: number): Float32Array {
    if (mode === 'explore' && this.config.normalizeObservations) this.obsStats.update(obs);
    const o = this.normalizeObs(obs);
    const mean = tf.tidy(() => this.actor.apply(tf.tensor2d(o, [1, this.spec.obsDim])));
    const mu = Float32Array.from(mean.dataSync());
    mean.dispose();
    if (mode === 'eval') return this.scaler.toEnv(mu.map((m) => Math.min(1, Math.max(-1, m))));
    const logStd = this.logStd.dataSync() as Float32Array;
    const a = mu.map((m, i) => m + Math.exp(logStd[i]) * this.rng.normal());
    let logProb = 0;
    for (let i = 0; i < a.length; i++) {
      const z = (a[i] - mu[i]) / Math.exp(logStd[i]);
      logProb += -0.5 * z * z - logStd[i] - 0.5 * Math.log(2 * Math.PI);
    }
    this.pending = { obs: Array.from(o), act: Array.from(a), logProb, value: this.value(o) };
    return this.scaler.toEnv(a.map((x) => Math.min(1, Math.max(-1, x))));
  }

  observe(t: Transition, envStep: number, wantStats: boolean): LearnerStats | null {
    const c = this.config;
    if (!this.pending) throw new Error('PPO.observe: no pending action (call act(obs, "explore") before each observe)');
    const ended = t.terminated || t.truncated;
    let reward = t.reward;
    if (c.normalizeRewards) {
      this.discountedReturn = this.discountedReturn * c.gamma + t.reward;
      this.returnStats.update([this.discountedReturn]);
      reward = Math.min(10, Math.max(-10, t.reward / Math.sqrt(this.returnStats.variance[0] + 1e-8)));
      if (ended) this.discountedReturn = 0;
    }
    if (t.truncated && !t.terminated) reward += c.gamma * this.value(this.normalizeObs(t.nextObs));
    const r = this.rollout;
    r.obs.push(...this.pending.obs);
    r.act.push(...this.pending.act);
    r.logProb.push(this.pending.logProb);
    r.value.push(this.pending.value);
    r.reward.push(reward);
    r.ended.push(ended ? 1 : 0);
    this.pending = null;
    if (r.reward.length >= c.rolloutSteps) {
      const lastValue = ended ? 0 : this.value(this.normalizeObs(t.nextObs));
      this.lastStats = this.train(lastValue, envStep);
      this.rollout = emptyRollout();
    }
    return wantStats ? this.lastStats : null;
  }

  /** The update phase: GAE, then epochs of shuffled minibatches. */
  private train(lastValue: number, envStep: number): LearnerStats {
    const c = this.config;
    const r = this.rollout;
    const n = r.reward.length;
    const { obsDim, actDim } = this.spec;
    const { advantages, returns } = gae(r.reward, r.value, r.ended, lastValue, c.gamma, c.gaeLambda);
    this.optimizer.lr = c.lr * Math.max(0, 1 - (envStep - n) / c.annealSteps);
    const obs = Float32Array.from(r.obs);
    const act = Float32Array.from(r.act);
    const oldLogProb = Float32Array.from(r.logProb);
    const sums = { policyLoss: 0, valueLoss: 0, approxKl: 0, clipFraction: 0, batches: 0 };
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let start = 0; start < n; start += c.minibatchSize) {
        const idx = order.slice(start, start + c.minibatchSize);
        const m = idx.length;
        const pick = (src: Float32Array, width: number) => {
          const out = new Float32Array(m * width);
          idx.forEach((k, row) => out.set(src.subarray(k * width, (k + 1) * width), row * width));
          return out;
        };
        const out = tf.tidy(() => {
          const s = tf.tensor2d(pick(obs, obsDim), [m, obsDim]);
          const a = tf.tensor2d(pick(act, actDim), [m, actDim]);
          const old = tf.tensor1d(pick(oldLogProb, 1));
          let adv = tf.tensor1d(pick(advantages, 1));
          if (c.normalizeAdvantages && m > 1) {
            const { mean, variance } = tf.moments(adv);
            adv = tf.div(tf.sub(adv, mean), tf.add(tf.sqrt(variance), 1e-8));
          }
          const ret = tf.tensor1d(pick(returns, 1));
          const parts: Record<string, tf.Scalar> = {};
          const { grads } = gradientsOf(() => {
            const logProb = gaussianLogProb(a, this.actor.apply(s), this.logStd as tf.Tensor1D);
            const logRatio = tf.sub(logProb, old);
            const ratio = tf.exp(logRatio) as tf.Tensor1D;
            const policyLoss = tf.neg(tf.mean(policyObjective(c.objective, ratio, adv, c.clipEpsilon))) as tf.Scalar;
            const valueLoss = tf.mean(tf.square(tf.sub(tf.reshape(this.critic.apply(s), [-1]), ret))) as tf.Scalar;
            const entropy = tf.sum(tf.add(this.logStd, 0.5 * Math.log(2 * Math.PI * Math.E))) as tf.Scalar;
            parts.policyLoss = tf.keep(policyLoss);
            parts.valueLoss = tf.keep(valueLoss);
            parts.approxKl = tf.keep(tf.mean(tf.sub(tf.sub(ratio, 1), logRatio)) as tf.Scalar);
            parts.clipFraction = tf.keep(tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), c.clipEpsilon), 'float32')) as tf.Scalar);
            return tf.sub(tf.add(policyLoss, tf.mul(valueLoss, c.valueCoef)), tf.mul(entropy, c.entropyCoef)) as tf.Scalar;
          }, this.variables);
          this.optimizer.apply(clipByGlobalNorm(grads, c.maxGradNorm).grads);
          return parts;
        });
        for (const key of ['policyLoss', 'valueLoss', 'approxKl', 'clipFraction'] as const) sums[key] += (out[key].dataSync() as Float32Array)[0];
        tf.dispose(Object.values(out));
        sums.batches++;
      }
    }
    this.updates++;
    const std = Array.from(this.logStd.dataSync() as Float32Array, (l) => Math.exp(l));
    return {
      policyLoss: sums.policyLoss / sums.batches,
      valueLoss: sums.valueLoss / sums.batches,
      approxKl: sums.approxKl / sums.batches,
      clipFraction: sums.clipFraction / sums.batches,
      policyStd: std.reduce((x, y) => x + y, 0) / std.length,
      lr: this.optimizer.lr,
    };
  }

  getState(): PpoState {
    return {
      kind: 'ppo',
      actor: saveVariables(this.actor.variables),
      critic: saveVariables(this.critic.variables),
      logStd: saveVariables([this.logStd]),
      optimizer: this.optimizer.getState(),
      rng: this.rng.getState(),
      obsStats: this.obsStats.getState(),
      returnStats: this.returnStats.getState(),
      discountedReturn: this.discountedReturn,
      rollout: { ...this.rollout },
      pending: this.pending,
      updates: this.updates,
      lastStats: this.lastStats,
    };
  }

  setState(state: unknown): void {
    const s = state as PpoState;
    if (s?.kind !== 'ppo') throw new Error(`PPO.setState: not a PPO checkpoint (kind ${String(s?.kind)})`);
    loadVariables(this.actor.variables, s.actor, 'actor');
    loadVariables(this.critic.variables, s.critic, 'critic');
    loadVariables([this.logStd], s.logStd, 'log σ');
    this.optimizer.setState(s.optimizer);
    this.rng.setState(s.rng);
    this.obsStats.setState(s.obsStats);
    this.returnStats.setState(s.returnStats);
    this.discountedReturn = s.discountedReturn;
    this.rollout = { obs: [...s.rollout.obs], act: [...s.rollout.act], logProb: [...s.rollout.logProb], value: [...s.rollout.value], reward: [...s.rollout.reward], ended: [...s.rollout.ended] };
    this.pending = s.pending;
    this.updates = s.updates;
    this.lastStats = s.lastStats;
  }

  /** Evaluation is the clipped mean action on normalised observations: the actor and the normaliser. */
  getPolicyState(): PpoPolicyFile {
    return { kind: 'gaussian-policy', actor: saveVariables(this.actor.variables), obsStats: this.obsStats.getState(), rng: this.rng.getState() };
  }

  setPolicyState(state: PolicyState): void {
    checkPolicyKind(state, 'gaussian-policy', this.config.objective === 'spo' ? 'SPO' : 'PPO');
    const s = state as PpoPolicyFile;
    loadVariables(this.actor.variables, s.actor, 'actor');
    this.obsStats.setState(s.obsStats);
    this.rng.setState(s.rng);
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
    this.logStd.dispose();
    this.optimizer.dispose();
  }
}
