/**
 * DDiffPG mode discovery (lib/agents/ddiffpg/cluster.ts): DTW against hand-computed tables and a
 * full-matrix reference, average linkage against hand cases and a naive greedy reference, the
 * threshold cut, recovery of left/right routes from noisy paths, the caps, the placement of
 * unsuccessful trajectories, and the Q-inheritance mapping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DtwCache,
  ModeArchive,
  Trajectory,
  assignUnsuccessful,
  averageLinkage,
  capGroups,
  clusterThreshold,
  clusterTrajectories,
  condensedDistances,
  cutLinkage,
  dtwDistance,
  inheritModes,
  perClusterCap,
  resample,
  trajectoryFromStates,
} from '../../lib/agents/ddiffpg/cluster';
import { Rng } from '../../lib/util/rng';

const f32 = (xs: number[]) => Float32Array.from(xs);
const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `got ${a}, expected ${b}`);

/** DTW through the full (n+1)×(m+1) table, the textbook way: the reference for the two-row version. */
function referenceDtw(a: number[][], b: number[][]): number {
  const n = a.length;
  const m = b.length;
  const D = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(Infinity));
  D[0][0] = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      let c = 0;
      for (let d = 0; d < a[i - 1].length; d++) c += (a[i - 1][d] - b[j - 1][d]) ** 2;
      D[i][j] = c + Math.min(D[i - 1][j - 1], D[i - 1][j], D[i][j - 1]);
    }
  }
  return Math.sqrt(D[n][m]);
}

test('DTW: hand-computed small cases (√ of the cheapest warping path of squared point distances)', () => {
  // a = (0,0),(1,0),(2,0); b = (0,0),(2,0). Squared costs [[0,4],[1,1],[4,0]];
  // cumulative [[0,4],[1,1],[5,1]] → √1.
  assert.equal(dtwDistance(f32([0, 0, 1, 0, 2, 0]), f32([0, 0, 2, 0]), 2), 1);
  // 1-D a = 0,1,2; b = 0,2,4. Costs [[0,4,16],[1,1,9],[4,0,4]]; cumulative [[0,4,20],[1,1,10],[5,1,5]] → √5.
  near(dtwDistance(f32([0, 1, 2]), f32([0, 2, 4]), 1), Math.sqrt(5));
  // 2-D a = (0,0),(0,1),(1,1); b = (0,0),(1,1),(1,2). Costs [[0,2,5],[1,1,2],[2,0,1]];
  // cumulative [[0,2,7],[1,1,3],[3,1,2]] → √2.
  near(dtwDistance(f32([0, 0, 0, 1, 1, 1]), f32([0, 0, 1, 1, 1, 2]), 2), Math.SQRT2);
  // One point each: the Euclidean distance.
  near(dtwDistance(f32([1, 2]), f32([4, 6]), 2), 5);
  // A repeated point costs nothing extra: (0,0),(0,0),(1,1) vs (0,0),(1,1).
  assert.equal(dtwDistance(f32([0, 0, 0, 0, 1, 1]), f32([0, 0, 1, 1]), 2), 0);
});

test('DTW: zero on identical sequences, symmetric, equal to the full-table reference, below lock-step Euclidean', () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 40; trial++) {
    const dim = 1 + rng.int(3);
    const n = 1 + rng.int(12);
    const m = 1 + rng.int(12);
    const a = Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.normal()));
    const b = Array.from({ length: m }, () => Array.from({ length: dim }, () => rng.normal()));
    const fa = f32(a.flat());
    const fb = f32(b.flat());
    // The reference gets the float32 values the function sees.
    const ra = a.map((p, i) => p.map((_, d) => fa[i * dim + d]));
    const rb = b.map((p, j) => p.map((_, d) => fb[j * dim + d]));
    const dab = dtwDistance(fa, fb, dim);
    near(dab, referenceDtw(ra, rb), 1e-12);
    assert.equal(dab, dtwDistance(fb, fa, dim), 'symmetric');
    assert.equal(dtwDistance(fa, fa.slice(), dim), 0, 'identical → 0');
    if (n === m) {
      let lock = 0;
      for (let i = 0; i < fa.length; i++) lock += (fa[i] - fb[i]) ** 2;
      assert.ok(dab <= Math.sqrt(lock) + 1e-12, 'DTW ≤ lock-step Euclidean');
    }
  }
  assert.throws(() => dtwDistance(f32([1, 2, 3]), f32([1, 2]), 2), /not multiples of dim 2/);
  assert.throws(() => dtwDistance(f32([]), f32([1, 2]), 2), /empty sequence/);
});

