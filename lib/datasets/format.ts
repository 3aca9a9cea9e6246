/**
 * Offline RL datasets, D4RL-like, as the kit makes them (`qvpo-kit dataset`, lib/datasets/make.ts).
 *
 * One dataset is one directory, e.g. `datasets/Hopper-v3/medium/`:
 *
 *   data.bin       float32 arrays, little-endian, one after another in this order (D4RL's names):
 *                    observations       [N, obsDim]
 *                    actions            [N, actDim]   env units (the action sent to the env)
 *                    rewards            [N]
 *                    next_observations  [N, obsDim]
 *                    terminals          [N]   1 where the task ended (termination), else 0
 *                    timeouts           [N]   1 where the time limit cut the episode, else 0
 *                  Transitions are in the order they happened, episode after episode; an episode
 *                  ends at a transition with terminals or timeouts set. The last one may be cut
 *                  off by the step budget, with both 0 (not counted as an episode).
 *   manifest.json  format and version, task and sizes, the episodes' returns (complete episodes
 *                  only) with their mean/std/min/max, the layout and SHA-256 of data.bin, the
 *                  reference returns for normalised scores, and the provenance (what made it:
 *                  kind, command, kit commit, date, seed, source policy, steps).
 *
 * Terminals and timeouts are kept apart whatever a learner does with time limits: offline
 * training bootstraps through timeouts (not_done = 1 − terminals, as D4RL and Diffusion-QL do).
 * This module reads only files (no MuJoCo, no TensorFlow.js), so the CLI can check a dataset
 * before it loads anything heavy.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { envSpec } from '../envs/registry';

export const DATASET_FORMAT = 'qvpo-kit-dataset';
export const DATASET_VERSION = 1;
export const DATA_FILE = 'data.bin';
export const MANIFEST_FILE = 'manifest.json';

export const DATASET_KINDS = ['random', 'medium', 'medium-replay', 'expert'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/**
 * Defaults of `qvpo-kit dataset`: env steps of the rolled-out kinds (random, medium, expert),
 * SAC training steps of the kinds that train one (medium-replay holds all of them), and the
 * episodes' time limit (the runs' own).
 */
export const DATASET_DEFAULTS = {
  steps: 50_000,
  sacSteps: { medium: 50_000, 'medium-replay': 50_000, expert: 200_000 } as Record<'medium' | 'medium-replay' | 'expert', number>,
  profile: 'quick',
  maxEpisodeSteps: 1000,
} as const;

/** The arrays of data.bin, in file order. */
export const DATASET_FIELDS = ['observations', 'actions', 'rewards', 'next_observations', 'terminals', 'timeouts'] as const;
export type DatasetField = (typeof DATASET_FIELDS)[number];

export type DatasetArrays = Record<DatasetField, Float32Array>;

/** Row width of each array for a task's sizes. */
function widthOf(field: DatasetField, obsDim: number, actDim: number): number {
  if (field === 'observations' || field === 'next_observations') return obsDim;
  if (field === 'actions') return actDim;
  return 1;
}

export interface ReturnStats {
  /** Complete episodes only. */
  count: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /** Every complete episode's return, in order. */
  values: number[];
}

/** The returns that normalise a score: 100 · (R − randomReturn) / (policyReturn − randomReturn). */
export interface ReferenceReturns {
  /** The uniform-random policy's mean episode return on the task. */
  randomReturn: number | null;
  /** The best policy behind the datasets: the source policy's mean evaluation return; null for a random dataset. */
  policyReturn: number | null;
  /** Where each number came from. */
  randomSource: string;
  policySource: string;
}

/** The policy that acted, for datasets rolled out or recorded from one. */
export interface SourcePolicy {
  /** A run directory (relative to the dataset directory when inside it, else as given). */
  run: string;
  /** SHA-256 of its policy.bin. */
  policySha256: string;
  algo: string;
  env: string;
  seed: number;
  /** Its profile label and gradient/env steps of training. */
  label: string;
  trainedSteps: number;
  /** The run's own final evaluation (mean over its evaluation episodes). */
  finalEvalMean: number;
}

export interface Provenance {
  kind: DatasetKind;
  /** The command line that made it, with every default filled in. */
  command: string;
  /** The kit's commit, and whether code differed from it (as runs record it in environment.json). */
  commit: string | null;
  dirty: boolean | null;
  createdAt: string;
  seed: number;
  /** Env steps the dataset holds (N). */
  steps: number;
  /** "uniform random", or the policy that acted (medium, expert), or whose training stored the data (medium-replay). */
  policy: 'uniform random' | SourcePolicy;
  /** Std of the Gaussian noise added to the policy's actions, in units of half the action range (0: none). */
  actionNoise?: number;
  /** How the actions were chosen, in words. */
  behaviour: string;
  /** Seconds it took to make, all included. */
  seconds?: number;
  host?: string;
  node?: string;
}

