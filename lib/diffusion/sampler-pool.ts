/**
 * Sampling on several CPU cores: the reverse chains of many rows are split by state across
 * worker threads, each with its own TensorFlow.js backend and a copy of the noise net.
 * Sampling has no gradient and every row is independent, so a shard computes exactly what the
 * whole batch would for its rows; the chain's normal draws are made up front in this thread
 * (drawChainNoise) and sliced, so the samples do not depend on how many workers there are.
 *
 * The main thread computes the first shard itself and then blocks (Atomics.wait) until the
 * workers have written theirs into shared memory, so callers stay synchronous. The current
 * weights travel with every job (≈ 0.6 MB at paper settings, negligible beside the chain).
 * Worth it only for large batches (the Nd samples at paper settings); small ones stay local.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { BackendName } from '../backend';
import { SampleOptions, sampleActionsWithNoise } from './ddpm';
import { NoiseNet, NoiseNetOptions } from './noise-net';
import { DiffusionCoefficients } from './schedule';

/** What a worker needs to build the same noise net (its weights come with each job). */
export interface SamplerNetSpec {
  obsDim: number;
  actDim: number;
  T: number;
  net: NoiseNetOptions;
}

export interface SamplerJob {
  weights: Float32Array[];
  states: Float32Array;
  stateRows: number;
  k: number;
  noise: Float32Array[];
  options: SampleOptions;
  coef: DiffusionCoefficients;
  /** Shared output [rows, actDim] of the whole batch, and where this shard's rows start. */
  out: SharedArrayBuffer;
  rowOffset: number;
  /** Shared status words: 0 pending, 1 done, 2 failed (message in `error`). */
  status: SharedArrayBuffer;
  slot: number;
  error: SharedArrayBuffer;
}

/** QVPO_SAMPLER_WORKERS as a worker count (0 when unset). */
export function samplerWorkersFromEnv(): number {
  const raw = process.env.QVPO_SAMPLER_WORKERS;
  if (raw === undefined || raw.trim() === '') return 0;
  if (!/^\s*\+?\d+\s*$/.test(raw)) throw new Error(`QVPO_SAMPLER_WORKERS must be a whole number ≥ 0, got "${raw}"`);
  // More workers than cores only slows every run down; QVPO_FORCE_WORKERS=1 allows it anyway.
  const cores = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const max = process.env.QVPO_FORCE_WORKERS === '1' ? 1024 : cores;
  const n = Number(raw);
  if (n > max) {
    throw new Error(`QVPO_SAMPLER_WORKERS must be a whole number from 0 to ${max}, got "${raw}"` + (max === cores ? ` (this machine has ${cores} cores; QVPO_FORCE_WORKERS=1 allows up to 1024)` : ''));
  }
  return n;
}

const WORKER_ENTRY = path.join(__dirname, 'sampler-worker.js');
/** Longest wait for one shard before the pool gives up (a dead worker never answers). */
const SHARD_TIMEOUT_MS = 10 * 60 * 1000;

export class SamplerPool {
  /** Chains with fewer rows than this run in the calling thread alone. */
  minRows: number;

  private constructor(
    private readonly workers: Worker[],
    readonly spec: SamplerNetSpec,
    readonly backend: BackendName,
    minRows: number,
  ) {
    this.minRows = minRows;
  }

  /**
   * Starts `workers` threads on `backend` (wasm or cpu: a GPU backend gains nothing from
   * splitting). Resolves once every worker has its backend and net.
   */
  static async create(workers: number, spec: SamplerNetSpec, backend: BackendName, minRows = 1024): Promise<SamplerPool> {
    if (!Number.isInteger(workers) || workers < 1) throw new Error(`SamplerPool: workers must be an integer ≥ 1, got ${workers}`);
    if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`SamplerPool: sampling workers run on the wasm or cpu backend, not "${backend}"`);
    const started = Array.from({ length: workers }, () => new Worker(WORKER_ENTRY, { workerData: { spec, backend }, execArgv: [] }));
    try {
      await Promise.all(
        started.map(
          (w, i) =>
            new Promise<void>((resolve, reject) => {
              w.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`sampler worker ${i}: ${String(m)}`))));
              w.once('error', (e) => reject(new Error(`sampler worker ${i} failed to start: ${e.message}`)));
              w.once('exit', (code) => reject(new Error(`sampler worker ${i} exited (code ${code}) before it was ready`)));
            }),
        ),
      );
    } catch (e) {
      await Promise.all(started.map((w) => w.terminate()));
      throw e;
    }
    for (const w of started) w.removeAllListeners();
    return new SamplerPool(started, spec, backend, minRows);
  }

  get size(): number {
    return this.workers.length;
  }

  /** The same as sampleActionsWithNoise(net, …) on the whole batch, computed in shards. */
  sample(net: NoiseNet, coef: DiffusionCoefficients, states: tf.Tensor2D, k: number, noise: readonly Float32Array[], options: SampleOptions): tf.Tensor2D {
    const { obsDim, actDim } = this.spec;
    const b = states.shape[0];
    if (net.obsDim !== obsDim || net.actDim !== actDim || net.T !== this.spec.T) {
      throw new Error(`SamplerPool: net is ${net.obsDim}/${net.actDim}/T=${net.T}, the pool was built for ${obsDim}/${actDim}/T=${this.spec.T}`);
    }
    const shards = Math.min(this.workers.length + 1, b);
    if (b * k < this.minRows || shards < 2) return sampleActionsWithNoise(net, coef, states, k, noise, options);

    const bounds = Array.from({ length: shards + 1 }, (_, s) => Math.round((s * b) / shards));
    const stateData = states.dataSync() as Float32Array;
    const weights = net.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    const out = new SharedArrayBuffer(b * k * actDim * 4);
    const status = new SharedArrayBuffer(4 * shards);
    const error = new SharedArrayBuffer(1024);
    const words = new Int32Array(status);
    const rowsOf = (s: number) => [bounds[s] * k, bounds[s + 1] * k];
    const slice = (s: number) => noise.map((z) => z.slice(rowsOf(s)[0] * actDim, rowsOf(s)[1] * actDim));

    for (let s = 1; s < shards; s++) {
      const job: SamplerJob = {
        weights,
        states: stateData.slice(bounds[s] * obsDim, bounds[s + 1] * obsDim),
        stateRows: bounds[s + 1] - bounds[s],
        k,
        noise: slice(s),
        options,
        coef,
        out,
        rowOffset: rowsOf(s)[0],
        status,
        slot: s,
        error,
      };
      this.workers[s - 1].postMessage(job);
    }
    // shard 0 here, meanwhile
    const mine = tf.tidy(() => {
      const own = tf.slice(states, [0, 0], [bounds[1], obsDim]) as tf.Tensor2D;
      return sampleActionsWithNoise(net, coef, own, k, slice(0), options);
    });
    new Float32Array(out, 0, bounds[1] * k * actDim).set(mine.dataSync() as Float32Array);
    mine.dispose();

    for (let s = 1; s < shards; s++) {
      if (Atomics.wait(words, s, 0, SHARD_TIMEOUT_MS) === 'timed-out') {
        throw new Error(`SamplerPool: worker ${s - 1} did not answer within ${SHARD_TIMEOUT_MS / 1000} s`);
      }
      if (Atomics.load(words, s) === 2) {
        const text = new TextDecoder().decode(new Uint8Array(error).slice()).replace(/\0+$/, '');
        throw new Error(`SamplerPool: worker ${s - 1} failed: ${text}`);
      }
    }
    return tf.tensor2d(new Float32Array(out).slice(), [b * k, actDim]);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
