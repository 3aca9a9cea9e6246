/**
 * PPO's and SPO's settings per task, each with its source: `paper` = Schulman et al. (2017),
 * the MuJoCo hyperparameter table and text; `code` = OpenAI Baselines' ppo2 MuJoCo defaults,
 * the reference implementation. SPO (Xie et al., 2024) changes the objective only; the kit runs
 * it with PPO's settings. Neither publishes per-task values.
 */
import { HparamTable, code, defineHparams, kit, paper } from '../hparams';
import { PpoConfig, ppoSchema, spoSchema } from './config';

const TABLE = 'PPO paper, MuJoCo hyperparameter table';

function table(algo: 'ppo' | 'spo') {
  return {
    algo,
    summary:
      algo === 'ppo'
        ? "PPO with the paper's MuJoCo settings and Baselines' ppo2 defaults for what the paper leaves open, on every task."
        : "SPO's objective with every other setting PPO's, on every task.",
    defaults: {
      objective: algo === 'ppo' ? paper('ppo-clip' as const, 'PPO paper: the clipped surrogate objective') : paper('spo' as const, 'SPO paper: the quadratic ratio penalty'),
      gamma: paper(0.99, TABLE),
      gaeLambda: paper(0.95, TABLE),
      rolloutSteps: paper(2048, `${TABLE} (horizon)`),
      epochs: paper(10, TABLE),
      minibatchSize: paper(64, TABLE),
      clipEpsilon: paper(0.2, 'PPO paper: ε = 0.2, the best setting of its comparison'),
      lr: paper(3e-4, `${TABLE} (Adam stepsize)`),
      annealSteps: kit(1_000_000, "the run's budget: ppo2 anneals the learning rate linearly to 0 over training"),
      valueCoef: code(0.5, 'Baselines ppo2 vf_coef'),
      entropyCoef: code(0, 'Baselines ppo2 MuJoCo ent_coef'),
      maxGradNorm: code(0.5, 'Baselines ppo2 max_grad_norm'),
      hiddenWidth: paper(64, 'PPO paper: two hidden layers of 64 units, tanh'),
      hiddenLayers: paper(2, 'PPO paper: two hidden layers of 64 units, tanh'),
      normalizeObservations: code(true, 'Baselines MuJoCo runs: VecNormalize observations'),
      normalizeRewards: code(true, 'Baselines MuJoCo runs: VecNormalize returns'),
      normalizeAdvantages: code(true, 'Baselines ppo2: advantages standardised per minibatch'),
    },
    tasks: { 'Hopper-v3': {}, 'Walker2d-v3': {}, 'Ant-v3': {}, 'HalfCheetah-v3': {}, 'Humanoid-v3': {} },
  } satisfies HparamTable<PpoConfig>;
}

export const PPO_HPARAMS: HparamTable<PpoConfig> = defineHparams(ppoSchema, table('ppo'));
export const SPO_HPARAMS: HparamTable<PpoConfig> = defineHparams(spoSchema, table('spo'));