export interface DatasetManifest {
  format: typeof DATASET_FORMAT;
  version: typeof DATASET_VERSION;
  env: string;
  kind: DatasetKind;
  obsDim: number;
  actDim: number;
  /** Transitions (N). */
  size: number;
  /** Complete episodes (ended by termination or time limit). */
  episodes: number;
  terminals: number;
  timeouts: number;
  /** The time limit the data was collected under. */
  maxEpisodeSteps: number | null;
  returns: ReturnStats;
  data: {
    file: typeof DATA_FILE;
    bytes: number;
    sha256: string;
    dtype: 'float32';
    byteOrder: 'little-endian';
    arrays: { name: DatasetField; shape: number[]; offset: number }[];
  };
  reference: ReferenceReturns;
  provenance: Provenance;
}

export interface Dataset extends DatasetArrays {
  dir: string;
  manifest: DatasetManifest;
}

/** What writeDataset needs besides the arrays (the rest of the manifest is computed from them). */
export interface DatasetMeta {
  env: string;
  kind: DatasetKind;
  maxEpisodeSteps: number | null;
  reference: ReferenceReturns;
  provenance: Provenance;
}

function checkByteOrder(): void {
  if (os.endianness() !== 'LE') throw new Error('datasets are little-endian float32; this machine is big-endian, which the kit does not support');
}

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** SHA-256 of a file, read in chunks. */
export function fileSha256(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 22);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n <= 0) break;
      hash.update(chunk.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Returns of the complete episodes (an episode ends where terminals or timeouts is 1). */
export function episodeReturns(rewards: Float32Array, terminals: Float32Array, timeouts: Float32Array): { returns: number[]; lengths: number[] } {
  const returns: number[] = [];
  const lengths: number[] = [];
  let total = 0;
  let length = 0;
  for (let i = 0; i < rewards.length; i++) {
    total += rewards[i];
    length++;
    if (terminals[i] === 1 || timeouts[i] === 1) {
      returns.push(total);
      lengths.push(length);
      total = 0;
      length = 0;
    }
  }
  return { returns, lengths };
}

export function returnStats(values: number[]): ReturnStats {
  if (values.length === 0) return { count: 0, mean: null, std: null, min: null, max: null, values: [] };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count: values.length, mean, std, min, max, values };
}

/** The sizes of a dataset's arrays, checked against each other: [N, obsDim, actDim]. */
function sizesOf(arrays: DatasetArrays, obsDim: number, actDim: number): number {
  const n = arrays.rewards.length;
  for (const field of DATASET_FIELDS) {
    const a = arrays[field];
    if (!(a instanceof Float32Array)) throw new Error(`dataset array ${field} must be a Float32Array, got ${Object.prototype.toString.call(a)}`);
    const want = n * widthOf(field, obsDim, actDim);
    if (a.length !== want) {
      throw new Error(`dataset array ${field} has ${a.length} numbers, expected ${want} (${n} transitions × ${widthOf(field, obsDim, actDim)})`);
    }
  }
  return n;
}

function writeFileAtomic(file: string, parts: Uint8Array[]): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const p of parts) for (let off = 0; off < p.byteLength; ) off += fs.writeSync(fd, p, off, Math.min(1 << 26, p.byteLength - off));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const err = e as Error;
    throw err.message.includes(file) ? err : new Error(`${file}: ${err.message}`);
  }
}

/**
 * Writes data.bin, then manifest.json (a dataset without its manifest is unfinished, never
 * read). An existing dataset in `dir` is refused unless `overwrite`. Returns the manifest.
 */
