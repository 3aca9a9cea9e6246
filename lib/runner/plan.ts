/**
 * A run plan: everything that determines a run — algorithm config, protocol, task, seed — and
 * where it lives on disk. Settings are layered: official defaults ← per-task overrides ←
 * profile ← explicit overrides; the paper's settings (official defaults ← per-task, paper
 * protocol) are the reference every difference is listed against.
 */
import * as path from 'node:path';
import { algorithm } from '../agents/registry';
import { readDatasetManifest } from '../datasets/format';
import { envSpec } from '../envs/registry';
import { REPO_ROOT } from '../util/paths';
import { PAPER_PROTOCOL, ProfileName, Protocol, profileNamed, protocolSchema } from './profiles';

export interface PaperDiff {
  key: string;
  value: unknown;
  paper: unknown;
}

export interface RunPlan {
  algo: string;
  env: string;
  seed: number;
  profile: ProfileName;
  /** Directory label: the profile, or `<profile>-<variant>` for ablation arms. */
  label: string;
  variant: string | null;
  config: Record<string, string | number | boolean>;
  protocol: Protocol;
  paperDiff: PaperDiff[];
  dir: string;
  /** Offline runs only (planOfflineRun): the dataset they train from. */
  dataset?: DatasetRef;
}

/** The dataset of an offline run, as config.json records it. */
export interface DatasetRef {
  /** The dataset directory as given (relative paths are from the working directory). */
  path: string;
  /** Its folder's name: the run directory is `offline-<name>`. */
  name: string;
  kind: string;
  env: string;
  /** Transitions. */
  size: number;
  /** SHA-256 of its data.bin, as its manifest records it (reading the dataset checks the file against it). */
  sha256: string;
  /** For the normalised score of evaluations (lib/datasets/score.ts). */
  reference: { randomReturn: number | null; policyReturn: number | null };
}

export interface PlanRequest {
  algo: string;
  env: string;
  seed: number;
  profile: ProfileName | string;
  /** Algorithm settings on top of the profile's. */
  overrides?: Record<string, unknown>;
  /** Protocol settings on top of the profile's. */
  protocolOverrides?: Record<string, unknown>;
  /** Names an ablation arm; runs go to `<profile>-<variant>`. Required when overrides are given. */
  variant?: string;
  /** Root of run directories (default results/runs). */
  root?: string;
  /** The task's own settings in place of the algorithm's per-task row (offline runs: the dataset's row). */
  taskSettings?: Record<string, unknown>;
}

/** Protocol fields that cannot change results (not listed as differences from the paper). */
const BOOKKEEPING = new Set(['checkpointInterval']);

const VARIANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.=+-]*$/;

export function planRun(req: PlanRequest): RunPlan {
  const profile = profileNamed(String(req.profile));
  const entry = algorithm(req.algo);
  envSpec(req.env); // throws a clear error for an unknown task
  if (!Number.isInteger(req.seed) || req.seed < 0) throw new Error(`seed must be a non-negative integer, got ${String(req.seed)}`);
  const hasOverrides = Object.keys(req.overrides ?? {}).length + Object.keys(req.protocolOverrides ?? {}).length > 0;
  const variant = req.variant ?? null;
  if (variant !== null && !VARIANT_PATTERN.test(variant)) {
    throw new Error(`variant "${variant}" must be letters, digits and _ . = + - (it names a directory)`);
  }
  if (hasOverrides && variant === null) {
    throw new Error(
      'settings changed on top of a profile need a variant name (e.g. --variant nd16), so such runs never mix with the profile\'s own results',
    );
  }
  const task = req.taskSettings ?? entry.taskOverrides[req.env] ?? {};
  const config = entry.schema.make({ ...task, ...entry.profileOverrides[profile.name], ...(req.overrides ?? {}) }, `${entry.id} config`);
  const paperConfig = entry.schema.make(task, `${entry.id} paper config`);
  const protocol = protocolSchema.make({ ...profile.protocol, ...(req.protocolOverrides ?? {}) }, 'protocol') as Protocol;
  const paperDiff: PaperDiff[] = [
    ...protocolSchema
      .diff(protocol, PAPER_PROTOCOL)
      .filter((d) => !BOOKKEEPING.has(String(d.key)))
      .map((d) => ({ key: String(d.key), value: d.value, paper: d.reference })),
    ...entry.schema.diff(config, paperConfig).map((d) => ({ key: String(d.key), value: d.value, paper: d.reference })),
  ];
  const label = variant ? `${profile.name}-${variant}` : profile.name;
  const root = req.root ?? path.join(REPO_ROOT, 'results', 'runs');
  return {
    algo: entry.id,
    env: req.env,
    seed: req.seed,
    profile: profile.name,
    label,
    variant,
    config,
    protocol,
    paperDiff,
    dir: path.join(root, label, entry.id, req.env, `seed-${req.seed}`),
  };
}

