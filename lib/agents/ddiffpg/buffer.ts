/**
 * DDiffPG's replay (ddiffpg-spec.md §4, §7 step 1): finished trajectories with ids, success
 * flags and a target-action table per group, the envs' unfinished trajectories, and the
 * multimodal batch.
 *
 * - Every transition carries (s, a, r, s′, done) and, for each group g (0 = exploration, k ≥ 1 =
 *   mode k), a target action. A trajectory's targets start as the executed actions in every
 *   group (simple_replay.py:118-147); the agent refines the sampled rows' targets and writes
 *   them back, so improvements accumulate across draws.
 * - Groups: G0 = every stored trajectory plus the in-progress ones; G_k = the trajectory ids the
 *   last clustering put in mode k (its successes and the failures assigned to it). Trajectories
 *   finished since that clustering are in G0 only until the next one.
 * - The batch splits `batchSize` rows equally over the K + 1 groups, the remainder to G0; of
 *   G0's quota the share in-progress/(in-progress + stored) comes from the unfinished
 *   trajectories, whose rows start from the executed action and are never written back. Rows
 *   are drawn uniformly (with replacement) over the group's transitions.
 * - Re-clustering re-indexes the tables like the Q-functions (spec §3): a mode that inherits
 *   old mode j takes row j, a copy of j copies it, a mode new to every old one copies row 0 (its
 *   critic is a copy of the exploration critic, so its targets start from the exploration ones).
 */
import { Rng } from '../../util/rng';
import type { ModeSource } from './cluster';

export interface StoredTrajectory {
  id: number;
  success: boolean;
  /** A tag for reports only (the mazes: the goal reached, −1 for none). */
  label: number;
  length: number;
  obs: Float32Array;
  act: Float32Array;
  reward: Float32Array;
  nextObs: Float32Array;
  /** 1 where bootstrapping stops. */
  done: Float32Array;
  /** Per group (0 = exploration, k = mode k): the target actions, [length × actDim]. */
  targets: Float32Array[];
}

/** One group's rows of a batch. */
export interface GroupBatch {
  group: number;
  size: number;
  obs: Float32Array;
  act: Float32Array;
  reward: Float32Array;
  nextObs: Float32Array;
  done: Float32Array;
  /** The rows' current target actions in this group (the executed action for in-progress rows). */
  target: Float32Array;
  /** Where a row's refined target goes back: trajectory id and step; id −1 for an in-progress row. */
  trajIds: Int32Array;
  steps: Int32Array;
}

interface Unfinished {
  obs: number[];
  act: number[];
  reward: number[];
  nextObs: number[];
  done: number[];
}

export interface TrajectoryStoreState {
  kind: 'ddiffpg-trajectories';
  nextId: number;
  trajectories: StoredTrajectory[];
  modeMembers: number[][];
  inProgress: Unfinished[];
}

/** Cumulative transition counts over a list of trajectories, for uniform row draws. */
interface RowIndex {
  trajectories: StoredTrajectory[];
  /** ends[i] = transitions in trajectories[0..i]. */
  ends: Float64Array;
  total: number;
}

const emptyUnfinished = (): Unfinished => ({ obs: [], act: [], reward: [], nextObs: [], done: [] });

export class TrajectoryStore {
  private readonly trajectories = new Map<number, StoredTrajectory>();
  private modeMembers: number[][] = [];
  private inProgress: Unfinished[];
  private nextId = 0;
  private indexCache: (RowIndex | null)[] = [];

  constructor(
    readonly obsDim: number,
    readonly actDim: number,
    readonly numSlots: number,
  ) {
    for (const [name, v] of [['obsDim', obsDim], ['actDim', actDim], ['numSlots', numSlots]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`TrajectoryStore: ${name} must be a positive integer, got ${v}`);
    }
    this.inProgress = Array.from({ length: numSlots }, emptyUnfinished);
  }

  /** Modes K (the groups are K + 1). */
  get numModes(): number {
    return this.modeMembers.length;
  }

  get numTrajectories(): number {
    return this.trajectories.size;
  }

  /** Transitions in finished trajectories. */
  get storedTransitions(): number {
    return this.index(0).total;
  }

  get inProgressTransitions(): number {
    return this.inProgress.reduce((n, u) => n + u.reward.length, 0);
  }

  get(id: number): StoredTrajectory | undefined {
    return this.trajectories.get(id);
  }

  /** Ids of mode k's trajectories still stored (k ≥ 1), or of every stored one (k = 0). */
  members(group: number): number[] {
    return this.index(group).trajectories.map((t) => t.id);
  }

