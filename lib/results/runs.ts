/**
 * Reading the experiment runner's run directories.
 *
 *   results/runs/<profile>/<algo>/<env>/seed-<n>/
 *     status.json       { state: running|complete|failed|stopped|preempted|diverged, algo, env, seed, profile, step, totalSteps,
 *                         startedAt, updatedAt, finishedAt?, error?, paperDiff: [{key, value, paper}] }
 *     config.json       full config of the run
 *     environment.json  machine / software record
 *     eval.csv          step,return_mean,return_std,episodes,wall_seconds (one row per evaluation)
 *     train.csv         step,episode,episode_return,episode_length,... (one row per training episode)
 *
 * Offline runs (trained from a dataset, lib/runner/offline.ts) live one level deeper,
 * `results/runs/<profile>/<algo>/<env>/offline-<dataset>/seed-<n>/`, so `listRuns` (and with it
 * Table 1, the figures and `qvpo-kit table`) never sees them; `listOfflineRuns` lists them.
 *
 * `listRuns` never throws for one bad run (unless `strict`): a run whose status.json or eval.csv
 * cannot be read is returned with `state: 'invalid'` and its `errors`, so that tables list it as
 * excluded instead of failing. The readers (`readStatusJson`, `readEvalCsv`, `readTrainCsv`) throw
 * errors that name the file and what is wrong.
 *
 * Only runs whose status is `complete`, with no errors and at least one evaluation row, count
 * for results (`splitByCompleteness`). A run's score (`finalEvalReturn`) is `return_mean` of the
 * last row of eval.csv (rows must have strictly increasing steps), i.e. the evaluation at the
 * end of training.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CsvValue, CsvRow, parseCsv } from '../report/table';

export const RUN_STATES = ['running', 'complete', 'failed', 'stopped', 'preempted', 'diverged'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** One setting of a run that differs from the paper's settings. */
export interface PaperDiffEntry {
  key: string;
  value: unknown;
  paper: unknown;
}

export interface RunStatus {
  state: RunState;
  algo: string;
  env: string;
  seed: number;
  profile: string;
  step: number;
  totalSteps: number;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
  paperDiff: PaperDiffEntry[];
  /** Any further fields of status.json, kept as they are. */
  [extra: string]: unknown;
}

export interface EvalRow {
  step: number;
  return_mean: number;
  return_std: number;
  episodes: number;
  wall_seconds: number;
}

export type TrainRow = {
  step: number;
  episode: number;
  episode_return: number;
  episode_length: number;
} & { [column: string]: CsvValue };

export interface RunFiles {
  status: string;
  config: string;
  environment: string;
  eval: string;
  train: string;
}

export interface RunRecord {
  /** The runs root this record was found under. */
  root: string;
  /** The run directory (root joined with the four path parts, five for an offline run). */
  dir: string;
  /** `<profile>/<algo>/<env>/seed-<n>` (offline: `<profile>/<algo>/<env>/offline-<dataset>/seed-<n>`): the run's name in reports. */
  id: string;
  /** Offline runs only: the name of the dataset it trained from. */
  dataset?: string;
  /** From the directory path. */
  profile: string;
  algo: string;
  env: string;
  seed: number;
  files: RunFiles;
  /** status.json's state, or 'invalid' when status.json is missing or malformed. */
  state: RunState | 'invalid';
  /** Parsed status.json; null when it is missing or malformed. */
  status: RunStatus | null;
  /** Parsed eval.csv rows ([] when the file is missing, empty or malformed). */
  evalRows: EvalRow[];
  /** Problems that make the run unusable for results (malformed files, path/status mismatch). */
  errors: string[];
  /** Problems worth reporting that do not exclude a complete run. */
  warnings: string[];
}

export interface ListRunsFilter {
  profile?: string | readonly string[];
  /** Matched case-insensitively. */
  algo?: string | readonly string[];
  /** Matched case-insensitively. */
  env?: string | readonly string[];
  seed?: number | readonly number[];
  state?: RunRecord['state'] | readonly RunRecord['state'][];
}

export interface ListRunsOptions {
  /** Throw on the first run with a malformed status.json or eval.csv (default false: record it in `errors`). */
  strict?: boolean;
}

export interface LoadRunOptions extends ListRunsOptions {
  /** An offline run of this dataset (its directory is `offline-<dataset>/seed-<n>` under the task's). */
  dataset?: string;
}

