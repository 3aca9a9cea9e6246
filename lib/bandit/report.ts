/**
 * Tables, charts and the written conclusion of the Figure 2 notebook, built from BanditRuns.
 * Kept here (not in the notebook) so the numbers behind the words are tested code.
 */
import { Peak, banditReward } from '../envs/bandit';
import { groupStats, RowObject } from '../report/frames';
import { VegaLiteSpec } from '../report/charts';
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
 * The result in words, every claim read off the numbers: which arm reached the best peak in
 * how many seeds, how much area each explored, where the samples ended up.
 */
export function describeOutcome(stats: readonly FinalStats[], peaks: readonly Peak[], margin: number, maxReward: number): string {
  const best = peaks.reduce((b, p, i) => (p.height > peaks[b].height ? i : b), 0);
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
  if (stats.length === 2) {
    const [a, b] = stats;
    const moreReached = b.reachedBest - a.reachedBest;
    const bestKey = `visit${best + 1}`;
    const verdict =
      moreReached > 0 && b.mean[bestKey] > a.mean[bestKey]
        ? `In this run the entropy term made the difference the paper describes: ${b.arm} reached the highest peak in ${b.reachedBest}/${b.seeds} seeds against ${a.reachedBest}/${a.seeds} ${a.arm}, and kept ${pct(b.mean.coverage)} of the area explored against ${pct(a.mean.coverage)}.`
        : moreReached === 0 && b.mean[bestKey] <= a.mean[bestKey]
          ? `In this run the two arms did not differ in reaching the highest peak (${b.reachedBest}/${b.seeds} vs ${a.reachedBest}/${a.seeds}); the paper's effect is not visible at this budget.`
          : `In this run the picture is mixed: ${b.arm} reached the highest peak in ${b.reachedBest}/${b.seeds} seeds, ${a.arm} in ${a.reachedBest}/${a.seeds}, with ${pct(b.mean[bestKey])} vs ${pct(a.mean[bestKey])} of samples near it.`;
    lines.push('', verdict);
  }
  return lines.join('\n');
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
