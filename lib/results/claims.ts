/**
 * The paper's headline claim, QVPO above each baseline, checked on the runs with its
 * uncertainty: for every task and baseline, and aggregated over the tasks, the difference with
 * its 95% stratified-bootstrap interval and the probability of improvement P(QVPO > baseline)
 * (lib/stats/compare), with the verdict "holds" / "does not hold" / "inconclusive at N seeds".
 *
 * A run's score is its final evaluation return, as in Table 1 (only complete runs count).
 * - Per task: difference of the mean final returns over seeds.
 * - All tasks: each run's score divided by the paper's QVPO mean on its task (Table 1's
 *   normalisation), then the difference of the IQMs of the two arms' normalised scores with a
 *   bootstrap stratified by task; P(QVPO > baseline) is the mean over the tasks of the per-task
 *   probability (it needs no normalising). Only tasks where both arms have runs enter.
 */
import { BootstrapOptions } from '../stats';
import { ArmComparison, compareArms, formatSigned } from '../stats/compare';
import { toMarkdownTable } from '../report/table';
import { orderTasks } from '../report/charts';
import { PAPER_ALGORITHMS, paperAlgorithmName, paperResult } from './paper-table1';
import { RunRecord, finalEvalReturn, splitByCompleteness } from './runs';
import { paperTaskFor } from './table1';

export interface ClaimsOptions {
  /** Only complete runs of this profile count. */
  profile: string;
  /** The algorithm the claims are about (default 'QVPO'). */
  reference?: string;
  /** Baselines, in row order (default: the paper's other algorithms that have runs, in its table order). */
  baselines?: readonly string[];
  /** Bootstrap settings (defaults: 2000 replicates, 95%, seed 0). */
  bootstrap?: BootstrapOptions;
}

export interface ClaimRow {
  kind: 'task' | 'aggregate';
  /** The task, or 'all tasks' for the aggregate rows. */
  env: string;
  baseline: string;
  /** Tasks that entered (one for a task row). */
  tasks: string[];
  comparison: ArmComparison;
}

export interface ClaimsTable {
  profile: string;
  reference: string;
  rows: ClaimRow[];
  aggregates: ClaimRow[];
  bootstrap: Required<BootstrapOptions>;
}

const canonical = (algo: string) => paperAlgorithmName(algo) ?? algo;

/** QVPO (or `reference`) against every baseline on every task with runs of both, and over all tasks. */
export function qvpoClaims(runs: readonly RunRecord[], options: ClaimsOptions): ClaimsTable {
  if (!options || typeof options.profile !== 'string' || options.profile.length === 0) {
    throw new Error('qvpoClaims: options.profile (the profile whose runs count) is required');
  }
  const bootstrap = { reps: options.bootstrap?.reps ?? 2000, confidence: options.bootstrap?.confidence ?? 0.95, seed: options.bootstrap?.seed ?? 0 };
  const reference = canonical(options.reference ?? 'QVPO');
  const complete = splitByCompleteness(runs.filter((r) => r.profile === options.profile)).complete;
  const scores = (algo: string, env: string) =>
    complete
      .filter((r) => canonical(r.algo) === algo && r.env === env)
      .sort((a, b) => a.seed - b.seed)
      .map(finalEvalReturn);
  const withRuns = new Set(complete.map((r) => canonical(r.algo)));
  const baselines = (options.baselines ?? PAPER_ALGORITHMS.filter((a) => withRuns.has(a))).map(canonical).filter((a) => a !== reference);
  const envs = orderTasks(complete.filter((r) => canonical(r.algo) === reference).map((r) => r.env));

  const rows: ClaimRow[] = [];
  const aggregates: ClaimRow[] = [];
  for (const baseline of baselines) {
    const byTask: { env: string; x: number[]; y: number[]; norm: number | null }[] = [];
    for (const env of envs) {
      const x = scores(reference, env);
      const y = scores(baseline, env);
      if (x.length === 0 || y.length === 0) continue;
      const paperEnv = paperTaskFor(env);
      const paperMean = paperEnv ? paperResult(paperEnv, 'QVPO')?.mean ?? null : null;
      byTask.push({ env, x, y, norm: paperMean !== null && paperMean > 0 ? paperMean : null });
      rows.push({ kind: 'task', env, baseline, tasks: [env], comparison: compareArms(x, y, { ...bootstrap, names: [reference, baseline], on: env }) });
    }
    const normalised = byTask.filter((t) => t.norm !== null);
    if (normalised.length === 0) continue;
    const scale = (values: number[], norm: number | null) => values.map((v) => v / (norm as number));
    const tasks = normalised.map((t) => t.env);
    aggregates.push({
      kind: 'aggregate',
      env: 'all tasks',
      baseline,
      tasks,
      comparison: compareArms(
        normalised.map((t) => scale(t.x, t.norm)),
        normalised.map((t) => scale(t.y, t.norm)),
        { ...bootstrap, names: [reference, baseline], on: `${tasks.length === 1 ? tasks[0] : `${tasks.length} tasks`} (score ÷ paper QVPO mean)`, statistic: 'iqm', digits: 3 },
      ),
    });
  }
  // Task by task, as Table 1 reads.
  rows.sort((a, b) => envs.indexOf(a.env) - envs.indexOf(b.env) || baselines.indexOf(a.baseline) - baselines.indexOf(b.baseline));
  return { profile: options.profile, reference, rows, aggregates, bootstrap };
}

