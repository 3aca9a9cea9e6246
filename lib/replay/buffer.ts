/**
 * FIFO replay buffer with uniform sampling with replacement (spec §5). Transitions are
 * stored as float32 rows; `done` says whether to cut bootstrapping at this transition
 * (which ends count as done is the runner's choice: the official code also cuts at time
 * limits). The discount is applied by the learner: mask = γ·(1 − done).
 */
import { Rng } from '../util/rng';

export interface Batch {
  size: number;
  obs: Float32Array;
  act: Float32Array;
  reward: Float32Array;
  nextObs: Float32Array;
  done: Float32Array;
  /** Only in buffers made with `improvedActions` (DIPO's action memory). */
  improved?: Float32Array;
}

export interface ReplayOptions {
  /**
   * Keep a second copy of every action that an agent may overwrite (DIPO improves stored
   * actions by gradient steps on Q); it starts as the action taken and is reset when the ring
   * overwrites the row. The critic always sees the action taken.
   */
  improvedActions?: boolean;
}

export interface ReplayState {
  capacity: number;
  obsDim: number;
  actDim: number;
  size: number;
  next: number;
  obs: Float32Array;
  act: Float32Array;
  reward: Float32Array;
  nextObs: Float32Array;
  done: Float32Array;
  /** Only in buffers made with `improvedActions` (DIPO's action memory). */
  improved?: Float32Array;
}

export interface ReplayOptions {
  /**
   * Keep a second copy of every action that an agent may overwrite (DIPO improves stored
   * actions by gradient steps on Q); it starts as the action taken and is reset when the ring
   * overwrites the row. The critic always sees the action taken.
   */
  improvedActions?: boolean;
}

export class ReplayBuffer {
  private obs: Float32Array;
  private act: Float32Array;
  private reward: Float32Array;
  private nextObs: Float32Array;
  private done: Float32Array;
  private improved: Float32Array | null;
  private count = 0;
  private next = 0;