export interface IncompleteRun {
  run: RunRecord;
  /** Why the run does not count, e.g. "running (step 12000 of 100000)". */
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------------------------

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${file}: ${what} is missing`);
    throw new Error(`${file}: cannot read ${what}: ${(e as Error).message}`);
  }
}

/** Parse a JSON file; errors name the file. */
export function readJsonFile(file: string): unknown {
  const text = readText(file, path.basename(file));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: invalid JSON: ${(e as Error).message}`);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 60) + '…' : v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 60) + '…' : s;
  } catch {
    return String(v);
  }
}

/** Validate a parsed status.json; throws one error listing every problem. */
export function parseRunStatus(data: unknown, file = 'status.json'): RunStatus {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`${file}: malformed status.json: expected a JSON object, got ${describe(data)}`);
  }
  const o = data as Record<string, unknown>;
  const problems: string[] = [];
  const isStr = (k: string) => typeof o[k] === 'string' && (o[k] as string).length > 0;
  const isTime = (k: string) => typeof o[k] === 'string' && !Number.isNaN(Date.parse(o[k] as string));
  const isCount = (k: string) => typeof o[k] === 'number' && Number.isInteger(o[k]) && (o[k] as number) >= 0;

  if (!(RUN_STATES as readonly unknown[]).includes(o.state)) {
    problems.push(`"state" must be one of ${RUN_STATES.join('|')} (got ${describe(o.state)})`);
  }
  for (const k of ['algo', 'env', 'profile']) {
    if (!isStr(k)) problems.push(`"${k}" must be a non-empty string (got ${describe(o[k])})`);
  }
  for (const k of ['seed', 'step', 'totalSteps']) {
    if (!isCount(k)) problems.push(`"${k}" must be a non-negative integer (got ${describe(o[k])})`);
  }
  for (const k of ['startedAt', 'updatedAt']) {
    if (!isTime(k)) problems.push(`"${k}" must be an ISO date string (got ${describe(o[k])})`);
  }
  if (o.finishedAt !== undefined && !isTime('finishedAt')) {
    problems.push(`"finishedAt" must be an ISO date string when present (got ${describe(o.finishedAt)})`);
  }
  if (o.error !== undefined && typeof o.error !== 'string') {
    problems.push(`"error" must be a string when present (got ${describe(o.error)})`);
  }
  if (!Array.isArray(o.paperDiff)) {
    problems.push(`"paperDiff" must be an array of {key, value, paper} (got ${describe(o.paperDiff)})`);
  } else {
    o.paperDiff.forEach((d: unknown, i: number) => {
      const ok =
        d !== null &&
        typeof d === 'object' &&
        typeof (d as Record<string, unknown>).key === 'string' &&
        ((d as Record<string, unknown>).key as string).length > 0 &&
        'value' in (d as object) &&
        'paper' in (d as object);
      if (!ok) problems.push(`"paperDiff[${i}]" must be {key: string, value, paper} (got ${describe(d)})`);
    });
  }
  if (problems.length > 0) throw new Error(`${file}: malformed status.json: ${problems.join('; ')}`);
  return o as RunStatus;
}

/** Read and validate a status.json file. Errors name the file and every problem. */
export function readStatusJson(file: string): RunStatus {
  return parseRunStatus(readJsonFile(file), file);
}

function parseCsvFile(file: string, what: string): { columns: string[]; rows: CsvRow[] } {
  const text = readText(file, what);
  try {
    return parseCsv(text);
  } catch (e) {
    throw new Error(`${file}: malformed ${what}: ${(e as Error).message}`);
  }
}

function requireColumns(file: string, what: string, columns: string[], required: readonly string[]): void {
  const missing = required.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new Error(
      `${file}: malformed ${what}: missing column(s) ${missing.join(', ')}; ` +
        `the header is "${columns.join(',')}", expected it to start with "${required.join(',')}"`,
    );
  }
}

