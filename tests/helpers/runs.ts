/** Run directories written by hand for the results and ablation tests (not a test file itself). */
import * as fs from 'fs';
import * as path from 'path';

/** One run to write; every field but the seed has a default (a complete quick QVPO run on Hopper-v3). */
export interface RunSpec {
  profile?: string;
  algo?: string;
  env?: string;
  seed: number;
  state?: string;
  step?: number;
  totalSteps?: number;
  error?: string;
  evalReturns?: number[] | null;
  evalInterval?: number;
  status?: Record<string, unknown>;
  statusText?: string;
  evalText?: string;
  trainText?: string;
  /** config.json's content; default `{ algo, trainSamples: 16 }`. */
  config?: Record<string, unknown>;
}

export function writeRun(root: string, spec: RunSpec): string {
  const profile = spec.profile ?? 'quick';
  const algo = spec.algo ?? 'qvpo';
  const env = spec.env ?? 'Hopper-v3';
  const dir = path.join(root, profile, algo, env, `seed-${spec.seed}`);
  fs.mkdirSync(dir, { recursive: true });
  const totalSteps = spec.totalSteps ?? 30000;
  const state = spec.state ?? 'complete';
  const status = {
    state,
    algo,
    env,
    seed: spec.seed,
    profile,
    step: spec.step ?? (state === 'complete' ? totalSteps : 10000),
    totalSteps,
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T01:00:00.000Z',
    ...(state === 'complete' ? { finishedAt: '2026-01-01T01:00:00.000Z' } : {}),
    ...(spec.error ? { error: spec.error } : {}),
    paperDiff: [{ key: 'totalSteps', value: totalSteps, paper: 1_000_000 }],
    ...spec.status,
  };
  fs.writeFileSync(path.join(dir, 'status.json'), spec.statusText ?? JSON.stringify(status, null, 2));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec.config ?? { algo, trainSamples: 16 }));
  fs.writeFileSync(path.join(dir, 'environment.json'), JSON.stringify({ node: process.version }));
  const interval = spec.evalInterval ?? 10000;
  if (spec.evalText !== undefined) {
    fs.writeFileSync(path.join(dir, 'eval.csv'), spec.evalText);
  } else if (spec.evalReturns !== null) {
    const returns = spec.evalReturns ?? [100 + spec.seed, 200 + spec.seed, 300 + spec.seed];
    const lines = ['step,return_mean,return_std,episodes,wall_seconds'];
    returns.forEach((r, i) => lines.push(`${(i + 1) * interval},${r},${5 + i},10,${12.5 * (i + 1)}`));
    fs.writeFileSync(path.join(dir, 'eval.csv'), lines.join('\n') + '\n');
  }
  fs.writeFileSync(
    path.join(dir, 'train.csv'),
    spec.trainText ?? 'step,episode,episode_return,episode_length,critic_loss\n1000,1,12.5,1000,0.25\n1850,2,30,850,\n',
  );
  return dir;
}
