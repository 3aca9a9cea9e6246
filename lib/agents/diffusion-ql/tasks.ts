/**
 * Diffusion-QL's settings per task, each with its source: `code` = the official code
 * (Zhendong-Wang/Diffusion-Policies-for-Offline-RL at d871f5c, main.py's per-dataset table and
 * its agent defaults, as diffusion-ql-spec §2–6 list them). The code tunes per D4RL dataset,
 * not per environment: a task's row here is its `-medium-v2` dataset's, and D4RL_ROWS keeps
 * every MuJoCo row for offline runs on a dataset of another kind. Ant and Humanoid have no row
 * (the paper ran no D4RL dataset of them): they take the defaults, which are the kit's.
 */
import { HparamTable, SourcedSettings, code, defineHparams, kit } from '../hparams';
import { DiffusionQlConfig, diffusionQlSchema } from './config';

const TABLE = 'main.py hyperparameters table';

/** One D4RL row of main.py: actor lr, η, grad-norm clip (the rest is shared by every MuJoCo row). */
function row(dataset: string, lr: number, eta: number, gn: number): SourcedSettings<DiffusionQlConfig> {
  const ref = `${TABLE}, ${dataset}`;
  return { actorLr: code(lr, ref), eta: code(eta, ref), gradClipNorm: code(gn, ref) };
}

/** main.py's MuJoCo rows, by environment and D4RL dataset kind (diffusion-ql-spec §6.1). */
export const D4RL_ROWS: Readonly<Record<string, Readonly<Record<string, SourcedSettings<DiffusionQlConfig>>>>> = {
  'Hopper-v3': {
    medium: row('hopper-medium-v2', 3e-4, 1, 9),
    'medium-replay': row('hopper-medium-replay-v2', 3e-4, 1, 4),
    'medium-expert': row('hopper-medium-expert-v2', 3e-4, 1, 5),
  },
  'HalfCheetah-v3': {
    medium: row('halfcheetah-medium-v2', 3e-4, 1, 9),
    'medium-replay': row('halfcheetah-medium-replay-v2', 3e-4, 1, 2),
    'medium-expert': row('halfcheetah-medium-expert-v2', 3e-4, 1, 7),
  },
  'Walker2d-v3': {
    medium: row('walker2d-medium-v2', 3e-4, 1, 1),
    'medium-replay': row('walker2d-medium-replay-v2', 3e-4, 1, 4),
    'medium-expert': row('walker2d-medium-expert-v2', 3e-4, 1, 5),
  },
};

/**
 * The settings of an offline run on a dataset of `kind` (random, medium, medium-replay,
 * expert, …): that D4RL row where main.py has one, else the task's medium row.
 */
export function d4rlSettings(env: string, kind: string): Partial<DiffusionQlConfig> {
  const rows = D4RL_ROWS[env];
  const chosen = rows?.[kind] ?? rows?.medium ?? {};
  return Object.fromEntries(Object.entries(chosen).map(([k, v]) => [k, v!.value])) as Partial<DiffusionQlConfig>;
}

export const DIFFUSION_QL_HPARAMS: HparamTable<DiffusionQlConfig> = defineHparams(diffusionQlSchema, {
  algo: 'diffusion-ql',
  summary:
    "Diffusion-QL as its authors' code runs D4RL's MuJoCo datasets (each task takes its medium-v2 row); online, the same updates on the agent's own replay buffer.",
  defaults: {
    gamma: code(0.99, 'main.py --discount'),
    tau: code(0.005, 'main.py --tau; agents/ql_diffusion.py:161-162, after every step'),
    batchSize: code(256, 'main.py --batch_size'),
    actorLr: code(3e-4, TABLE),
    criticLr: code(3e-4, 'agents/ql_diffusion.py:87: critic Adam lr hard-coded 3e-4'),
    adamEps: code(1e-8, 'torch.optim.Adam default eps'),
    gradClipNorm: kit(9, 'no D4RL row for this task: the medium rows of Hopper and HalfCheetah'),
    hiddenWidth: code(256, 'agents/model.py, agents/ql_diffusion.py: 256-unit layers'),
    hiddenLayers: code(3, 'agents/model.py: 3 hidden Mish layers; critic heads likewise'),
    timeEmbedDim: code(16, 'agents/model.py: t_dim 16'),
    timeHidden: code(32, 'agents/model.py: time MLP 16 → 32 → 16'),
    diffusionSteps: code(5, 'main.py --T'),
    betaSchedule: code('vp', 'main.py --beta_schedule'),
    eta: code(1, TABLE),
    chainGradient: code('all', 'agents/diffusion.py: no no-grad on sampling, the gradient runs through every step'),
    maxQBackup: code(false, `${TABLE}: off on every MuJoCo dataset`),
    maxQBackupSamples: code(10, 'agents/ql_diffusion.py:117-123: 10 next actions per state'),
    emaDecay: code(0.995, 'agents/ql_diffusion.py: ema_decay 0.995'),
    emaEvery: code(5, 'agents/ql_diffusion.py: update_ema_every 5'),
    emaStart: code(1000, 'agents/ql_diffusion.py: step_start_ema 1000'),
    evalSamples: code(50, 'agents/ql_diffusion.py:187-194: 50 candidates'),
    evalSelection: code('softmax', 'agents/ql_diffusion.py:187-194: torch.multinomial(softmax(q))'),
    replaySize: kit(1_000_000, "online only (no online code): the QVPO protocol's 1e6"),
    warmupSteps: kit(10_000, "online only: the QVPO protocol's 10,000 random steps, as for every off-policy run here"),
    updatesPerStep: kit(1, 'online only: one update per env step, as the off-policy baselines'),
    timeLimitAsTerminal: code(false, 'utils/data_sampler.py: not_done = 1 − terminals, timeouts are not terminal'),
  },
  tasks: {
    'Hopper-v3': D4RL_ROWS['Hopper-v3'].medium,
    'Walker2d-v3': D4RL_ROWS['Walker2d-v3'].medium,
    'HalfCheetah-v3': D4RL_ROWS['HalfCheetah-v3'].medium,
    'Ant-v3': {},
    'Humanoid-v3': {},
  },
});

/**
 * The kit's reduced profiles (each change listed in every run's paperDiff): the other diffusion
 * agents' network, batch and warm-up reductions; smoke also starts the EMA early, so that its
 * short runs take EMA steps.
 */
export const DIFFUSION_QL_PROFILE_OVERRIDES: Readonly<Record<'smoke' | 'quick' | 'medium' | 'paper', Partial<DiffusionQlConfig>>> = {
  smoke: { hiddenWidth: 32, hiddenLayers: 2, batchSize: 16, warmupSteps: 100, emaStart: 50, evalSamples: 8 },
  quick: { hiddenWidth: 64, batchSize: 64, warmupSteps: 5_000 },
  medium: { hiddenWidth: 64, batchSize: 64, warmupSteps: 5_000 },
  paper: {},
};
