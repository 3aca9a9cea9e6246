/**
 * What a sweep cost: per algorithm, the complete runs' environment steps, training wall time,
 * CPU time and speed, read from the run folders.
 *
 * Wall time is status.json's `wallSeconds` (summed over a run's starts, up to its end), or for
 * runs made before it was kept, `wall_seconds` of the last eval.csv row (the same clock, read at
 * the final evaluation). CPU time is status.json's `cpuSeconds`, the training process's user +
 * system time; runs without it are counted apart, never guessed. Each run is one process on one
 * core (the ORT engine with 1 thread, wasm without threads), so its CPU hours are its core-hours.
 * Time between a run's last checkpoint and a hard kill is redone on resume and not counted.
 */
import { toMarkdownTable } from '../report/table';
import { RunRecord, finalEvalRow } from './runs';

export interface ComputeRow {
  algorithm: string;
  runs: number;
  tasks: string[];
  envSteps: number;
  wallHours: number;
  /** Summed over the runs that recorded CPU time (`cpuRuns` of them); null when none did. */
  cpuHours: number | null;
  cpuRuns: number;
  /** Env steps per wall second over each run's whole training: median, lowest, highest. */
  stepsPerSecond: { median: number; min: number; max: number };
}

export interface ComputeSummary {
  rows: ComputeRow[];
  total: Omit<ComputeRow, 'algorithm' | 'stepsPerSecond'>;
}

function numberField(run: RunRecord, key: 'wallSeconds' | 'cpuSeconds'): number | null {
  const v = run.status?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** A complete run's training wall seconds. */
export function runWallSeconds(run: RunRecord): number {
  return numberField(run, 'wallSeconds') ?? finalEvalRow(run).wall_seconds;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Complete runs only (the caller filters). Algorithms in the order of `order` (case-insensitive;
 * its spelling labels the rows, e.g. Table 1's display names), then any other with runs.
 */
export function summarizeCompute(completeRuns: readonly RunRecord[], order: readonly string[] = []): ComputeSummary {
  const label = new Map(order.map((a) => [a.toLowerCase(), a]));
  const algos = [...new Set([...order.map((a) => a.toLowerCase()), ...completeRuns.map((r) => r.algo.toLowerCase())])];
  const rows: ComputeRow[] = [];
  for (const algo of algos) {
    const runs = completeRuns.filter((r) => r.algo.toLowerCase() === algo);
    if (runs.length === 0) continue;
    const walls = runs.map(runWallSeconds);
    const cpus = runs.map((r) => numberField(r, 'cpuSeconds')).filter((x): x is number => x !== null);
    const rates = runs.map((r, i) => (r.status?.totalSteps ?? 0) / walls[i]).filter((x) => Number.isFinite(x) && x > 0);
    rows.push({
      algorithm: label.get(algo) ?? runs[0].algo,
      runs: runs.length,
      tasks: [...new Set(runs.map((r) => r.env))],
      envSteps: runs.reduce((n, r) => n + (r.status?.totalSteps ?? 0), 0),
      wallHours: walls.reduce((a, b) => a + b, 0) / 3600,
      cpuHours: cpus.length > 0 ? cpus.reduce((a, b) => a + b, 0) / 3600 : null,
      cpuRuns: cpus.length,
      stepsPerSecond: rates.length > 0 ? { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) } : { median: NaN, min: NaN, max: NaN },
    });
  }
  const cpuRows = rows.filter((r) => r.cpuHours !== null);
  return {
    rows,
    total: {
      runs: rows.reduce((n, r) => n + r.runs, 0),
      tasks: [...new Set(rows.flatMap((r) => r.tasks))],
      envSteps: rows.reduce((n, r) => n + r.envSteps, 0),
      wallHours: rows.reduce((n, r) => n + r.wallHours, 0),
      cpuHours: cpuRows.length > 0 ? cpuRows.reduce((n, r) => n + (r.cpuHours ?? 0), 0) : null,
      cpuRuns: rows.reduce((n, r) => n + r.cpuRuns, 0),
    },
  };
}

const hours = (h: number | null): string => (h === null ? '—' : h.toFixed(h < 10 ? 2 : 1));
const rate = (x: number): string => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '—');

function cpuCell(h: number | null, cpuRuns: number, runs: number): string {
  if (h === null) return 'not recorded';
  return cpuRuns === runs ? hours(h) : `${hours(h)} (${cpuRuns} of ${runs} runs)`;
}

/** A markdown section body: one row per algorithm and a total row. */
export function computeMarkdown(summary: ComputeSummary): string {
  const rows: Record<string, string | number>[] = summary.rows.map((r) => ({
    Algorithm: r.algorithm,
    Runs: r.runs,
    'Env steps': r.envSteps.toLocaleString('en-US'),
    'Wall h': hours(r.wallHours),
    'CPU h (= core-h)': cpuCell(r.cpuHours, r.cpuRuns, r.runs),
    'Steps/s median [min, max]': `${rate(r.stepsPerSecond.median)} [${rate(r.stepsPerSecond.min)}, ${rate(r.stepsPerSecond.max)}]`,
  }));
  const t = summary.total;
  rows.push({
    Algorithm: 'all',
    Runs: t.runs,
    'Env steps': t.envSteps.toLocaleString('en-US'),
    'Wall h': hours(t.wallHours),
    'CPU h (= core-h)': cpuCell(t.cpuHours, t.cpuRuns, t.runs),
    'Steps/s median [min, max]': '',
  });
  return toMarkdownTable(rows, ['Algorithm', 'Runs', 'Env steps', 'Wall h', 'CPU h (= core-h)', 'Steps/s median [min, max]']);
}
