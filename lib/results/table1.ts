/**
 * The reproduction's Table 1: final evaluation return per (task, algorithm), beside the paper's.
 *
 * Per row (task × algorithm), from the complete runs of one profile:
 * - score of a run = `return_mean` of its last eval.csv row (`finalEvalReturn`);
 * - mean and std over seeds (std with ddof = 0, population std);
 * - IQM over seeds with a 95% stratified-bootstrap percentile CI (stratum = the task, so for a
 *   single task this is the plain bootstrap over seeds);
 * - the paper's mean (std), the difference of the means in % of the paper's mean, and a
 *   "differs from paper" summary of the union of the runs' `paperDiff` entries.
 * Algorithms with no complete runs keep their row with the paper's numbers only (runs = 0).
 *
 * Aggregate rows (one per algorithm with complete runs, optional): every run's score is divided
 * by the paper's mean of the normalising algorithm (default QVPO) on that task; the row gives
 * the mean over tasks of the per-task mean normalised score (comparable with the paper's own
 * numbers normalised the same way, shown beside it) and the IQM of all normalised run scores
 * with a stratified-bootstrap CI (strata = tasks). Only tasks with at least one complete run
 * enter an algorithm's aggregate; the row lists them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { toCsv, toMarkdownTable } from '../report/table';
import { BootstrapOptions, iqm, mean, std, stratifiedBootstrapCI } from '../stats';
import {
  PAPER_ALGORITHMS,
  PAPER_ENVS,
  PAPER_RUNS,
  PAPER_STEPS,
  PAPER_TABLE1_CAPTION,
  PAPER_TABLE1_SOURCE,
  BEYOND_PAPER_ALGORITHMS,
  BEYOND_THE_PAPER,
  beyondPaperName,
  paperAlgorithmName,
  paperEnvName,
  paperResult,
} from './paper-table1';
import { ComputeSummary, computeMarkdown, summarizeCompute } from './compute';
import { RunRecord, finalEvalReturn, finalEvalRow, splitByCompleteness } from './runs';

export interface Table1Options {
  /** Only runs of this profile count (and are listed as excluded). */
  profile: string;
  /** Algorithms, in row order (default: the paper's 7, then any other algorithm with runs). Case-insensitive. */
  algorithms?: readonly string[];
  /** Tasks, in row order (default: the paper's 5, then any other task with runs). Case-insensitive. */
  envs?: readonly string[];
  /** Bootstrap settings (defaults: 2000 reps, confidence 0.95, seed 0). */
  bootstrap?: BootstrapOptions;
  /** Add one aggregate row per algorithm with complete runs (default true). */
  aggregate?: boolean;
  /** Algorithm whose paper mean on each task normalises scores for the aggregates (default 'QVPO'). */
  normaliseBy?: string;
  /** Time stamp of the table (default: now). */
  date?: Date | string;
}

export interface Table1Row {
  kind: 'task' | 'aggregate';
  /** Task id; for aggregate rows the label `all tasks (normalised)`. */
  env: string;
  algorithm: string;
  /** Complete runs counted. */
  runs: number;
  seeds: number[];
  /** Mean final return over seeds (aggregate: mean over tasks of the per-task mean normalised score). */
  mean: number | null;
  /** Std over seeds, ddof = 0 (null for aggregate rows). */
  std: number | null;
  /** IQM over seeds (aggregate: over all normalised run scores). */
  iqm: number | null;
  iqmLo: number | null;
  iqmHi: number | null;
  /** The paper task compared with (e.g. Hopper-v3 for a Hopper-v4 row); null if none. */
  paperEnv: string | null;
  /** Paper mean (aggregate: mean over the row's tasks of the paper mean, normalised). */
  paperMean: number | null;
  paperStd: number | null;
  /** The paper prints N/A (the algorithm did not work). */
  paperNA: boolean;
  /** 100 · (mean − paperMean) / |paperMean|. */
  diffPct: number | null;
  /** e.g. `Nd 16 (paper 64); steps 100k (paper 1M)`; '' when nothing differs or no runs. */
  differsFromPaper: string;
  /** Tasks entering an aggregate row ([env] for task rows). */
  tasks: string[];
  note: string;
}