  constructor(
    readonly capacity: number,
    readonly obsDim: number,
    readonly actDim: number,
    options: ReplayOptions = {},
  ) {
    for (const [name, v] of [['capacity', capacity], ['obsDim', obsDim], ['actDim', actDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`ReplayBuffer ${name} must be a positive integer, got ${v}`);
    }
    // Storage grows by doubling up to capacity, so a 1M-transition buffer costs memory only
    // as it fills (Humanoid at full size is ~3 GB).
    const initial = Math.min(capacity, 4096);
    this.obs = new Float32Array(initial * obsDim);
    this.act = new Float32Array(initial * actDim);
    this.reward = new Float32Array(initial);
    this.nextObs = new Float32Array(initial * obsDim);
    this.done = new Float32Array(initial);
    this.improved = options.improvedActions ? new Float32Array(initial * actDim) : null;
  }

  private get allocated(): number {
    return this.reward.length;
  }

  private grow(rows: number): void {
    const resize = (a: Float32Array, width: number) => {
      const b = new Float32Array(rows * width);
      b.set(a);
      return b;
    };
    this.obs = resize(this.obs, this.obsDim);
    this.act = resize(this.act, this.actDim);
    this.reward = resize(this.reward, 1);
    this.nextObs = resize(this.nextObs, this.obsDim);
    this.done = resize(this.done, 1);
    if (this.improved) this.improved = resize(this.improved, this.actDim);
  }

  get size(): number {
    return this.count;
  }

  add(obs: ArrayLike<number>, act: ArrayLike<number>, reward: number, nextObs: ArrayLike<number>, done: boolean): void {
    if (obs.length !== this.obsDim || nextObs.length !== this.obsDim || act.length !== this.actDim) {
      throw new Error(
        `ReplayBuffer.add: expected obs/nextObs of ${this.obsDim} and act of ${this.actDim} numbers, ` +
          `got ${obs.length}/${nextObs.length} and ${act.length}`,
      );
    }
    const i = this.next;
    if (i >= this.allocated) this.grow(Math.min(this.capacity, this.allocated * 2));
    this.obs.set(obs, i * this.obsDim);
    this.act.set(act, i * this.actDim);
    this.reward[i] = reward;
    this.nextObs.set(nextObs, i * this.obsDim);
    this.done[i] = done ? 1 : 0;
    if (this.improved) this.improved.set(act, i * this.actDim);
    this.next = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Indices drawn uniformly with replacement from the stored transitions. */
  sampleIndices(n: number, rng: Rng): Int32Array {
    if (this.count === 0) throw new Error('ReplayBuffer.sample: the buffer is empty');
    const idx = new Int32Array(n);
    for (let k = 0; k < n; k++) idx[k] = rng.int(this.count);
    return idx;
  }

  gather(idx: Int32Array): Batch {
    const n = idx.length;
    const { obsDim, actDim } = this;
    const b: Batch = {
      size: n,
      obs: new Float32Array(n * obsDim),
      act: new Float32Array(n * actDim),
      reward: new Float32Array(n),
      nextObs: new Float32Array(n * obsDim),
      done: new Float32Array(n),
    };
    for (let k = 0; k < n; k++) {
      const i = idx[k];
      b.obs.set(this.obs.subarray(i * obsDim, (i + 1) * obsDim), k * obsDim);
      b.act.set(this.act.subarray(i * actDim, (i + 1) * actDim), k * actDim);
      b.nextObs.set(this.nextObs.subarray(i * obsDim, (i + 1) * obsDim), k * obsDim);
      b.reward[k] = this.reward[i];
      b.done[k] = this.done[i];
    }
    return b;
  }

  private improvedStore(what: string): Float32Array {
    if (!this.improved) throw new Error(`ReplayBuffer.${what}: this buffer keeps no improved actions (construct it with { improvedActions: true })`);
    return this.improved;
  }

  /** The improved actions of rows `idx`, [idx.length × actDim]. */
  gatherImproved(idx: Int32Array): Float32Array {
    const store = this.improvedStore('gatherImproved');
    const d = this.actDim;
    const out = new Float32Array(idx.length * d);
    idx.forEach((i, k) => out.set(store.subarray(i * d, (i + 1) * d), k * d));
    return out;
  }

  /** Overwrites the improved actions of rows `idx` (a row drawn twice keeps the last write). */
  setImproved(idx: Int32Array, actions: ArrayLike<number>): void {
    const store = this.improvedStore('setImproved');
    const d = this.actDim;
    if (actions.length !== idx.length * d) throw new Error(`ReplayBuffer.setImproved: ${actions.length} numbers for ${idx.length} rows of ${d}`);
    idx.forEach((i, k) => {
      for (let j = 0; j < d; j++) store[i * d + j] = actions[k * d + j];
    });
  }

  sample(n: number, rng: Rng): Batch {
    return this.gather(this.sampleIndices(n, rng));
  }

  /** The stored part only (not the whole capacity), for checkpoints. */
  getState(): ReplayState {
    const n = this.count;
    return {
      capacity: this.capacity,
      obsDim: this.obsDim,
      actDim: this.actDim,
      size: n,
      next: this.next,
      obs: this.obs.slice(0, n * this.obsDim),
      act: this.act.slice(0, n * this.actDim),
      reward: this.reward.slice(0, n),
      nextObs: this.nextObs.slice(0, n * this.obsDim),
      done: this.done.slice(0, n),
      ...(this.improved ? { improved: this.improved.slice(0, n * this.actDim) } : {}),
    };
  }

  setState(s: ReplayState): void {
    if (s.capacity !== this.capacity || s.obsDim !== this.obsDim || s.actDim !== this.actDim) {
      throw new Error(
        `ReplayBuffer.setState: checkpoint is for capacity ${s.capacity}, dims ${s.obsDim}/${s.actDim}; ` +
          `this buffer is ${this.capacity}, ${this.obsDim}/${this.actDim}`,
      );
    }
    if (s.size > this.allocated) this.grow(Math.max(s.size, Math.min(this.capacity, this.allocated * 2)));
    this.obs.set(s.obs);
    this.act.set(s.act);
    this.reward.set(s.reward);
    this.nextObs.set(s.nextObs);
    this.done.set(s.done);
    if (this.improved) {
      if (!s.improved) throw new Error('ReplayBuffer.setState: the checkpoint has no improved actions, this buffer needs them');
      this.improved.set(s.improved);
    }
    this.count = s.size;
    this.next = s.next;
  }
}
