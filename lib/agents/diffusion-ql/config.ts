/**
 * Diffusion-QL (Wang, Hunt, Zhou, ICLR 2023) as its authors' code runs it
 * (Zhendong-Wang/Diffusion-Policies-for-Offline-RL at d871f5c; reference: diffusion-ql-spec
 * §2–6): a VP-schedule diffusion policy with T = 5, trained on L_bc + η·L_q where L_q is Q of a
 * fresh action sampled with gradients through the whole reverse chain, a twin-Q critic whose
 * TD target takes its next action from an EMA copy of the actor, and evaluation that samples
 * one of 50 candidates with probability softmax(Q). Per-task values with their sources: tasks.ts.
 *
 * The same settings run online (the agent collecting its own data, as later papers ran
 * Diffusion-QL as a baseline): the replay settings below apply there only. Offline runs read a
 * dataset instead (qvpo-kit train --dataset).
 */
import { ConfigOf, bool, defineSchema, int, num, oneOf } from '../../config/schema';
import { BETA_SCHEDULES } from '../../diffusion/schedule';

/** Through which reverse steps L_q's gradient flows: all (the released agent) or the last only (the toy's ablation `t_last`). */
export const CHAIN_GRADIENTS = ['all', 'last'] as const;
export type ChainGradient = (typeof CHAIN_GRADIENTS)[number];

/** How evaluation picks among its candidates: a draw with probability softmax(Q) (the code), or the best. */
export const EVAL_SELECTIONS = ['softmax', 'argmax'] as const;
export type EvalSelection = (typeof EVAL_SELECTIONS)[number];

export const diffusionQlSchema = defineSchema('diffusion-ql', {
  gamma: num(0.99, 'Discount factor γ.', { min: 0, max: 1 }),
  tau: num(0.005, 'Polyak rate τ of the target critic, after every update.', { min: 0, max: 1 }),
  batchSize: int(256, 'Minibatch size B of every update.', { min: 1, max: 65_536 }),
  actorLr: num(3e-4, 'Adam learning rate of the diffusion actor (--lr; per task).', { min: 0, minExclusive: true }),
  criticLr: num(3e-4, 'Adam learning rate of the critic (hard-coded in the code, whatever the task).', { min: 0, minExclusive: true }),
  adamEps: num(1e-8, 'Adam epsilon (PyTorch default).', { min: 0, minExclusive: true }),
  gradClipNorm: num(9, 'Global L2 gradient-norm clip of actor and critic (--gn, per task); 0 disables.', { min: 0 }),
  hiddenWidth: int(256, 'Width of the hidden layers of the noise net and of each critic head.', { min: 1 }),
  hiddenLayers: int(3, 'Hidden layers (Mish) of the noise net and of each critic head.', { min: 1 }),
  timeEmbedDim: int(16, 'Width of the sinusoidal time embedding (and of the time MLP output).', { min: 4 }),
  timeHidden: int(32, 'Hidden width of the time MLP (16 → 32 → 16 in the code).', { min: 1 }),
  diffusionSteps: int(5, 'Diffusion steps T.', { min: 1 }),
  betaSchedule: oneOf(BETA_SCHEDULES, 'vp', 'β schedule: vp = the discretised VP-SDE with β_min 0.1, β_max 10.'),
  eta: num(1, 'η: weight of the Q term, L = L_bc + η·L_q (per task).', { min: 0 }),
  chainGradient: oneOf(CHAIN_GRADIENTS, 'all', "Reverse steps L_q's gradient flows through: all (the released agent) or last (the toy's t_last ablation)."),
  maxQBackup: bool(false, 'TD target from the max over maxQBackupSamples EMA-actor actions per head, then the min of the two heads (antmaze); off: one action, min of the heads.'),
  maxQBackupSamples: int(10, 'Next actions per state for the max-Q backup.', { min: 1 }),
  emaDecay: num(0.995, 'EMA actor: w_ema ← decay·w_ema + (1 − decay)·w.', { min: 0, max: 1 }),
  emaEvery: int(5, 'Updates between EMA steps (step % every == 0).', { min: 1 }),
  emaStart: int(1000, 'Updates before the first EMA step; until then the EMA actor keeps its initial weights.', { min: 0 }),
  evalSamples: int(50, 'Candidates per state at evaluation, sampled from the online actor and scored by the target critic.', { min: 1 }),
  evalSelection: oneOf(EVAL_SELECTIONS, 'softmax', 'How evaluation picks a candidate: softmax = a draw with probability softmax(min Q) (the code), argmax = the best.'),
  replaySize: int(1_000_000, 'Online only: replay capacity (FIFO).', { min: 1 }),
  warmupSteps: int(10_000, 'Online only: uniform-random env steps before the first update.', { min: 0 }),
  updatesPerStep: int(1, 'Online only: updates after each env step.', { min: 1 }),
  timeLimitAsTerminal: bool(false, 'Online only: store time-limit ends as terminal; off bootstraps through them, as the code treats D4RL timeouts (not_done = 1 − terminals).'),
});

export type DiffusionQlConfig = ConfigOf<typeof diffusionQlSchema.fields>;