export function writeDataset(dir: string, arrays: DatasetArrays, meta: DatasetMeta, options: { overwrite?: boolean } = {}): DatasetManifest {
  checkByteOrder();
  const spec = envSpec(meta.env);
  const n = sizesOf(arrays, spec.obsDim, spec.actDim);
  if (n < 1) throw new Error(`a dataset needs at least one transition, got ${n}`);
  if (!(DATASET_KINDS as readonly string[]).includes(meta.kind)) throw new Error(`dataset kind "${meta.kind}": expected one of ${DATASET_KINDS.join(', ')}`);
  for (const field of ['terminals', 'timeouts'] as const) {
    const a = arrays[field];
    for (let i = 0; i < n; i++) if (a[i] !== 0 && a[i] !== 1) throw new Error(`dataset array ${field}[${i}] is ${a[i]}, expected 0 or 1`);
  }
  const manifestFile = path.join(dir, MANIFEST_FILE);
  if (fs.existsSync(manifestFile) && !options.overwrite) throw new Error(`${dir} already holds a dataset (${MANIFEST_FILE}); remove it or pass overwrite (--force)`);
  fs.mkdirSync(dir, { recursive: true });
  // The old manifest goes first: a crash below leaves an unfinished dataset, not a mismatched one.
  fs.rmSync(manifestFile, { force: true });

  const parts = DATASET_FIELDS.map((f) => new Uint8Array(arrays[f].buffer, arrays[f].byteOffset, arrays[f].byteLength));
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  const sha256 = hash.digest('hex');
  writeFileAtomic(path.join(dir, DATA_FILE), parts);

  let offset = 0;
  const layout = DATASET_FIELDS.map((name) => {
    const width = widthOf(name, spec.obsDim, spec.actDim);
    const entry = { name, shape: width === 1 ? [n] : [n, width], offset };
    offset += n * width * 4;
    return entry;
  });
  const { returns } = episodeReturns(arrays.rewards, arrays.terminals, arrays.timeouts);
  const count = (a: Float32Array) => a.reduce((k, v) => k + v, 0);
  const manifest: DatasetManifest = {
    format: DATASET_FORMAT,
    version: DATASET_VERSION,
    env: meta.env,
    kind: meta.kind,
    obsDim: spec.obsDim,
    actDim: spec.actDim,
    size: n,
    episodes: returns.length,
    terminals: count(arrays.terminals),
    timeouts: count(arrays.timeouts),
    maxEpisodeSteps: meta.maxEpisodeSteps,
    returns: returnStats(returns),
    data: { file: DATA_FILE, bytes: offset, sha256, dtype: 'float32', byteOrder: 'little-endian', arrays: layout },
    reference: meta.reference,
    provenance: meta.provenance,
  };
  writeFileAtomic(manifestFile, [Buffer.from(JSON.stringify(manifest, null, 1) + '\n')]);
  return manifest;
}

const isWhole = (v: unknown, min = 0) => Number.isSafeInteger(v) && (v as number) >= min;
const show = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v));

/** A dataset that cannot be used; the message names the file, the bad value and what was expected. */
export class DatasetError extends Error {}

/**
 * Reads and checks a dataset's manifest.json (not the data): format, version, task, sizes
 * against the task's, layout. `env`: the task the caller expects.
 */
export function readDatasetManifest(dir: string, options: { env?: string } = {}): DatasetManifest {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new DatasetError(`dataset directory ${dir} does not exist (expected e.g. datasets/Hopper-v3/medium, made by \`qvpo-kit dataset\`)`);
  }
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) {
    const why = fs.existsSync(path.join(dir, DATA_FILE)) ? 'the dataset was not finished (its data.bin has no manifest)' : 'not a dataset directory';
    throw new DatasetError(`${file} is missing: ${why}; make it with \`qvpo-kit dataset\``);
  }
  let m: Partial<DatasetManifest>;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DatasetManifest>;
  } catch (e) {
    throw new DatasetError(`${file}: not readable as JSON (${(e as Error).message}); make the dataset again`);
  }
  if (!m || typeof m !== 'object') throw new DatasetError(`${file}: expected a JSON object, got ${show(m)}`);
  if (m.format !== DATASET_FORMAT) throw new DatasetError(`${file}: format is ${show(m.format)}, expected "${DATASET_FORMAT}"`);
  if (m.version !== DATASET_VERSION) throw new DatasetError(`${file}: version is ${show(m.version)}, this qvpo-kit reads version ${DATASET_VERSION}`);
  const bad: string[] = [];
  let spec: ReturnType<typeof envSpec> | null = null;
  if (typeof m.env !== 'string') bad.push(`env is ${show(m.env)}, expected a task id such as "Hopper-v3"`);
  else {
    try {
      spec = envSpec(m.env);
    } catch (e) {
      bad.push(`env: ${(e as Error).message}`);
    }
  }
  if (!(DATASET_KINDS as readonly unknown[]).includes(m.kind)) bad.push(`kind is ${show(m.kind)}, expected one of ${DATASET_KINDS.join(', ')}`);
  if (spec) {
    if (m.obsDim !== spec.obsDim) bad.push(`obsDim is ${show(m.obsDim)}, ${spec.id} observations have ${spec.obsDim} numbers`);
    if (m.actDim !== spec.actDim) bad.push(`actDim is ${show(m.actDim)}, ${spec.id} actions have ${spec.actDim} numbers`);
  }
  if (!isWhole(m.size, 1)) bad.push(`size is ${show(m.size)}, expected a whole number of transitions ≥ 1`);
  const d = m.data;
  if (!d || typeof d !== 'object') bad.push('data (the layout of data.bin) is missing');
  else {
    if (d.file !== DATA_FILE) bad.push(`data.file is ${show(d.file)}, expected "${DATA_FILE}"`);
    if (typeof d.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(d.sha256)) bad.push(`data.sha256 is ${show(d.sha256)}, expected 64 hex digits`);
    if (d.dtype !== 'float32' || d.byteOrder !== 'little-endian') bad.push(`data is ${show(d.dtype)} ${show(d.byteOrder)}, expected "float32" "little-endian"`);
    if (spec && isWhole(m.size, 1) && typeof m.obsDim === 'number' && typeof m.actDim === 'number') {
      let offset = 0;
      const want = DATASET_FIELDS.map((name) => {
        const width = widthOf(name, spec!.obsDim, spec!.actDim);
        const e = { name, shape: width === 1 ? [m.size!] : [m.size!, width], offset };
        offset += m.size! * width * 4;
        return e;
      });
      if (JSON.stringify(d.arrays) !== JSON.stringify(want)) bad.push(`data.arrays is ${show(d.arrays)}, expected ${JSON.stringify(want)}`);
      if (d.bytes !== offset) bad.push(`data.bytes is ${show(d.bytes)}, expected ${offset}`);
    }
  }
  const r = m.reference;
  const refOk = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
  if (!r || !refOk(r.randomReturn) || !refOk(r.policyReturn)) bad.push(`reference is ${show(r)}, expected { randomReturn, policyReturn } (numbers or null)`);
  if (!m.provenance || typeof m.provenance !== 'object') bad.push('provenance is missing');
  if (bad.length) throw new DatasetError(`${file}: not a usable dataset manifest: ${bad.join('; ')}`);
  if (options.env !== undefined && m.env !== options.env) {
    throw new DatasetError(`${dir} is a dataset of ${m.env}, expected a dataset of ${options.env}`);
  }
  return m as DatasetManifest;
}

