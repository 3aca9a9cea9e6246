/**
 * Tables, charts and the written conclusion of the Figure 2 notebook, built from BanditRuns.
 * Kept here (not in the notebook) so the numbers behind the words are tested code.
 */
import { Peak, banditReward } from '../envs/bandit';
import { groupStats, RowObject } from '../report/frames';
import { VegaLiteSpec } from '../report/charts';
import { BootstrapOptions } from '../stats';
import { compareArms } from '../stats/compare';
import { BanditRun } from './experiment';

export interface ArmRuns {
  /** e.g. 'without entropy' / 'with entropy'. */
  arm: string;
  runs: BanditRun[];
}

export function peakName(peaks: readonly Peak[], i: number): string {
  const p = peaks[i];
  const vertical = p.y >= 0 ? 'upper' : 'lower';
  const horizontal = p.x >= 0 ? 'right' : 'left';
  return `peak ${i + 1} (${vertical}-${horizontal}, h=${p.height})`;
}

/** One row per arm, seed and curve point, with every metric as a column. */
export function curveRows(arms: readonly ArmRuns[]): RowObject[] {
  const rows: RowObject[] = [];
  for (const { arm, runs } of arms) {
    for (const run of runs) {
      for (const p of run.curve) {
        const row: RowObject = {
          arm,
          seed: run.settings.seed,
          iteration: p.iteration,
          coverage: p.coverage,
          evalReward: p.evalReward,
          sampleReward: p.sampleReward,
        };
        p.visit.forEach((v, i) => (row[`visit${i + 1}`] = v));
        rows.push(row);
      }
    }
  }
  return rows;
}

/** Mean and std over seeds of every metric, per arm and iteration. */
export function curveSummary(arms: readonly ArmRuns[]): RowObject[] {
  const rows = curveRows(arms);
  const metrics = Object.keys(rows[0]).filter((k) => !['arm', 'seed', 'iteration'].includes(k));
  return groupStats(rows, ['arm', 'iteration'], metrics);
}

export interface FinalStats {
  arm: string;
  seeds: number;
  /** Per metric: mean and std over seeds of the last curve point. */
  mean: Record<string, number>;
  std: Record<string, number>;
  /** Seeds whose final evaluation reward is within `margin` of the best reward. */
  reachedBest: number;
}

export function finalStats(arms: readonly ArmRuns[], margin: number): FinalStats[] {
  return arms.map(({ arm, runs }) => {
    const last = runs.map((r) => r.curve[r.curve.length - 1]);
    const metric: Record<string, number[]> = {
      evalReward: last.map((p) => p.evalReward),
      sampleReward: last.map((p) => p.sampleReward),
      coverage: last.map((p) => p.coverage),
    };
    last[0].visit.forEach((_, i) => (metric[`visit${i + 1}`] = last.map((p) => p.visit[i])));
    const mean: Record<string, number> = {};
    const std: Record<string, number> = {};
    for (const [k, xs] of Object.entries(metric)) {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      mean[k] = m;
      std[k] = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
    }
    const reachedBest = runs.filter((r) => r.curve[r.curve.length - 1].evalReward >= (1 - margin) * r.maxReward).length;
    return { arm, seeds: runs.length, mean, std, reachedBest };
  });
}

/** A reward grid over [−1, 1]² for heatmaps. */
export function rewardGrid(peaks: readonly Peak[], cells = 40): RowObject[] {
  const rows: RowObject[] = [];
  const step = 2 / cells;
  for (let i = 0; i < cells; i++) {
    for (let j = 0; j < cells; j++) {
      const x = -1 + (i + 0.5) * step;
      const y = -1 + (j + 0.5) * step;
      rows.push({ x, y, x2: x + step, y2: y + step, x1: x - step / 2, y1: y - step / 2, reward: banditReward(peaks, x, y) });
    }
  }
  return rows;
}

