/**
 * DIPO: a diffusion policy trained by behaviour cloning on improved actions (Yang et al.,
 * 2023). The critic, its TD target and the target networks are QVPO's, with one sample in
 * place of best-of-K by default (dipo-spec §4), so DipoAgent extends QvpoAgent and replaces
 * the actor step, the evaluation action and the actor target's update period:
 *
 *   1. draw B stored (s, a) rows; a is the action taken (or, with writeBackImproved, the row's
 *      last improved action)
 *   2. `actionGradientSteps` Adam steps (lr `actionLr`, a fresh optimiser each time) ascending
 *      Σ min(Q1, Q2)(s, a) in a, the gradient clipped to `actionGradNormPerDim`·|A| in global
 *      norm over the batch, a clamped to [−1, 1] after each step (the compute engine's
 *      ascendActions: on ONNX Runtime all steps are one graph call)
 *   3. with writeBackImproved only: store the improved actions in the buffer's improvable copy
 *      (the critic keeps training on the actions taken)
 *   4. one step of the unweighted diffusion loss on (s, improved a)
 *
 * Logged: qBest = mean min(Q1,Q2) of the improved actions, qMean = of the same rows before
 * the action steps (so qBest − qMean is what the improvement gained).
 */
import * as tf from '@tensorflow/tfjs';
import { bestOfK, gatherBest } from '../../diffusion/select';
import { engine } from '../../engine';
import { ReplayBuffer } from '../../replay/buffer';
import { PhaseTimer } from '../../util/timer';
import { ActMode, ActorStepResult, AgentSpec, QvpoAgent } from '../qvpo/agent';
import { DipoConfig, dipoSchema } from './config';

export interface ImprovedActions {
  states: Float32Array;
  actions: Float32Array;
  /** Mean min(Q1,Q2) of the rows before and after the action steps. */
  qBefore: number;
  qAfter: number;
  /** Global norm of the action gradient at each step, before clipping. */
  gradNorms: number[];
}

export class DipoAgent extends QvpoAgent {
  readonly improvesStoredActions: boolean;
  readonly dipo: DipoConfig;

  constructor(spec: AgentSpec, config: Partial<DipoConfig>, seed: number) {
    const d = dipoSchema.make(config);
    const {
      actionGradientSteps: _steps,
      actionLr: _lr,
      actionGradNormPerDim: _norm,
      evalNoiseRatio: _evalNoise,
      actorTargetEvery: _every,
      writeBackImproved: _writeBack,
      ...shared
    } = d;
    // The QVPO-only settings (Nd, Ne, ω_ent, Q-weights) are unused by this actor step.
    super(spec, { ...shared, entropyAlpha: 0 }, seed);
    this.dipo = d;
    this.improvesStoredActions = d.writeBackImproved;
    if (d.actorTargetEvery > 1) {
      // QvpoAgent.update soft-updates the actor target after every update, before counting it;
      // the original DIPO code does so only when its iteration count (this.updates here) is a
      // multiple of the period.
      const every = d.actorTargetEvery;
      const softUpdate = this.policy.updateTarget.bind(this.policy);
      this.policy.updateTarget = (tau: number) => {
        if (this.updates % every === 0) softUpdate(tau);
      };
    }
  }

  /**
   * Evaluation: `evalSamples` chains with the evaluation noise ratio (0 by default: only x_T is
   * random), the best under min(Q1,Q2) when there is more than one. Behaviour is QVPO's.
   */
  override actBatch(obs: ArrayLike<number>, n: number, mode: ActMode): Float32Array {
    if (mode !== 'eval') return super.actBatch(obs, n, mode);
    const k = this.config.evalSamples;
    const normalised = tf.tidy(() => {
      const states = tf.tensor2d(Float32Array.from(obs), [n, this.spec.obsDim]);
      const candidates = this.policy.sample(states, k, this.rng, 'current', this.dipo.evalNoiseRatio);
      if (k === 1) return candidates;
      return gatherBest(candidates, bestOfK(this.critic.minRepeated(states, candidates, k), k).index, k);
    });
    const a = normalised.dataSync() as Float32Array;
    normalised.dispose();
    return this.toEnvUnits(a);
  }

  /** Steps 1–3: improved actions for stored rows `idx` (written back only with writeBackImproved). */
  improveActions(buffer: ReplayBuffer, idx: Int32Array): ImprovedActions {
    const { obsDim, actDim } = this.spec;
    const n = idx.length;
    const batch = buffer.gather(idx);
    const start = this.dipo.writeBackImproved ? buffer.gatherImproved(idx) : batch.act;
    const s = tf.tensor2d(batch.obs, [n, obsDim]);
    const a = tf.tensor2d(start, [n, actDim]);
    // the action Adam's eps is fixed at 1e-5 in the official code, whatever the networks' is
    const ascent = engine().ascendActions(this.critic, s, a, {
      steps: this.dipo.actionGradientSteps,
      lr: this.dipo.actionLr,
      eps: 1e-5,
      maxNorm: this.dipo.actionGradNormPerDim * actDim,
    });
    const actions = Float32Array.from(ascent.actions.dataSync() as Float32Array);
    const gradNorms = Array.from(ascent.gradNorms.dataSync() as Float32Array);
    const qBefore = (ascent.qBefore.dataSync() as Float32Array)[0];
    const qAfter = (ascent.qAfter.dataSync() as Float32Array)[0];
    if (this.dipo.writeBackImproved) buffer.setImproved(idx, actions);
    tf.dispose([s, a, ascent.actions, ascent.gradNorms, ascent.qBefore, ascent.qAfter]);
    return { states: batch.obs, actions, qBefore, qAfter, gradNorms };
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
