/**
 * QVPO's hyperparameters: one table, defaults = the official code's (wadx2019/qvpo main.py
 * with --weighted --aug, spec §7). The paper's per-task Table 3 values could not be read
 * from any copy reachable here, so every task starts from these defaults.
 */
import { ConfigOf, bool, defineSchema, int, num, oneOf } from '../../config/schema';
import { BETA_SCHEDULES } from '../../diffusion/schedule';

export const Q_TRANSFORMS = ['qadv', 'qcut'] as const;
export type QTransform = (typeof Q_TRANSFORMS)[number];

export const qvpoSchema = defineSchema('qvpo', {
  gamma: num(0.99, 'Discount factor γ (--gamma).', { min: 0, max: 1 }),
  tau: num(0.005, 'Polyak rate τ of the critic and actor targets, applied after every update (--tau).', { min: 0, max: 1 }),
  batchSize: int(256, 'Minibatch size B; the critic and the actor each draw their own batch (--batch_size).', { min: 1, max: 65_536 }),
  actorLr: num(1e-4, 'Adam learning rate of the diffusion actor (--diffusion_lr).', { min: 0, minExclusive: true }),
  criticLr: num(3e-4, 'Adam learning rate of the critic (--critic_lr).', { min: 0, minExclusive: true }),
  adamEps: num(1e-5, 'Adam epsilon of both optimisers.', { min: 0, minExclusive: true }),
  gradClipNorm: num(2.0, 'Global L2 gradient-norm clip for actor and critic (--ac_grad_norm; its help text says 1.0, the default is 2.0); 0 disables.', { min: 0 }),
  hiddenWidth: int(256, 'Width of the hidden layers of the noise net and of each critic.', { min: 1 }),
  hiddenLayers: int(3, 'Number of hidden layers (Mish) of the noise net and of each critic.', { min: 1 }),
  diffusionSteps: int(20, 'Diffusion steps T (--n_timesteps).', { min: 1 }),
  betaSchedule: oneOf(BETA_SCHEDULES, 'cosine', 'DDPM β schedule (--beta_schedule).'),
  noiseRatio: num(1.0, 'Scale of the posterior noise in every sampling chain: behaviour, target, Nd samples and evaluation (--noise_ratio).', { min: 0 }),
  trainSamples: int(64, 'Nd: diffusion samples per state scored for the Q-weighted loss (--train_sample).', { min: 1 }),
  entropySamples: int(10, 'Ne: uniform actions per state for the entropy term (hard-coded 10 in the official code).', { min: 0 }),
  behaviourSamples: int(4, 'Kb: candidates of the behaviour policy, best under min(Q1,Q2) (--behavior_sample).', { min: 1 }),
  targetSamples: int(4, 'Kt: candidates of the target policy in the TD target, best under the target critic (--target_sample).', { min: 1 }),
  evalSamples: int(32, 'Candidates of the evaluation policy (--eval_sample; its help text says 512, the default is 32).', { min: 1 }),
  qTransform: oneOf(Q_TRANSFORMS, 'qadv', 'Q-weight of the best sample: qadv = max(q − V(s), 0); qcut = max(q, qcutThreshold) (--q_transform).'),
  qcutThreshold: num(1.0, 'Floor of the qcut transform (--cut).'),
  entropyAlpha: num(0.02, 'ω_ent: initial weight of the entropy rows, multiplied by the state\'s Q-weight (--entropy_alpha); 0 disables the entropy term.', { min: 0 }),
  entropyAlphaFloor: num(0.002, 'Floor of the linear ω_ent decay (main.py).', { min: 0 }),
  entropyDecaySteps: int(1_000_000, 'Env steps over which ω_ent decays linearly from its initial value towards 0 (the official code uses --num_steps).', { min: 1 }),
  replaySize: int(1_000_000, 'Replay buffer capacity (FIFO).', { min: 1 }),
  warmupSteps: int(10_000, 'Uniform-random env steps before the first update (main.py: 10,000).', { min: 0 }),
  updatesPerStep: int(1, 'Updates per env step after warm-up (UTD).', { min: 1 }),
  timeLimitAsTerminal: bool(true, 'Store time-limit ends as terminal, as the official QVPO/DIPO code does; false bootstraps through truncation (the textbook treatment).'),
});

export type QvpoConfig = ConfigOf<typeof qvpoSchema.fields>;

const f = qvpoSchema.fields;

/**
 * The settings the other diffusion agents (DIPO, QSM) take over from QVPO unchanged, in the
 * order their schemas list them: discounting, optimisers, networks and the diffusion schedule.
 */
export const QVPO_NETWORK_FIELDS = {
  gamma: f.gamma,
  tau: f.tau,
  batchSize: f.batchSize,
  actorLr: f.actorLr,
  criticLr: f.criticLr,
  adamEps: f.adamEps,
  gradClipNorm: f.gradClipNorm,
  hiddenWidth: f.hiddenWidth,
  hiddenLayers: f.hiddenLayers,
  diffusionSteps: f.diffusionSteps,
  betaSchedule: f.betaSchedule,
  noiseRatio: f.noiseRatio,
};

/** The replay protocol's settings, shared the same way. */
export const QVPO_REPLAY_FIELDS = {
  replaySize: f.replaySize,
  warmupSteps: f.warmupSteps,
  updatesPerStep: f.updatesPerStep,
};
