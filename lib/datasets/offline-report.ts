/**
 * Offline runs' results as D4RL-style normalised scores (lib/datasets/score.ts): per algorithm
 * and dataset, the final and the best evaluation over training (the best is what Diffusion-QL's
 * README reports as "online model selection"), mean ± std over complete seeds. Incomplete runs
 * are listed, never counted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunRecord } from '../results/runs';
import { normalisedScore } from './score';

export interface Reference {
  randomReturn: number | null;
  policyReturn: number | null;
}

export interface OfflineCell {
  algo: string;
  env: string;
  dataset: string;
  seeds: number;
  /** The last evaluation's return, mean and std over seeds. */
  finalReturn: { mean: number; std: number };
  finalScore: { mean: number; std: number };
  /** The best evaluation over training (per seed), mean and std over seeds. */
  bestScore: { mean: number; std: number };
  /** Gradient steps of the runs. */
  steps: number;
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

/** The reference returns an offline run recorded in its config.json (dataset.reference). */
export function runReference(run: RunRecord): Reference {
  const config = JSON.parse(fs.readFileSync(path.join(run.dir, 'config.json'), 'utf8')) as { dataset?: { reference?: Reference } };
  const ref = config.dataset?.reference;
  if (!ref) throw new Error(`${run.id}: config.json records no dataset reference (not an offline run?)`);
  return ref;
}

/**
 * Cells per (algo, env, dataset) of complete runs. A run whose dataset has no policy behind it
 * (random) is scored with the policy return of another dataset of its task among `runs`.
 */
export function offlineCells(runs: readonly RunRecord[]): { cells: OfflineCell[]; skipped: string[] } {
  const complete = runs.filter((r) => r.state === 'complete' && r.evalRows.length > 0 && r.dataset);
  const skipped = runs.filter((r) => !complete.includes(r)).map((r) => `${r.id} (${r.state})`);
  const refs = new Map(complete.map((r) => [r.dir, runReference(r)]));
  const policyReturnOf = (env: string) => complete.filter((r) => r.env === env).map((r) => refs.get(r.dir)!.policyReturn).find((p) => p !== null) ?? null;
  const groups = new Map<string, RunRecord[]>();
  for (const r of complete) {
    const key = `${r.algo}\u0000${r.env}\u0000${r.dataset}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const cells: OfflineCell[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    const score = (r: RunRecord, ret: number) => {
      const ref = refs.get(r.dir)!;
      return normalisedScore(ret, { randomReturn: ref.randomReturn, policyReturn: ref.policyReturn ?? policyReturnOf(r.env) });
    };
    const finals = group.map((r) => r.evalRows[r.evalRows.length - 1].return_mean);
    cells.push({
      algo: first.algo,
      env: first.env,
      dataset: first.dataset!,
      seeds: group.length,
      finalReturn: meanStd(finals),
      finalScore: meanStd(group.map((r, i) => score(r, finals[i]))),
      bestScore: meanStd(group.map((r) => Math.max(...r.evalRows.map((e) => score(r, e.return_mean))))),
      steps: group[0].evalRows[group[0].evalRows.length - 1].step,
    });
  }
  const order = ['random', 'medium-replay', 'medium', 'expert'];
  cells.sort((a, b) => a.env.localeCompare(b.env) || order.indexOf(a.dataset) - order.indexOf(b.dataset) || a.algo.localeCompare(b.algo));
  return { cells, skipped };
}

const fmt = (x: { mean: number; std: number }, digits = 1) => `${x.mean.toFixed(digits)} ± ${x.std.toFixed(digits)}`;

/** Markdown: one row per task, dataset and algorithm. */
export function offlineTableMarkdown(cells: readonly OfflineCell[]): string {
  const head = '| task | dataset | algorithm | seeds | gradient steps | final return | final normalised score | best normalised score over training |';
  const rule = '|---|---|---|---|---|---|---|---|';
  const rows = cells.map((c) => `| ${c.env} | ${c.dataset} | ${c.algo} | ${c.seeds} | ${c.steps} | ${fmt(c.finalReturn)} | ${fmt(c.finalScore)} | ${fmt(c.bestScore)} |`);
  return [head, rule, ...rows].join('\n');
}

/**
 * One line per task and dataset comparing the algorithms' final normalised scores, from the
 * cells (with the seed counts, so a single seed reads as such).
 */
export function offlineFindings(cells: readonly OfflineCell[]): string {
  const keys = [...new Set(cells.map((c) => `${c.env}\u0000${c.dataset}`))];
  return keys
    .map((key) => {
      const [env, dataset] = key.split('\u0000');
      const here = cells.filter((c) => c.env === env && c.dataset === dataset).sort((a, b) => b.finalScore.mean - a.finalScore.mean);
      const parts = here.map((c) => `${c.algo} ${fmt(c.finalScore)} (best over training ${c.bestScore.mean.toFixed(1)}; ${c.seeds} seed${c.seeds === 1 ? '' : 's'})`);
      return `- **${env} ${dataset}**: final normalised score ${parts.join(', ')}.`;
    })
    .join('\n');
}
