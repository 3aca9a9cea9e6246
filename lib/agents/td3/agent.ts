/**
 * TD3: Twin Delayed DDPG (Fujimoto, van Hoof & Meger, ICML 2018). A deterministic tanh actor
 * and a twin critic, with the three changes that define TD3:
 *
 *   1. clipped double Q:   y = r + γ(1−done)·min(Q1', Q2')(s', ã')
 *   2. target smoothing:   ã' = clip(μ'(s') + clip(ε, −c, c), −1, 1),  ε ~ N(0, σ²)
 *   3. delayed updates:    the actor (maximising Q1(s, μ(s))) and all targets move once per
 *                          `policyDelay` critic updates
 *
 * Behaviour actions add N(0, explorationNoise²) to μ(s), clipped to the box. Actions are in
 * [−1, 1]^d inside the agent and scaled to the env's bounds at the edge.
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
import { Td3Config, td3Schema } from './config';

export interface Td3State {
  kind: 'td3';
  actor: SavedTensor[];
  actorTarget: SavedTensor[];
  critic: SavedTensor[];
  criticTarget: SavedTensor[];
  actorOptimizer: AdamState;
  criticOptimizer: AdamState;
  rng: RngState;
  updates: number;
  /** The last actor loss (logged between delayed actor updates); null before the first. */
  lastActorLoss: number | null;
}

/** What evaluation acts with: the actor alone. */
export interface Td3PolicyFile extends PolicyState {
  kind: 'td3-policy';
  actor: SavedTensor[];
}

export class Td3Agent {
  readonly config: Td3Config;
  readonly actor: Mlp;
  readonly actorTarget: Mlp;
  readonly critic: DoubleCritic;
  readonly criticTarget: DoubleCritic;
  private readonly actorOptimizer: Adam;
  private readonly criticOptimizer: Adam;
  private readonly scaler: ActionScaler;
  private readonly rng: Rng;
  updates = 0;
  private lastActorLoss = NaN;

  constructor(
    readonly spec: AgentSpec,
    config: Partial<Td3Config>,
    seed: number,
  ) {
    this.config = td3Schema.make(config);
    const c = this.config;
    this.scaler = new ActionScaler(spec, 'TD3');
    this.rng = new Rng(seed);
    const hidden = Array.from({ length: c.hiddenLayers }, () => c.hiddenWidth);
    const options = { activation: 'relu' as const, init: 'torch-default' as const };
    this.actor = new Mlp([spec.obsDim, ...hidden, spec.actDim], this.rng, options);
    this.actorTarget = new Mlp([spec.obsDim, ...hidden, spec.actDim], this.rng, options);
    this.critic = new DoubleCritic(spec.obsDim, spec.actDim, this.rng, { hidden, ...options });
    this.criticTarget = new DoubleCritic(spec.obsDim, spec.actDim, this.rng, { hidden, ...options });
    copyVariables(this.actorTarget.variables, this.actor.variables);
    copyVariables(this.criticTarget.variables, this.critic.variables);
    this.actorOptimizer = new Adam(this.actor.variables, { lr: c.actorLr });
    this.criticOptimizer = new Adam(this.critic.variables, { lr: c.criticLr });
  }

  /** μ(s) in [−1, 1]. */
  policy(states: tf.Tensor2D, which: 'current' | 'target' = 'current'): tf.Tensor2D {
    return tf.tanh((which === 'target' ? this.actorTarget : this.actor).apply(states));
  }

  // ---------------------------------------------------------------- acting

  act(obs: ArrayLike<number>, mode: 'behaviour' | 'eval'): Float32Array {
    const t = tf.tidy(() => this.policy(tf.tensor2d(Float32Array.from(obs), [1, this.spec.obsDim])));
    const u = t.dataSync() as Float32Array;
    t.dispose();
    if (mode === 'behaviour') {
      for (let i = 0; i < u.length; i++) u[i] = Math.min(1, Math.max(-1, u[i] + this.config.explorationNoise * this.rng.normal()));
    }
    return this.scaler.toEnv(u);
  }

  randomAction(): Float32Array {
    return this.scaler.toEnv(this.rng.uniforms(this.spec.actDim, -1, 1));
  }

  toPolicyUnits(a: ArrayLike<number>): Float32Array {
    return this.scaler.toPolicy(a);
  }

  // ---------------------------------------------------------------- learning

  /** ã' = clip(μ'(s') + clip(σε, −c, c), −1, 1), with ε drawn here (exported for tests). */
  smoothedTargetActions(nextStates: tf.Tensor2D, noise: Float32Array): tf.Tensor2D {
    const c = this.config;
    return tf.tidy(() => {
      const eps = tf.clipByValue(tf.mul(tf.tensor2d(noise, [nextStates.shape[0], this.spec.actDim]), c.policyNoise), -c.noiseClip, c.noiseClip);
      return tf.clipByValue(tf.add(this.policy(nextStates, 'target'), eps), -1, 1) as tf.Tensor2D;
    });
  }

