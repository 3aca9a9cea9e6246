/**
 * A run plan: everything that determines a run — algorithm config, protocol, task, seed — and
 * where it lives on disk. Settings are layered: official defaults ← per-task overrides ←
 * profile ← explicit overrides; the paper's settings (official defaults ← per-task, paper
 * protocol) are the reference every difference is listed against.
 */
import * as path from 'node:path';
import { algorithm } from '../agents/registry';
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
  const task = entry.taskOverrides[req.env] ?? {};
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
