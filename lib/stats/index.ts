/**
 * Summary statistics for RL results: mean, std, interquartile mean (IQM), percentiles and a
 * stratified percentile bootstrap for confidence intervals.
 *
 * Conventions (chosen to match what RL papers and rliable report):
 * - `std` defaults to ddof = 0 (population std, divide by n), like NumPy's `np.std` default.
 *   "mean (std) over N runs" in RL tables is usually computed that way. Pass `ddof = 1` for the
 *   sample std (divide by n − 1).
 * - `iqm` is rliable's interquartile mean, i.e. SciPy's `trim_mean(x, 0.25)`: sort, drop
 *   ⌊0.25·n⌋ values at each end, average what is left. For n < 4 nothing is dropped (IQM = mean);
 *   n = 4 keeps the middle 2, n = 5 the middle 3, n = 8 the middle 4, n = 10 the middle 6.
 * - `percentile` interpolates linearly between order statistics (NumPy's default method).
 * - `stratifiedBootstrapCI` resamples runs with replacement within each task (the strata),
 *   keeping every task's run count, pools the resample and applies the statistic; the interval
 *   is the percentile interval of the replicate distribution (rliable's default method).
 *   Resampling uses the kit's seeded `Rng`, so a seed gives the same interval every time.
 *
 * Every function throws on empty input or non-finite values, naming what is wrong.
 *
 * Two arms compared (difference with its interval, probability of improvement, the claim
 * sentence): ./compare.ts, built on the bootstrap pieces at the end of this file.
 */
import { Rng } from '../util/rng';

