/**
 * The arms of the multimodality experiment (notebook 06) and every setting each runs with, in
 * one place. All four are the kit's own agents on the same task, the same envs and the same
 * budget of env steps, with the same random warm-up transitions (drawn by the experiment from the
 * seed, lib/multimodal/experiment.ts); each arm replays about the same number of
 * rows per env step (16 at quick: DDiffPG's batch of 256 per vector step of 16 envs; QVPO's and
 * SAC's batch of 64 every 4 env steps).
 *
 * - DDiffPG (lib/agents/ddiffpg): the spec's algorithm at CPU scale (see its tasks.ts for the
 *   maze settings and their sources).
 * - QVPO with its entropy term (ω_ent = the official 0.02, decaying over the run as the official
 *   code decays it over its budget) and without it (ω_ent = 0): the kit's QvpoAgent with the
 *   README's quick reductions (width 64, batch 64, Nd 8), T = 20.
 * - SAC with automatic temperature, width 64, batch 64.
 * Every arm bootstraps through the maze's time limit (timeLimitAsTerminal false).
 */
import type { DdiffpgConfig } from '../agents/ddiffpg/config';
import { DDIFFPG_MAZE_SETTINGS, DDIFFPG_SMOKE_SETTINGS } from '../agents/ddiffpg/tasks';
import type { QvpoConfig } from '../agents/qvpo/config';
import type { SacConfig } from '../agents/sac/config';

export const ARM_IDS = ['ddiffpg', 'qvpo-entropy', 'qvpo-no-entropy', 'sac'] as const;
export type ArmId = (typeof ARM_IDS)[number];

export type ArmSpec =
  | { id: 'ddiffpg'; label: string; algo: 'ddiffpg'; config: Partial<DdiffpgConfig>; why: string }
  | { id: 'qvpo-entropy' | 'qvpo-no-entropy'; label: string; algo: 'qvpo'; config: Partial<QvpoConfig>; updateEvery: number; why: string }
  | { id: 'sac'; label: string; algo: 'sac'; config: Partial<SacConfig>; updateEvery: number; why: string };

/** How much each arm runs: `numEnvs` envs in lockstep for `vectorSteps` steps, the first `warmupVectorSteps` random. */
export interface Budget {
  numEnvs: number;
  vectorSteps: number;
  warmupVectorSteps: number;
}

export type ArmScale = 'smoke' | 'quick';

export const ARM_LABELS: Readonly<Record<ArmId, string>> = {
  ddiffpg: 'DDiffPG',
  'qvpo-entropy': 'QVPO (entropy term)',
  'qvpo-no-entropy': 'QVPO (no entropy term)',
  sac: 'SAC',
};

/** QVPO's and SAC's update cadence: one update per this many env steps (quick: 4, smoke: 8). */
const UPDATE_EVERY: Readonly<Record<ArmScale, number>> = { smoke: 8, quick: 4 };

/**
 * Every arm's settings for a budget. Budget-derived values: the warm-up (the same random steps
 * for all), DDiffPG's total for its exploit switch, QVPO's ω_ent decay horizon.
 */
export function multimodalArms(scale: ArmScale, budget: Budget): ArmSpec[] {
  const transitions = budget.numEnvs * budget.vectorSteps;
  const warmup = budget.numEnvs * budget.warmupVectorSteps;
  const small = scale === 'smoke';
  const qvpo: Partial<QvpoConfig> = {
    hiddenWidth: small ? 16 : 64,
    hiddenLayers: small ? 2 : 3,
    batchSize: small ? 16 : 64,
    diffusionSteps: small ? 5 : 20,
    trainSamples: small ? 4 : 8,
    evalSamples: small ? 4 : 32,
    warmupSteps: warmup,
    entropyDecaySteps: Math.max(1, transitions),
    replaySize: Math.max(1, transitions),
    timeLimitAsTerminal: false,
  };
  const updateEvery = UPDATE_EVERY[scale];
  return [
    {
      id: 'ddiffpg',
      label: ARM_LABELS.ddiffpg,
      algo: 'ddiffpg',
      config: {
        ...(small ? DDIFFPG_SMOKE_SETTINGS : DDIFFPG_MAZE_SETTINGS),
        numEnvs: budget.numEnvs,
        warmupVectorSteps: budget.warmupVectorSteps,
        totalVectorSteps: budget.vectorSteps,
      },
      why: 'the algorithm under test: modes by clustering, a critic per mode, a batch over all modes',
    },
    {
      id: 'qvpo-entropy',
      label: ARM_LABELS['qvpo-entropy'],
      algo: 'qvpo',
      config: { ...qvpo, entropyAlpha: 0.02 },
      updateEvery,
      why: "QVPO's diffusion entropy term is its tool against mode collapse (Figure 2): ω_ent = 0.02 (official), decaying over the run",
    },
    {
      id: 'qvpo-no-entropy',
      label: ARM_LABELS['qvpo-no-entropy'],
      algo: 'qvpo',
      config: { ...qvpo, entropyAlpha: 0 },
      updateEvery,
      why: 'the same diffusion agent without the entropy term',
    },
    {
      id: 'sac',
      label: ARM_LABELS.sac,
      algo: 'sac',
      config: {
        hiddenWidth: small ? 16 : 64,
        batchSize: small ? 16 : 64,
        warmupSteps: warmup,
        replaySize: Math.max(1, transitions),
        timeLimitAsTerminal: false,
      },
      updateEvery,
      why: 'a unimodal (Gaussian) maximum-entropy baseline',
    },
  ];
}

/** One row per arm and setting, for the notebook's settings table. */
export function armSettingsRows(arms: readonly ArmSpec[]): { arm: string; setting: string; value: string }[] {
  const rows: { arm: string; setting: string; value: string }[] = [];
  for (const a of arms) {
    if (a.algo !== 'ddiffpg') rows.push({ arm: a.label, setting: 'updateEvery (env steps per update)', value: String(a.updateEvery) });
    for (const [k, v] of Object.entries(a.config)) rows.push({ arm: a.label, setting: k, value: String(v) });
  }
  return rows;
}
