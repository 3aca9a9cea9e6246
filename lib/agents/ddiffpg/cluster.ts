/**
 * DDiffPG mode discovery (ddiffpg-spec.md §3, caps from §4 and §11): successful trajectories are
 * compared by dynamic time warping on their positions, grouped by average-linkage hierarchical
 * clustering cut at a distance threshold, and each new cluster is matched to the previous
 * clustering so its Q-function can be kept. Pure TypeScript on Float32Arrays, no tfjs.
 *
 * What the spec fixes, and this file follows:
 * - features: the first `trajDim` state dims (2 = x, y for mazes); one position per stored
 *   transition. (The official code takes the transitions' states s₀…s_{T−1}; building the
 *   position array is the caller's choice — see `trajectoryFromStates`.)
 * - distance: multi-dimensional DTW, the `dtaidistance.dtw_ndim` convention: the warping path
 *   minimises the sum of *squared* Euclidean point distances and the result is its square root,
 *   √(min_path Σ ‖aᵢ − bⱼ‖²). No window, no normalisation. The code's "− 12" shift is omitted:
 *   it changes no DTW distance.
 * - optional resampling (the manipulation tasks' `use_downsampling`): each trajectory is cut to
 *   ⌊running-average success length⌋ points at indices ⌊linspace(0, L−1, n)⌋. Off for AntMaze.
 *   The kit's point mazes instead resample every trajectory to a fixed number of points
 *   (`resampleLength`, the kit's choice: their successes range from 15 to 100 steps, see
 *   lib/agents/ddiffpg/tasks.ts), and place failures with the same resampled distance.
 * - pairwise distances cached by trajectory id (a cached distance is reused as is).
 * - average linkage; dendrogram cut at a fixed threshold (AntMaze: 50/70/70/50) or, without one,
 *   at 0.7 × the largest merge height; merges at heights ≤ threshold are joined (scipy's
 *   fcluster 'distance' criterion; average linkage has no inversions, so this is the same).
 * - < 2 successes: no linkage (1 success → one cluster of it, 0 → no modes).
 * - more than 10 clusters → all successes become one cluster.
 * - caps: with K clusters each keeps ≤ ⌊capacity/(2K)⌋ successful trajectories (capacity 2000
 *   in the paper), the excess removed uniformly at random; every unsuccessful trajectory joins
 *   the cluster whose (up to 3, randomly chosen) members are nearest on average, capped the same;
 *   with K = 0 all unsuccessful ones form one group capped at `capacity`.
 * - re-clustering runs once after warm-up and then every 100 iterations (the caller's loop;
 *   `DDIFFPG_CLUSTER_DEFAULTS.everyIterations`).
 * - Q inheritance (§3, Q_scheduler): each new cluster takes the old cluster with the largest
 *   id overlap; no overlap → a copy of Q_explore; an old Q already claimed → a deep copy.
 *
 * Declared choices where the spec is silent:
 * - ties in "largest overlap" go to the lowest old index, and new clusters claim in their order;
 * - flat clusters are numbered by their first member in input order (scipy numbers them by tree
 *   order); this only matters for which of two new clusters claims a shared old Q first;
 * - the linkage is computed with the nearest-neighbour-chain algorithm (O(n²) time and memory),
 *   which for average linkage gives the same dendrogram as the greedy one, as scipy does.
 */
import { Rng } from '../../util/rng';

/** A trajectory's positions, row-major [length × dim]. */
export interface Trajectory {
  /** Unique id, stable for the trajectory's life (the buffer's trajectory id). */
  id: number;
  positions: Float32Array;
  dim: number;
}

