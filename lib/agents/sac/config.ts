/**
 * SAC (Haarnoja et al., 2018, with automatic entropy tuning) hyperparameters: the authors'
 * MuJoCo settings. 10k uniform-random warm-up steps as in the QVPO paper's protocol.
 */
import { ConfigOf, bool, defineSchema, int, num } from '../../config/schema';

export const sacSchema = defineSchema('sac', {
  gamma: num(0.99, 'Discount factor γ.', { min: 0, max: 1 }),
  tau: num(0.005, 'Polyak rate τ of the target critic, applied after every update.', { min: 0, max: 1 }),
  batchSize: int(256, 'Minibatch size.', { min: 1, max: 65_536 }),
  actorLr: num(3e-4, 'Adam learning rate of the actor.', { min: 0, minExclusive: true }),
  criticLr: num(3e-4, 'Adam learning rate of the twin critic.', { min: 0, minExclusive: true }),
  alphaLr: num(3e-4, 'Adam learning rate of log α (the temperature).', { min: 0, minExclusive: true }),
  initialAlpha: num(1.0, 'Temperature α at the start (log α = 0).', { min: 0, minExclusive: true }),
  autoTuneAlpha: bool(true, 'Learn α so that the policy entropy tracks targetEntropy; false keeps α fixed.'),
  targetEntropyPerDim: num(-1, 'Target entropy per action dimension (−1 gives the usual −|A|).'),
  hiddenWidth: int(256, 'Width of the hidden layers (ReLU) of actor and critics.', { min: 1 }),
  hiddenLayers: int(2, 'Number of hidden layers of actor and critics.', { min: 1 }),
  replaySize: int(1_000_000, 'Replay buffer capacity (FIFO).', { min: 1 }),
  warmupSteps: int(10_000, 'Uniform-random env steps before the first update.', { min: 0 }),
  updatesPerStep: int(1, 'Updates per env step after warm-up.', { min: 1 }),
  timeLimitAsTerminal: bool(false, 'Store time-limit ends as terminal; SAC bootstraps through them (false).'),
});

export type SacConfig = ConfigOf<typeof sacSchema.fields>;
