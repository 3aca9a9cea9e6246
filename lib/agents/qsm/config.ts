/**
 * QSM (Q-score matching, Psenka et al., ICML 2024) hyperparameters. The diffusion policy and
 * the twin critic are the kit's (the same networks, schedule and optimisers as QVPO, whose
 * fields are reused), so a QSM run differs from a QVPO run only in how the actor learns and
 * acts. The QSM-specific settings (α = 1/temperature 0.1, the gradient normalisation, actor lr
 * 3e-4, Gaussian exploration noise 0.1 on the one behaviour sample, best of 10 samples for
 * evaluation) follow a widely used reimplementation of QSM for MuJoCo (flow-rl); the QSM
 * paper's own tables could not be read here.
 */
import { ConfigOf, bool, defineSchema, int, num } from '../../config/schema';
import { QVPO_NETWORK_FIELDS, QVPO_REPLAY_FIELDS } from '../qvpo/config';

export const qsmSchema = defineSchema('qsm', {
  ...QVPO_NETWORK_FIELDS,
  actorLr: num(3e-4, 'Adam learning rate of the diffusion actor.', { min: 0, minExclusive: true }),
  scoreScale: num(10, 'α (1/temperature): the policy score Ψ(s, a_t) is matched to α·∇a Q(s, a_t), i.e. ε_θ to −α·σ_t·∇a Q; the policy then approaches π ∝ exp(α·Q/m), greedier as α grows.', { min: 0, minExclusive: true }),
  normaliseGradient: bool(true, 'Divide ∇a Q by its mean absolute value over the batch, so α does not have to follow the scale of Q as returns grow.'),
  behaviourSamples: int(1, 'Candidates of the behaviour policy, best under min(Q1,Q2); 1 = act with the diffusion sample itself.', { min: 1 }),
  explorationNoise: num(0.1, 'Std of Gaussian noise added to behaviour actions (half-range units), clipped to the box.', { min: 0 }),
  targetSamples: int(1, 'Candidates of the target policy in the TD target; 1 = one sample.', { min: 1 }),
  evalSamples: int(10, 'Candidates of the evaluation policy, best under min(Q1,Q2).', { min: 1 }),
  ...QVPO_REPLAY_FIELDS,
  timeLimitAsTerminal: bool(false, 'Store time-limit ends as terminal; QSM bootstraps through them (false).'),
});

export type QsmConfig = ConfigOf<typeof qsmSchema.fields>;