function landscapeLayer(peaks: readonly Peak[], size: number): VegaLiteSpec {
  return {
    data: { values: rewardGrid(peaks, 30) },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'x1', type: 'quantitative', scale: { domain: [-1, 1] }, axis: { title: 'a₁', tickCount: 5 } },
      x2: { field: 'x2' },
      y: { field: 'y1', type: 'quantitative', scale: { domain: [-1, 1] }, axis: { title: 'a₂', tickCount: 5 } },
      y2: { field: 'y2' },
      color: { field: 'reward', type: 'quantitative', scale: { scheme: 'blues' }, legend: size > 200 ? { title: 'reward' } : null },
    },
  };
}

/** The reward landscape alone, with the peaks marked. */
export function landscapeSpec(peaks: readonly Peak[], initMean: readonly number[]): VegaLiteSpec {
  const size = 320;
  return {
    width: size,
    height: size,
    title: 'Stand-in reward: three Gaussian bumps (× = initial policy centre)',
    layer: [
      landscapeLayer(peaks, size),
      {
        data: { values: peaks.map((p, i) => ({ x: p.x, y: p.y, label: `${i + 1}: h=${p.height}` })) },
        mark: { type: 'text', dy: -12, fontWeight: 'bold' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
      },
      {
        data: { values: [{ x: initMean[0], y: initMean[1] }] },
        mark: { type: 'point', shape: 'cross', size: 160, color: 'black', filled: true },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
    ],
  };
}

/** Figure 2: one row per arm, one panel per snapshot: policy samples over the reward. */
export function figure2Spec(arms: readonly ArmRuns[], peaks: readonly Peak[], seedIndex = 0): VegaLiteSpec {
  const size = 170;
  const rows = arms.map(({ arm, runs }) => {
    const run = runs[Math.min(seedIndex, runs.length - 1)];
    return {
      hconcat: run.snapshots.map((snap) => {
        const points: RowObject[] = [];
        for (let i = 0; i < snap.samples.length; i += 2) points.push({ x: snap.samples[i], y: snap.samples[i + 1] });
        return {
          width: size,
          height: size,
          title: `${arm} — iteration ${snap.iteration}`,
          layer: [
            landscapeLayer(peaks, size),
            {
              data: { values: points },
              mark: { type: 'circle', size: 9, color: '#d62728', opacity: 0.7 },
              encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
            },
          ],
        };
      }),
    };
  });
  return { vconcat: rows, resolve: { scale: { color: 'shared' } } };
}

/** Curves over training: mean line with a ±1 std band over seeds, one panel per metric. */
export function curvesSpec(summary: readonly RowObject[], peaks: readonly Peak[]): VegaLiteSpec {
  const metrics: { key: string; title: string }[] = [
    ...peaks.map((_, i) => ({ key: `visit${i + 1}`, title: `samples near ${peakName(peaks, i)}` })),
    { key: 'coverage', title: 'explored area (grid cells with a sample)' },
    { key: 'evalReward', title: 'evaluation reward (best of eval candidates)' },
  ];
  const values: RowObject[] = [];
  for (const row of summary) {
    for (const m of metrics) {
      const mean = row[`${m.key}_mean`] as number;
      const std = (row[`${m.key}_std`] as number | null) ?? 0;
      values.push({ arm: row.arm, iteration: row.iteration, metric: m.title, mean, lo: mean - std, hi: mean + std });
    }
  }
  const x = { field: 'iteration', type: 'quantitative', title: 'QVPO updates (iterations)' };
  const y = { field: 'mean', type: 'quantitative', title: 'mean ± std over seeds' };
  const color = { field: 'arm', type: 'nominal', title: null, legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } };
  return {
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null, sort: metrics.map((m) => m.title) },
    columns: 3,
    spec: {
      width: 220,
      height: 150,
      layer: [
        // fillOpacity, not opacity: Vega-Lite copies a layer's opacity onto the legend's
        // swatches, which must show the lines' colours, not the pale bands'.
        { mark: { type: 'area', fillOpacity: 0.2 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
        { mark: { type: 'line' }, encoding: { x, y, color } },
      ],
    },
    // Each panel its own x axis: shared footer axes would also run under the empty cell of the last row.
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
  };
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/**
 * Each arm's result in words, read off the numbers: the evaluation reward, how many seeds end
 * near the best reward, how much area the samples cover and near which peaks. Comparisons
 * between the arms are banditClaim's.
 */
export function describeOutcome(stats: readonly FinalStats[], peaks: readonly Peak[], margin: number, maxReward: number): string {
  const lines: string[] = [];
  for (const s of stats) {
    const visits = peaks.map((_, i) => s.mean[`visit${i + 1}`]);
    const where = visits
      .map((v, i) => ({ v, i }))
      .sort((a, b) => b.v - a.v)
      .map(({ v, i }) => `${pct(v)} near ${peakName(peaks, i)}`)
      .join(', ');
    lines.push(
      `- **${s.arm}**: the evaluation policy's reward ends at ${s.mean.evalReward.toFixed(3)} ± ${s.std.evalReward.toFixed(3)} ` +
        `(best possible ${maxReward.toFixed(3)}); ${s.reachedBest} of ${s.seeds} seeds end within ${pct(margin)} of the best. ` +
        `The policy's samples cover ${pct(s.mean.coverage)} ± ${pct(s.std.coverage)} of the area grid, with ${where}.`,
    );
  }
  return lines.join('\n');
}

/** A run whose policy ended on a corner of the action box. */
export interface CornerCollapse {
  arm: string;
  seed: number;
  corner: [number, number];
  /** Fraction of the last snapshot's samples on that corner. */
  fraction: number;
  /** Iteration of the snapshot taken last. */
  iteration: number;
  /** First curve iteration from which every point had all samples in one grid cell; null if never. */
  oneCellSince: number | null;
  /** The last curve point's rewards: plain samples and the evaluation policy. */
  sampleReward: number;
  evalReward: number;
}

/**
 * Runs whose last snapshot has at least `minFraction` of its samples within `tolerance` of one
 * corner of [−1, 1]²: policies that were pushed out of the box and clipped onto a corner.
 */
export function cornerCollapses(arms: readonly ArmRuns[], minFraction = 0.9, tolerance = 0.01): CornerCollapse[] {
  const out: CornerCollapse[] = [];
  for (const { arm, runs } of arms) {
    for (const run of runs) {
      const snap = run.snapshots[run.snapshots.length - 1];
      if (!snap || snap.samples.length === 0) continue;
      const n = snap.samples.length / 2;
      for (const corner of [[1, -1], [1, 1], [-1, 1], [-1, -1]] as [number, number][]) {
        let on = 0;
        for (let i = 0; i < n; i++) {
          if (Math.abs(snap.samples[2 * i] - corner[0]) <= tolerance && Math.abs(snap.samples[2 * i + 1] - corner[1]) <= tolerance) on++;
        }
        if (on / n < minFraction) continue;
        const oneCell = 1 / (run.settings.coverageCells * run.settings.coverageCells);
        // The start of the final run of curve points that cover a single grid cell.
        let since: number | null = null;
        for (const p of run.curve) since = p.coverage <= oneCell + 1e-12 ? since ?? p.iteration : null;
        const last = run.curve[run.curve.length - 1];
        out.push({ arm, seed: run.settings.seed, corner, fraction: on / n, iteration: snap.iteration, oneCellSince: since, sampleReward: last.sampleReward, evalReward: last.evalReward });
      }
    }
  }
  return out;
}

const signedCoordinate = (v: number) => (v < 0 ? `−${Math.abs(v)}` : `${v}`);

/**
 * Figure 2's claim checked on the runs, with intervals over seeds (lib/stats/compare): the arm
 * with the entropy term ends with a better evaluation reward and a larger explored area than the
 * arm without it. Then every run that collapsed onto a corner of the box, and why it stays there.
 * `arms` = [without, with] as the notebook builds them.
 */
export function banditClaim(arms: readonly ArmRuns[], options: BootstrapOptions & { shownSeed?: number } = {}): string {
  const [without, withTerm] = arms;
  if (!without || !withTerm || without.runs.length === 0 || withTerm.runs.length === 0) return 'The claim cannot be checked: an arm has no runs.';
  const last = (runs: readonly BanditRun[], key: 'evalReward' | 'coverage') => runs.map((r) => r.curve[r.curve.length - 1][key]);
  const names: [string, string] = [withTerm.arm, without.arm];
  const reward = compareArms(last(withTerm.runs, 'evalReward'), last(without.runs, 'evalReward'), { ...options, names, on: 'the final evaluation reward', digits: 3 });
  const area = compareArms(last(withTerm.runs, 'coverage'), last(without.runs, 'coverage'), { ...options, names, on: 'the explored area (fraction of grid cells)', digits: 3 });
  const lines = [`**The claim** (with the entropy term the policy keeps exploring and finds the best peak): ${reward.sentence}; ${area.sentence}.`];
  const collapses = cornerCollapses(arms);
  if (collapses.length > 0) {
    const shownSeed = options.shownSeed ?? 0;
    const corner = (c: CornerCollapse) => `(${signedCoordinate(c.corner[0])}, ${signedCoordinate(c.corner[1])})`;
    const facts = collapses.map(
      (c) =>
        `- ${c.arm}, seed ${c.seed}${c.seed === shownSeed ? ' (the seed Figure 2 shows)' : ''}: ${pct(c.fraction)} of the policy's samples at iteration ${c.iteration} lie on ${corner(c)}` +
        `${c.oneCellSince === null ? '' : `, and from iteration ${c.oneCellSince} on every curve point has all its samples in one grid cell`}; ` +
        `the reward there is ${c.sampleReward.toFixed(4)} and the evaluation policy ends at ${c.evalReward.toFixed(3)}.`,
    );
    const shown = collapses.filter((c) => c.seed === shownSeed).map((c) => `"${c.arm}"`);
    lines.push(
      `**Runs whose policy collapsed onto a corner of the action box:**\n\n${facts.join('\n')}\n\n` +
        `Once all Nd samples of an update are clipped to the same corner they get the same Q, so the Q-weight max(Q(best) − mean Q, 0) is 0 and the actor's loss, ` +
        `entropy rows included (weighted ω_ent·w), has no gradient: the policy cannot leave.` +
        (shown.length ? ` Figure 2's ${shown.join(' and ')} row shows such a collapse, not a typical run of the arm.` : ''),
    );
  }
  if (collapses.length > 0) {
    // The claim without the collapsed runs: does it rest on them?
    const kept = (a: ArmRuns) => a.runs.filter((r) => !collapses.some((c) => c.arm === a.arm && c.seed === r.settings.seed));
    const [w, wo] = [kept(withTerm), kept(without)];
    if (w.length > 0 && wo.length > 0) {
      const rest = compareArms(last(w, 'evalReward'), last(wo, 'evalReward'), { ...options, names, on: 'the final evaluation reward', digits: 3 });
      lines.push(`Leaving the collapsed run${collapses.length > 1 ? 's' : ''} out: ${rest.sentence}.`);
    }
  }
  return lines.join('\n\n');
}

/** Everything a bandit notebook run produced, as JSON-ready data (snapshots as plain arrays). */
export function banditResultsJson(arms: readonly ArmRuns[]): unknown {
  return arms.map(({ arm, runs }) => ({
    arm,
    runs: runs.map((r) => ({
      settings: r.settings,
      maxReward: r.maxReward,
      seconds: r.seconds,
      curve: r.curve,
      snapshots: r.snapshots.map((s) => ({ iteration: s.iteration, samples: Array.from(s.samples, (v) => Math.round(v * 1e4) / 1e4) })),
    })),
  }));
}