function checkValues(values: readonly number[], what: string): void {
  if (!Array.isArray(values)) throw new Error(`${what}: expected an array of numbers, got ${typeof values}`);
  if (values.length === 0) throw new Error(`${what}: no values (empty input)`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${what}: value ${i} is not a finite number (${String(v)})`);
    }
  }
}

function sum(values: readonly number[]): number {
  // Neumaier-compensated sum: accurate for long lists of returns of similar size.
  let s = 0;
  let c = 0;
  for (const v of values) {
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Arithmetic mean. Throws on empty input. */
export function mean(values: readonly number[]): number {
  checkValues(values, 'mean');
  return sum(values) / values.length;
}

/**
 * Standard deviation with `ddof` delta degrees of freedom: sqrt(Σ(x − mean)² / (n − ddof)).
 * Default ddof = 0 (population std, NumPy's default and the usual "std over runs" of RL tables).
 * A single value has std 0 with ddof = 0. Throws on empty input or when n ≤ ddof.
 */
export function std(values: readonly number[], ddof = 0): number {
  checkValues(values, 'std');
  if (!Number.isInteger(ddof) || ddof < 0) throw new Error(`std: ddof must be a non-negative integer, got ${ddof}`);
  const n = values.length;
  if (n <= ddof) throw new Error(`std: needs more than ddof = ${ddof} values, got ${n}`);
  const m = sum(values) / n;
  const sq = values.map((v) => (v - m) * (v - m));
  return Math.sqrt(sum(sq) / (n - ddof));
}

/**
 * Trimmed mean as SciPy's `trim_mean(x, proportionToCut)`: sort, drop ⌊proportionToCut·n⌋
 * values from each end, average the rest. `proportionToCut` is in [0, 0.5).
 */
export function trimMean(values: readonly number[], proportionToCut: number): number {
  checkValues(values, 'trimMean');
  if (!(proportionToCut >= 0 && proportionToCut < 0.5)) {
    throw new Error(`trimMean: proportionToCut must be in [0, 0.5), got ${proportionToCut}`);
  }
  const n = values.length;
  const cut = Math.floor(proportionToCut * n);
  const sorted = [...values].sort((a, b) => a - b);
  return sum(sorted.slice(cut, n - cut)) / (n - 2 * cut);
}

/** Interquartile mean (rliable's IQM) = `trimMean(values, 0.25)`. */
export function iqm(values: readonly number[]): number {
  checkValues(values, 'iqm');
  return trimMean(values, 0.25);
}

/**
 * The `p`-th percentile (p in [0, 100]) with linear interpolation between order statistics,
 * as NumPy's `np.percentile(values, p)` with its default method.
 */
export function percentile(values: readonly number[], p: number): number {
  checkValues(values, 'percentile');
  if (typeof p !== 'number' || !(p >= 0 && p <= 100)) throw new Error(`percentile: p must be in [0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const frac = pos - lo;
  return frac === 0 ? sorted[lo] : sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

/** Median = 50th percentile. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface BootstrapOptions {
  /** Bootstrap replicates (default 2000, as rliable). */
  reps?: number;
  /** Two-sided confidence level in (0, 1) (default 0.95). */
  confidence?: number;
  /** Seed of the resampling `Rng`, an integer in [0, 2^32) (default 0). */
  seed?: number;
}

export interface BootstrapCI {
  /** The statistic on the data as given (all tasks pooled). */
  point: number;
  /** Lower end: the (1 − confidence)/2 percentile of the replicates. */
  lo: number;
  /** Upper end: the (1 + confidence)/2 percentile of the replicates. */
  hi: number;
}

/**
 * Statistic of a pooled sample. `flat` holds the (resampled) scores of all tasks, task after
 * task in the order of `scoresByTask`; `byTask` is the same sample split by task, for
 * statistics that need the strata (most use only `flat`).
 */
export type BootstrapStatistic = (flat: number[], byTask: number[][]) => number;

/**
 * Stratified percentile bootstrap (rliable's `StratifiedBootstrap` + percentile interval).
 *
 * `scoresByTask[t]` holds the scores of task t (one per run). Every replicate draws, for each
 * task independently, as many runs as that task has, uniformly with replacement from that task
 * only; the statistic is applied to the pooled replicate. The interval is the percentile
 * interval of the replicate values; the point estimate is the statistic on the original data.
 * A percentile interval need not contain the point estimate for every statistic and data set,
 * but it does for the mean and IQM on ordinary data.
 *
 * When every task has a single run each replicate equals the data, so lo = hi = point.
 * Throws on no tasks, a task with no scores, non-finite scores, or a statistic that returns a
 * non-finite value.
 */
export function stratifiedBootstrapCI(
  scoresByTask: readonly (readonly number[])[],
  statistic: BootstrapStatistic,
  options: BootstrapOptions = {},
): BootstrapCI {
  const who = 'stratifiedBootstrapCI';
  checkScoresByTask(scoresByTask, who);
  const settings = bootstrapSettings(options, who);

  const evaluate = (byTask: number[][], what: string): number => {
    const flat: number[] = [];
    for (const scores of byTask) for (const v of scores) flat.push(v);
    return checkedStatistic(statistic(flat, byTask), who, what);
  };

  const point = evaluate(scoresByTask.map((s) => [...s]), 'the data');
  if (scoresByTask.every((s) => s.length === 1)) return { point, lo: point, hi: point };

  const rng = new Rng(settings.seed);
  const replicates = new Array<number>(settings.reps);
  for (let r = 0; r < settings.reps; r++) {
    replicates[r] = evaluate(resampleWithinTasks(scoresByTask, rng), `bootstrap replicate ${r}`);
  }
  return { point, ...percentileInterval(replicates, settings.confidence) };
}

// ---------------------------------------------------------------------------------------------
// Pieces shared with the two-arm comparisons (./compare.ts)
// ---------------------------------------------------------------------------------------------

/** Throws unless `scoresByTask` holds at least one task and every task at least one finite score. */
export function checkScoresByTask(scoresByTask: readonly (readonly number[])[], who: string): void {
  if (!Array.isArray(scoresByTask) || scoresByTask.length === 0) {
    throw new Error(`${who}: no tasks (empty scoresByTask)`);
  }
  scoresByTask.forEach((scores, t) => {
    if (!Array.isArray(scores) || scores.length === 0) throw new Error(`${who}: task ${t} has no scores`);
    checkValues(scores, `${who}: task ${t}`);
  });
}

/** The bootstrap options with their defaults, checked. */
export function bootstrapSettings(options: BootstrapOptions, who: string): Required<BootstrapOptions> {
  const reps = options.reps ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`${who}: reps must be a positive integer, got ${reps}`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`${who}: confidence must be in (0, 1), got ${confidence}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`${who}: seed must be an integer in [0, 2^32), got ${seed}`);
  }
  return { reps, confidence, seed };
}

/** A statistic's value, or an error naming the sample it was computed on when it is not finite. */
export function checkedStatistic(value: number, who: string, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${who}: the statistic returned ${String(value)} on ${what}`);
  }
  return value;
}

/** One stratified resample: for each task, as many draws with replacement from that task as it has runs. */
export function resampleWithinTasks(scoresByTask: readonly (readonly number[])[], rng: Rng): number[][] {
  return scoresByTask.map((scores) => {
    const n = scores.length;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = scores[rng.int(n)];
    return out;
  });
}

/** The percentile interval of bootstrap replicates at a two-sided confidence level. */
export function percentileInterval(replicates: readonly number[], confidence: number): { lo: number; hi: number } {
  const alpha = (1 - confidence) / 2;
  return { lo: percentile(replicates, 100 * alpha), hi: percentile(replicates, 100 * (1 - alpha)) };
}
