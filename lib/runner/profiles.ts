/**
 * Run protocol and profiles. The protocol (budget, evaluation, checkpoints) is one typed config
 * like an algorithm's; a profile names a protocol, the tasks and seeds a sweep covers, and the
 * algorithm settings it changes. Nothing is changed silently: every run records the list of
 * settings that differ from the paper's (paperDiff), and reports print it.
 */
import { ConfigOf, defineSchema, int } from '../config/schema';
import { PROFILE_NAMES, ProfileName } from '../notebook/params';
import { QVPO_ENV_IDS } from '../envs/registry';

export { PROFILE_NAMES };
export type { ProfileName };

export const protocolSchema = defineSchema('protocol', {
  totalSteps: int(1_000_000, 'Env steps per run (the official --num_steps).', { min: 1 }),
  evalInterval: int(10_000, 'Env steps between evaluations; the first at evalInterval, the last at totalSteps.', { min: 1 }),
  evalEpisodes: int(10, 'Episodes per evaluation (the evaluation policy of each algorithm).', { min: 1 }),
  checkpointInterval: int(25_000, 'Env steps between checkpoints; each is taken at the next episode end.', { min: 1 }),
  maxEpisodeSteps: int(1000, 'Time limit of every episode, training and evaluation (gym TimeLimit).', { min: 1 }),
});
export type Protocol = ConfigOf<typeof protocolSchema.fields>;

/** The paper's protocol: 1M steps, evaluation every 10k steps over 10 episodes, 5 runs. */
export const PAPER_PROTOCOL: Protocol = protocolSchema.defaults;

export interface ProfileDefinition {
  name: ProfileName;
  description: string;
  protocol: Partial<Protocol>;
  /** Tasks and seeds of a full sweep at this profile (make reproduce-table1). */
  envs: readonly string[];
  seeds: readonly number[];
}

export const PROFILES: Readonly<Record<ProfileName, ProfileDefinition>> = {
  smoke: {
    name: 'smoke',
    description: 'CI: every task, a few hundred steps with tiny networks; proves the pipeline, learns nothing.',
    protocol: { totalSteps: 300, evalInterval: 150, evalEpisodes: 1, checkpointInterval: 100 },
    envs: QVPO_ENV_IDS,
    seeds: [0],
  },
  quick: {
    name: 'quick',
    description:
      'A CPU-feasible budget (20k steps; on the ORT engine, runs sharing a 2-core CPU, a QVPO run takes 3.6–10 min and a DIPO run 7–11 min, Hopper to Humanoid) with reduced networks and sample counts; early learning on all five tasks. Reduced: not comparable to the paper in level.',
    protocol: { totalSteps: 20_000, evalInterval: 4_000, evalEpisodes: 5, checkpointInterval: 4_000 },
    envs: QVPO_ENV_IDS,
    seeds: [0, 1, 2],
  },
  medium: {
    name: 'medium',
    description:
      "quick's networks and sample counts over 100k steps (evaluation every 5k steps over 10 episodes), Hopper-v3, 5 seeds: where learning curves separate; the 35-run sweep measured ≈ 7.3 core-hours, ≈ 4 h of a 2-core machine with two runs at a time (README). Reduced: below the paper's level.",
    protocol: { totalSteps: 100_000, evalInterval: 5_000, evalEpisodes: 10, checkpointInterval: 10_000 },
    envs: ['Hopper-v3'],
    seeds: [0, 1, 2, 3, 4],
  },
  paper: {
    name: 'paper',
    description: 'The paper: 1M steps, evaluation every 10k steps over 10 episodes, 5 seeds, all settings official.',
    protocol: {},
    envs: QVPO_ENV_IDS,
    seeds: [0, 1, 2, 3, 4],
  },
};

export function profileNamed(name: string): ProfileDefinition {
  const p = (PROFILES as Record<string, ProfileDefinition>)[name];
  if (!p) throw new Error(`unknown profile "${name}": expected one of ${PROFILE_NAMES.join(', ')}`);
  return p;
}