  /** The TD target y = r + γ(1−done)·min(Q1', Q2')(s', ã'), shape [n, 1]. */
  tdTarget(batch: Batch, noise: Float32Array): tf.Tensor2D {
    const n = batch.size;
    return tf.tidy(() => {
      const s2 = tf.tensor2d(batch.nextObs, [n, this.spec.obsDim]);
      const q = this.criticTarget.min(s2, this.smoothedTargetActions(s2, noise));
      const notDone = tf.sub(1, tf.tensor1d(batch.done));
      return tf.reshape(tf.add(tf.tensor1d(batch.reward), tf.mul(tf.mul(notDone, this.config.gamma), q)), [n, 1]) as tf.Tensor2D;
    });
  }

  update(buffer: ReplayBuffer, _envStep: number, wantStats: boolean): Record<string, number> | null {
    const c = this.config;
    const batch = buffer.sample(c.batchSize, this.rng);
    const n = batch.size;
    const noise = this.rng.normals(n * this.spec.actDim);
    const criticLoss = tf.tidy(() => {
      const s = tf.tensor2d(batch.obs, [n, this.spec.obsDim]);
      const a = tf.tensor2d(batch.act, [n, this.spec.actDim]);
      const y = this.tdTarget(batch, noise);
      const { value, grads } = gradientsOf(() => {
        const [q1, q2] = this.critic.both(s, a);
        return tf.add(tf.losses.meanSquaredError(y, q1), tf.losses.meanSquaredError(y, q2)) as tf.Scalar;
      }, this.critic.variables);
      this.criticOptimizer.apply(grads);
      return value;
    });
    this.updates++;
    if (this.updates % c.policyDelay === 0) {
      const actorLoss = tf.tidy(() => {
        const s = tf.tensor2d(batch.obs, [n, this.spec.obsDim]);
        const { value, grads } = gradientsOf(() => {
          const [q1] = this.critic.both(s, this.policy(s));
          return tf.neg(tf.mean(q1)) as tf.Scalar;
        }, this.actor.variables);
        this.actorOptimizer.apply(grads);
        return value;
      });
      this.lastActorLoss = (actorLoss.dataSync() as Float32Array)[0];
      actorLoss.dispose();
      softUpdate(this.criticTarget.variables, this.critic.variables, c.tau);
      softUpdate(this.actorTarget.variables, this.actor.variables, c.tau);
    }
    const stats = wantStats ? { criticLoss: (criticLoss.dataSync() as Float32Array)[0], actorLoss: this.lastActorLoss } : null;
    criticLoss.dispose();
    return stats;
  }

  // ---------------------------------------------------------------- checkpoints

  getState(): Td3State {
    return {
      kind: 'td3',
      actor: saveVariables(this.actor.variables),
      actorTarget: saveVariables(this.actorTarget.variables),
      critic: saveVariables(this.critic.variables),
      criticTarget: saveVariables(this.criticTarget.variables),
      actorOptimizer: this.actorOptimizer.getState(),
      criticOptimizer: this.criticOptimizer.getState(),
      rng: this.rng.getState(),
      updates: this.updates,
      lastActorLoss: Number.isNaN(this.lastActorLoss) ? null : this.lastActorLoss,
    };
  }

  setState(state: Td3State): void {
    if (state?.kind !== 'td3') throw new Error(`TD3.setState: not a TD3 checkpoint (kind ${String(state?.kind)})`);
    loadVariables(this.actor.variables, state.actor, 'actor');
    loadVariables(this.actorTarget.variables, state.actorTarget, 'actor target');
    loadVariables(this.critic.variables, state.critic, 'critic');
    loadVariables(this.criticTarget.variables, state.criticTarget, 'critic target');
    this.actorOptimizer.setState(state.actorOptimizer);
    this.criticOptimizer.setState(state.criticOptimizer);
    this.rng.setState(state.rng);
    this.updates = state.updates;
    this.lastActorLoss = state.lastActorLoss ?? NaN;
  }

  /** Evaluation is the deterministic actor μ(s); the generator is kept for uniformity. */
  getPolicyState(): Td3PolicyFile {
    return { kind: 'td3-policy', actor: saveVariables(this.actor.variables), rng: this.rng.getState() };
  }

  setPolicyState(state: PolicyState): void {
    checkPolicyKind(state, 'td3-policy', 'TD3');
    loadVariables(this.actor.variables, (state as Td3PolicyFile).actor, 'actor');
    this.rng.setState(state.rng);
  }

  dispose(): void {
    for (const m of [this.actor, this.actorTarget, this.critic, this.criticTarget]) m.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }
}