export const DDIFFPG_CLUSTER_DEFAULTS = {
  /** State dims used as the position (2 for mazes, 3 for manipulation). */
  trajDim: 2,
  /** Cut at this fraction of the largest merge height when no fixed threshold is given. */
  thresholdFraction: 0.7,
  /** More clusters than this → one cluster of all successes. */
  maxClusters: 10,
  /** Trajectory buffer capacity, in trajectories. */
  capacity: 2000,
  /** Cluster members sampled to place an unsuccessful trajectory. */
  unsuccessfulProbes: 3,
  /** Re-cluster every this many iterations (at each evaluation). */
  everyIterations: 100,
} as const;

export function trajectoryLength(t: Trajectory): number {
  return t.positions.length / t.dim;
}

/** Positions from `steps` stored states of width `obsDim`: the first `trajDim` dims of each. */
export function trajectoryFromStates(id: number, states: ArrayLike<number>, obsDim: number, steps: number, trajDim: number = DDIFFPG_CLUSTER_DEFAULTS.trajDim): Trajectory {
  if (!(trajDim >= 1 && trajDim <= obsDim)) throw new Error(`trajectoryFromStates: trajDim ${trajDim} must be in [1, obsDim = ${obsDim}]`);
  if (states.length < steps * obsDim) throw new Error(`trajectoryFromStates: ${steps} states of ${obsDim} need ${steps * obsDim} numbers, got ${states.length}`);
  const positions = new Float32Array(steps * trajDim);
  for (let t = 0; t < steps; t++) {
    for (let d = 0; d < trajDim; d++) positions[t * trajDim + d] = states[t * obsDim + d];
  }
  return { id, positions, dim: trajDim };
}

/** `targetLength` points at indices ⌊linspace(0, L−1, targetLength)⌋ (the code's downsample). */
export function resample(positions: Float32Array, dim: number, targetLength: number): Float32Array {
  const n = Math.floor(targetLength);
  const len = positions.length / dim;
  if (!(n >= 1)) throw new Error(`resample: target length must be >= 1, got ${targetLength}`);
  if (len === 0) throw new Error('resample: empty trajectory');
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const src = n === 1 ? 0 : Math.floor((i * (len - 1)) / (n - 1));
    for (let d = 0; d < dim; d++) out[i * dim + d] = positions[src * dim + d];
  }
  return out;
}

/**
 * DTW distance between two position sequences (row-major, `dim` numbers a point):
 * √(min over warping paths of Σ ‖aᵢ − bⱼ‖²), steps (1,0), (0,1), (1,1).
 */
