/**
 * DDiffPG's settings with their sources (`code` = the authors' code at 7edd06c as
 * ddiffpg-spec.md reads it, `paper` = the paper, `kit` = this kit's choice and why), the
 * per-task values for the kit's point mazes, and the reductions that make the maze runs fit a
 * CPU budget (the notebook's quick profile; its smoke profile shrinks further).
 */
import { HparamTable, code, defineHparams, kit } from '../hparams';
import { DdiffpgConfig, ddiffpgSchema } from './config';

const MAZE_CLUSTERING = {
  clusterResample: kit(
    20,
    'the maze successes range from 15-step direct paths to 100-step random walks and DTW sums over the path: unresampled, two direct paths to different goals (≈ 2.6) are closer than two random walks to the same goal (up to 6). Resampled to 20 points, same-goal merges stay ≤ 2.2 and the left-right merge is ≈ 3.2 (80 random and scripted successes on MultiGoal)',
  ),
  clusterThreshold: kit(2.5, 'between the same-goal merges (≤ 2.2) and the left-right merge (≈ 3.2) of 20-point resampled paths, measured as above'),
  positionDims: kit(2, 'the observation is (x, y): all of it is the position'),
};

export const DDIFFPG_HPARAMS: HparamTable<DdiffpgConfig> = defineHparams(ddiffpgSchema, {
  algo: 'ddiffpg',
  summary:
    "DDiffPG as the authors' code runs it (ddiffpg-spec.md), with a scalar twin-Q per mode in place of the C51 critic; the kit's point mazes fix the clustering's features and cut.",
  defaults: {
    gamma: code(0.99, 'cfg: gamma (spec §7)'),
    numEnvs: code(256, 'cfg/default.yaml: num_envs (spec §2)'),
    warmupVectorSteps: code(500, 'ddiffpg_main.py:63, warm_up: 500 (spec §2)'),
    updatesPerVectorStep: code(8, 'ddiffpg_algo.yaml: update_times 8 (spec §2)'),
    batchSize: code(4096, 'ddiffpg_algo.yaml: batch_size 4096 (spec §2)'),
    clusterEvery: code(100, 'eval_freq 100: re-cluster at every evaluation (spec §3)'),
    clusterThreshold: code(0, 'no fixed cut outside AntMaze: 0.7 × the largest merge (common.py:38-58, spec §3)'),
    clusterThresholdFraction: code(0.7, 'diffusion_replay.py:213-217 (spec §3)'),
    clusterResample: code(0, 'AntMaze: no resampling (use_downsampling is for manipulation, spec §3)'),
    maxClusters: code(10, 'diffusion_replay.py:118-121 (spec §3)'),
    trajectoryCapacity: code(2000, 'memory_size 2000 trajectories (spec §3)'),
    positionDims: code(2, 'traj_dim 2 for AntMaze (torso x, y), also the encoded part of the RND input (spec §3, §8)'),
    embeddingDim: code(5, 'embedding_dim: 5 (spec §5)'),
    useModeEmbedding: code(false, 'use_embedding False by default (spec §5)'),
    exploitAllAfter: code(0.7, 'stop_ratio 0.7 (spec §5)'),
    totalVectorSteps: kit(0, 'the run sets its own budget; 0 = never switch'),
    noiseStdMin: code(0.05, 'noise.py: std_min (spec §5)'),
    noiseStdMax: code(0.6, 'noise.py: std_max (spec §5)'),
    diffusionSteps: code(5, 'diffusion.diffusion_iter: 5 (spec §6)'),
    betaSchedule: code('cosine', 'squaredcos_cap_v2 (spec §6)'),
    actorHidden: code('1024,512,256', 'diffusion_mlp.py (spec §6)'),
    actorTimeEmbed: code(256, 'diffusion_mlp.py: sinusoidal 256 (spec §6)'),
    actorTimeHidden: code(1024, 'diffusion_mlp.py: 256 → 1024 → 256 (spec §6)'),
    actorLr: code(3e-4, 'ac_base.py:52: AdamW 3e-4 (spec §6)'),
    adamEps: code(1e-8, "PyTorch AdamW's default eps (the code sets none)"),
    actorGradClip: code(1, 'ac_base.py:83-92 (spec §6)'),
    criticHidden: code('512,256,128', 'models/mlp.py:131-155 (spec §7)'),
    criticActivation: kit('relu', 'the code uses ELU; the kit has no ELU MLP, and ReLU gives the action gradient in closed form (agent header)'),
    criticLr: code(5e-4, 'AdamW 5e-4 (spec §7)'),
    criticGradClip: code(1, 'spec §7'),
    tau: code(0.05, 'spec §7'),
    targetNoiseStd: code(0.8, 'ddiffpg.py:94-102 (spec §7)'),
    targetNoiseClip: code(0.2, 'ddiffpg.py:94-102 (spec §7)'),
    actionSteps: code(20, 'diffusion.update_times 20 (spec §7; the paper writes one step)'),
    actionLr: code(0.03, 'diffusion.action_lr 0.03 (spec §7)'),
    actionGradClip: code(1, 'ddiffpg.py:329-344 (spec §7)'),
    actionMargin: code(1e-5, 'clamp ±(1 − 1e−5) (spec §7)'),
    rndHidden: code('512,256,128', 'models/mlp.py:233-267 (spec §8)'),
    rndFeatureDim: code(128, 'spec §8'),
    rndFrequencies: code(10, 'NeRF encoding L = 10 (spec §8)'),
    rndLr: code(1e-4, 'AdamW 1e-4 (spec §8)'),
    noveltyScale: code(0.01, 'intrinsic.py:47-60 (spec §8)'),
    noveltyAlpha: code(0.5, 'intrinsic.py:47-60 (spec §8)'),
    timeLimitAsTerminal: kit(false, 'only a termination ends bootstrapping (the mazes cut episodes at 100 steps)'),
  },
  tasks: {
    'PointMaze-MultiGoal-v0': MAZE_CLUSTERING,
    'PointMaze-TwoRoutes-v0': MAZE_CLUSTERING,
  },
});