export interface ExcludedRun {
  id: string;
  algo: string;
  env: string;
  seed: number;
  state: string;
  reason: string;
}

export interface Table1 {
  profile: string;
  generatedAt: string;
  bootstrap: { reps: number; confidence: number; seed: number };
  /** Normalising algorithm of the aggregate rows, or null when there are none. */
  normaliseBy: string | null;
  rows: Table1Row[];
  aggregates: Table1Row[];
  /** Runs of this profile (and the selected tasks and algorithms) that do not count. */
  excluded: ExcludedRun[];
  /** Warnings of the counted runs (e.g. last evaluation before the end of training). */
  warnings: string[];
  /** Distinct episode counts of the final evaluations counted. */
  finalEvalEpisodes: number[];
  /** Runs roots the counted and excluded runs came from. */
  roots: string[];
  /** What the counted runs cost (lib/results/compute.ts). */
  compute: ComputeSummary;
}

/** A path as written in reports: relative to the working directory when it lies inside it. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

// ---------------------------------------------------------------------------------------------
// "Differs from paper"
// ---------------------------------------------------------------------------------------------

/** Short labels for paperDiff keys in the table; other keys are shown as they are. */
export const PAPER_DIFF_LABELS: Readonly<Record<string, string>> = {
  trainSamples: 'Nd',
  behaviourSamples: 'Kb',
  behaviorSamples: 'Kb',
  targetSamples: 'Kt',
  entropySamples: 'Ne',
  evalSamples: 'eval candidates',
  diffusionSteps: 'T',
  totalSteps: 'steps',
  steps: 'steps',
  numSteps: 'steps',
  evalInterval: 'eval every',
  evalEvery: 'eval every',
  evalEpisodes: 'eval episodes',
  batchSize: 'batch',
  hiddenWidth: 'width',
  hiddenLayers: 'layers',
  warmupSteps: 'warm-up',
  replaySize: 'replay',
  updatesPerStep: 'UTD',
  entropyAlpha: 'ω_ent',
  actorLr: 'actor lr',
  criticLr: 'critic lr',
};

/** A paperDiff value for the table: 100000 → 100k, 1000000 → 1M, 1500000 → 1.5M. */
export function formatDiffValue(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'number') {
    const a = Math.abs(v);
    if (Number.isInteger(v) && a >= 10_000) {
      if (a >= 1_000_000 && v % 100_000 === 0) return `${v / 1_000_000}M`;
      if (v % 1000 === 0) return `${v / 1000}k`;
    }
    return String(v);
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return JSON.stringify(v);
}

/**
 * The union of the runs' paperDiff entries as one line: `label value (paper value)` joined by
 * '; ', keys in first-seen order. Several values across runs are joined by '/'; a key that only
 * some runs have gets `[k/n runs]`.
 */
export function summarizePaperDiff(runs: readonly RunRecord[]): string {
  const byKey = new Map<string, { values: string[]; papers: string[]; count: number }>();
  for (const run of runs) {
    const seen = new Set<string>();
    for (const d of run.status?.paperDiff ?? []) {
      let e = byKey.get(d.key);
      if (!e) {
        e = { values: [], papers: [], count: 0 };
        byKey.set(d.key, e);
      }
      const value = formatDiffValue(d.value);
      const paper = formatDiffValue(d.paper);
      if (!e.values.includes(value)) e.values.push(value);
      if (!e.papers.includes(paper)) e.papers.push(paper);
      if (!seen.has(d.key)) {
        seen.add(d.key);
        e.count++;
      }
    }
  }
  const parts: string[] = [];
  for (const [key, e] of byKey) {
    const label = PAPER_DIFF_LABELS[key] ?? key;
    const partial = e.count < runs.length ? ` [${e.count}/${runs.length} runs]` : '';
    parts.push(`${label} ${e.values.join('/')} (paper ${e.papers.join('/')})${partial}`);
  }
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

const canonicalAlgo = (a: string): string => paperAlgorithmName(a) ?? beyondPaperName(a) ?? a;
const canonicalEnv = (e: string): string => paperEnvName(e) ?? e;

/** The paper task a task id is compared with: itself, or the paper's version of the same task (Hopper-v4 → Hopper-v3). */
export function paperTaskFor(env: string): string | null {
  const exact = paperEnvName(env);
  if (exact) return exact;
  const base = env.replace(/-v\d+$/i, '').toLowerCase();
  return PAPER_ENVS.find((e) => e.replace(/-v\d+$/, '').toLowerCase() === base) ?? null;
}

function uniqueInOrder(items: readonly string[], key: (s: string) => string = (s) => s.toLowerCase()): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const it of items) {
    const k = key(it);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(it);
    }
  }
  return out;
}