test('positions from states, and resampling at ⌊linspace(0, L−1, n)⌋', () => {
  // 3 states of width 4: (x, y, vx, vy).
  const t = trajectoryFromStates(7, [1, 2, 9, 9, 3, 4, 9, 9, 5, 6, 9, 9], 4, 3);
  assert.deepEqual([t.id, t.dim, Array.from(t.positions)], [7, 2, [1, 2, 3, 4, 5, 6]]);
  const line = f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // L = 10, dim 1
  // linspace(0, 9, 4) = 0, 3, 6, 9; linspace(0, 9, 7) = 0, 1.5, 3, 4.5, 6, 7.5, 9 → floors.
  assert.deepEqual(Array.from(resample(line, 1, 4)), [0, 3, 6, 9]);
  assert.deepEqual(Array.from(resample(line, 1, 7)), [0, 1, 3, 4, 6, 7, 9]);
  assert.deepEqual(Array.from(resample(line, 1, 7.9)), [0, 1, 3, 4, 6, 7, 9], 'the length is floored');
  assert.deepEqual(Array.from(resample(f32([1, 2, 3, 4]), 2, 1)), [1, 2]);
  assert.deepEqual(Array.from(resample(f32([1, 2, 3, 4]), 2, 4)), [1, 2, 1, 2, 1, 2, 3, 4], 'upsampling repeats points (linspace(0, 1, 4) floors to 0, 0, 0, 1)');
});

test('DtwCache: computes each pair once, symmetric, forgets removed ids, resamples when asked', () => {
  const a: Trajectory = { id: 1, positions: f32([0, 0, 1, 0, 2, 0]), dim: 2 };
  const b: Trajectory = { id: 2, positions: f32([0, 0, 2, 0]), dim: 2 };
  const c: Trajectory = { id: 3, positions: f32([5, 5]), dim: 2 };
  const cache = new DtwCache();
  assert.equal(cache.distance(a, b), 1);
  assert.equal(cache.distance(b, a), 1);
  assert.equal(cache.distance(a, a), 0);
  cache.distance(a, c);
  assert.equal(cache.computed, 2);
  assert.equal(cache.size, 2);
  cache.forget([1]);
  assert.equal(cache.size, 0);
  assert.equal(cache.distance(b, a), 1);
  assert.equal(cache.computed, 3);
  // Resampled to 2 points, a becomes (0,0),(2,0): identical to b.
  assert.equal(new DtwCache().distance(a, b, 2), 0);
});

/** Greedy average linkage (merge the closest pair, recompute by averaging all member pairs): the reference. */
function naiveAverageHeights(points: number[][]): number[] {
  let clusters = points.map((_, i) => [i]);
  const dist = (i: number, j: number) => Math.hypot(...points[i].map((v, d) => v - points[j][d]));
  const heights: number[] = [];
  while (clusters.length > 1) {
    let best = Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        let s = 0;
        for (const p of clusters[i]) for (const q of clusters[j]) s += dist(p, q);
        const avg = s / (clusters[i].length * clusters[j].length);
        if (avg < best) [best, bi, bj] = [avg, i, j];
      }
    }
    heights.push(best);
    clusters = [...clusters.filter((_, k) => k !== bi && k !== bj), [...clusters[bi], ...clusters[bj]]];
  }
  return heights;
}