export function dtwDistance(a: Float32Array, b: Float32Array, dim: number): number {
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`dtwDistance: dim must be a positive integer, got ${dim}`);
  if (a.length % dim !== 0 || b.length % dim !== 0) throw new Error(`dtwDistance: lengths ${a.length}, ${b.length} are not multiples of dim ${dim}`);
  const n = a.length / dim;
  const m = b.length / dim;
  if (n === 0 || m === 0) throw new Error('dtwDistance: empty sequence');
  // Two rows of the cumulative-cost table; index j+1 holds column j, index 0 is the border.
  let prev = new Float64Array(m + 1).fill(Infinity);
  let cur = new Float64Array(m + 1);
  prev[0] = 0; // the border: only cell (0, 0) may start a path
  for (let i = 0; i < n; i++) {
    cur[0] = Infinity;
    const ai = i * dim;
    for (let j = 0; j < m; j++) {
      let cost = 0;
      const bj = j * dim;
      for (let d = 0; d < dim; d++) {
        const diff = a[ai + d] - b[bj + d];
        cost += diff * diff;
      }
      const diag = prev[j];
      const up = prev[j + 1];
      const left = cur[j];
      cur[j + 1] = cost + (diag <= up ? (diag <= left ? diag : left) : up <= left ? up : left);
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return Math.sqrt(prev[m]);
}

/** Symmetric DTW distances cached by trajectory id pair. */
export class DtwCache {
  private readonly table = new Map<number, Map<number, number>>();
  computed = 0;

  /** `resampleTo` (≥ 1) resamples both before a distance is first computed. */
  distance(a: Trajectory, b: Trajectory, resampleTo?: number): number {
    if (a.id === b.id) return 0;
    if (a.dim !== b.dim) throw new Error(`DtwCache: trajectories ${a.id} and ${b.id} have dims ${a.dim} and ${b.dim}`);
    const hit = this.table.get(a.id)?.get(b.id);
    if (hit !== undefined) return hit;
    const pa = resampleTo === undefined ? a.positions : resample(a.positions, a.dim, resampleTo);
    const pb = resampleTo === undefined ? b.positions : resample(b.positions, b.dim, resampleTo);
    const d = dtwDistance(pa, pb, a.dim);
    this.computed++;
    this.row(a.id).set(b.id, d);
    this.row(b.id).set(a.id, d);
    return d;
  }

  /** Drops every cached distance involving these ids (trajectories removed from the buffer). */
  forget(ids: Iterable<number>): void {
    for (const id of ids) {
      const row = this.table.get(id);
      if (row === undefined) continue;
      for (const other of row.keys()) this.table.get(other)?.delete(id);
      this.table.delete(id);
    }
  }

  /** Number of cached pairs. */
  get size(): number {
    let n = 0;
    for (const row of this.table.values()) n += row.size;
    return n / 2;
  }

  private row(id: number): Map<number, number> {
    let r = this.table.get(id);
    if (r === undefined) {
      r = new Map();
      this.table.set(id, r);
    }
    return r;
  }
}

/** Condensed (upper-triangle, row-major) matrix of pairwise distances: entry (i, j), i < j. */
export function condensedDistances(n: number, distance: (i: number, j: number) => number): Float64Array {
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[k++] = distance(i, j);
  return out;
}

/**
 * One merge in scipy's linkage-matrix form: clusters `a` < `b` (ids < n are observations, id
 * n + k is the cluster made by merge k) joined at `height`, giving `size` observations.
 */
export interface LinkageRow {
  a: number;
  b: number;
  height: number;
  size: number;
}

/** Average-linkage (UPGMA) hierarchical clustering of n observations; merges sorted by height. */
export function averageLinkage(condensed: Float64Array, n: number): LinkageRow[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`averageLinkage: n must be a positive integer, got ${n}`);
  if (condensed.length !== (n * (n - 1)) / 2) throw new Error(`averageLinkage: ${n} observations need ${(n * (n - 1)) / 2} distances, got ${condensed.length}`);
  const d = new Float64Array(n * n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = condensed[k++];
      if (!(v >= 0)) throw new Error(`averageLinkage: distance (${i}, ${j}) must be a number >= 0, got ${v}`);
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  // Nearest-neighbour chain. Each active slot is one cluster, stored at the index of one of its
  // members, so a merge can be recorded as a pair of observations.
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const raw: { x: number; y: number; height: number }[] = [];
  const chain: number[] = [];
  for (let remaining = n; remaining > 1; remaining--) {
    if (chain.length === 0) chain.push(active.indexOf(1));
    let x: number;
    let y: number;
    for (;;) {
      x = chain[chain.length - 1];
      const prev = chain.length >= 2 ? chain[chain.length - 2] : -1;
      // Ties go to the previous chain element, which is what guarantees termination.
      let best = prev >= 0 ? d[x * n + prev] : Infinity;
      y = prev;
      for (let j = 0; j < n; j++) {
        if (j === x || !active[j]) continue;
        const v = d[x * n + j];
        if (v < best) {
          best = v;
          y = j;
        }
      }
      if (y === prev) break;
      chain.push(y);
    }
    chain.length -= 2;
    const height = d[x * n + y];
    raw.push({ x, y, height });
    // Lance–Williams update for average linkage; the merged cluster keeps slot `keep`.
    const keep = Math.min(x, y);
    const gone = Math.max(x, y);
    const sx = size[x];
    const sy = size[y];
    for (let j = 0; j < n; j++) {
      if (!active[j] || j === x || j === y) continue;
      const v = (sx * d[x * n + j] + sy * d[y * n + j]) / (sx + sy);
      d[keep * n + j] = v;
      d[j * n + keep] = v;
    }
    size[keep] = sx + sy;
    active[gone] = 0;
  }
  // Sort (stably) by height and name clusters as scipy does, through a union-find of observations.
  const order = raw.map((_, i) => i).sort((p, q) => raw[p].height - raw[q].height || p - q);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const clusterId = Int32Array.from({ length: n }, (_, i) => i);
  const members = new Float64Array(n).fill(1);
  const rows: LinkageRow[] = [];
  order.forEach((idx, step) => {
    const { x, y, height } = raw[idx];
    const rx = find(x);
    const ry = find(y);
    const ca = clusterId[rx];
    const cb = clusterId[ry];
    const count = members[rx] + members[ry];
    parent[ry] = rx;
    clusterId[rx] = n + step;
    members[rx] = count;
    rows.push({ a: Math.min(ca, cb), b: Math.max(ca, cb), height, size: count });
  });
  return rows;
}

/** The cut height: the fixed threshold if given, else `fraction` × the largest merge height. */
export function clusterThreshold(linkage: readonly LinkageRow[], fixed: number | null = null, fraction: number = DDIFFPG_CLUSTER_DEFAULTS.thresholdFraction): number {
  if (fixed !== null) return fixed;
  let max = 0;
  for (const r of linkage) max = Math.max(max, r.height);
  return fraction * max;
}

/**
 * Flat clusters from a linkage cut at `threshold` (merges with height ≤ threshold are joined).
 * Labels 0..K−1, numbered by each cluster's first observation.
 */
export function cutLinkage(linkage: readonly LinkageRow[], n: number, threshold: number): Int32Array {
  const parent = Int32Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  linkage.forEach((r, k) => {
    if (r.height <= threshold) {
      parent[find(r.a)] = n + k;
      parent[find(r.b)] = n + k;
    }
  });
  const labels = new Int32Array(n);
  const names = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    let label = names.get(root);
    if (label === undefined) {
      label = names.size;
      names.set(root, label);
    }
    labels[i] = label;
  }
  return labels;
}