/**
 * Reads a dataset: its manifest (readDatasetManifest), then data.bin, checked against the
 * manifest's size and SHA-256; values must be finite, terminals and timeouts 0 or 1.
 */
export function readDataset(dir: string, options: { env?: string } = {}): Dataset {
  checkByteOrder();
  const manifest = readDatasetManifest(dir, options);
  const file = path.join(dir, DATA_FILE);
  if (!fs.existsSync(file)) throw new DatasetError(`${file} is missing (${MANIFEST_FILE} expects ${manifest.data.bytes} bytes); make the dataset again`);
  const size = fs.statSync(file).size;
  if (size !== manifest.data.bytes) {
    throw new DatasetError(
      `${file} is ${size} bytes, expected ${manifest.data.bytes} (${manifest.size} transitions of ${manifest.env}: ` +
        `obs ${manifest.obsDim} ×2, act ${manifest.actDim}, reward, terminal, timeout, as float32); the file was cut or replaced`,
    );
  }
  const bytes = new Uint8Array(size);
  const fd = fs.openSync(file, 'r');
  try {
    for (let pos = 0; pos < size; ) {
      const n = fs.readSync(fd, bytes, pos, Math.min(1 << 26, size - pos), pos);
      if (n <= 0) throw new DatasetError(`${file}: could read only ${pos} of ${size} bytes`);
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  const sha = sha256Of(bytes);
  if (sha !== manifest.data.sha256) {
    throw new DatasetError(
      `${file}: SHA-256 ${sha.slice(0, 16)}… does not match ${MANIFEST_FILE}'s ${manifest.data.sha256.slice(0, 16)}…: the file is damaged ` +
        'or was changed; make the dataset again (its manifest records the command)',
    );
  }
  const arrays = {} as DatasetArrays;
  for (const { name, shape, offset } of manifest.data.arrays) {
    const length = shape.reduce((a, b) => a * b, 1);
    arrays[name] = new Float32Array(bytes.buffer, offset, length);
    const a = arrays[name];
    const width = shape[1] ?? 1;
    const flags = name === 'terminals' || name === 'timeouts';
    for (let i = 0; i < length; i++) {
      const v = a[i];
      if (flags ? v !== 0 && v !== 1 : !Number.isFinite(v)) {
        const at = width === 1 ? `[${i}]` : `[${Math.floor(i / width)}, ${i % width}]`;
        throw new DatasetError(`${file}: ${name}${at} is ${v}, expected ${flags ? '0 or 1' : 'a finite number'}`);
      }
    }
  }
  return { dir, manifest, ...arrays };
}
