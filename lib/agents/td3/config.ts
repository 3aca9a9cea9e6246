/**
 * TD3 (Fujimoto et al., 2018) hyperparameters: the authors' reference settings for MuJoCo.
 * Warm-up is 10k uniform-random steps, as in the TD3 paper (the authors' later code uses 25k)
 * and as in the other off-policy runs of this kit.
 */
import { ConfigOf, bool, defineSchema, int, num } from '../../config/schema';

export const td3Schema = defineSchema('td3', {
  gamma: num(0.99, 'Discount factor γ.', { min: 0, max: 1 }),
  tau: num(0.005, 'Polyak rate τ of the target networks, applied after each actor update.', { min: 0, max: 1 }),
  batchSize: int(256, 'Minibatch size.', { min: 1, max: 65_536 }),
  actorLr: num(3e-4, 'Adam learning rate of the actor.', { min: 0, minExclusive: true }),
  criticLr: num(3e-4, 'Adam learning rate of the twin critic.', { min: 0, minExclusive: true }),
  hiddenWidth: int(256, 'Width of the hidden layers (ReLU) of actor and critics.', { min: 1 }),
  hiddenLayers: int(2, 'Number of hidden layers of actor and critics.', { min: 1 }),
  explorationNoise: num(0.1, 'Std of the Gaussian noise added to behaviour actions, in units of the action half-range.', { min: 0 }),
  policyNoise: num(0.2, 'Std of the target policy smoothing noise (half-range units).', { min: 0 }),
  noiseClip: num(0.5, 'The smoothing noise is clipped to ±noiseClip.', { min: 0 }),
  policyDelay: int(2, 'Critic updates per actor (and target) update.', { min: 1 }),
  replaySize: int(1_000_000, 'Replay buffer capacity (FIFO).', { min: 1 }),
  warmupSteps: int(10_000, 'Uniform-random env steps before the first update.', { min: 0 }),
  updatesPerStep: int(1, 'Updates per env step after warm-up.', { min: 1 }),
  timeLimitAsTerminal: bool(false, 'Store time-limit ends as terminal; TD3 bootstraps through them (false).'),
});

export type Td3Config = ConfigOf<typeof td3Schema.fields>;
