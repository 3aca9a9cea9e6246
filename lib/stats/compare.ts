/**
 * Comparing two arms (two algorithms, two ablation settings) with their uncertainty, so that a
 * claim such as "QVPO beats SAC on Hopper" is stated with an interval instead of two means.
 *
 * Each arm's scores are given per task (`x[t]` = the runs of arm X on task t, one score each);
 * a single task is `[scores]`. Both arms must cover the same tasks in the same order.
 *
 * - Difference: statistic(X) − statistic(Y), the statistic (mean or IQM) taken over each arm's
 *   runs of all tasks pooled, as `stratifiedBootstrapCI` pools them. With several tasks the
 *   scores should be normalised first, or the task with the largest returns dominates.
 * - Probability of improvement (rliable, Agarwal et al. 2021): on each task, the probability
 *   that a run of X scores above a run of Y, counting ties as 1/2 (the Mann–Whitney U statistic
 *   divided by n_X·n_Y); then the mean over tasks. Scale-free, so it needs no normalising.
 * - Intervals: percentile intervals of a stratified bootstrap in which every replicate resamples
 *   X's runs within each task and, independently, Y's runs within each task (rliable's
 *   StratifiedIndependentBootstrap), with the kit's seeded Rng: a seed gives the same interval.
 *
 * `compareArms` puts both into one sentence with a verdict on the claim "X is above Y":
 * holds when the difference's interval lies entirely above 0, does not hold when it lies
 * entirely below, inconclusive otherwise (and always with a single run in an arm, where the
 * bootstrap has no spread to show).
 */
import { Rng } from '../util/rng';
import {
  BootstrapCI,
  BootstrapOptions,
  bootstrapSettings,
  checkScoresByTask,
  checkedStatistic,
  iqm,
  mean,
  percentileInterval,
  resampleWithinTasks,
} from './index';

/** Scores of one arm: per task, one score per run; a plain array is one task. */
export type ArmScores = readonly number[] | readonly (readonly number[])[];

/** A statistic of two arms' scores (each split by task, in the same task order). */
export type TwoArmStatistic = (x: number[][], y: number[][]) => number;

function byTask(scores: ArmScores, who: string): number[][] {
  if (!Array.isArray(scores)) throw new Error(`${who}: expected an array of scores, got ${typeof scores}`);
  const nested = scores.length > 0 && scores.every((s) => Array.isArray(s));
  return nested ? (scores as readonly (readonly number[])[]).map((s) => [...s]) : [[...(scores as readonly number[])]];
}

function checkArms(x: ArmScores, y: ArmScores, who: string): { x: number[][]; y: number[][] } {
  const xs = byTask(x, `${who}: arm X`);
  const ys = byTask(y, `${who}: arm Y`);
  checkScoresByTask(xs, `${who}: arm X`);
  checkScoresByTask(ys, `${who}: arm Y`);
  if (xs.length !== ys.length) throw new Error(`${who}: arm X has ${xs.length} task(s), arm Y ${ys.length}; they must cover the same tasks`);
  return { x: xs, y: ys };
}

/**
 * Stratified bootstrap of a two-arm statistic: each replicate resamples both arms within each
 * task, independently of each other. Collapses to the point when every task has one run per arm.
 */
export function twoArmBootstrapCI(x: ArmScores, y: ArmScores, statistic: TwoArmStatistic, options: BootstrapOptions = {}): BootstrapCI {
  const who = 'twoArmBootstrapCI';
  const arms = checkArms(x, y, who);
  const settings = bootstrapSettings(options, who);
  const point = checkedStatistic(statistic(arms.x, arms.y), who, 'the data');
  const single = (a: number[][]) => a.every((s) => s.length === 1);
  if (single(arms.x) && single(arms.y)) return { point, lo: point, hi: point };
  const rng = new Rng(settings.seed);
  const replicates = new Array<number>(settings.reps);
  for (let r = 0; r < settings.reps; r++) {
    const xr = resampleWithinTasks(arms.x, rng);
    const yr = resampleWithinTasks(arms.y, rng);
    replicates[r] = checkedStatistic(statistic(xr, yr), who, `bootstrap replicate ${r}`);
  }
  return { point, ...percentileInterval(replicates, settings.confidence) };
}

export type ArmStatisticName = 'mean' | 'iqm';

const STATISTICS: Record<ArmStatisticName, (values: readonly number[]) => number> = { mean, iqm };

/** statistic(X) − statistic(Y) over each arm's pooled runs, as a function of the two arms by task. */
export function differenceOf(statistic: ArmStatisticName): TwoArmStatistic {
  const f = STATISTICS[statistic];
  if (!f) throw new Error(`unknown statistic "${String(statistic)}": expected mean or iqm`);
  return (x, y) => f(x.flat()) - f(y.flat());
}

/** Difference of means (or IQMs) of two arms with its stratified-bootstrap percentile interval. */
export function differenceCI(x: ArmScores, y: ArmScores, statistic: ArmStatisticName = 'mean', options: BootstrapOptions = {}): BootstrapCI {
  return twoArmBootstrapCI(x, y, differenceOf(statistic), options);
}