export interface ClusterOptions {
  /** Fixed cut height (AntMaze: 50, 70, 70, 50); null → `thresholdFraction` × largest merge. */
  threshold?: number | null;
  thresholdFraction?: number;
  maxClusters?: number;
  /** Resample every trajectory to this many points before DTW (manipulation tasks); off if undefined. */
  resampleTo?: number;
  cache?: DtwCache;
}

export interface ClusterResult {
  /** Trajectory ids per cluster. */
  clusters: number[][];
  /** Cluster label per input trajectory (after the too-many-clusters fallback). */
  labels: Int32Array;
  /** The dendrogram (empty with < 2 trajectories). */
  linkage: LinkageRow[];
  /** The cut height used; null without a linkage. */
  threshold: number | null;
  /** True if more than maxClusters came out and all were merged into one. */
  mergedTooMany: boolean;
}

/** Clusters successful trajectories into modes (spec §3). */
export function clusterTrajectories(successes: readonly Trajectory[], options: ClusterOptions = {}): ClusterResult {
  const n = successes.length;
  const maxClusters = options.maxClusters ?? DDIFFPG_CLUSTER_DEFAULTS.maxClusters;
  if (n === 0) return { clusters: [], labels: new Int32Array(0), linkage: [], threshold: null, mergedTooMany: false };
  if (n === 1) return { clusters: [[successes[0].id]], labels: new Int32Array(1), linkage: [], threshold: null, mergedTooMany: false };
  const cache = options.cache ?? new DtwCache();
  const condensed = condensedDistances(n, (i, j) => cache.distance(successes[i], successes[j], options.resampleTo));
  const linkage = averageLinkage(condensed, n);
  const threshold = clusterThreshold(linkage, options.threshold ?? null, options.thresholdFraction);
  let labels = cutLinkage(linkage, n, threshold);
  let k = 0;
  for (const l of labels) k = Math.max(k, l + 1);
  const mergedTooMany = k > maxClusters;
  if (mergedTooMany) {
    labels = new Int32Array(n);
    k = 1;
  }
  const clusters: number[][] = Array.from({ length: k }, () => []);
  successes.forEach((t, i) => clusters[labels[i]].push(t.id));
  return { clusters, labels, linkage, threshold, mergedTooMany };
}

