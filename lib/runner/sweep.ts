/**
 * Sweeps: a manifest of runs (algorithms × tasks × seeds, optionally an ablation arm with its
 * settings), executed by a local pool of child processes — one run per process, each with its
 * own TensorFlow.js backend and MuJoCo instance, so runs use all cores and a crash stays in its
 * run. Complete runs are skipped; interrupted ones resume from their checkpoints.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../util/paths';
import { flagName } from '../config/schema';
import { PlanRequest, RunPlan, planRun } from './plan';
import { profileNamed } from './profiles';
import { RESUMABLE_EXIT_CODES, formatDuration, sweepEtaSeconds, sweepProgressLine } from './progress';

export interface ManifestEntry {
  algo: string;
  env: string;
  seed: number;
  profile: string;
  variant?: string;
  overrides?: Record<string, unknown>;
  protocolOverrides?: Record<string, unknown>;
}

export interface SweepRequest {
  profile: string;
  algos: readonly string[];
  /** Default: the profile's tasks. */
  envs?: readonly string[];
  /** Default: the profile's seeds. */
  seeds?: readonly number[];
  variant?: string;
  overrides?: Record<string, unknown>;
  protocolOverrides?: Record<string, unknown>;
}

export function sweepManifest(req: SweepRequest): ManifestEntry[] {
  const profile = profileNamed(req.profile);
  const out: ManifestEntry[] = [];
  for (const algo of req.algos) {
    for (const env of req.envs ?? profile.envs) {
      for (const seed of req.seeds ?? profile.seeds) {
        out.push({
          algo,
          env,
          seed,
          profile: profile.name,
          ...(req.variant ? { variant: req.variant } : {}),
          ...(req.overrides ? { overrides: req.overrides } : {}),
          ...(req.protocolOverrides ? { protocolOverrides: req.protocolOverrides } : {}),
        });
      }
    }
  }
  return out;
}

/** Plans every entry up front, so a bad setting fails before anything runs. */
export function planManifest(manifest: readonly ManifestEntry[], root?: string): RunPlan[] {
  return manifest.map((m) => planRun({ ...(m as PlanRequest), ...(root ? { root } : {}) }));
}

/** The `qvpo-kit train` arguments that reproduce one manifest entry. */
export function trainArgs(m: ManifestEntry, extra: readonly string[] = []): string[] {
  const args = ['train', '--algo', m.algo, '--env', m.env, '--seed', String(m.seed), '--profile', m.profile];
  if (m.variant) args.push('--variant', m.variant);
  for (const [k, v] of Object.entries({ ...(m.overrides ?? {}), ...(m.protocolOverrides ?? {}) })) {
    args.push(`${flagName(k)}=${String(v)}`);
  }
  return [...args, ...extra];
}

export interface PoolResult {
  entry: ManifestEntry;
  code: number;
  seconds: number;
}

/**
 * Runs `manifest` with at most `jobs` child processes at a time; every child's output lines
 * pass through as they come, and a line per finished run says how many are done and failed and
 * the sweep's overall ETA. Resolves when all have finished (failures included). SIGINT /
 * SIGTERM are passed on to the children (each checkpoints and stops) and start no new run;
 * children also stop by themselves once this process is gone (QVPO_PARENT_PID).
 */
export async function runPool(
  manifest: readonly ManifestEntry[],
  jobs: number,
  options: { quiet?: boolean; root?: string; log?: (line: string) => void } = {},
): Promise<PoolResult[]> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const cli = path.join(REPO_ROOT, 'bin', 'qvpo-kit.js');
  const extra = [...(options.quiet ? ['--quiet'] : []), ...(options.root ? ['--root', options.root] : [])];
  const results: PoolResult[] = [];
  let next = 0;
  const children = new Set<ReturnType<typeof spawn>>();
  const running = new Map<ManifestEntry, number>();
  const n = Math.max(1, Math.min(jobs, manifest.length));
  const reportFinished = (r: PoolResult) => {
    const now = Date.now();
    const etaSeconds = sweepEtaSeconds({
      finished: results.map((x) => ({ ...x.entry, seconds: x.seconds, ok: x.code === 0 })),
      running: [...running].map(([entry, t0]) => ({ ...entry, elapsed: (now - t0) / 1000 })),
      queued: stopping ? [] : manifest.slice(next),
      jobs: n,
    });
    const what = `${r.entry.algo} ${r.entry.env} seed ${r.entry.seed}${r.entry.variant ? ` ${r.entry.variant}` : ''}`;
    const last = `${what}: ${r.code === 0 ? 'finished' : `exit ${r.code}`} in ${formatDuration(r.seconds)}`;
    const interrupted = results.filter((x) => RESUMABLE_EXIT_CODES.includes(x.code)).length;
    const failed = results.filter((x) => x.code !== 0).length - interrupted;
    log(sweepProgressLine({ done: results.length, total: manifest.length, failed, interrupted, stopping: stopping !== null, last, etaSeconds }));
  };
  let stopping: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) log(`sweep: ${signal}: passing it to ${children.size} run(s), starting no new one`);
    stopping = signal;
    for (const child of children) child.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const worker = async () => {
    while (next < manifest.length && !stopping) {
      const entry = manifest[next++];
      const t0 = Date.now();
      running.set(entry, t0);
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [cli, ...trainArgs(entry, extra)], {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, QVPO_PARENT_PID: String(process.pid) },
        });
        children.add(child);
        const relay = (stream: NodeJS.ReadableStream) => {
          let pending = '';
          stream.on('data', (d: Buffer) => {
            pending += d.toString();
            const lines = pending.split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) if (line.trim()) log(line);
          });
          stream.on('end', () => pending.trim() && log(pending));
        };
        relay(child.stdout);
        relay(child.stderr);
        child.on('close', (c, signal) => {
          children.delete(child);
          resolve(c ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
        });
      });
      running.delete(entry);
      results.push({ entry, code, seconds: (Date.now() - t0) / 1000 });
      reportFinished(results[results.length - 1]);
    }
  };
  try {
    await Promise.all(Array.from({ length: n }, worker));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return results;
}

export function defaultJobs(): number {
  return Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
}
