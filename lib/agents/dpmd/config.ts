/**
 * DPMD and SDAC (Ma, Chen, Wang, Li, Dai, "Efficient Online Reinforcement Learning for Diffusion
 * Policy", ICML 2025): the two instances of reweighted score matching. They share everything
 * but the policy objective (as PPO and SPO do here), so one schema holds both and the default
 * objective tells them apart. Defaults are the official code's MuJoCo settings
 * (mahaitongdae/diffusion_policy_online_rl at a50cf41, reference: dpmd-spec §2–6); the
 * per-task table with each number's source is tasks.ts. Settings marked "DPMD only" or
 * "SDAC only" are ignored by the other objective.
 */
import { ConfigOf, bool, defineSchema, int, num, oneOf } from '../../config/schema';
import { BETA_SCHEDULES } from '../../diffusion/schedule';
import { NamedVariant } from '../dipo/config';

export const RSM_OBJECTIVES = ['dpmd', 'sdac'] as const;
export type RsmObjective = (typeof RSM_OBJECTIVES)[number];

/**
 * How DPMD normalises Q before the weight exp(clip(·, ±qClip)/α): `intended` is (q − μ)/σ;
 * `official` is the code's `q − μ/σ` (an operator-precedence slip, dpmd-spec §5.1).
 */
export const Q_NORMALISATIONS = ['intended', 'official'] as const;
export type QNormalisation = (typeof Q_NORMALISATIONS)[number];

const fields = {
  objective: oneOf(RSM_OBJECTIVES, 'dpmd', 'Policy objective: DPMD (mirror-descent weights exp(clip(normalised Q)/α) on the TD-target actions) or SDAC (softmax weights over reverse samples).'),
  gamma: num(0.99, 'Discount factor γ.', { min: 0, max: 1 }),
  tau: num(0.005, 'Polyak rate τ of the target critic and the target (acting) policy, applied on policy updates.', { min: 0, max: 1 }),
  rewardScale: num(0.2, 'Rewards are multiplied by this in the TD target (reward_scale).', { min: 0, minExclusive: true }),
  batchSize: int(256, 'Minibatch size B of every update.', { min: 1, max: 65_536 }),
  criticLr: num(3e-4, 'Adam learning rate of the critic (constant).', { min: 0, minExclusive: true }),
  actorLr: num(3e-4, 'Adam learning rate of the diffusion policy before its decay (--lr).', { min: 0, minExclusive: true }),
  actorLrEnd: num(3e-5, 'Policy learning rate after the linear decay (--lr_schedule_end).', { min: 0 }),
  actorLrDecayStart: int(25_000, 'Policy updates at the initial learning rate before the decay starts.', { min: 0 }),
  actorLrDecaySteps: int(50_000, 'Policy updates over which the learning rate falls linearly to actorLrEnd.', { min: 1 }),
  adamEps: num(1e-8, 'Adam epsilon of every optimiser (optax.adam default).', { min: 0, minExclusive: true }),
  hiddenWidth: int(256, 'Width of the hidden layers of the noise net and of each critic.', { min: 1 }),
  hiddenLayers: int(3, 'Number of hidden layers (Mish) of the noise net and of each critic.', { min: 1 }),
  diffusionSteps: int(20, 'Diffusion steps T.', { min: 1 }),
  betaSchedule: oneOf(BETA_SCHEDULES, 'wide-linear', 'β schedule; wide-linear = linspace(1e−4, 0.999, T), the code\'s "linear".'),
  betaScale: num(0.8, 'Multiplies every β (--beta_schedule_scale).', { min: 0, minExclusive: true, max: 1 }),
  initialNoiseStd: num(0.5, 'Std of the chains\' starting point x_T (the code draws 0.5·N(0, I)).', { min: 0, minExclusive: true }),
  particles: int(32, 'N: chains per state whose best under min(Q1, Q2) is taken — to act, for the TD target and (SDAC) for the policy samples.', { min: 1 }),
  noiseScale: num(0.1, 'Gaussian noise of std noiseScale·α is added to the best particle, except in evaluation.', { min: 0 }),
  initialAlpha: num(5, 'Initial α (log α starts at log 5).', { min: 0, minExclusive: true }),
  alphaLr: num(7e-3, 'Adam learning rate of log α (--alpha_lr).', { min: 0 }),
  alphaUpdateEvery: int(250, 'Updates between steps of log α (--delay_alpha_update); the first is at update 0.', { min: 1 }),
  targetEntropyPerDim: num(-0.9, 'Target entropy per action dimension; α moves until the exploration noise\'s entropy ½·d·ln(2πe·(noiseScale·α)²) equals it times d.'),
  policyDelay: int(2, 'Updates between policy and target-network updates (delay_update); the first is at update 0.', { min: 1 }),
  qClip: num(3, 'DPMD only: the normalised Q is clipped to ±qClip before dividing by α.', { min: 0, minExclusive: true }),
  qNormalisation: oneOf(Q_NORMALISATIONS, 'intended', "DPMD only: intended = (q − μ)/σ; official = the code's q − μ/σ (operator-precedence slip)."),
  qStatsRate: num(0.001, 'DPMD only: rate of the running mean μ and std σ of Q (μ ← μ + rate·(mean q − μ), σ likewise).', { min: 0, max: 1 }),
  criticDoubleStep: bool(false, "Apply each critic gradient twice (the DPMD code's second Adam step with the same gradients, after the policy step); false = once, as SDAC's code."),
  reverseSamples: int(64, 'SDAC only: M reverse samples a₀′ per noisy proposal ã_t, weighted by a softmax over them (reverse_mc_num).', { min: 1 }),
  weightScale: num(5, 'SDAC only: the softmax weights are over min(Q1, Q2)·weightScale/α (the code\'s 5, its initial α).', { min: 0, minExclusive: true }),
  replaySize: int(1_000_000, 'Replay buffer capacity (FIFO).', { min: 1 }),
  warmupSteps: int(10_000, 'Uniform-random env steps before the first update.', { min: 0 }),
  updatesPerStep: int(1, 'Updates in each round of updates.', { min: 1 }),
  updateEvery: int(5, 'Env steps between rounds of updates: 5 = the code\'s one update per step of 5 parallel envs (update-to-data 0.2).', { min: 1 }),
  timeLimitAsTerminal: bool(false, 'Store time-limit ends as terminal; false bootstraps through them (the code\'s Gymnasium trainer tells the two apart).'),
};

export const dpmdSchema = defineSchema('dpmd', fields);

export type RsmConfig = ConfigOf<typeof dpmdSchema.fields>;

/** SDAC: the same settings with SDAC's objective as the default. */
export const sdacSchema = defineSchema('sdac', {
  ...fields,
  objective: oneOf(RSM_OBJECTIVES, 'sdac', 'Policy objective: SDAC (default here), or DPMD.'),
});

/**
 * `--variant official-code`: DPMD with both slips of its official code (dpmd-spec §4–5): Q
 * normalised as q − μ/σ, and each critic gradient applied twice.
 */
export const DPMD_VARIANTS: Readonly<Record<string, NamedVariant<RsmConfig>>> = {
  'official-code': {
    doc: "DPMD as its official code computes it: the weight's normalisation q − μ/σ (operator precedence) and the critic's second Adam step with the same gradients.",
    overrides: { qNormalisation: 'official', criticDoubleStep: true },
  },
};
