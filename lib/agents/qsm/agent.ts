/**
 * QSM: Q-score matching (Psenka, Escontrela, Abbeel, Ma; ICML 2024). The score of a diffusion
 * policy, ∇a log π(a|s), should point where Q rises; QSM trains the policy's score model
 * Ψ_θ(s, a_t, t) to match α·∇a Q(s, a_t) on noised actions, rather than cloning good actions.
 * With the kit's ε-prediction net the score is −ε_θ/σ_t, so the regression is
 *
 *   loss = mean ‖ε_θ(a_t, t, s) − ε*‖²,   ε* = −α·σ_t·∇a min(Q1,Q2)(s, a_t) / m,
 *   a_t = √ᾱ_t·a + √(1−ᾱ_t)·ε,   t ~ U{0..T−1},   (s, a) a stored transition,
 *
 * with m the batch mean of |∇a Q| (`normaliseGradient`; m = 1 without it) so that α keeps its
 * meaning as Q grows. The critic, the target networks and sampling are QVPO's with QSM's
 * candidate numbers: the TD target uses one sample of the target policy, the behaviour policy
 * one sample plus Gaussian noise, evaluation the best of 10 under min(Q1,Q2). QsmAgent extends
 * QvpoAgent and replaces the actor step (as DIPO does) and adds the exploration noise.
 *
 * Logged: qMean = mean min(Q1,Q2) at the noised actions a_t; qBest = at the stored actions;
 * qGradScale = the raw mean |∇a Q| (what the normalisation divides by).
 */
import * as tf from '@tensorflow/tfjs';
import { drawLossNoise, noisyActions } from '../../diffusion/ddpm';
import { ReplayBuffer } from '../../replay/buffer';
import { PhaseTimer } from '../../util/timer';
import { ActMode, ActorStepResult, AgentSpec, QvpoAgent } from '../qvpo/agent';
import { QsmConfig, qsmSchema } from './config';

/**
 * ε* = −α·σ_t·g / m for action gradients g [N, d] and per-row σ_t [N, 1]; m = mean |g| (+1e-6)
 * when normalising, else 1. Returns the target and m.
 */
export function qScoreTarget(grad: tf.Tensor2D, noiseScale: tf.Tensor2D, alpha: number, normalise: boolean): { target: tf.Tensor2D; gradScale: tf.Scalar } {
  return tf.tidy(() => {
    const gradScale = tf.mean(tf.abs(grad)) as tf.Scalar;
    const divisor = normalise ? tf.add(gradScale, 1e-6) : tf.scalar(1);
    const target = tf.div(tf.mul(tf.mul(grad, noiseScale), -alpha), divisor) as tf.Tensor2D;
    return { target, gradScale };
  });
}

export class QsmAgent extends QvpoAgent {
  readonly qsm: QsmConfig;

  constructor(spec: AgentSpec, config: Partial<QsmConfig>, seed: number) {
    const c = qsmSchema.make(config);
    const { scoreScale: _alpha, normaliseGradient: _normalise, explorationNoise: _noise, ...shared } = c;
    // The QVPO-only settings (Nd, Ne, ω_ent, Q-weights) are unused by this actor step.
    super(spec, { ...shared, entropyAlpha: 0 }, seed);
    this.qsm = c;
  }

  /** QVPO's candidate selection, plus Gaussian noise on behaviour actions. */
  override actBatch(obs: ArrayLike<number>, n: number, mode: ActMode): Float32Array {
    const env = super.actBatch(obs, n, mode);
    const sigma = this.qsm.explorationNoise;
    if (mode !== 'behaviour' || sigma === 0) return env;
    const a = this.toPolicyUnits(env);
    const z = this.rng.normals(a.length);
    for (let i = 0; i < a.length; i++) a[i] = Math.min(1, Math.max(-1, a[i] + sigma * z[i]));
    return this.toEnvUnits(a);
  }

  protected override actorStep(buffer: ReplayBuffer, timer?: PhaseTimer): ActorStepResult {
    const { obsDim, actDim } = this.spec;
    const batch = buffer.sample(this.config.batchSize, this.rng);
    const n = batch.size;
    const noise = drawLossNoise(n, actDim, this.policy.coef.T, this.rng);
    const states = tf.tensor2d(batch.obs, [n, obsDim]);
    const actions = tf.tensor2d(batch.act, [n, actDim]);
    const scored = tf.tidy(() => {
      const { x, noiseScale } = noisyActions(this.policy.coef, actions, noise);
      // Σ over rows: each row's gradient is its own ∇a Q(s_i, a_i)
      const grad = tf.grad((a: tf.Tensor) => tf.sum(this.critic.min(states, a as tf.Tensor2D)))(x) as tf.Tensor2D;
      const { target, gradScale } = qScoreTarget(grad, noiseScale, this.qsm.scoreScale, this.qsm.normaliseGradient);
      return {
        target,
        gradScale,
        qNoisy: tf.mean(this.critic.min(states, x)) as tf.Scalar,
        qStored: tf.mean(this.critic.min(states, actions)) as tf.Scalar,
      };
    });
    timer?.lap('sampling', scored.target);
    const step = this.policy.trainStep(actions, states, null, this.rng, { noise, target: scored.target });
    timer?.lap('actor', step.loss);
    tf.dispose([states, actions, scored.target]);
    return {
      loss: step.loss,
      gradNorm: step.gradNorm,
      qBest: scored.qStored,
      qMean: scored.qNoisy,
      weightMean: tf.scalar(1),
      weightPositive: tf.scalar(1),
      sampleStd: tf.scalar(NaN),
      extra: { qGradScale: scored.gradScale },
    };
  }
}
