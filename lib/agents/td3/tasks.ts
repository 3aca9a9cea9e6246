/**
 * TD3's settings per task, each with its source: `code` = the authors' repository
 * (sfujim/TD3, main.py and TD3.py, the 256-unit version), `paper` = Fujimoto et al. (2018).
 * The authors publish no per-task values; every task runs the same settings.
 */
import { HparamTable, code, defineHparams, kit } from '../hparams';
import { Td3Config, td3Schema } from './config';

export const TD3_HPARAMS: HparamTable<Td3Config> = defineHparams(td3Schema, {
  algo: 'td3',
  summary: "TD3 with the authors' code's settings on every task; the warm-up is the QVPO protocol's.",
  defaults: {
    gamma: code(0.99, 'TD3 main.py --discount'),
    tau: code(0.005, 'TD3 main.py --tau'),
    batchSize: code(256, 'TD3 main.py --batch_size'),
    actorLr: code(3e-4, 'TD3.py: Adam lr 3e-4'),
    criticLr: code(3e-4, 'TD3.py: Adam lr 3e-4'),
    hiddenWidth: code(256, 'TD3.py: 256-unit ReLU layers'),
    hiddenLayers: code(2, 'TD3.py: two hidden layers'),
    explorationNoise: code(0.1, 'TD3 main.py --expl_noise'),
    policyNoise: code(0.2, 'TD3 main.py --policy_noise'),
    noiseClip: code(0.5, 'TD3 main.py --noise_clip'),
    policyDelay: code(2, 'TD3 main.py --policy_freq'),
    replaySize: code(1_000_000, 'TD3 utils.py: buffer size 1e6'),
    warmupSteps: kit(10_000, "the QVPO protocol's 10,000 random steps, as for every off-policy run here (the authors' code uses 25,000)"),
    updatesPerStep: code(1, 'TD3 main.py: one training iteration per env step'),
    timeLimitAsTerminal: code(false, 'TD3 main.py: done is 0 at the time limit (bootstraps through it)'),
  },
  tasks: { 'Hopper-v3': {}, 'Walker2d-v3': {}, 'Ant-v3': {}, 'HalfCheetah-v3': {}, 'Humanoid-v3': {} },
});
