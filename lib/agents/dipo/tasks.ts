/**
 * DIPO's settings per task, each with its source. `paper` is the DIPO authors' README
 * (BellmanTimeHut/DIPO, per-environment table), `code` its main.py / agent code at c6d8d1b
 * (reference: dipo-spec §1–§7). Every task lists the README's whole row, so the table shows
 * which numbers the authors published per task and which come from code defaults.
 */
import { HparamTable, SourcedSettings, code, defineHparams, paper } from '../hparams';
import { DipoConfig, dipoSchema } from './config';

const README = 'DIPO README, per-environment table';

/** One row of the README's per-environment table. */
function readmeRow(acGradNorm: number, ratio: number, steps: number, targetEvery: number): SourcedSettings<DipoConfig> {
  return {
    actionLr: paper(0.03, README),
    gradClipNorm: paper(acGradNorm, README),
    actionGradNormPerDim: paper(ratio, README),
    actionGradientSteps: paper(steps, README),
    diffusionSteps: paper(100, README),
    betaSchedule: paper('cosine', README),
    actorTargetEvery: paper(targetEvery, README),
  };
}

export const DIPO_HPARAMS: HparamTable<DipoConfig> = defineHparams(dipoSchema, {
  algo: 'dipo',
  summary:
    'DIPO as its authors ran it: their code\'s defaults, the README\'s per-task values, one sample per action (no selection by Q), no write-back of improved actions. ' +
    'The QVPO repository\'s DIPO path is the variant `qvpo-repo`.',
  defaults: {
    gamma: code(0.99, 'main.py --gamma'),
    tau: code(0.005, 'main.py --tau'),
    batchSize: code(256, 'main.py --batch_size'),
    actorLr: code(3e-4, 'main.py --diffusion_lr (README: 3e-4)'),
    criticLr: code(3e-4, 'main.py --critic_lr (README: 3e-4)'),
    adamEps: code(1e-5, 'agent/DiPo.py: every Adam has eps 1e-5'),
    gradClipNorm: code(2, 'main.py --ac_grad_norm default'),
    hiddenWidth: code(256, 'agent/model.py (README: 256)'),
    hiddenLayers: code(3, 'agent/model.py: 3 hidden Mish layers (the README says 2; the code is followed)'),
    diffusionSteps: code(100, 'main.py --n_timesteps'),
    betaSchedule: code('cosine', 'main.py --beta_schedule'),
    noiseRatio: code(1, 'main.py --noise_ratio'),
    evalNoiseRatio: code(0, 'agent/diffusion.py: evaluation samples with noise ratio 0'),
    behaviourSamples: code(1, 'agent/DiPo.py: one sample, no selection'),
    targetSamples: code(1, 'agent/DiPo.py: one target-actor sample for the TD target'),
    evalSamples: code(1, 'main.py evaluate: one sample, no selection'),
    actionGradientSteps: code(20, 'main.py --action_gradient_steps'),
    actionLr: code(0.03, 'main.py --action_lr'),
    actionGradNormPerDim: code(0.1, 'main.py --ratio'),
    actorTargetEvery: code(1, 'main.py --update_actor_target_every'),
    writeBackImproved: code(false, 'agent/replay_memory.py: the write-back goes to a temporary copy (dipo-spec §4.1)'),
    replaySize: code(1_000_000, 'main.py: memory size 1e6'),
    warmupSteps: code(10_000, 'main.py: 10,000 random steps'),
    updatesPerStep: code(1, 'main.py: one iteration per env step'),
    timeLimitAsTerminal: code(true, 'main.py: gym 0.21 reports time-limit ends as done, stored with mask 0'),
  },
  tasks: {
    'Hopper-v3': readmeRow(1, 0.3, 20, 1),
    'Walker2d-v3': readmeRow(2, 0.08, 20, 1),
    'Ant-v3': readmeRow(0.8, 0.1, 20, 1),
    'HalfCheetah-v3': readmeRow(2, 0.08, 40, 2),
    'Humanoid-v3': readmeRow(2, 0.1, 20, 1),
  },
});