/** "Nd 8 (paper 64), steps 30000 (paper 1000000)" — one line for reports. */
export function describePaperDiff(diff: readonly PaperDiff[]): string {
  if (diff.length === 0) return 'all paper settings';
  return diff.map((d) => `${d.key} ${JSON.stringify(d.value)} (paper ${JSON.stringify(d.paper)})`).join(', ');
}

export interface OfflinePlanRequest extends PlanRequest {
  /** A dataset directory (lib/datasets), e.g. datasets/Hopper-v3/medium. */
  dataset: string;
}

/**
 * An offline run: the algorithm trains from `dataset` only, for the protocol's totalSteps
 * gradient steps, evaluating in the env every evalInterval of them (lib/runner/offline.ts). It
 * lives in `<root>/<label>/<algo>/<env>/offline-<dataset name>/seed-<n>`, out of the layout that
 * Table 1 and listRuns read (listOfflineRuns lists these). The replay buffer is made large enough
 * for the dataset (replaySize ≥ its size); only off-policy algorithms (those with a replay buffer)
 * can train offline. Reads the dataset's manifest (not its data).
 */
export function planOfflineRun(req: OfflinePlanRequest): RunPlan {
  const entry = algorithm(req.algo);
  if (!('replaySize' in entry.schema.fields)) throw new Error(`offline training needs an off-policy algorithm: ${entry.id} is on-policy`);
  const manifest = readDatasetManifest(req.dataset, { env: req.env });
  const name = path.basename(path.resolve(req.dataset));
  if (!VARIANT_PATTERN.test(name)) throw new Error(`dataset folder "${name}" must be letters, digits and _ . = + - (it names the run's directory)`);
  // settings its authors tuned per dataset (Diffusion-QL's D4RL rows) replace the task's row,
  // so they count as the paper's values for this run
  const taskSettings = { ...(entry.taskOverrides[req.env] ?? {}), ...(entry.datasetOverrides?.(req.env, manifest.kind) ?? {}) };
  const base = planRun({ ...req, taskSettings });
  const replaySize = Math.max(Number(base.config.replaySize), manifest.size);
  const config = entry.schema.make({ ...base.config, replaySize }, `${entry.id} config`);
  const paperReplaySize = base.paperDiff.find((d) => d.key === 'replaySize')?.paper ?? base.config.replaySize;
  const paperDiff = base.paperDiff.filter((d) => d.key !== 'replaySize');
  if (replaySize !== paperReplaySize) paperDiff.push({ key: 'replaySize', value: replaySize, paper: paperReplaySize });
  const root = req.root ?? path.join(REPO_ROOT, 'results', 'runs');
  return {
    ...base,
    config,
    paperDiff,
    dir: path.join(root, base.label, entry.id, req.env, `offline-${name}`, `seed-${req.seed}`),
    dataset: {
      path: req.dataset,
      name,
      kind: manifest.kind,
      env: manifest.env,
      size: manifest.size,
      sha256: manifest.data.sha256,
      reference: { randomReturn: manifest.reference.randomReturn, policyReturn: manifest.reference.policyReturn },
    },
  };
}
