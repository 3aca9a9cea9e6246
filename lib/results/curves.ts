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
import { RunRecord, readRunConfig, readTrainCsv } from './runs';
import { mean, std } from '../stats';
import {
  EMPHASISED_SERIES,
  EVAL_RETURN_TITLE,
  STEPS_TITLE,
  WARMUP_LABEL,
  colourScale,
  orderSeries,
  orderTasks,
  seriesLabel,
  type VegaLiteSpec,
} from '../report/charts';

export interface CurvePoint {
  algo: string;
  env: string;
  step: number;
  mean: number;
  std: number;
  /** Seeds contributing at this step. */
  n: number;
  /** The runs' random-action warm-up (env steps; the largest over the seeds), when known. */
  warmupSteps?: number;
}

/** A run's random-action warm-up in env steps, from its config.json (0 when it has none or the file is unreadable). */
export function runWarmupSteps(run: RunRecord): number {
  try {
    const settings = readRunConfig(run).config as Record<string, unknown> | undefined;
    const warmup = settings?.warmupSteps;
    return typeof warmup === 'number' && warmup > 0 ? warmup : 0;
  } catch {
    return 0;
  }
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
function acrossSeeds(group: readonly RunRecord[], perRun: { step: number; value: number }[][]): CurvePoint[] {
  const { algo, env } = group[0];
  const warmupSteps = Math.max(...group.map(runWarmupSteps));
  const bySteps = new Map<number, number[]>();
  for (const points of perRun) {
    for (const p of points) {
      if (Number.isNaN(p.value)) continue;
      bySteps.set(p.step, [...(bySteps.get(p.step) ?? []), p.value]);
    }
  }
  return [...bySteps.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, values]) => ({ algo, env, step, mean: mean(values), std: std(values), n: values.length, warmupSteps }));
}

/** Evaluation curves: eval.csv means per step, then mean ± std over seeds. */
export function evalCurves(runs: readonly RunRecord[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const group of groupRuns(runs).values()) {
    out.push(...acrossSeeds(group, group.map((r) => r.evalRows.map((e) => ({ step: e.step, value: e.return_mean })))));
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
    out.push(...acrossSeeds(group, perRun));
  }
  return out;
}

/** Smoothed training-return curves, mean ± std over seeds (Figure 3's training stream). */
export function trainingCurves(runs: readonly RunRecord[], options: TrainingCurveOptions = {}): CurvePoint[] {
  return columnCurves(runs, 'episode_return', options);
}

export interface CurveChartOptions {
  title?: string;
  /** y axis title with its unit, one string or one per line (default EVAL_RETURN_TITLE). */
  yTitle?: string | readonly string[];
  /** Most panels per row (default 3; never more than there are tasks). */
  columns?: number;
  /** Series (the `algo` field) in legend and colour order, e.g. ablation arms as listed; default QVPO, then the paper's baselines. */
  seriesOrder?: readonly string[];
  /** Panel size in pixels (default 240 × 170). */
  width?: number;
  height?: number;
  /** Warm-up to mark in every panel (env steps); default the points' warmupSteps; 0 marks none. */
  warmupSteps?: number;
}

/**
 * Figure 3: one panel per task (paper's order, only tasks with data), mean line and ±1 std band
 * per algorithm. Algorithms keep one colour in every chart, QVPO is drawn thicker on top, the
 * legend shows the line colours, and a grey band marks the random-action warm-up.
 */
