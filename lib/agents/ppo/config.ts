/**
 * PPO (Schulman et al., 2017) and SPO (Xie et al., 2024, "Simple Policy Optimization") share
 * everything but the policy objective. Defaults are PPO's MuJoCo settings: 2048-step rollouts,
 * 10 epochs of minibatches of 64, clip 0.2, GAE(γ = 0.99, λ = 0.95), Adam 3e-4 annealed
 * linearly to 0, observation and reward normalisation, 64×64 tanh networks.
 */
import { ConfigOf, bool, defineSchema, int, num, oneOf } from '../../config/schema';

export const POLICY_OBJECTIVES = ['ppo-clip', 'spo'] as const;

export const ppoSchema = defineSchema('ppo', {
  objective: oneOf(POLICY_OBJECTIVES, 'ppo-clip', "Policy objective: PPO's clipped ratio, or SPO's quadratic penalty on the ratio's distance from 1."),
  gamma: num(0.99, 'Discount factor γ.', { min: 0, max: 1 }),
  gaeLambda: num(0.95, 'GAE λ.', { min: 0, max: 1 }),
  rolloutSteps: int(2048, 'Env steps per rollout (one update phase each).', { min: 1 }),
  epochs: int(10, 'Passes over each rollout.', { min: 1 }),
  minibatchSize: int(64, 'Minibatch size.', { min: 1, max: 65_536 }),
  clipEpsilon: num(0.2, 'ε: the ratio clip of PPO, the penalty scale |A|/(2ε) of SPO.', { min: 0, minExclusive: true }),
  lr: num(3e-4, 'Adam learning rate (actor, critic and log σ share one optimiser).', { min: 0, minExclusive: true }),
  annealSteps: int(1_000_000, 'Env steps over which the learning rate decays linearly to 0 (the run budget).', { min: 1 }),
  valueCoef: num(0.5, 'Weight of the value loss.', { min: 0 }),
  entropyCoef: num(0, 'Weight of the entropy bonus.', { min: 0 }),
  maxGradNorm: num(0.5, 'Global gradient-norm clip.', { min: 0 }),
  hiddenWidth: int(64, 'Width of the hidden layers (tanh) of actor and critic.', { min: 1 }),
  hiddenLayers: int(2, 'Number of hidden layers.', { min: 1 }),
  normalizeObservations: bool(true, 'Normalise observations by running mean/std (clipped to ±10).'),
  normalizeRewards: bool(true, 'Scale rewards by the running std of the discounted return (clipped to ±10).'),
  normalizeAdvantages: bool(true, 'Standardise advantages within each minibatch.'),
});

export type PpoConfig = ConfigOf<typeof ppoSchema.fields>;

/** SPO: the same settings with SPO's objective as the default. */
export const spoSchema = defineSchema('spo', {
  ...ppoSchema.fields,
  objective: oneOf(POLICY_OBJECTIVES, 'spo', "Policy objective: SPO's quadratic penalty (default here), or PPO's clipped ratio."),
});