/** P(a run of X scores above a run of Y) on one task, ties counted 1/2. */
function taskImprovement(x: readonly number[], y: readonly number[]): number {
  let wins = 0;
  for (const a of x) for (const b of y) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (x.length * y.length);
}

/** rliable's probability of improvement P(X > Y): the per-task probability, averaged over tasks. */
export function probabilityOfImprovement(x: ArmScores, y: ArmScores): number {
  const arms = checkArms(x, y, 'probabilityOfImprovement');
  return mean(arms.x.map((xs, t) => taskImprovement(xs, arms.y[t])));
}

/** P(X > Y) with its stratified-bootstrap percentile interval. */
export function probabilityOfImprovementCI(x: ArmScores, y: ArmScores, options: BootstrapOptions = {}): BootstrapCI {
  return twoArmBootstrapCI(x, y, (xs, ys) => mean(xs.map((a, t) => taskImprovement(a, ys[t]))), options);
}

export type ClaimVerdict = 'holds' | 'does not hold' | 'inconclusive';

export interface CompareOptions extends BootstrapOptions {
  /** Names of the arms in the sentence (default 'X' and 'Y'). */
  names?: [string, string];
  /** What the comparison is on, e.g. 'Hopper-v3' (printed after "on"). */
  on?: string;
  /** Statistic whose difference is judged (default 'mean'). */
  statistic?: ArmStatisticName;
  /** Decimals of the difference (default 1); P(X > Y) always has 2. */
  digits?: number;
}

export interface ArmComparison {
  names: [string, string];
  on: string | null;
  statistic: ArmStatisticName;
  /** statistic(X) − statistic(Y) and its interval. */
  difference: BootstrapCI;
  /** P(X > Y) and its interval. */
  improvement: BootstrapCI;
  /** Runs per task of each arm (the smallest count over tasks). */
  seeds: [number, number];
  confidence: number;
  /** On the claim "X is above Y" (see the module comment). */
  verdict: ClaimVerdict;
  sentence: string;
}

/** A signed number with a real minus sign: +40.2, −120.5. */
export function formatSigned(v: number, digits = 1): string {
  const text = Math.abs(v).toFixed(digits);
  // zero (and values that round to it) without a sign
  if (Number(text) === 0) return text;
  return `${v > 0 ? '+' : '−'}${text}`;
}

function seedsText(seeds: [number, number], tasks: number): string {
  const [a, b] = seeds;
  const count = a === b ? `${a}` : `${Math.min(a, b)}–${Math.max(a, b)}`;
  return `${count} seed${a === 1 && b === 1 ? '' : 's'}${tasks > 1 ? ' per task' : ''}`;
}

/**
 * X against Y on one task or several: difference with its interval, P(X > Y) with its interval
 * and the verdict on "X is above Y", as one sentence, e.g.
 * "QVPO − SAC on Hopper-v3: +40.2 [−120.5, +210.3] (95% bootstrap CI), P(QVPO > SAC) = 0.67
 * [0.33, 1.00]: inconclusive at 3 seeds".
 */
export function compareArms(x: ArmScores, y: ArmScores, options: CompareOptions = {}): ArmComparison {
  const arms = checkArms(x, y, 'compareArms');
  const [nameX, nameY] = options.names ?? ['X', 'Y'];
  const statistic = options.statistic ?? 'mean';
  const digits = options.digits ?? 1;
  const settings = bootstrapSettings(options, 'compareArms');
  const difference = differenceCI(arms.x, arms.y, statistic, settings);
  const improvement = probabilityOfImprovementCI(arms.x, arms.y, settings);
  const seeds: [number, number] = [Math.min(...arms.x.map((s) => s.length)), Math.min(...arms.y.map((s) => s.length))];
  // With one run in an arm the interval has no spread to show: no verdict either way.
  const judgeable = Math.min(...seeds) >= 2;
  const verdict: ClaimVerdict = !judgeable ? 'inconclusive' : difference.lo > 0 ? 'holds' : difference.hi < 0 ? 'does not hold' : 'inconclusive';
  const pct = `${Math.round(settings.confidence * 1000) / 10}%`;
  const label = statistic === 'mean' ? `${nameX} − ${nameY}` : `IQM(${nameX}) − IQM(${nameY})`;
  const on = options.on ? ` on ${options.on}` : '';
  const d = (v: number) => formatSigned(v, digits);
  const verdictText = verdict === 'inconclusive' ? `inconclusive at ${seedsText(seeds, arms.x.length)}` : verdict;
  const sentence =
    `${label}${on}: ${d(difference.point)} [${d(difference.lo)}, ${d(difference.hi)}] (${pct} bootstrap CI), ` +
    `P(${nameX} > ${nameY}) = ${improvement.point.toFixed(2)} [${improvement.lo.toFixed(2)}, ${improvement.hi.toFixed(2)}]: ${verdictText}`;
  return {
    names: [nameX, nameY],
    on: options.on ?? null,
    statistic,
    difference,
    improvement,
    seeds,
    confidence: settings.confidence,
    verdict,
    sentence,
  };
}