/**
 * The maze runs at CPU scale (notebook 06, quick): every value here differs from the code's,
 * for cost, and the notebook lists them. Rows per env step stay at 16 (256 rows per vector step
 * of 16 envs), the code's being 128 (4096 × 8 / 256).
 */
export const DDIFFPG_CPU_SETTINGS: Readonly<Partial<DdiffpgConfig>> = {
  numEnvs: 16,
  updatesPerVectorStep: 1,
  batchSize: 256,
  clusterEvery: 50,
  trajectoryCapacity: 200,
  actorHidden: '128,128,128',
  actorTimeEmbed: 32,
  actorTimeHidden: 64,
  criticHidden: '128,128',
  rndHidden: '128,64',
  rndFeatureDim: 32,
};

const taskValues = (task: string): Partial<DdiffpgConfig> =>
  Object.fromEntries(Object.entries(DDIFFPG_HPARAMS.tasks[task] ?? {}).map(([k, s]) => [k, (s as { value: unknown }).value])) as Partial<DdiffpgConfig>;

/** MultiGoal's task settings plus the CPU reductions. */
export const DDIFFPG_MAZE_SETTINGS: Readonly<Partial<DdiffpgConfig>> = { ...taskValues('PointMaze-MultiGoal-v0'), ...DDIFFPG_CPU_SETTINGS };

/** Tiny networks and batches: checks that everything runs (CI), learns nothing. */
export const DDIFFPG_SMOKE_SETTINGS: Readonly<Partial<DdiffpgConfig>> = {
  ...DDIFFPG_MAZE_SETTINGS,
  batchSize: 32,
  clusterEvery: 10,
  actorHidden: '16,16',
  actorTimeEmbed: 8,
  actorTimeHidden: 16,
  criticHidden: '16,16',
  rndHidden: '16',
  rndFeatureDim: 8,
  actionSteps: 5,
};