test('average linkage: hand cases in scipy form, and the same heights as naive greedy UPGMA', () => {
  // Points 0, 2, 3 on a line: {2,3} at 1, then {0} with {2,3} at (2 + 3)/2 = 2.5
  // (single linkage would say 2, complete 3).
  const line = (xs: number[]) => condensedDistances(xs.length, (i, j) => Math.abs(xs[i] - xs[j]));
  assert.deepEqual(averageLinkage(line([0, 2, 3]), 3), [
    { a: 1, b: 2, height: 1, size: 2 },
    { a: 0, b: 3, height: 2.5, size: 3 },
  ]);
  // 0, 1, 5, 6: two pairs at 1, joined at mean(5, 6, 4, 5) = 5.
  assert.deepEqual(averageLinkage(line([0, 1, 5, 6]), 4), [
    { a: 0, b: 1, height: 1, size: 2 },
    { a: 2, b: 3, height: 1, size: 2 },
    { a: 4, b: 5, height: 5, size: 4 },
  ]);
  assert.deepEqual(averageLinkage(new Float64Array(0), 1), []);
  const rng = new Rng(8);
  for (let trial = 0; trial < 10; trial++) {
    const n = 2 + rng.int(14);
    const pts = Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
    const z = averageLinkage(condensedDistances(n, (i, j) => Math.hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1])), n);
    const ref = naiveAverageHeights(pts).sort((p, q) => p - q);
    assert.equal(z.length, n - 1);
    z.forEach((row, k) => near(row.height, ref[k], 1e-12));
    assert.equal(z[n - 2].size, n);
  }
  assert.throws(() => averageLinkage(new Float64Array(2), 3), /3 observations need 3 distances, got 2/);
});

test('cut: merges at heights ≤ threshold are joined; 0.7 × the top merge by default; labels by first member', () => {
  const xs = [5, 0, 6, 1];
  const z = averageLinkage(condensedDistances(4, (i, j) => Math.abs(xs[i] - xs[j])), 4);
  assert.equal(clusterThreshold(z), 0.7 * 5);
  assert.equal(clusterThreshold(z, 2), 2);
  assert.deepEqual(Array.from(cutLinkage(z, 4, clusterThreshold(z))), [0, 1, 0, 1]);
  assert.deepEqual(Array.from(cutLinkage(z, 4, 0.5)), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(cutLinkage(z, 4, 1)), [0, 1, 0, 1], 'a merge exactly at the threshold is joined');
  assert.deepEqual(Array.from(cutLinkage(z, 4, 5)), [0, 0, 0, 0]);
});

/** A noisy path from the start round the left (side −1) or right (+1) of a central block, or up the middle (0). */
function routePath(id: number, side: -1 | 0 | 1, rng: Rng, noise = 0.03): Trajectory {
  const way = side === 0 ? [[0, -0.7], [0, 0.7]] : [[0, -0.7], [0.7 * side, -0.4], [0.7 * side, 0.4], [0, 0.7]];
  const seg = way.slice(1).map((p, k) => Math.hypot(p[0] - way[k][0], p[1] - way[k][1]));
  const total = seg.reduce((s, l) => s + l, 0);
  const n = 15 + rng.int(11); // 15..25 points: DTW has to absorb different speeds
  const pos = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    let s = (total * i) / (n - 1);
    let k = 0;
    while (k < seg.length - 1 && s > seg[k]) s -= seg[k++];
    const u = Math.min(1, s / seg[k]);
    pos[2 * i] = way[k][0] + u * (way[k + 1][0] - way[k][0]) + noise * rng.normal();
    pos[2 * i + 1] = way[k][1] + u * (way[k + 1][1] - way[k][1]) + noise * rng.normal();
  }
  return { id, positions: pos, dim: 2 };
}