/** Most trajectories a group keeps: ⌊capacity/(2K)⌋ with K clusters, `capacity` with none. */
export function perClusterCap(capacity: number, numClusters: number): number {
  return numClusters > 0 ? Math.floor(capacity / (2 * numClusters)) : capacity;
}

/** Removes uniformly random members of every group above `cap`; keeps the others' order. */
export function capGroups(groups: readonly (readonly number[])[], cap: number, rng: Rng): { kept: number[][]; removed: number[] } {
  const removed: number[] = [];
  const kept = groups.map((g) => {
    if (g.length <= cap) return g.slice();
    // Partial Fisher–Yates: the first (length − cap) slots of the shuffled copy are removed.
    const pool = g.slice();
    const drop = g.length - cap;
    for (let i = 0; i < drop; i++) {
      const j = i + rng.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const gone = new Set(pool.slice(0, drop));
    removed.push(...pool.slice(0, drop));
    return g.filter((id) => !gone.has(id));
  });
  return { kept, removed };
}

/** Up to `count` distinct members of `ids`, uniformly at random. */
function sampleMembers(ids: readonly number[], count: number, rng: Rng): number[] {
  if (ids.length <= count) return ids.slice();
  const pool = ids.slice();
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/**
 * Places every unsuccessful trajectory in the cluster whose `probes` randomly chosen members are
 * nearest on average (first cluster on ties). Returns ids per cluster; [] when there are none.
 */
export function assignUnsuccessful(
  unsuccessful: readonly Trajectory[],
  clusters: readonly (readonly number[])[],
  byId: (id: number) => Trajectory,
  distance: (a: Trajectory, b: Trajectory) => number,
  rng: Rng,
  probes: number = DDIFFPG_CLUSTER_DEFAULTS.unsuccessfulProbes,
): number[][] {
  const out: number[][] = clusters.map(() => []);
  if (clusters.length === 0) return out;
  for (const u of unsuccessful) {
    let best = Infinity;
    let bestK = 0;
    clusters.forEach((members, k) => {
      if (members.length === 0) return;
      const sample = sampleMembers(members, probes, rng);
      let total = 0;
      for (const id of sample) total += distance(byId(id), u);
      const mean = total / sample.length;
      if (mean < best) {
        best = mean;
        bestK = k;
      }
    });
    out[bestK].push(u.id);
  }
  return out;
}

/** Where a new mode's Q-function (and embedding, and target-action table row) comes from. */
export type ModeSource =
  /** Takes over old mode `from`'s Q, target net and optimizer. */
  | { kind: 'inherit'; from: number; overlap: number }
  /** Old mode `from` was already claimed: a deep copy of it. */
  | { kind: 'copy'; from: number; overlap: number }
  /** No overlap with any old mode: a copy of Q_explore (own target net, fresh optimizer). */
  | { kind: 'explore' };

/**
 * Maps new clusters to old modes by trajectory-id overlap (spec §3, Q_scheduler): largest
 * overlap wins (lowest old index on ties); the first new cluster to pick an old mode inherits it,
 * later ones get a copy; no overlap → explore.
 */
export function inheritModes(oldClusters: readonly (readonly number[])[], newClusters: readonly (readonly number[])[]): ModeSource[] {
  const oldSets = oldClusters.map((c) => new Set(c));
  const claimed = new Set<number>();
  return newClusters.map((members) => {
    let bestOverlap = 0;
    let from = -1;
    oldSets.forEach((set, k) => {
      let overlap = 0;
      for (const id of members) if (set.has(id)) overlap++;
      if (overlap > bestOverlap) {
        bestOverlap = overlap;
        from = k;
      }
    });
    if (from < 0) return { kind: 'explore' };
    if (claimed.has(from)) return { kind: 'copy', from, overlap: bestOverlap };
    claimed.add(from);
    return { kind: 'inherit', from, overlap: bestOverlap };
  });
}

export interface ModeArchiveOptions extends Omit<ClusterOptions, 'cache' | 'resampleTo'> {
  /** Trajectory buffer capacity in trajectories (2000 in the paper; ~200 at the kit's scale). */
  capacity?: number;
  unsuccessfulProbes?: number;
  /** Resample to the running-average success length before DTW (manipulation tasks). */
  resample?: boolean;
  /**
   * Resample every trajectory to this fixed number of points before DTW (the kit's mazes; takes
   * precedence over `resample`). Failures are placed with the same resampled distance.
   */
  resampleLength?: number;
}

export interface ReclusterResult {
  /** Successful trajectory ids per mode, after the caps. */
  clusters: number[][];
  /** Unsuccessful ids per mode (one group of all, when there are no modes), after the caps. */
  unsuccessful: number[][];
  /** Where each new mode's Q comes from, relative to the previous clustering. */
  sources: ModeSource[];
  /** Trajectory ids dropped by the caps: remove their transitions from the buffer. */
  removed: number[];
  threshold: number | null;
  mergedTooMany: boolean;
  /** Linkage of the successes before the caps (for dendrogram plots). */
  linkage: LinkageRow[];
}

/** A ModeArchive as plain data (ModeArchive.getState). */
export interface ModeArchiveState {
  kind: 'ddiffpg-mode-archive';
  successes: Trajectory[];
  failures: Trajectory[];
  recentLengths: number[];
  current: number[][];
  currentUnsuccessful: number[][];
}

/**
 * The finished trajectories' positions, split into successes and failures, with the DTW cache
 * and the current clustering: `add` after every episode, `recluster` once after warm-up and then
 * every 100 iterations. It holds positions only; transitions live in the agent's buffer, which
 * must drop the ids `recluster` reports removed.
 */
export class ModeArchive {
  readonly capacity: number;
  readonly cache = new DtwCache();
  private readonly options: ModeArchiveOptions;
  private readonly successes = new Map<number, Trajectory>();
  private readonly failures = new Map<number, Trajectory>();
  /** Lengths of the last `capacity` successes, for the running average (resampling). */
  private readonly recentLengths: number[] = [];
  private current: number[][] = [];
  private currentUnsuccessful: number[][] = [];

  constructor(options: ModeArchiveOptions = {}) {
    this.capacity = options.capacity ?? DDIFFPG_CLUSTER_DEFAULTS.capacity;
    if (!(Number.isInteger(this.capacity) && this.capacity >= 2)) throw new Error(`ModeArchive: capacity must be an integer >= 2, got ${this.capacity}`);
    if (options.resampleLength !== undefined && !(Number.isInteger(options.resampleLength) && options.resampleLength >= 1)) {
      throw new Error(`ModeArchive: resampleLength must be a positive integer, got ${options.resampleLength}`);
    }
    this.options = { ...options };
  }

  add(trajectory: Trajectory, success: boolean): void {
    if (this.successes.has(trajectory.id) || this.failures.has(trajectory.id)) throw new Error(`ModeArchive: trajectory id ${trajectory.id} added twice`);
    if (trajectoryLength(trajectory) === 0) throw new Error(`ModeArchive: trajectory ${trajectory.id} is empty`);
    if (success) {
      this.successes.set(trajectory.id, trajectory);
      this.recentLengths.push(trajectoryLength(trajectory));
      if (this.recentLengths.length > this.capacity) this.recentLengths.shift();
    } else {
      this.failures.set(trajectory.id, trajectory);
    }
  }

  get numSuccesses(): number {
    return this.successes.size;
  }

  get numFailures(): number {
    return this.failures.size;
  }

  /** Successful ids per mode, as of the last recluster. */
  get clusters(): readonly (readonly number[])[] {
    return this.current;
  }

  get unsuccessfulGroups(): readonly (readonly number[])[] {
    return this.currentUnsuccessful;
  }

  get(id: number): Trajectory | undefined {
    return this.successes.get(id) ?? this.failures.get(id);
  }

  /**
   * Everything but the DTW cache, in insertion order (which fixes the clusters' numbering): a
   * restored archive reclusters exactly as this one would. The cache is left out because it
   * only saves work: a restored archive recomputes the same distances when it needs them.
   */
  getState(): ModeArchiveState {
    const save = (t: Trajectory) => ({ id: t.id, dim: t.dim, positions: Float32Array.from(t.positions) });
    return {
      kind: 'ddiffpg-mode-archive',
      successes: [...this.successes.values()].map(save),
      failures: [...this.failures.values()].map(save),
      recentLengths: this.recentLengths.slice(),
      current: this.current.map((c) => c.slice()),
      currentUnsuccessful: this.currentUnsuccessful.map((c) => c.slice()),
    };
  }

  setState(state: ModeArchiveState): void {
    if (state?.kind !== 'ddiffpg-mode-archive') throw new Error(`ModeArchive.setState: not a mode-archive checkpoint (kind ${String(state?.kind)})`);
    const load = (t: Trajectory) => ({ id: t.id, dim: t.dim, positions: Float32Array.from(t.positions) });
    this.successes.clear();
    this.failures.clear();
    for (const t of state.successes) this.successes.set(t.id, load(t));
    for (const t of state.failures) this.failures.set(t.id, load(t));
    this.recentLengths.length = 0;
    this.recentLengths.push(...state.recentLengths);
    this.current = state.current.map((c) => c.slice());
    this.currentUnsuccessful = state.currentUnsuccessful.map((c) => c.slice());
  }

  recluster(rng: Rng): ReclusterResult {
    const successes = [...this.successes.values()];
    const resampleTo =
      this.options.resampleLength ??
      (this.options.resample && this.recentLengths.length > 0 ? Math.max(1, Math.floor(this.recentLengths.reduce((s, l) => s + l, 0) / this.recentLengths.length)) : undefined);
    const result = clusterTrajectories(successes, { ...this.options, cache: this.cache, resampleTo });
    const sources = inheritModes(this.current, result.clusters);
    const k = result.clusters.length;
    const cap = perClusterCap(this.capacity, k);
    const capped = capGroups(result.clusters, cap, rng);
    for (const id of capped.removed) this.successes.delete(id);
    const byId = (id: number) => this.successes.get(id) as Trajectory;
    const failures = [...this.failures.values()];
    // With a fixed resample length failures are compared the same way; the running-average
    // length (manipulation tasks) keeps the original behaviour of comparing them unresampled.
    const failureResample = this.options.resampleLength;
    const groups = k > 0 ? assignUnsuccessful(failures, capped.kept, byId, (a, b) => this.cache.distance(a, b, failureResample), rng, this.options.unsuccessfulProbes) : [failures.map((t) => t.id)];
    const cappedFailures = capGroups(groups, cap, rng);
    for (const id of cappedFailures.removed) this.failures.delete(id);
    const removed = [...capped.removed, ...cappedFailures.removed];
    this.cache.forget(removed);
    this.current = capped.kept;
    this.currentUnsuccessful = cappedFailures.kept;
    return {
      clusters: capped.kept.map((c) => c.slice()),
      unsuccessful: cappedFailures.kept.map((c) => c.slice()),
      sources,
      removed,
      threshold: result.threshold,
      mergedTooMany: result.mergedTooMany,
      linkage: result.linkage,
    };
  }
}