  /** Appends one transition to env slot `slot`'s unfinished trajectory (action in policy units). */
  push(slot: number, obs: ArrayLike<number>, act: ArrayLike<number>, reward: number, nextObs: ArrayLike<number>, done: boolean): void {
    const u = this.slot(slot);
    if (obs.length !== this.obsDim || nextObs.length !== this.obsDim || act.length !== this.actDim) {
      throw new Error(`TrajectoryStore.push: expected obs/nextObs of ${this.obsDim} and act of ${this.actDim} numbers, got ${obs.length}/${nextObs.length} and ${act.length}`);
    }
    for (let i = 0; i < this.obsDim; i++) {
      u.obs.push(obs[i]);
      u.nextObs.push(nextObs[i]);
    }
    for (let i = 0; i < this.actDim; i++) u.act.push(act[i]);
    u.reward.push(reward);
    u.done.push(done ? 1 : 0);
  }

  /** Moves slot `slot`'s unfinished trajectory into the store; returns it (with its new id). */
  finish(slot: number, success: boolean, label = -1): StoredTrajectory {
    const u = this.slot(slot);
    const length = u.reward.length;
    if (length === 0) throw new Error(`TrajectoryStore.finish: env slot ${slot} has no transitions`);
    const act = Float32Array.from(u.act);
    const t: StoredTrajectory = {
      id: this.nextId++,
      success,
      label,
      length,
      obs: Float32Array.from(u.obs),
      act,
      reward: Float32Array.from(u.reward),
      nextObs: Float32Array.from(u.nextObs),
      done: Float32Array.from(u.done),
      targets: Array.from({ length: this.numModes + 1 }, () => Float32Array.from(act)),
    };
    this.trajectories.set(t.id, t);
    this.inProgress[slot] = emptyUnfinished();
    this.invalidate();
    return t;
  }

  /** Drops these trajectories (the clustering's caps removed them). */
  remove(ids: Iterable<number>): void {
    for (const id of ids) this.trajectories.delete(id);
    this.invalidate();
  }

  /**
   * Installs a new clustering: mode k (1-based group k) holds `members[k − 1]`; every stored
   * trajectory's target table is re-indexed by `sources` (spec §3).
   */
  setModes(members: readonly (readonly number[])[], sources: readonly ModeSource[]): void {
    if (members.length !== sources.length) throw new Error(`TrajectoryStore.setModes: ${members.length} modes but ${sources.length} sources`);
    const oldModes = this.numModes;
    for (const s of sources) {
      if (s.kind !== 'explore' && !(s.from >= 0 && s.from < oldModes)) throw new Error(`TrajectoryStore.setModes: source mode ${s.from} does not exist (${oldModes} modes)`);
    }
    for (const t of this.trajectories.values()) {
      const old = t.targets;
      t.targets = [old[0], ...sources.map((s) => (s.kind === 'inherit' ? old[1 + s.from] : Float32Array.from(s.kind === 'copy' ? old[1 + s.from] : old[0])))];
    }
    this.modeMembers = members.map((m) => m.slice());
    this.invalidate();
  }

  /**
   * The multimodal batch (spec §7 step 1): `batchSize` rows over the K + 1 groups, group 0
   * first. Throws when a group has no rows to draw from.
   */
  sampleBatch(batchSize: number, rng: Rng): GroupBatch[] {
    const groups = this.numModes + 1;
    if (!(Number.isInteger(batchSize) && batchSize >= groups)) throw new Error(`TrajectoryStore.sampleBatch: batch ${batchSize} cannot give a row to each of ${groups} groups`);
    const share = Math.floor(batchSize / groups);
    const out: GroupBatch[] = [];
    for (let g = 0; g < groups; g++) out.push(this.sampleGroup(g, g === 0 ? share + (batchSize - share * groups) : share, rng));
    return out;
  }

  /** Writes refined target actions (rows of `batch`, [size × actDim]) back; in-progress rows are skipped. */
  writeBack(batch: GroupBatch, targets: ArrayLike<number>): void {
    const d = this.actDim;
    if (targets.length !== batch.size * d) throw new Error(`TrajectoryStore.writeBack: ${batch.size} rows need ${batch.size * d} numbers, got ${targets.length}`);
    for (let r = 0; r < batch.size; r++) {
      const id = batch.trajIds[r];
      if (id < 0) continue;
      // A trajectory dropped since the batch was drawn has nowhere to go.
      const table = this.trajectories.get(id)?.targets[batch.group];
      if (!table) continue;
      for (let j = 0; j < d; j++) table[batch.steps[r] * d + j] = targets[r * d + j];
    }
  }