function cells(row: ClaimRow): Record<string, string> {
  const c = row.comparison;
  const digits = row.kind === 'aggregate' ? 3 : 1;
  const d = (v: number) => formatSigned(v, digits);
  const [a, b] = c.seeds;
  return {
    task: row.kind === 'aggregate' ? `all tasks (${row.tasks.join(', ')})` : row.env,
    baseline: row.baseline,
    difference: `${d(c.difference.point)} [${d(c.difference.lo)}, ${d(c.difference.hi)}]`,
    improvement: `${c.improvement.point.toFixed(2)} [${c.improvement.lo.toFixed(2)}, ${c.improvement.hi.toFixed(2)}]`,
    seeds: a === b ? `${a}` : `${a} / ${b}`,
    verdict: c.verdict,
  };
}

/** The claims as Markdown: what was compared and how, then one table row per task and baseline, then the aggregates. */
export function claimsMarkdown(table: ClaimsTable): string {
  const ref = table.reference;
  const pct = `${Math.round(table.bootstrap.confidence * 1000) / 10}%`;
  const columns = [
    { key: 'task', label: 'Task' },
    { key: 'baseline', label: 'Baseline' },
    { key: 'difference', label: `${ref} − baseline [${pct} CI]`, align: 'right' as const },
    { key: 'improvement', label: `P(${ref} > baseline) [${pct} CI]`, align: 'right' as const },
    { key: 'seeds', label: 'Seeds', align: 'right' as const },
    { key: 'verdict', label: `"${ref} above baseline"` },
  ];
  const lines = [
    `The paper's claim that ${ref} ends above each baseline, checked on the complete \`${table.profile}\` runs. ` +
      `Per task: difference of the mean final evaluation returns over seeds; over all tasks: difference of the IQMs of the scores divided by the paper's QVPO mean on each task. ` +
      `Intervals: ${pct} percentile bootstrap (${table.bootstrap.reps} replicates, seed ${table.bootstrap.seed}) resampling each algorithm's runs within each task. ` +
      `P(${ref} > baseline): the probability that a run of ${ref} ends above a run of the baseline on the same task (ties count ½), averaged over tasks (rliable). ` +
      `The claim **holds** when the difference's interval lies above 0, **does not hold** when it lies below, and is **inconclusive** otherwise; with few seeds, bootstrap intervals are rough. ` +
      `The two measures can disagree over all tasks: the difference weighs each task by the size of its gap (in units of the paper's QVPO return), P(${ref} > baseline) only counts which run ends higher, so a large gap on one task can outweigh small losses on several.`,
    '',
  ];
  if (table.rows.length === 0) return [...lines, `No task has complete runs of both ${ref} and a baseline.`].join('\n');
  lines.push(toMarkdownTable(table.rows.map(cells), columns));
  if (table.aggregates.length > 0) lines.push('', toMarkdownTable(table.aggregates.map(cells), columns));
  return lines.join('\n');
}
