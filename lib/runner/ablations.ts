/**
 * The paper's two QVPO ablations as sweep manifests: each arm is a variant of a profile
 * (runs under results/runs/<profile>-<variant>/) that changes only the settings the figure
 * varies, written out even where they equal the default so every arm states its values.
 *
 * - Figure 4 (entropy): Ant-v3, T ∈ {20, 100} × ω_ent ∈ {0.02 (default), 0 (no entropy term)}.
 * - Figure 5 (action selection): (Kb, Kt) ∈ {(1,1), (4,1), (4,4), (4,2), (20,2)}. The figure's
 *   task could not be read in any reachable copy of the paper; the kit uses Hopper-v3.
 */
import type { QvpoConfig } from '../agents/qvpo/config';
import { StepCost, measureStepCost } from '../agents/qvpo/step-cost';
import { agentSpecOf } from '../agents/registry';
import { makeEnv } from '../envs/registry';
import { notebookTrainOptions } from '../notebook/progress';
import { planRun } from './plan';
import { ManifestEntry } from './sweep';
import { trainRun } from './train';
import { ProfileName, profileNamed } from './profiles';

export interface AblationArm {
  /** Variant suffix (directory name part). */
  name: string;
  /** Legend label. */
  label: string;
  overrides: Partial<QvpoConfig>;
}

export interface Ablation {
  id: string;
  figure: string;
  env: string;
  /** Why this task. */
  envNote: string;
  arms: readonly AblationArm[];
  seeds: Readonly<Record<ProfileName, readonly number[]>>;
}

const SEEDS: Readonly<Record<ProfileName, readonly number[]>> = { smoke: [0], quick: [0, 1, 2], medium: [0, 1, 2, 3, 4], paper: [0, 1, 2, 3, 4] };

const entropyArm = (steps: number, alpha: number): AblationArm => ({
  name: `fig4-T${steps}-${alpha > 0 ? 'ent' : 'noent'}`,
  label: `T=${steps}, ${alpha > 0 ? 'with' : 'without'} entropy`,
  overrides: { diffusionSteps: steps, entropyAlpha: alpha },
});

const selectionArm = (kb: number, kt: number): AblationArm => ({
  name: `fig5-Kb${kb}-Kt${kt}`,
  label: `Kb=${kb}, Kt=${kt}`,
  overrides: { behaviourSamples: kb, targetSamples: kt },
});

export const ABLATIONS: Readonly<Record<string, Ablation>> = {
  entropy: {
    id: 'entropy',
    figure: 'Figure 4',
    env: 'Ant-v3',
    envNote: 'Ant-v3, as in the paper.',
    arms: [entropyArm(20, 0.02), entropyArm(20, 0), entropyArm(100, 0.02), entropyArm(100, 0)],
    seeds: SEEDS,
  },
  'action-selection': {
    id: 'action-selection',
    figure: 'Figure 5',
    env: 'Hopper-v3',
    envNote: "The figure's task is not readable in any reachable copy of the paper; the kit uses Hopper-v3.",
    arms: [selectionArm(1, 1), selectionArm(4, 1), selectionArm(4, 4), selectionArm(4, 2), selectionArm(20, 2)],
    seeds: SEEDS,
  },
};

export function ablationNamed(id: string): Ablation {
  const a = ABLATIONS[id];
  if (!a) throw new Error(`unknown ablation "${id}": expected one of ${Object.keys(ABLATIONS).join(', ')}`);
  return a;
}

/**
 * Every run of an ablation at a profile: arms × seeds on the ablation's task, seed by seed
 * (every arm's seed 0 first), so a sweep stopped part-way has compared all arms on its seeds.
 */
export function ablationManifest(id: string, profile: string, seeds?: readonly number[]): ManifestEntry[] {
  const ablation = ablationNamed(id);
  const p = profileNamed(profile);
  const chosen = seeds ?? ablation.seeds[p.name];
  return chosen.flatMap((seed) =>
    ablation.arms.map((arm) => ({ algo: 'qvpo', env: ablation.env, seed, profile: p.name, variant: arm.name, overrides: { ...arm.overrides } })),
  );
}

/**
 * Trains an ablation's runs one after another in this process (notebooks; the CLI's
 * `qvpo-kit ablation` runs them in parallel processes), each with a progress line every 30 s
 * unless `quiet`. Complete runs are skipped unless `retrain`; interrupted ones resume. Returns
 * how many runs were trained.
 */
export async function trainAblation(
  id: string,
  profile: string,
  options: { seeds?: readonly number[]; root?: string; retrain?: boolean; quiet?: boolean } = {},
): Promise<number> {
  let trained = 0;
  for (const entry of ablationManifest(id, profile, options.seeds)) {
    const plan = planRun({ ...entry, ...(options.root ? { root: options.root } : {}) });
    const outcome = await trainRun(plan, { ...(options.quiet ? { quiet: true } : notebookTrainOptions()), fresh: options.retrain ?? false });
    if (outcome !== 'skipped') trained++;
  }
  return trained;
}

export interface ArmCost {
  arm: string;
  label: string;
  /** The median round's measurement. */
  cost: StepCost;
  /** ms per training env step in every round, ascending (its range is the timing noise). */
  roundsMs: number[];
}

/**
 * Each arm's cost per training env step at a profile, measured here with the arm's exact run
 * config on the ablation's task dimensions (measureStepCost). Unlike a run's steps/s it
 * excludes warm-up, evaluations and other work sharing the cores. With `rounds` > 1 the arms
 * are timed in turn that many times and each keeps its median round, so a slow spell of the
 * machine does not land on one arm.
 */
export async function measureArmCosts(
  id: string,
  profile: string,
  options: { iterations: number; warmup: number; actions: number; rounds?: number },
): Promise<ArmCost[]> {
  const rounds = options.rounds ?? 1;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`measureArmCosts: rounds must be a whole number ≥ 1, got ${rounds}`);
  const ablation = ablationNamed(id);
  const env = await makeEnv(ablation.env);
  const spec = agentSpecOf(env);
  env.close();
  const plans = ablationManifest(id, profile, [0]).map((entry) => planRun(entry));
  const measured: StepCost[][] = plans.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, plan] of plans.entries()) measured[i].push(await measureStepCost(spec, plan.config as unknown as QvpoConfig, options));
  }
  return plans.map((plan, i) => {
    const arm = ablation.arms.find((a) => a.name === plan.variant) as AblationArm;
    const byTime = [...measured[i]].sort((a, b) => a.msPerEnvStep - b.msPerEnvStep);
    return { arm: arm.name, label: arm.label, cost: byTime[Math.floor((byTime.length - 1) / 2)], roundsMs: byTime.map((c) => c.msPerEnvStep) };
  });
}
