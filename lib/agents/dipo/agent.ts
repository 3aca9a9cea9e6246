/**
 * DIPO: a diffusion policy trained by behaviour cloning on improved actions (Yang et al., 2023),
 * the path of the official QVPO code without `--weighted --aug` (spec §4.6). Everything but the
 * actor step is QVPO's (critic with best-of-Kt targets, Kb behaviour and evaluation candidates,
 * target networks), so DipoAgent extends QvpoAgent and replaces only that step:
 *
 *   1. draw B stored (s, a) rows; a is the row's improved action (initially the action taken)
 *   2. `actionGradientSteps` Adam steps (lr `actionLr`, a fresh optimiser each time) ascending
 *      min(Q1, Q2)(s, a) in a, the gradient clipped to `actionGradNormPerDim`·|A| in global norm,
 *      a clamped to [−1, 1] after each step
 *   3. write the improved actions back to the buffer's improvable copy (the critic keeps
 *      training on the actions taken)
 *   4. one step of the unweighted diffusion loss on (s, improved a)
 *
 * Logged: qBest = mean min(Q1,Q2) of the improved actions, qMean = of the same rows before
 * the action steps (so qBest − qMean is what the improvement gained).
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, clipByGlobalNorm, gradientsOf } from '../../nets/adam';
import { ReplayBuffer } from '../../replay/buffer';
import { PhaseTimer } from '../../util/timer';
import { ActorStepResult, AgentSpec, QvpoAgent } from '../qvpo/agent';
import { DipoConfig, dipoSchema } from './config';

export class DipoAgent extends QvpoAgent {
  readonly improvesStoredActions = true;
  readonly dipo: DipoConfig;

  constructor(spec: AgentSpec, config: Partial<DipoConfig>, seed: number) {
    const d = dipoSchema.make(config);
    const { actionGradientSteps: _steps, actionLr: _lr, actionGradNormPerDim: _norm, ...shared } = d;
    // The QVPO-only settings (Nd, Ne, ω_ent, Q-weights) are unused by this actor step.
    super(spec, { ...shared, entropyAlpha: 0 }, seed);
    this.dipo = d;
  }

  /** Steps 1–3: improved actions for stored rows `idx`, written back to the buffer. */
  improveActions(buffer: ReplayBuffer, idx: Int32Array): { states: Float32Array; actions: Float32Array; qBefore: number; qAfter: number } {
    const { obsDim, actDim } = this.spec;
    const n = idx.length;
    const batch = buffer.gather(idx);
    const start = buffer.gatherImproved(idx);
    const s = tf.tensor2d(batch.obs, [n, obsDim]);
    const a = tf.tidy(() => tf.variable(tf.tensor2d(start, [n, actDim]), true));
    const optimizer = new Adam([a], { lr: this.dipo.actionLr, eps: 1e-5 });
    const maxNorm = this.dipo.actionGradNormPerDim * actDim;
    const meanQ = () => tf.tidy(() => (tf.mean(this.critic.min(s, a)).dataSync() as Float32Array)[0]);
    const qBefore = meanQ();
    for (let k = 0; k < this.dipo.actionGradientSteps; k++) {
      tf.tidy(() => {
        // the sum, not the mean, as the official code backpropagates ones through −min(Q1,Q2)
        const { grads } = gradientsOf(() => tf.neg(tf.sum(this.critic.min(s, a))) as tf.Scalar, [a]);
        optimizer.apply(maxNorm > 0 ? clipByGlobalNorm(grads, maxNorm).grads : grads);
        a.assign(tf.clipByValue(a, -1, 1));
      });
    }
    const qAfter = meanQ();
    const actions = Float32Array.from(a.dataSync() as Float32Array);
    buffer.setImproved(idx, actions);
    tf.dispose([s, a]);
    optimizer.dispose();
    return { states: batch.obs, actions, qBefore, qAfter };
  }

  protected override actorStep(buffer: ReplayBuffer, timer?: PhaseTimer): ActorStepResult {
    const { obsDim, actDim } = this.spec;
    const idx = buffer.sampleIndices(this.config.batchSize, this.rng);
    const improved = this.improveActions(buffer, idx);
    timer?.lap('sampling');
    const n = idx.length;
    const states = tf.tensor2d(improved.states, [n, obsDim]);
    const actions = tf.tensor2d(improved.actions, [n, actDim]);
    const step = this.policy.trainStep(actions, states, null, this.rng);
    timer?.lap('actor', step.loss);
    tf.dispose([states, actions]);
    return {
      loss: step.loss,
      gradNorm: step.gradNorm,
      qBest: tf.scalar(improved.qAfter),
      qMean: tf.scalar(improved.qBefore),
      weightMean: tf.scalar(1),
      weightPositive: tf.scalar(1),
      sampleStd: tf.scalar(NaN),
    };
  }
}
