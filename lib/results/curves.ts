/**
 * Learning curves for Figure 3: per task and algorithm, the mean over seeds with a ±1 std band.
 *
 * Two streams, because the paper's caption ("smoothed with a window of 5000") does not say which
 * one it plots (spec §6.2):
 * - training returns: every env step stamped with the return of the episode it belongs to (the
 *   official Logger's stream), averaged over a trailing window of steps (5000 at 1M steps, scaled
 *   to the budget), read on a regular grid;
 * - evaluation returns: eval.csv's mean return at each evaluation, unsmoothed.
 */
import { RunRecord, readTrainCsv } from './runs';
import { mean, std } from '../stats';
import type { VegaLiteSpec } from '../report/charts';

export interface CurvePoint {
  algo: string;
  env: string;
  step: number;
  mean: number;
  std: number;
  /** Seeds contributing at this step. */
  n: number;
}

/** The paper's smoothing window (env steps) at its 1M-step budget. */
export const PAPER_SMOOTHING_WINDOW = 5000;
export const PAPER_BUDGET = 1_000_000;

/** 5000 steps at 1M, scaled to a budget (at least 1 step). */
export function scaledWindow(totalSteps: number): number {
  return Math.max(1, Math.round((PAPER_SMOOTHING_WINDOW * totalSteps) / PAPER_BUDGET));
}

/**
 * Per-step training returns: entry s-1 holds the return of the episode that env step s belongs
 * to (steps 1..totalSteps); NaN for steps of an episode that had not ended when the run stopped.
 */
export function stepReturns(episodes: readonly { step: number; episode_return: number; episode_length: number }[], totalSteps: number): Float64Array {
  return stepSeries(episodes, totalSteps, 'episode_return');
}

/**
 * Any per-episode column as a per-step series: every env step of an episode carries the
 * episode's value (NaN where the value is missing or not a number).
 */
export function stepSeries(episodes: readonly { step: number; episode_length: number; [column: string]: unknown }[], totalSteps: number, column: string): Float64Array {
  const out = new Float64Array(totalSteps).fill(NaN);
  for (const e of episodes) {
    const v = e[column];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const end = Math.min(e.step, totalSteps);
    for (let s = Math.max(0, e.step - e.episode_length); s < end; s++) out[s] = v;
  }
  return out;
}

/**
 * Trailing-window mean of a per-step series at steps `every`, 2·every, …, ≤ length: the value at
 * step g averages the known entries of steps g−window+1..g (NaN when none is known).
 */
export function smoothAt(series: Float64Array, window: number, every: number): { step: number; value: number }[] {
  if (!(window >= 1) || !(every >= 1)) throw new Error(`smoothAt: window and every must be ≥ 1, got ${window} and ${every}`);
  const sum = new Float64Array(series.length + 1);
  const count = new Float64Array(series.length + 1);
  for (let i = 0; i < series.length; i++) {
    const known = Number.isNaN(series[i]) ? 0 : 1;
    sum[i + 1] = sum[i] + (known ? series[i] : 0);
    count[i + 1] = count[i] + known;
  }
  const out: { step: number; value: number }[] = [];
  for (let g = every; g <= series.length; g += every) {
    const from = Math.max(0, g - window);
    const n = count[g] - count[from];
    out.push({ step: g, value: n > 0 ? (sum[g] - sum[from]) / n : NaN });
  }
  return out;
}

function groupRuns(runs: readonly RunRecord[]): Map<string, RunRecord[]> {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const key = `${r.algo}\u0000${r.env}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return groups;
}

/** Mean and population std over seeds of values keyed by step (NaN values are left out). */
function acrossSeeds(algo: string, env: string, perRun: { step: number; value: number }[][]): CurvePoint[] {
  const bySteps = new Map<number, number[]>();
  for (const points of perRun) {
    for (const p of points) {
      if (Number.isNaN(p.value)) continue;
      bySteps.set(p.step, [...(bySteps.get(p.step) ?? []), p.value]);
    }
  }
  return [...bySteps.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, values]) => ({ algo, env, step, mean: mean(values), std: std(values), n: values.length }));
}

/** Evaluation curves: eval.csv means per step, then mean ± std over seeds. */
export function evalCurves(runs: readonly RunRecord[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const group of groupRuns(runs).values()) {
    out.push(...acrossSeeds(group[0].algo, group[0].env, group.map((r) => r.evalRows.map((e) => ({ step: e.step, value: e.return_mean })))));
  }
  return out;
}

export interface TrainingCurveOptions {
  /** Smoothing window in env steps; default scaledWindow(run's totalSteps). */
  window?: number;
  /** Grid points per curve (default 100). */
  points?: number;
}

/**
 * Any per-episode train.csv column as curves: every env step of an episode carries the episode's
 * value, a trailing mean over `window` steps is read on a grid of `points` steps, then mean ± std
 * over seeds, per algorithm and task.
 */
export function columnCurves(runs: readonly RunRecord[], column: string, options: TrainingCurveOptions = {}): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const group of groupRuns(runs).values()) {
    const totalSteps = Math.max(...group.map((r) => r.status?.totalSteps ?? 0));
    if (!(totalSteps > 0)) continue;
    const window = options.window ?? scaledWindow(totalSteps);
    const every = Math.max(1, Math.floor(totalSteps / (options.points ?? 100)));
    const perRun = group.map((r) => smoothAt(stepSeries(readTrainCsv(r), totalSteps, column), window, every));
    out.push(...acrossSeeds(group[0].algo, group[0].env, perRun));
  }
  return out;
}

/** Smoothed training-return curves, mean ± std over seeds (Figure 3's training stream). */
export function trainingCurves(runs: readonly RunRecord[], options: TrainingCurveOptions = {}): CurvePoint[] {
  return columnCurves(runs, 'episode_return', options);
}

export interface CurveChartOptions {
  title?: string;
  yTitle?: string;
  columns?: number;
  /** Series (the `algo` field) in legend and colour order, e.g. ablation arms as listed; default alphabetical. */
  seriesOrder?: readonly string[];
  /** Panel size in pixels (default 240 × 170). */
  width?: number;
  height?: number;
}

/** Figure 3: one panel per task, mean line and ±1 std band per algorithm. */
export function figure3Spec(points: readonly CurvePoint[], options: CurveChartOptions = {}): VegaLiteSpec {
  const values = points.map((p) => ({ ...p, lo: p.mean - p.std, hi: p.mean + p.std }));
  const x = { field: 'step', type: 'quantitative', title: 'env steps' };
  // Vega-Lite cuts legend labels at 160 px; ablation arm labels ("T=100, without entropy") are longer.
  const legend = { labelLimit: 400 };
  const color = { field: 'algo', type: 'nominal', title: null, legend, ...(options.seriesOrder ? { sort: [...options.seriesOrder] } : {}) };
  return {
    ...(options.title ? { title: options.title } : {}),
    data: { values },
    facet: { field: 'env', type: 'nominal', title: null },
    columns: options.columns ?? 3,
    spec: {
      width: options.width ?? 240,
      height: options.height ?? 170,
      layer: [
        { mark: { type: 'area', opacity: 0.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: options.yTitle ?? 'return' }, y2: { field: 'hi' }, color } },
        { mark: { type: 'line' }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}
