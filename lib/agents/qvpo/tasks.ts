/**
 * Per-task QVPO settings, in one place. The paper's Table 3 (Nd, Ne, Kb, Kt, ω_ent and the
 * weight function per task) could not be read from any copy reachable when this kit was
 * written, and the official repository ships no per-task configs, so every task runs the
 * official code's defaults. Fill this table when Table 3's numbers are known.
 */
import { QvpoConfig } from './config';

export const QVPO_TASK_OVERRIDES: Readonly<Record<string, Partial<QvpoConfig>>> = {};

/** Reduced settings of the non-paper profiles (each one listed in every run's paperDiff). */
export const QVPO_PROFILE_OVERRIDES: Readonly<Record<'smoke' | 'quick' | 'paper', Partial<QvpoConfig>>> = {
  smoke: {
    hiddenWidth: 32,
    hiddenLayers: 2,
    batchSize: 16,
    trainSamples: 4,
    evalSamples: 4,
    warmupSteps: 100,
    entropyDecaySteps: 300,
  },
  quick: {
    hiddenWidth: 64,
    batchSize: 64,
    trainSamples: 8,
    warmupSteps: 5_000,
    // The official decay runs over the whole budget (num_steps); keep that shape.
    entropyDecaySteps: 20_000,
  },
  paper: {},
};