  private sampleGroup(group: number, n: number, rng: Rng): GroupBatch {
    const { obsDim: o, actDim: d } = this;
    const idx = this.index(group);
    const inProgress = group === 0 ? this.inProgressTransitions : 0;
    if (idx.total + inProgress === 0) throw new Error(`TrajectoryStore.sampleBatch: group ${group} has no transitions`);
    const fromInProgress = idx.total === 0 ? n : Math.round((n * inProgress) / (inProgress + idx.total));
    const b: GroupBatch = {
      group,
      size: n,
      obs: new Float32Array(n * o),
      act: new Float32Array(n * d),
      reward: new Float32Array(n),
      nextObs: new Float32Array(n * o),
      done: new Float32Array(n),
      target: new Float32Array(n * d),
      trajIds: new Int32Array(n),
      steps: new Int32Array(n),
    };
    for (let r = 0; r < n; r++) {
      if (r < fromInProgress) {
        let k = rng.int(inProgress);
        let slot = 0;
        while (k >= this.inProgress[slot].reward.length) k -= this.inProgress[slot++].reward.length;
        const u = this.inProgress[slot];
        for (let j = 0; j < o; j++) {
          b.obs[r * o + j] = u.obs[k * o + j];
          b.nextObs[r * o + j] = u.nextObs[k * o + j];
        }
        for (let j = 0; j < d; j++) b.act[r * d + j] = b.target[r * d + j] = u.act[k * d + j];
        b.reward[r] = u.reward[k];
        b.done[r] = u.done[k];
        b.trajIds[r] = -1;
        b.steps[r] = k;
        continue;
      }
      const k = rng.int(idx.total);
      // First trajectory whose cumulative count exceeds k.
      let lo = 0;
      let hi = idx.trajectories.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (idx.ends[mid] > k) hi = mid;
        else lo = mid + 1;
      }
      const t = idx.trajectories[lo];
      const step = k - (lo === 0 ? 0 : idx.ends[lo - 1]);
      b.obs.set(t.obs.subarray(step * o, step * o + o), r * o);
      b.nextObs.set(t.nextObs.subarray(step * o, step * o + o), r * o);
      b.act.set(t.act.subarray(step * d, step * d + d), r * d);
      b.target.set(t.targets[group].subarray(step * d, step * d + d), r * d);
      b.reward[r] = t.reward[step];
      b.done[r] = t.done[step];
      b.trajIds[r] = t.id;
      b.steps[r] = step;
    }
    return b;
  }

  private index(group: number): RowIndex {
    if (!(Number.isInteger(group) && group >= 0 && group <= this.numModes)) throw new Error(`TrajectoryStore: no group ${group} (${this.numModes} modes)`);
    const hit = this.indexCache[group];
    if (hit) return hit;
    const list =
      group === 0
        ? [...this.trajectories.values()]
        : this.modeMembers[group - 1].map((id) => this.trajectories.get(id)).filter((t): t is StoredTrajectory => t !== undefined);
    const ends = new Float64Array(list.length);
    let total = 0;
    list.forEach((t, i) => {
      total += t.length;
      ends[i] = total;
    });
    const idx = { trajectories: list, ends, total };
    this.indexCache[group] = idx;
    return idx;
  }

  private invalidate(): void {
    this.indexCache = [];
  }

  private slot(slot: number): Unfinished {
    const u = this.inProgress[slot];
    if (u === undefined) throw new Error(`TrajectoryStore: no env slot ${slot} (${this.numSlots} slots)`);
    return u;
  }

  getState(): TrajectoryStoreState {
    return {
      kind: 'ddiffpg-trajectories',
      nextId: this.nextId,
      trajectories: [...this.trajectories.values()].map(copyTrajectory),
      modeMembers: this.modeMembers.map((m) => m.slice()),
      inProgress: this.inProgress.map(copyUnfinished),
    };
  }

  setState(state: TrajectoryStoreState): void {
    if (state?.kind !== 'ddiffpg-trajectories') throw new Error(`TrajectoryStore.setState: not a trajectory-store checkpoint (kind ${String(state?.kind)})`);
    if (state.inProgress.length !== this.numSlots) throw new Error(`TrajectoryStore.setState: checkpoint has ${state.inProgress.length} env slots, this store ${this.numSlots}`);
    this.trajectories.clear();
    for (const t of state.trajectories) {
      if (t.targets.length !== state.modeMembers.length + 1) throw new Error(`TrajectoryStore.setState: trajectory ${t.id} has ${t.targets.length} target tables for ${state.modeMembers.length + 1} groups`);
      this.trajectories.set(t.id, copyTrajectory(t));
    }
    this.nextId = state.nextId;
    this.modeMembers = state.modeMembers.map((m) => m.slice());
    this.inProgress = state.inProgress.map(copyUnfinished);
    this.invalidate();
  }
}

/** A deep copy (checkpoints must not share arrays with the live store; restored arrays become Float32Array). */
function copyTrajectory(t: StoredTrajectory): StoredTrajectory {
  return {
    ...t,
    obs: Float32Array.from(t.obs),
    act: Float32Array.from(t.act),
    reward: Float32Array.from(t.reward),
    nextObs: Float32Array.from(t.nextObs),
    done: Float32Array.from(t.done),
    targets: t.targets.map((x) => Float32Array.from(x)),
  };
}

function copyUnfinished(u: Unfinished): Unfinished {
  return { obs: u.obs.slice(), act: u.act.slice(), reward: u.reward.slice(), nextObs: u.nextObs.slice(), done: u.done.slice() };
}
