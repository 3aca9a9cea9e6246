/**
 * DIPO (Yang et al., 2023) as the official QVPO code runs it without `--weighted --aug`
 * (spec §4.6): QVPO's networks, critic and action selection, with the actor trained by plain
 * diffusion behaviour cloning on stored actions improved by gradient steps on Q.
 */
import { ConfigOf, bool, defineSchema, int, num } from '../../config/schema';
import { QVPO_NETWORK_FIELDS, QVPO_REPLAY_FIELDS, qvpoSchema } from '../qvpo/config';

const q = qvpoSchema.fields;

export const dipoSchema = defineSchema('dipo', {
  ...QVPO_NETWORK_FIELDS,
  behaviourSamples: q.behaviourSamples,
  targetSamples: q.targetSamples,
  evalSamples: q.evalSamples,
  actionGradientSteps: int(20, 'Adam steps of gradient ascent on min(Q1,Q2) applied to each sampled stored action (--action_gradient_steps).', { min: 1 }),
  actionLr: num(0.03, 'Learning rate of those action steps (--action_lr).', { min: 0, minExclusive: true }),
  actionGradNormPerDim: num(0.1, 'The action gradient is clipped to this × action dims in global L2 norm (--ratio); 0 disables.', { min: 0 }),
  ...QVPO_REPLAY_FIELDS,
  timeLimitAsTerminal: bool(true, 'Store time-limit ends as terminal, as the official QVPO/DIPO code does.'),
});

export type DipoConfig = ConfigOf<typeof dipoSchema.fields>;