/**
 * Build Table 1 from run records (any mix of states; only complete runs of `profile` count, the
 * other runs of that profile are listed in `excluded`).
 */
export function buildTable1(runs: readonly RunRecord[], options: Table1Options): Table1 {
  if (!options || typeof options.profile !== 'string' || options.profile.length === 0) {
    throw new Error('buildTable1: options.profile (the profile whose runs count) is required');
  }
  const bootstrap = {
    reps: options.bootstrap?.reps ?? 2000,
    confidence: options.bootstrap?.confidence ?? 0.95,
    seed: options.bootstrap?.seed ?? 0,
  };
  const profileRuns = runs.filter((r) => r.profile === options.profile);
  const algorithms = uniqueInOrder(
    (options.algorithms ?? [...PAPER_ALGORITHMS, ...profileRuns.map((r) => r.algo)]).map(canonicalAlgo),
  );
  const envs = uniqueInOrder((options.envs ?? [...PAPER_ENVS, ...profileRuns.map((r) => r.env)]).map(canonicalEnv));
  const algoSet = new Set(algorithms.map((a) => a.toLowerCase()));
  const envSet = new Set(envs.map((e) => e.toLowerCase()));
  const selected = profileRuns.filter((r) => algoSet.has(r.algo.toLowerCase()) && envSet.has(r.env.toLowerCase()));
  const { complete, incomplete } = splitByCompleteness(selected);

  const runsOf = (env: string, algo: string): RunRecord[] =>
    complete
      .filter((r) => r.env.toLowerCase() === env.toLowerCase() && r.algo.toLowerCase() === algo.toLowerCase())
      .sort((a, b) => a.seed - b.seed);

  const rows: Table1Row[] = [];
  for (const env of envs) {
    const paperEnv = paperTaskFor(env);
    for (const algorithm of algorithms) {
      const group = runsOf(env, algorithm);
      // A task the paper does not have under this id (e.g. Hopper-v4) only gets rows for
      // algorithms that have runs there; the paper-only rows stay under the paper's ids.
      if (
        group.length === 0 &&
        paperEnvName(env) === undefined &&
        !selected.some((r) => r.env.toLowerCase() === env.toLowerCase() && r.algo.toLowerCase() === algorithm.toLowerCase())
      ) {
        continue;
      }
      const paper = paperEnv ? paperResult(paperEnv, algorithm) : undefined;
      const row: Table1Row = {
        kind: 'task',
        env,
        algorithm,
        runs: group.length,
        seeds: group.map((r) => r.seed),
        mean: null,
        std: null,
        iqm: null,
        iqmLo: null,
        iqmHi: null,
        paperEnv: paper ? paper.env : null,
        paperMean: paper ? paper.mean : null,
        paperStd: paper ? paper.std : null,
        paperNA: paper !== undefined && paper.mean === null,
        diffPct: null,
        differsFromPaper: '',
        tasks: [env],
        note: !paper ? notInPaper(algorithm) : paper.mean === null ? 'paper: N/A (the algorithm did not work)' : '',
      };
      if (group.length > 0) {
        const scores = group.map(finalEvalReturn);
        row.mean = mean(scores);
        row.std = std(scores, 0);
        const ci = stratifiedBootstrapCI([scores], iqm, bootstrap);
        row.iqm = ci.point;
        row.iqmLo = ci.lo;
        row.iqmHi = ci.hi;
        if (row.paperMean !== null && row.paperMean !== 0) {
          row.diffPct = (100 * (row.mean - row.paperMean)) / Math.abs(row.paperMean);
        }
        const parts: string[] = [];
        if (paper && paper.env !== env) parts.push(`env ${env} (paper ${paper.env})`);
        const diff = summarizePaperDiff(group);
        if (diff) parts.push(diff);
        row.differsFromPaper = parts.join('; ');
      }
      rows.push(row);
    }
  }

  const aggregates: Table1Row[] = [];
  const normaliseBy = canonicalAlgo(options.normaliseBy ?? 'QVPO');
  if (options.aggregate !== false) {
    for (const algorithm of algorithms) {
      const tasks: string[] = [];
      const scoresByTask: number[][] = [];
      const taskMeans: number[] = [];
      const paperNormalised: (number | null)[] = [];
      const used: RunRecord[] = [];
      for (const env of envs) {
        const group = runsOf(env, algorithm);
        const paperEnv = paperTaskFor(env);
        const norm = paperEnv ? paperResult(paperEnv, normaliseBy)?.mean ?? null : null;
        if (group.length === 0 || norm === null || !(norm > 0)) continue;
        const normalised = group.map((r) => finalEvalReturn(r) / norm);
        tasks.push(env);
        scoresByTask.push(normalised);
        taskMeans.push(mean(normalised));
        used.push(...group);
        const own = paperEnv ? paperResult(paperEnv, algorithm)?.mean ?? null : null;
        paperNormalised.push(own === null ? null : own / norm);
      }
      if (tasks.length === 0) continue;
      const ci = stratifiedBootstrapCI(scoresByTask, iqm, bootstrap);
      const m = mean(taskMeans);
      const paperMean = paperNormalised.every((x): x is number => x !== null) ? mean(paperNormalised as number[]) : null;
      aggregates.push({
        kind: 'aggregate',
        env: 'all tasks (normalised)',
        algorithm,
        runs: used.length,
        seeds: [...new Set(used.map((r) => r.seed))].sort((a, b) => a - b),
        mean: m,
        std: null,
        iqm: ci.point,
        iqmLo: ci.lo,
        iqmHi: ci.hi,
        paperEnv: null,
        paperMean,
        paperStd: null,
        paperNA: paperNormalised.some((x) => x === null),
        diffPct: paperMean !== null && paperMean !== 0 ? (100 * (m - paperMean)) / Math.abs(paperMean) : null,
        differsFromPaper: summarizePaperDiff(used),
        tasks,
        note: `scores ÷ paper ${normaliseBy} mean per task; tasks: ${tasks.join(', ')}`,
      });
    }
  }

  const counted = complete;
  const date = options.date === undefined ? new Date() : new Date(options.date);
  if (Number.isNaN(date.getTime())) throw new Error(`buildTable1: invalid date ${String(options.date)}`);
  return {
    profile: options.profile,
    generatedAt: date.toISOString(),
    bootstrap,
    normaliseBy: aggregates.length > 0 ? normaliseBy : null,
    rows,
    aggregates,
    excluded: incomplete.map(({ run, reason }) => ({
      id: run.id,
      algo: run.algo,
      env: run.env,
      seed: run.seed,
      state: run.state,
      reason,
    })),
    warnings: counted.flatMap((r) => r.warnings),
    compute: summarizeCompute(counted, algorithms),
    finalEvalEpisodes: [...new Set(counted.map((r) => finalEvalRow(r).episodes))].sort((a, b) => a - b),
    // relative to the working directory where possible: the committed table names no home directory
    roots: [...new Set(selected.map((r) => displayPath(r.root)))],
  };
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

const fmt = (x: number | null, digits: number): string => (x === null ? '' : x.toFixed(digits));
const fmtSigned = (x: number | null): string => (x === null ? '' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}%`);

function meanStd(m: number | null, s: number | null, digits: number): string {
  if (m === null) return '';
  return s === null ? fmt(m, digits) : `${fmt(m, digits)} (${fmt(s, digits)})`;
}

function iqmCell(row: Table1Row, digits: number): string {
  if (row.iqm === null) return '';
  return `${fmt(row.iqm, digits)} [${fmt(row.iqmLo, digits)}, ${fmt(row.iqmHi, digits)}]`;
}

/** The note of a row the paper has no value for; a column the kit adds says where it comes from. */
function notInPaper(algorithm: string): string {
  const name = beyondPaperName(algorithm);
  return name ? `beyond the paper: ${BEYOND_PAPER_ALGORITHMS[name]}` : 'not in the paper';
}

function paperCell(row: Table1Row, digits: number): string {
  if (row.paperMean === null && beyondPaperName(row.algorithm)) return BEYOND_THE_PAPER;
  if (row.paperNA && row.kind === 'task') return 'N/A';
  if (row.paperMean === null) return row.kind === 'aggregate' && row.paperNA ? 'N/A' : '';
  return meanStd(row.paperMean, row.paperStd, digits);
}

const MD_COLUMNS = [
  { key: 'env', label: 'Task' },
  { key: 'algorithm', label: 'Algorithm' },
  { key: 'runs', label: 'Runs', align: 'right' as const },
  { key: 'final', label: 'Final return mean (std)', align: 'right' as const },
  { key: 'iqm', label: 'IQM [95% CI]', align: 'right' as const },
  { key: 'paper', label: 'Paper mean (std)', align: 'right' as const },
  { key: 'diff', label: 'Δ mean vs paper', align: 'right' as const },
  { key: 'differs', label: 'Differs from paper' },
  { key: 'note', label: 'Note' },
];

function markdownRows(rows: readonly Table1Row[], digits: number): Record<string, string | number>[] {
  return rows.map((r) => ({
    env: r.env,
    algorithm: r.algorithm,
    runs: r.runs,
    final: meanStd(r.mean, r.std, digits),
    iqm: iqmCell(r, digits),
    paper: paperCell(r, digits),
    diff: fmtSigned(r.diffPct),
    differs: r.differsFromPaper,
    note: r.note,
  }));
}

/** The Markdown document: a header paragraph, the per-task table, aggregates, excluded runs. */
export function table1Markdown(table: Table1): string {
  const pct = Math.round(table.bootstrap.confidence * 1000) / 10;
  const counted = table.rows.reduce((n, r) => n + r.runs, 0);
  const lines: string[] = [];
  lines.push(`# Table 1 — final evaluation return (profile \`${table.profile}\`)`);
  lines.push('');
  lines.push(
    `Generated ${table.generatedAt} from ${table.roots.length > 0 ? table.roots.map((r) => `\`${r}\``).join(', ') : 'no run directories'}: ` +
      `${counted} complete run(s) counted, ${table.excluded.length} incomplete run(s) excluded (listed below). ` +
      "A run's score is `return_mean` of the last row of its eval.csv, the evaluation at the end of training" +
      (table.finalEvalEpisodes.length > 0 ? ` (${table.finalEvalEpisodes.join('/')} episodes per evaluation)` : '') +
      '. Mean and std are over seeds; std is the population std (ddof = 0). ' +
      'IQM is the interquartile mean (rliable / scipy `trim_mean(x, 0.25)`: drop ⌊n/4⌋ lowest and highest, average the rest; with fewer than 4 runs it equals the mean). ' +
      `Its ${pct}% CI is a percentile stratified bootstrap (${table.bootstrap.reps} replicates, seed ${table.bootstrap.seed}) resampling runs with replacement within each task. ` +
      'Δ = (mean − paper mean) / paper mean. Only runs whose status is `complete` count; running, failed and malformed runs are never mixed in.',
  );
  lines.push('');
  lines.push(
    `The paper's numbers are ${PAPER_TABLE1_SOURCE}: mean (std) over ${PAPER_RUNS} runs after ${PAPER_STEPS / 1_000_000}M environment steps ` +
      `(caption: "${PAPER_TABLE1_CAPTION}"). Runs here may use fewer steps, fewer seeds or other settings: the column "Differs from paper" lists ` +
      "every setting that differs (union of the runs' `paperDiff`), so the columns are not like-for-like unless it is empty.",
  );
  lines.push('');
  lines.push('## Per task');
  lines.push('');
  lines.push(toMarkdownTable(markdownRows(table.rows, 1), MD_COLUMNS));
  lines.push('');
  if (table.aggregates.length > 0) {
    lines.push('## Aggregate across tasks');
    lines.push('');
    lines.push(
      `Each run's score divided by the paper's ${table.normaliseBy} mean on its task (1.000 = the paper's ${table.normaliseBy}). ` +
        '"Final return mean" = mean over the listed tasks of the per-task mean normalised score; the paper column is the paper\'s means normalised the same way; ' +
        `IQM over all normalised run scores, ${pct}% CI by stratified bootstrap with the tasks as strata.`,
    );
    lines.push('');
    lines.push(toMarkdownTable(markdownRows(table.aggregates, 3), MD_COLUMNS));
    lines.push('');
  }
  if (table.compute.rows.length > 0) {
    lines.push('## Compute');
    lines.push('');
    lines.push(
      "The counted runs' training time, summed per algorithm over tasks and seeds. Wall time is each run's own clock (its evaluations included), " +
        'not the sweep\'s: runs that shared the cores overlap. CPU time is the training process\'s user + system time; each run is one single-threaded ' +
        'process, so CPU hours are core-hours. Runs made before CPU time was recorded are counted apart. Steps/s = environment steps ÷ wall seconds per run.',
    );
    lines.push('');
    lines.push(computeMarkdown(table.compute));
    lines.push('');
  }
  lines.push('## Incomplete runs (excluded)');
  lines.push('');
  if (table.excluded.length === 0) lines.push('None.');
  else for (const x of table.excluded) lines.push(`- \`${x.id}\`: ${x.reason.replace(/\r?\n/g, ' ')}`);
  lines.push('');
  if (table.warnings.length > 0) {
    lines.push('## Warnings (counted runs)');
    lines.push('');
    for (const w of table.warnings) lines.push(`- ${w}`);
    lines.push('');
  }
  return lines.join('\n');
}