/** Row k of a CSV without blank lines is on line k + 1 (the header is line 1). */
function numberAt(file: string, what: string, row: CsvRow, k: number, column: string, kind: 'int' | 'finite' | 'nonneg'): number {
  const v = row[column];
  const where = `${file}: malformed ${what}: data row ${k + 1} (line ${k + 2}), column "${column}"`;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: expected a finite number, got ${describe(v)}`);
  if (kind === 'int' && (!Number.isInteger(v) || v < 0)) throw new Error(`${where}: expected a non-negative integer, got ${v}`);
  if (kind === 'nonneg' && v < 0) throw new Error(`${where}: expected a number ≥ 0, got ${v}`);
  return v;
}

export const EVAL_COLUMNS = ['step', 'return_mean', 'return_std', 'episodes', 'wall_seconds'] as const;
export const TRAIN_COLUMNS = ['step', 'episode', 'episode_return', 'episode_length'] as const;

/**
 * Read eval.csv. An empty file or a header alone gives []. Throws (naming the file, row and
 * column) on a missing column, a non-numeric value, a negative/non-integer step or episode
 * count, or steps that do not strictly increase.
 */
export function readEvalCsv(file: string): EvalRow[] {
  const what = 'eval.csv';
  const { columns, rows } = parseCsvFile(file, what);
  if (columns.length === 0) return [];
  requireColumns(file, what, columns, EVAL_COLUMNS);
  const out: EvalRow[] = [];
  rows.forEach((row, k) => {
    const r: EvalRow = {
      step: numberAt(file, what, row, k, 'step', 'int'),
      return_mean: numberAt(file, what, row, k, 'return_mean', 'finite'),
      return_std: numberAt(file, what, row, k, 'return_std', 'nonneg'),
      episodes: numberAt(file, what, row, k, 'episodes', 'int'),
      wall_seconds: numberAt(file, what, row, k, 'wall_seconds', 'nonneg'),
    };
    if (r.episodes < 1) {
      throw new Error(`${file}: malformed ${what}: data row ${k + 1} (line ${k + 2}), column "episodes": expected ≥ 1, got ${r.episodes}`);
    }
    if (out.length > 0 && r.step <= out[out.length - 1].step) {
      throw new Error(
        `${file}: malformed ${what}: data row ${k + 1} (line ${k + 2}): step ${r.step} does not increase ` +
          `(previous row has step ${out[out.length - 1].step})`,
      );
    }
    out.push(r);
  });
  return out;
}

/**
 * Read train.csv (given a path or a run). The first four columns must be numbers; further
 * columns are kept as parsed. An empty file or a header alone gives []. Errors name the file,
 * row and column.
 */
export function readTrainCsv(fileOrRun: string | RunRecord): TrainRow[] {
  const file = typeof fileOrRun === 'string' ? fileOrRun : fileOrRun.files.train;
  const what = 'train.csv';
  const { columns, rows } = parseCsvFile(file, what);
  if (columns.length === 0) return [];
  requireColumns(file, what, columns, TRAIN_COLUMNS);
  return rows.map((row, k) => {
    const out: TrainRow = {
      ...row,
      step: numberAt(file, what, row, k, 'step', 'int'),
      episode: numberAt(file, what, row, k, 'episode', 'int'),
      episode_return: numberAt(file, what, row, k, 'episode_return', 'finite'),
      episode_length: numberAt(file, what, row, k, 'episode_length', 'int'),
    };
    return out;
  });
}

/** The run's config.json, parsed (errors name the file). */
export function readRunConfig(run: RunRecord): Record<string, unknown> {
  const data = readJsonFile(run.files.config);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`${run.files.config}: expected a JSON object, got ${describe(data)}`);
  }
  return data as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

function subdirs(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function asList<T>(x: T | readonly T[] | undefined): readonly T[] | undefined {
  if (x === undefined) return undefined;
  return Array.isArray(x) ? (x as readonly T[]) : [x as T];
}

function matchesName(value: string, wanted: readonly string[] | undefined, caseInsensitive: boolean): boolean {
  if (!wanted) return true;
  return caseInsensitive ? wanted.some((w) => w.toLowerCase() === value.toLowerCase()) : wanted.includes(value);
}

const SEED_DIR = /^seed-(\d+)$/;

/** The seeds of the `seed-<n>` folders in `dir` (only those in `wanted`, when given), ascending. */
function seedsIn(dir: string, wanted: readonly number[] | undefined): number[] {
  return subdirs(dir)
    .map((name) => SEED_DIR.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((seed) => !wanted || wanted.includes(seed))
    .sort((a, b) => a - b);
}

/** Offline runs' folders under a task: `offline-<dataset name>`. */
export const OFFLINE_PREFIX = 'offline-';

/** Load one run directory (does not throw unless `strict`). */
export function loadRun(root: string, profile: string, algo: string, env: string, seed: number, options: LoadRunOptions = {}): RunRecord {
  const sub = options.dataset === undefined ? [`seed-${seed}`] : [`${OFFLINE_PREFIX}${options.dataset}`, `seed-${seed}`];
  const dir = path.join(root, profile, algo, env, ...sub);
  const files: RunFiles = {
    status: path.join(dir, 'status.json'),
    config: path.join(dir, 'config.json'),
    environment: path.join(dir, 'environment.json'),
    eval: path.join(dir, 'eval.csv'),
    train: path.join(dir, 'train.csv'),
  };
  const run: RunRecord = {
    root,
    dir,
    id: [profile, algo, env, ...sub].join('/'),
    ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
    profile,
    algo,
    env,
    seed,
    files,
    state: 'invalid',
    status: null,
    evalRows: [],
    errors: [],
    warnings: [],
  };
  const fail = (message: string) => {
    if (options.strict) throw new Error(message);
    run.errors.push(message);
  };

  try {
    run.status = readStatusJson(files.status);
    run.state = run.status.state;
  } catch (e) {
    fail((e as Error).message);
  }
  const s = run.status;
  if (s) {
    const mismatches: string[] = [];
    if (s.profile !== profile) mismatches.push(`profile ${describe(s.profile)}`);
    if (s.algo !== algo) mismatches.push(`algo ${describe(s.algo)}`);
    if (s.env !== env) mismatches.push(`env ${describe(s.env)}`);
    if (s.seed !== seed) mismatches.push(`seed ${describe(s.seed)}`);
    if (mismatches.length > 0) {
      fail(`${files.status}: status.json says ${mismatches.join(', ')}, which does not match its directory ${run.id}`);
    }
  }
  if (fs.existsSync(files.eval)) {
    try {
      run.evalRows = readEvalCsv(files.eval);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  // A complete run records its CSVs' rows and hashes: a file cut or edited since is caught here.
  const recorded = s?.state === 'complete' ? (s.files as Record<string, { rows?: unknown; sha256?: unknown }> | undefined) : undefined;
  if (recorded && typeof recorded === 'object') {
    for (const which of ['train', 'eval'] as const) {
      const want = recorded[which];
      const f = files[which];
      if (!want || typeof want.sha256 !== 'string') continue;
      let text: string | null = null;
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch {
        fail(`${f}: missing, but status.json records ${String(want.rows)} row(s) for this complete run`);
        continue;
      }
      if (createHash('sha256').update(text).digest('hex') !== want.sha256) {
        const rows = text.split('\n').filter((l) => l.length > 0).length - 1;
        fail(`${f}: changed after the run completed (${rows} row(s) now, status.json records ${String(want.rows)}; SHA-256 differs)`);
      }
    }
  }
  if (s && s.state === 'complete' && run.errors.length === 0 && run.evalRows.length > 0) {
    const last = run.evalRows[run.evalRows.length - 1];
    if (s.step !== s.totalSteps) {
      run.warnings.push(`${run.id}: complete, but status step ${s.step} differs from totalSteps ${s.totalSteps}`);
    }
    if (last.step !== s.totalSteps) {
      run.warnings.push(
        `${run.id}: the last evaluation is at step ${last.step}, not at the end of training (totalSteps ${s.totalSteps}); ` +
          'its return is used as the final one',
      );
    }
  }
  return run;
}

/** The `<profile>/<algo>/<env>` folders under `root` whose names pass the filter (the runs root checked first). */
function taskFolders(root: string, filter: ListRunsFilter): { profile: string; algo: string; env: string; dir: string }[] {
  if (!fs.existsSync(root)) return [];
  if (!fs.statSync(root).isDirectory()) throw new Error(`${root}: not a directory (expected the runs root)`);
  const [profiles, algos, envs] = [asList(filter.profile), asList(filter.algo), asList(filter.env)];
  const out: { profile: string; algo: string; env: string; dir: string }[] = [];
  for (const profile of subdirs(root).filter((p) => matchesName(p, profiles, false))) {
    for (const algo of subdirs(path.join(root, profile)).filter((a) => matchesName(a, algos, true))) {
      for (const env of subdirs(path.join(root, profile, algo)).filter((e) => matchesName(e, envs, true))) {
        out.push({ profile, algo, env, dir: path.join(root, profile, algo, env) });
      }
    }
  }
  return out;
}

/** The runs of the `seed-<n>` folders in `dir` that pass the filter's seeds and states. */
function runsIn(dir: string, filter: ListRunsFilter, load: (seed: number) => RunRecord): RunRecord[] {
  const states = asList(filter.state);
  return seedsIn(dir, asList(filter.seed))
    .map(load)
    .filter((run) => !states || states.includes(run.state));
}

/**
 * Every run directory under `root` (`<profile>/<algo>/<env>/seed-<n>`), sorted by profile, algo,
 * env and seed; directories that do not fit the layout are ignored, and a missing root gives [].
 * Each record carries its parsed status and eval rows; a malformed status.json or eval.csv is
 * recorded in `errors` (state 'invalid' for status.json), or thrown with `strict`.
 */
export function listRuns(root = 'results/runs', filter: ListRunsFilter = {}, options: ListRunsOptions = {}): RunRecord[] {
  return taskFolders(root, filter).flatMap(({ profile, algo, env, dir }) =>
    runsIn(dir, filter, (seed) => loadRun(root, profile, algo, env, seed, options)),
  );
}

/**
 * Every offline run under `root` (`<profile>/<algo>/<env>/offline-<dataset>/seed-<n>`), sorted by
 * profile, algo, env, dataset and seed, read as `listRuns` reads runs. These never count in
 * Table 1; `qvpo-kit status` lists them apart.
 */
export function listOfflineRuns(root = 'results/runs', filter: ListRunsFilter & { dataset?: string | readonly string[] } = {}, options: ListRunsOptions = {}): RunRecord[] {
  const datasets = asList(filter.dataset);
  return taskFolders(root, filter).flatMap(({ profile, algo, env, dir }) =>
    subdirs(dir)
      .filter((folder) => folder.startsWith(OFFLINE_PREFIX) && folder.length > OFFLINE_PREFIX.length)
      .map((folder) => folder.slice(OFFLINE_PREFIX.length))
      .filter((dataset) => matchesName(dataset, datasets, false))
      .flatMap((dataset) => runsIn(path.join(dir, OFFLINE_PREFIX + dataset), filter, (seed) => loadRun(root, profile, algo, env, seed, { ...options, dataset }))),
  );
}

/** Why a run does not count for results, or null when it does. */
export function incompleteReason(run: RunRecord): string | null {
  if (run.errors.length > 0) return `invalid: ${run.errors.join('; ')}`;
  const s = run.status;
  if (!s) return 'invalid: no status';
  const progress = `step ${s.step} of ${s.totalSteps}`;
  if (s.state === 'running') return `running (${progress})`;
  if (s.state === 'failed') return `failed at ${progress}${s.error ? `: ${s.error}` : ''}`;
  if (s.state === 'diverged') return `diverged at ${progress}${s.error ? `: ${s.error}` : ''}`;
  if (s.state === 'stopped' || s.state === 'preempted') return `${s.state} (${progress}; resumable)`;
  if (run.evalRows.length === 0) return `complete, but ${path.basename(run.files.eval)} has no evaluation rows`;
  return null;
}

/**
 * Split runs into those that count for results (state complete, no errors, ≥ 1 evaluation row)
 * and the rest, each with the reason it is excluded.
 */
export function splitByCompleteness(runs: readonly RunRecord[]): { complete: RunRecord[]; incomplete: IncompleteRun[] } {
  const complete: RunRecord[] = [];
  const incomplete: IncompleteRun[] = [];
  for (const run of runs) {
    const reason = incompleteReason(run);
    if (reason === null) complete.push(run);
    else incomplete.push({ run, reason });
  }
  return { complete, incomplete };
}

/** The last evaluation row of a run (the evaluation at the end of training). Throws if there is none. */
export function finalEvalRow(run: RunRecord): EvalRow {
  if (run.evalRows.length === 0) throw new Error(`${run.id}: no evaluation rows in ${run.files.eval}`);
  return run.evalRows[run.evalRows.length - 1];
}

/** A run's score for Table 1: `return_mean` of its last evaluation row. Throws if there is none. */
export function finalEvalReturn(run: RunRecord): number {
  return finalEvalRow(run).return_mean;
}
