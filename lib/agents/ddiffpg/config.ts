/**
 * DDiffPG's settings (Li et al., NeurIPS 2024): one typed schema, defaults = the authors' code as
 * ddiffpg-spec.md reads it (§2 loop, §3 clustering, §5 exploration, §6 policy, §7 iteration, §8
 * intrinsic reward, §11 summary). Where the kit departs from the code the field's doc says so;
 * `lib/agents/ddiffpg/tasks.ts` gives every default its source and the per-task values.
 *
 * Counting: the code steps 256 envs in lockstep. One *vector step* is one env step in every env
 * (`numEnvs` transitions); warm-up, update counts and the clustering cadence count vector steps.
 */
import { ConfigOf, bool, defineSchema, int, num, oneOf, str } from '../../config/schema';
import { BETA_SCHEDULES } from '../../diffusion/schedule';

export const CRITIC_ACTIVATIONS = ['relu', 'mish', 'tanh'] as const;

export const ddiffpgSchema = defineSchema('ddiffpg', {
  gamma: num(0.99, 'Discount factor γ of every critic (spec §7).', { min: 0, max: 1 }),
  numEnvs: int(256, 'Envs stepped in lockstep: one vector step is one transition from each (spec §2). Their exploration noise std is spaced over them.', { min: 1 }),
  warmupVectorSteps: int(500, 'Vector steps of uniform random actions before the first clustering and update (spec §2: 500 × 256 envs).', { min: 0 }),
  updatesPerVectorStep: int(8, 'Gradient iterations (spec §7) after each vector step (update_times).', { min: 1 }),
  batchSize: int(4096, 'Rows of one iteration, all groups together: split equally over the K modes and the exploration group, the remainder to exploration (spec §7).', { min: 2, max: 65_536 }),
  clusterEvery: int(100, 'Re-cluster the successful trajectories every this many vector steps after warm-up (eval_freq, spec §3); once right after warm-up too.', { min: 1 }),
  clusterThreshold: num(0, 'Fixed dendrogram cut height for DTW distances (AntMaze 50/70); 0 = cut at clusterThresholdFraction × the largest merge height (spec §3).', { min: 0 }),
  clusterThresholdFraction: num(0.7, 'Cut at this fraction of the largest merge when no fixed threshold is set (spec §3).', { min: 0, max: 1 }),
  clusterResample: int(0, 'Resample every trajectory to this many points before DTW; 0 = off (AntMaze). The kit\'s choice for its mazes, whose paths range from 15 to 100 steps (tasks.ts); the code resamples manipulation tasks to the running-average success length instead.', { min: 0 }),
  maxClusters: int(10, 'More clusters than this → all successes become one mode (spec §3).', { min: 1 }),
  trajectoryCapacity: int(2000, 'Trajectory buffer capacity in trajectories; K modes keep ≤ capacity/(2K) successes and as many failures each (spec §3).', { min: 2 }),
  positionDims: int(2, 'Leading state dims that are a position: the DTW features (traj_dim) and the NeRF-encoded part of the RND input (2 for mazes).', { min: 1 }),
  embeddingDim: int(5, 'Width of the policy-input embedding appended to the state (spec §5).', { min: 1 }),
  useModeEmbedding: bool(false, 'Give every mode its own random embedding; false (the released default) trains and evaluates modes with the zero vector (spec §5).'),
  exploitAllAfter: num(0.7, 'After this fraction of totalVectorSteps every env exploits (stop_ratio, spec §5).', { min: 0, max: 1 }),
  totalVectorSteps: int(0, 'The run\'s budget in vector steps, for exploitAllAfter; 0 = unknown, never switch.', { min: 0 }),
  noiseStdMin: num(0.05, 'Exploration noise std of the first env; the envs\' stds are spaced linearly up to noiseStdMax (spec §5).', { min: 0 }),
  noiseStdMax: num(0.6, 'Exploration noise std of the last env (spec §5).', { min: 0 }),
  diffusionSteps: int(5, 'Diffusion steps T of training and sampling (spec §6).', { min: 1 }),
  betaSchedule: oneOf(BETA_SCHEDULES, 'cosine', 'β schedule: cosine = squaredcos_cap_v2 (spec §6).'),
  actorHidden: str('1024,512,256', 'Hidden widths (Mish) of the noise net, comma-separated (spec §6).'),
  actorTimeEmbed: int(256, 'Width of the sinusoidal time embedding (spec §6).', { min: 4 }),
  actorTimeHidden: int(1024, 'Hidden width of the time-embedding MLP (spec §6: 256 → 1024 → 256).', { min: 1 }),
  actorLr: num(3e-4, 'Learning rate of the noise net (spec §6: AdamW 3e-4; the kit applies no weight decay, see the agent header).', { min: 0, minExclusive: true }),
  adamEps: num(1e-8, 'Adam epsilon of the noise net and the critics (PyTorch\'s AdamW default).', { min: 0, minExclusive: true }),
  actorGradClip: num(1, 'Global grad-norm clip of the noise net (spec §6); 0 disables.', { min: 0 }),
  criticHidden: str('512,256,128', 'Hidden widths of each critic head, comma-separated (spec §7).'),
  criticActivation: oneOf(CRITIC_ACTIVATIONS, 'relu', 'Activation of the critics: the code\'s is ELU, which the kit\'s MLPs and engines lack; ReLU (the kit\'s choice) has an exact hand-written action gradient (agent header).'),
  criticLr: num(5e-4, 'Learning rate of every critic (spec §7: AdamW 5e-4).', { min: 0, minExclusive: true }),
  criticGradClip: num(1, 'Global grad-norm clip of the critics (spec §7); 0 disables.', { min: 0 }),
  tau: num(0.05, 'Polyak rate of each critic\'s target, after each of its steps (spec §7).', { min: 0, max: 1 }),
  targetNoiseStd: num(0.8, 'TD-target smoothing: std of the Gaussian added to the next action (spec §7).', { min: 0 }),
  targetNoiseClip: num(0.2, 'TD-target smoothing: the noise is clipped to ± this (spec §7).', { min: 0 }),
  actionSteps: int(20, 'Adam steps of the target-action ascent on the group\'s min(Q1, Q2) (spec §7: diffusion.update_times).', { min: 0 }),
  actionLr: num(0.03, 'Learning rate of that ascent (spec §7: diffusion.action_lr).', { min: 0, minExclusive: true }),
  actionGradClip: num(1, 'Global grad-norm clip of the action gradient (spec §7); 0 disables.', { min: 0 }),
  actionMargin: num(1e-5, 'Target actions are clamped to ±(1 − margin) before and after every ascent step (spec §7).', { min: 0, max: 0.5 }),
  rndHidden: str('512,256,128', 'Hidden widths (ELU) of the RND target and predictor (spec §8).'),
  rndFeatureDim: int(128, 'Output width of the RND nets (spec §8).', { min: 1 }),
  rndFrequencies: int(10, 'NeRF frequencies L of the RND input encoding (spec §8).', { min: 0 }),
  rndLr: num(1e-4, 'Learning rate of the RND predictor (spec §8: AdamW 1e-4).', { min: 0, minExclusive: true }),
  noveltyScale: num(0.01, 'NovelD reward scale: r_int = scale · max(n(s′) − α·n(s), 0) (spec §8).', { min: 0 }),
  noveltyAlpha: num(0.5, 'NovelD α (spec §8).', { min: 0 }),
  timeLimitAsTerminal: bool(false, 'Cut bootstrapping at time-limit ends too; false bootstraps through them (only a termination is an end).'),
});

export type DdiffpgConfig = ConfigOf<typeof ddiffpgSchema.fields>;

/** "1024,512,256" → [1024, 512, 256]; throws naming the field on anything else. */
export function parseWidths(value: string, field: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  const out = parts.map(Number);
  if (parts.length === 0 || parts.some((p) => p === '') || out.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`ddiffpg: ${field} must be comma-separated positive integers (e.g. "256,256"), got ${JSON.stringify(value)}`);
  }
  return out;
}
