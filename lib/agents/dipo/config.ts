/**
 * DIPO (Yang et al., 2023) as its authors' code runs it (BellmanTimeHut/DIPO; reference
 * dipo-spec §7): T = 100, actor lr 3e-4, one diffusion sample for behaviour and for the TD
 * target's next action (no selection by Q), evaluation with one sample whose chain adds no
 * posterior noise, stored actions improved by gradient steps on Q without being written back,
 * and the per-task settings of the DIPO README (lib/agents/dipo/tasks.ts).
 *
 * The QVPO repository's DIPO path (the baseline its code runs without `--weighted --aug`) is
 * kept as the named variant `qvpo-repo` (DIPO_VARIANTS), and the write-back the DIPO paper
 * describes as `writeback`.
 */
import { ConfigOf, bool, defineSchema, int, num } from '../../config/schema';
import { QVPO_NETWORK_FIELDS, QVPO_REPLAY_FIELDS } from '../qvpo/config';

export const dipoSchema = defineSchema('dipo', {
  ...QVPO_NETWORK_FIELDS,
  actorLr: num(3e-4, 'Adam learning rate of the diffusion actor (--diffusion_lr; the QVPO repository\'s DIPO path uses 1e-4).', { min: 0, minExclusive: true }),
  gradClipNorm: num(2.0, 'Global L2 gradient-norm clip for actor and critic (--ac_grad_norm, set per task in the DIPO README); 0 disables.', { min: 0 }),
  diffusionSteps: int(100, 'Diffusion steps T (--n_timesteps; the QVPO repository\'s DIPO path uses 20).', { min: 1 }),
  noiseRatio: num(1.0, 'Scale of the posterior noise in the behaviour and TD-target chains (--noise_ratio).', { min: 0 }),
  evalNoiseRatio: num(0, 'Scale of the posterior noise in evaluation chains: 0 as the original DIPO evaluates (only x_T is random); the QVPO repository\'s DIPO path uses 1.', { min: 0 }),
  behaviourSamples: int(1, 'Candidates of the behaviour policy, best under min(Q1,Q2); 1 = act with one diffusion sample, no selection (original DIPO).', { min: 1 }),
  targetSamples: int(1, 'Candidates of the target policy for the TD target, best under the target critic; 1 = one target-actor sample, no selection (original DIPO).', { min: 1 }),
  evalSamples: int(1, 'Candidates of the evaluation policy, best under min(Q1,Q2); 1 = one sample, no selection (original DIPO).', { min: 1 }),
  actionGradientSteps: int(20, 'Adam steps of gradient ascent on min(Q1,Q2) applied to each sampled stored action (--action_gradient_steps).', { min: 1 }),
  actionLr: num(0.03, 'Learning rate of those action steps (--action_lr).', { min: 0, minExclusive: true }),
  actionGradNormPerDim: num(0.1, 'The action gradient is clipped to this × action dims in global L2 norm over the batch (--ratio); 0 disables.', { min: 0 }),
  actorTargetEvery: int(1, 'Polyak-update the actor target only on every N-th update, counted from the first, which always updates (--update_actor_target_every); the critic target updates every time.', { min: 1 }),
  writeBackImproved: bool(
    false,
    'Write each improved action back to the replay buffer, so the next draw of the row starts from it (what the DIPO paper describes). Off: every draw starts from the action taken, which is what both official codes do (their write-back goes to a temporary copy). The critic always sees the action taken.',
  ),
  ...QVPO_REPLAY_FIELDS,
  timeLimitAsTerminal: bool(true, 'Store time-limit ends as terminal, as the official DIPO and QVPO code do.'),
});

export type DipoConfig = ConfigOf<typeof dipoSchema.fields>;

export interface NamedVariant<C> {
  doc: string;
  /** Settings the variant fixes on every task (over the task's and the profile's). */
  overrides: Partial<C>;
}

export const DIPO_VARIANTS: Readonly<Record<string, NamedVariant<DipoConfig>>> = {
  'qvpo-repo': {
    doc:
      "The QVPO repository's DIPO path (wadx2019/qvpo main.py without --weighted --aug), the baseline its code runs: T 20, actor lr 1e-4, " +
      'best of 4 behaviour and of 4 target samples by Q, best of 32 noisy evaluation samples, the generic DIPO settings on every task, no write-back.',
    overrides: {
      diffusionSteps: 20,
      actorLr: 1e-4,
      behaviourSamples: 4,
      targetSamples: 4,
      evalSamples: 32,
      evalNoiseRatio: 1,
      gradClipNorm: 2,
      actionGradientSteps: 20,
      actionLr: 0.03,
      actionGradNormPerDim: 0.1,
      actorTargetEvery: 1,
      writeBackImproved: false,
    },
  },
  writeback: {
    doc: 'Improved actions written back to the replay buffer, so improvements compound across draws of a row, as the DIPO paper describes them.',
    overrides: { writeBackImproved: true },
  },
};
