/**
 * SAC's settings per task, each with its source: `paper` = Haarnoja et al. (2018), "Soft
 * Actor-Critic Algorithms and Applications", its hyperparameter table (automatic temperature).
 * The paper's table holds for every task; the kit adds what it leaves open.
 */
import { HparamTable, defineHparams, kit, paper } from '../hparams';
import { SacConfig, sacSchema } from './config';

const TABLE = 'SAC and Applications, hyperparameter table';

export const SAC_HPARAMS: HparamTable<SacConfig> = defineHparams(sacSchema, {
  algo: 'sac',
  summary: "SAC with automatic temperature, the paper's shared settings on every task; the warm-up is the QVPO protocol's.",
  defaults: {
    gamma: paper(0.99, TABLE),
    tau: paper(0.005, TABLE),
    batchSize: paper(256, TABLE),
    actorLr: paper(3e-4, TABLE),
    criticLr: paper(3e-4, TABLE),
    alphaLr: paper(3e-4, `${TABLE} (one learning rate for every parameter)`),
    initialAlpha: kit(1, 'log α starts at 0'),
    autoTuneAlpha: paper(true, 'SAC and Applications: automatic entropy adjustment'),
    targetEntropyPerDim: paper(-1, `${TABLE}: target entropy −dim(A)`),
    hiddenWidth: paper(256, TABLE),
    hiddenLayers: paper(2, TABLE),
    replaySize: paper(1_000_000, TABLE),
    warmupSteps: kit(10_000, "the QVPO protocol's 10,000 random steps, as for every off-policy run here"),
    updatesPerStep: paper(1, `${TABLE}: one gradient step per env step`),
    timeLimitAsTerminal: kit(false, 'bootstraps through time-limit ends (a truncation is not a termination)'),
  },
  tasks: { 'Hopper-v3': {}, 'Walker2d-v3': {}, 'Ant-v3': {}, 'HalfCheetah-v3': {}, 'Humanoid-v3': {} },
});