export function figure3Spec(points: readonly CurvePoint[], options: CurveChartOptions = {}): VegaLiteSpec {
  const curves = points.map((p) => ({ ...p, algo: seriesLabel(p.algo), lo: p.mean - p.std, hi: p.mean + p.std, layer: 'curve' }));
  const present = [...new Set(curves.map((p) => p.algo))];
  const ordered = options.seriesOrder ? orderSeriesAsGiven(options.seriesOrder.map(seriesLabel), present) : orderSeries(present);
  const tasks = orderTasks(curves.map((p) => p.env));
  const warmups = tasks.flatMap((env) => warmupRow(env, curves.filter((p) => p.env === env), options.warmupSteps));
  const emphasised = ordered.includes(EMPHASISED_SERIES) ? EMPHASISED_SERIES : null;

  const x = { field: 'step', type: 'quantitative', title: STEPS_TITLE };
  const y = { field: 'mean', type: 'quantitative', title: options.yTitle ?? EVAL_RETURN_TITLE };
  // Vega-Lite cuts legend labels at 160 px; ablation arm labels ("T=100, without entropy") are longer.
  const color = { field: 'algo', type: 'nominal', title: null, scale: colourScale(ordered), legend: { labelLimit: 400, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } };
  const isCurve = "datum.layer === 'curve'";
  const isEmphasised = emphasised ? `datum.algo === '${emphasised}'` : 'false';
  const lineLayer = (filter: string, strokeWidth: number, opacity: number) => ({
    transform: [{ filter }],
    mark: { type: 'line', strokeWidth, opacity },
    encoding: { x, y, color },
  });
  const layers: unknown[] = [
    ...warmupLayers(),
    {
      transform: [{ filter: isCurve }],
      // fillOpacity, not opacity: Vega-Lite copies a layer's opacity onto the legend's swatches,
      // which must show the line colours, not the pale band colour.
      mark: { type: 'area' },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color, fillOpacity: { condition: { test: isEmphasised, value: 0.25 }, value: 0.1 } },
    },
    // Other series thinner and lighter, the emphasised one drawn last (on top) and thicker.
    lineLayer(`${isCurve} && !(${isEmphasised})`, emphasised ? 1.5 : 2, emphasised ? 0.75 : 1),
    ...(emphasised ? [lineLayer(`${isCurve} && ${isEmphasised}`, 3, 1)] : []),
  ];
  return {
    ...(options.title ? { title: options.title } : {}),
    data: { values: [...curves, ...warmups] },
    facet: { field: 'env', type: 'nominal', title: null, sort: tasks },
    // No empty cells: never more columns than panels.
    columns: Math.max(1, Math.min(options.columns ?? 3, tasks.length)),
    spec: { width: options.width ?? 240, height: options.height ?? 170, layer: layers },
    // Each panel its own x axis: shared footer axes would also run under the empty cells of
    // the last row (5 tasks in 3 columns).
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
  };
}

/** `wanted` first (those present), then any other present series in the default order. */
function orderSeriesAsGiven(wanted: readonly string[], present: readonly string[]): string[] {
  const first = wanted.filter((s, i) => present.includes(s) && wanted.indexOf(s) === i);
  return [...first, ...orderSeries(present.filter((s) => !first.includes(s)))];
}

/**
 * The warm-up row of a panel: up to the longest warm-up of its series, with a second label line
 * naming the series that have none (PPO and SPO learn from the first step).
 */
function warmupRow(env: string, curves: readonly (CurvePoint & { algo: string })[], override: number | undefined): Record<string, unknown>[] {
  const warmupOf = (algo: string) => override ?? Math.max(0, ...curves.filter((p) => p.algo === algo).map((p) => p.warmupSteps ?? 0));
  const series = [...new Set(curves.map((p) => p.algo))];
  const end = Math.max(0, ...series.map(warmupOf));
  if (!(end > 0)) return [];
  const without = orderSeries(series.filter((a) => warmupOf(a) === 0));
  const label = without.length ? [WARMUP_LABEL, `none for ${without.join(', ')}`] : WARMUP_LABEL;
  return [{ env, layer: 'warmup', warmupStart: 0, warmupEnd: end, label }];
}

/** A light grey band from step 0 to the warm-up's end, a dashed rule at its end and the label. */
function warmupLayers(): unknown[] {
  const filter = { filter: "datum.layer === 'warmup'" };
  const start = { field: 'warmupStart', type: 'quantitative' };
  const end = { field: 'warmupEnd', type: 'quantitative' };
  return [
    { transform: [filter], mark: { type: 'rect', color: '#888', opacity: 0.15 }, encoding: { x: start, x2: { field: 'warmupEnd' } } },
    { transform: [filter], mark: { type: 'rule', color: '#888', strokeDash: [4, 3] }, encoding: { x: end } },
    {
      transform: [filter],
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 3, fontSize: 9, color: '#555' },
      encoding: { x: start, text: { field: 'label' } },
    },
  ];
}