export const TABLE1_CSV_COLUMNS = [
  'profile',
  'kind',
  'env',
  'algorithm',
  'runs',
  'seeds',
  'mean',
  'std',
  'iqm',
  'iqm_ci_lo',
  'iqm_ci_hi',
  'paper_env',
  'paper_mean',
  'paper_std',
  'paper_na',
  'diff_pct',
  'differs_from_paper',
  'tasks',
  'note',
] as const;

/** CSV text: one line per task row then per aggregate row; full-precision numbers, empty = null. */
export function table1Csv(table: Table1): string {
  const rows = [...table.rows, ...table.aggregates].map((r) => ({
    profile: table.profile,
    kind: r.kind,
    env: r.env,
    algorithm: r.algorithm,
    runs: r.runs,
    seeds: r.seeds.length > 0 ? r.seeds.join(' ') : null,
    mean: r.mean,
    std: r.std,
    iqm: r.iqm,
    iqm_ci_lo: r.iqmLo,
    iqm_ci_hi: r.iqmHi,
    paper_env: r.paperEnv,
    paper_mean: r.paperMean,
    paper_std: r.paperStd,
    paper_na: r.paperNA,
    diff_pct: r.diffPct,
    differs_from_paper: r.differsFromPaper || null,
    tasks: r.tasks.join(' '),
    note: r.note || null,
  }));
  return toCsv(rows, TABLE1_CSV_COLUMNS);
}

/** Write `text` to `file` atomically: a temporary file in the same directory, then rename. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
  try {
    fs.writeFileSync(tmp, text, 'utf8');
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // the temporary file was never created, or is gone already
    }
    throw e;
  }
}

/** Write `table1.md` and `table1.csv` into `outDir` (created if needed), each atomically. */
export function writeTable1(table: Table1, outDir: string): { markdown: string; csv: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const markdown = path.join(outDir, 'table1.md');
  const csv = path.join(outDir, 'table1.csv');
  writeFileAtomic(markdown, table1Markdown(table));
  writeFileAtomic(csv, table1Csv(table));
  return { markdown, csv };
}
