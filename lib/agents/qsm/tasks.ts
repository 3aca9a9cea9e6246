/**
 * QSM's settings per task, each with its source. The QSM paper's tables could not be read here
 * and the kit knows of no per-task values, so: the networks, schedule, optimisers and replay are
 * QVPO's (the official QVPO code's values, shared so a QSM run differs from a QVPO run only in
 * how the actor learns and acts), and the QSM-specific numbers follow the flow-rl
 * reimplementation of QSM — both the kit's choices, each saying whose value it took.
 */
import { HparamTable, defineHparams, kit } from '../hparams';
import { QVPO_HPARAMS } from '../qvpo/tasks';
import { QsmConfig, qsmSchema } from './config';

const q = QVPO_HPARAMS.defaults;
const fromQvpo = <K extends keyof typeof q>(key: K) => kit(q[key].value, `QVPO's value (${q[key].ref}, official QVPO code)`);
const FLOW_RL = 'as the flow-rl reimplementation of QSM';

export const QSM_HPARAMS: HparamTable<QsmConfig> = defineHparams(qsmSchema, {
  algo: 'qsm',
  summary: "QSM on QVPO's networks and schedule, with the QSM-specific settings of the flow-rl reimplementation, on every task.",
  defaults: {
    gamma: fromQvpo('gamma'),
    tau: fromQvpo('tau'),
    batchSize: fromQvpo('batchSize'),
    actorLr: kit(3e-4, FLOW_RL),
    criticLr: fromQvpo('criticLr'),
    adamEps: fromQvpo('adamEps'),
    gradClipNorm: fromQvpo('gradClipNorm'),
    hiddenWidth: fromQvpo('hiddenWidth'),
    hiddenLayers: fromQvpo('hiddenLayers'),
    diffusionSteps: fromQvpo('diffusionSteps'),
    betaSchedule: fromQvpo('betaSchedule'),
    noiseRatio: fromQvpo('noiseRatio'),
    scoreScale: kit(10, `α = 1/temperature 0.1, ${FLOW_RL}`),
    normaliseGradient: kit(true, FLOW_RL),
    behaviourSamples: kit(1, `one sample plus Gaussian noise, ${FLOW_RL}`),
    explorationNoise: kit(0.1, FLOW_RL),
    targetSamples: kit(1, `one target sample, ${FLOW_RL}`),
    evalSamples: kit(10, `best of 10, ${FLOW_RL}`),
    replaySize: fromQvpo('replaySize'),
    warmupSteps: fromQvpo('warmupSteps'),
    updatesPerStep: fromQvpo('updatesPerStep'),
    timeLimitAsTerminal: kit(false, 'bootstraps through time-limit ends (a truncation is not a termination)'),
  },
  tasks: { 'Hopper-v3': {}, 'Walker2d-v3': {}, 'Ant-v3': {}, 'HalfCheetah-v3': {}, 'Humanoid-v3': {} },
});