test('clustering recovers 10 left and 10 right noisy routes as two clusters, and three routes as three', () => {
  const rng = new Rng(21);
  // Interleaved ids so the clusters cannot come from input order.
  const trajs = Array.from({ length: 20 }, (_, i) => routePath(100 + i, i % 2 === 0 ? -1 : 1, rng));
  const r = clusterTrajectories(trajs);
  assert.equal(r.clusters.length, 2);
  assert.deepEqual(r.clusters[0], trajs.filter((_, i) => i % 2 === 0).map((t) => t.id));
  assert.deepEqual(r.clusters[1], trajs.filter((_, i) => i % 2 === 1).map((t) => t.id));
  assert.equal(r.linkage.length, 19);
  near(r.threshold as number, 0.7 * r.linkage[18].height);
  const within = r.linkage[17].height;
  assert.ok(r.linkage[18].height > 5 * within, `top merge ${r.linkage[18].height} ≫ the others (${within})`);
  const three = [...trajs, ...Array.from({ length: 10 }, (_, i) => routePath(200 + i, 0, rng))];
  // Three modes need a fixed threshold (as the AntMaze tasks use): here the straight route is
  // farther from both sides than the sides are from each other, so 0.7 × the top merge can
  // fall above the left–right merge and join them.
  const r3 = clusterTrajectories(three, { threshold: 1 });
  assert.equal(r3.threshold, 1);
  assert.equal(r3.clusters.length, 3);
  assert.deepEqual(r3.clusters[0], r.clusters[0]);
  assert.deepEqual(r3.clusters[1], r.clusters[1]);
  assert.deepEqual(r3.clusters[2], Array.from({ length: 10 }, (_, i) => 200 + i));
  // A fixed threshold above the top merge gives one cluster; one inside the noise gives many,
  // more than 10, which the spec merges into one.
  assert.equal(clusterTrajectories(trajs, { threshold: r.linkage[18].height }).clusters.length, 1);
  const tight = clusterTrajectories(trajs, { threshold: 1e-6 });
  assert.equal(tight.mergedTooMany, true);
  assert.deepEqual(tight.clusters, [trajs.map((t) => t.id)]);
  assert.equal(clusterTrajectories(trajs, { threshold: 1e-6, maxClusters: 20 }).clusters.length, 20);
  // Fewer than two successes: no linkage.
  assert.deepEqual(clusterTrajectories([]).clusters, []);
  assert.deepEqual(clusterTrajectories([trajs[3]]).clusters, [[trajs[3].id]]);
});

test('caps: ⌊capacity/(2K)⌋ per cluster (capacity with no clusters), excess removed uniformly at random', () => {
  assert.equal(perClusterCap(2000, 1), 1000);
  assert.equal(perClusterCap(2000, 3), 333);
  assert.equal(perClusterCap(200, 2), 50);
  assert.equal(perClusterCap(2000, 0), 2000);
  const groups = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12]];
  const { kept, removed } = capGroups(groups, 4, new Rng(1));
  assert.equal(kept[0].length, 4);
  assert.deepEqual(kept[1], [11, 12]);
  assert.deepEqual([...kept[0], ...removed].sort((a, b) => a - b), groups[0], 'kept ∪ removed = the group');
  assert.deepEqual(kept[0], [...kept[0]].sort((a, b) => a - b), 'kept in their original order');
  assert.deepEqual(capGroups(groups, 4, new Rng(1)), { kept, removed }, 'same seed, same choice');
  // Uniform: each of 10 members is removed with probability 0.6.
  const counts = new Array(11).fill(0);
  const rng = new Rng(2);
  for (let t = 0; t < 3000; t++) for (const id of capGroups([groups[0]], 4, rng).removed) counts[id]++;
  for (let id = 1; id <= 10; id++) assert.ok(Math.abs(counts[id] / 3000 - 0.6) < 0.04, `id ${id} removed ${counts[id]} times`);
});

test('unsuccessful trajectories join the cluster whose sampled members are nearest on average', () => {
  const rng = new Rng(4);
  const left = Array.from({ length: 5 }, (_, i) => routePath(i, -1, rng));
  const right = Array.from({ length: 5 }, (_, i) => routePath(10 + i, 1, rng));
  const byId = new Map([...left, ...right].map((t) => [t.id, t]));
  // Failed attempts: the first half of a route.
  const half = (t: Trajectory, id: number): Trajectory => ({ id, positions: t.positions.slice(0, 2 * Math.floor(t.positions.length / 4)), dim: 2 });
  const fails = [half(routePath(0, 1, rng), 50), half(routePath(0, -1, rng), 51), half(routePath(0, -1, rng), 52)];
  const cache = new DtwCache();
  const groups = assignUnsuccessful(fails, [left.map((t) => t.id), right.map((t) => t.id)], (id) => byId.get(id) as Trajectory, (a, b) => cache.distance(a, b), rng);
  assert.deepEqual(groups, [[51, 52], [50]]);
  assert.deepEqual(assignUnsuccessful(fails, [], (id) => byId.get(id) as Trajectory, (a, b) => cache.distance(a, b), rng), []);
});

test('Q inheritance: largest overlap inherits, a claimed old mode is copied, no overlap → explore, ties → lower index', () => {
  const old = [
    [1, 2, 3, 4],
    [5, 6, 7],
  ];
  const fresh = [
    [1, 2, 5], // 2 with old 0, 1 with old 1 → inherits old 0
    [3, 4, 9], // 2 with old 0, already claimed → copy of old 0
    [6, 7], // → inherits old 1
    [11, 12], // → explore
  ];
  assert.deepEqual(inheritModes(old, fresh), [
    { kind: 'inherit', from: 0, overlap: 2 },
    { kind: 'copy', from: 0, overlap: 2 },
    { kind: 'inherit', from: 1, overlap: 2 },
    { kind: 'explore' },
  ]);
  assert.deepEqual(inheritModes(old, [[1, 5]]), [{ kind: 'inherit', from: 0, overlap: 1 }], 'tie → lower old index');
  assert.deepEqual(inheritModes([], [[1], [2]]), [{ kind: 'explore' }, { kind: 'explore' }], 'first discovery');
  assert.deepEqual(inheritModes(old, []), []);
});

test('ModeArchive: recluster applies the caps, places failures, reports removals and inheritance across calls', () => {
  const rng = new Rng(9);
  const archive = new ModeArchive({ capacity: 40 });
  let id = 0;
  const sideOf = new Map<number, number>();
  const addRoutes = (count: number) => {
    for (let i = 0; i < count; i++) {
      const side = i % 2 === 0 ? -1 : 1;
      sideOf.set(id, side);
      archive.add(routePath(id++, side, rng), true);
    }
  };
  addRoutes(30);
  for (let i = 0; i < 16; i++) {
    const t = routePath(id, i % 2 === 0 ? -1 : 1, rng);
    sideOf.set(id, i % 2 === 0 ? -1 : 1);
    archive.add({ ...t, positions: t.positions.slice(0, 10) }, false);
    id++;
  }
  const first = archive.recluster(rng);
  assert.equal(first.clusters.length, 2);
  assert.deepEqual(first.sources, [{ kind: 'explore' }, { kind: 'explore' }]);
  // 2 clusters, capacity 40 → at most 10 each: 15 − 10 = 5 successes dropped per side; 8 failures a side fit.
  assert.deepEqual(first.clusters.map((c) => c.length), [10, 10]);
  assert.deepEqual(first.unsuccessful.map((c) => c.length), [8, 8]);
  assert.equal(first.removed.length, 10);
  assert.equal(archive.numSuccesses, 20);
  assert.equal(archive.numFailures, 16);
  for (const [k, c] of [...first.clusters, ...first.unsuccessful].entries()) {
    const side = sideOf.get(c[0]);
    for (const m of c) assert.equal(sideOf.get(m), side, `group ${k} mixes sides`);
  }
  assert.equal(sideOf.get(first.unsuccessful[0][0]), sideOf.get(first.clusters[0][0]), 'failures follow their side');
  for (const r of first.removed) assert.equal(archive.get(r), undefined);
  // More right-hand successes arrive first this time; the old modes are still matched by overlap.
  for (let i = 0; i < 6; i++) {
    sideOf.set(id, 1);
    archive.add(routePath(id++, 1, rng), true);
  }
  const second = archive.recluster(rng);
  assert.equal(second.clusters.length, 2);
  for (const [k, src] of second.sources.entries()) {
    assert.equal(src.kind, 'inherit');
    if (src.kind === 'inherit') assert.equal(sideOf.get(first.clusters[src.from][0]), sideOf.get(second.clusters[k][0]), 'inherits the same side');
  }
  const kept = second.clusters[0][0];
  assert.throws(() => archive.add(routePath(kept, 1, rng), true), new RegExp(`trajectory id ${kept} added twice`));
});
