/**
 * Charts, tables and the written findings of notebook 05's 2-D bandit, built from CornerRuns.
 * Kept here, not in the notebook, so the numbers behind the words are tested code.
 */
import { RowObject } from '../report/frames';
import { VegaLiteSpec } from '../report/charts';
import { BEST_CORNER, CORNERS, CornerArm, CornerDataset, CornerRun } from './corners';

/** How each arm is named in charts and tables. */
export const CORNER_ARM_LABELS: Readonly<Record<CornerArm, string>> = {
  'bc-diffusion': 'BC-Diffusion (η = 0)',
  'diffusion-ql': 'Diffusion-QL',
  'bc-gaussian': 'BC-Gaussian (MLE)',
  'gaussian-q': 'Gaussian + Q',
  qvpo: 'QVPO (offline)',
};

const SIZE = 190;
const AXIS = { domain: [-1.1, 1.1] };

/** Dashed circles of the support radius around the four corners, with their mean rewards. */
function cornerLayers(radius: number): VegaLiteSpec[] {
  const circle: RowObject[] = [];
  CORNERS.forEach((c, k) => {
    for (let i = 0; i <= 40; i++) {
      const angle = (2 * Math.PI * i) / 40;
      circle.push({ corner: k, order: i, x: c.x + radius * Math.cos(angle), y: c.y + radius * Math.sin(angle) });
    }
  });
  return [
    {
      data: { values: circle },
      mark: { type: 'line', strokeDash: [3, 3], color: '#555', strokeWidth: 1 },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: AXIS },
        y: { field: 'y', type: 'quantitative', scale: AXIS },
        detail: { field: 'corner' },
        order: { field: 'order' },
      },
    },
    {
      data: { values: CORNERS.map((c) => ({ x: c.x, y: c.y + (c.y > 0 ? 0.3 : -0.3), label: `μ = ${c.mean}` })) },
      mark: { type: 'text', fontSize: 10, color: '#333' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
}

function scatterPanel(title: string, samples: ArrayLike<number>, colour: string, radius: number, limit = 1000): VegaLiteSpec {
  const points: RowObject[] = [];
  for (let i = 0; i < Math.min(samples.length / 2, limit); i++) points.push({ x: samples[2 * i], y: samples[2 * i + 1] });
  return {
    width: SIZE,
    height: SIZE,
    title,
    layer: [
      {
        data: { values: points },
        mark: { type: 'circle', size: 8, opacity: 0.45, color: colour },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: AXIS, title: 'a₁' },
          y: { field: 'y', type: 'quantitative', scale: AXIS, title: 'a₂' },
        },
      },
      ...cornerLayers(radius),
    ],
  };
}

/** The behaviour dataset (its first `limit` actions) beside each arm's policy samples of one seed, as the paper's figure. */
export function cornerScatterSpec(data: CornerDataset, runs: readonly CornerRun[], seed: number, radius = 0.2, limit = 1000): VegaLiteSpec {
  const shown = runs.filter((r) => r.seed === seed);
  const step = Math.max(1, Math.floor(data.rewards.length / limit));
  const subset: number[] = [];
  for (let i = 0; i < data.rewards.length && subset.length < 2 * limit; i += step) subset.push(data.actions[2 * i], data.actions[2 * i + 1]);
  const panels = [scatterPanel('behaviour dataset', subset, '#555', radius), ...shown.map((r) => scatterPanel(`${CORNER_ARM_LABELS[r.arm]} (seed ${r.seed})`, r.samples, r.arm === 'diffusion-ql' ? '#d62728' : '#1f77b4', radius, limit))];
  // rows of three panels, so the figure stays readable in a notebook column
  const rows: VegaLiteSpec[] = [];
  for (let i = 0; i < panels.length; i += 3) rows.push({ hconcat: panels.slice(i, i + 3) });
  return { vconcat: rows };
}

export interface ArmSummary {
  arm: CornerArm;
  seeds: number;
  /** Mean and std over seeds of the fraction of samples at each corner (CORNERS order). */
  perCorner: { mean: number; std: number }[];
  outOfSupport: { mean: number; std: number };
  /** Share of samples nearer to the best corner than to any other, in support or not. */
  nearestBest: { mean: number; std: number };
  /** Seeds whose most visited corner (among in-support samples) is the best one. */
  seedsPickingBest: number;
  /** Seeds with every corner holding at least `coverMin` of the samples. */
  seedsCoveringAll: number;
  seconds: number;
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

/** Per arm: where its samples land over the seeds. */
export function summariseArms(runs: readonly CornerRun[], coverMin = 0.1): ArmSummary[] {
  const arms = [...new Set(runs.map((r) => r.arm))];
  return arms.map((arm) => {
    const mine = runs.filter((r) => r.arm === arm);
    const perCorner = CORNERS.map((_, k) => meanStd(mine.map((r) => r.summary.perCorner[k])));
    const top = (r: CornerRun) => r.summary.perCorner.indexOf(Math.max(...r.summary.perCorner));
    return {
      arm,
      seeds: mine.length,
      perCorner,
      outOfSupport: meanStd(mine.map((r) => r.summary.outOfSupport)),
      nearestBest: meanStd(mine.map((r) => r.summary.nearest[BEST_CORNER])),
      seedsPickingBest: mine.filter((r) => r.summary.perCorner[BEST_CORNER] > 0 && top(r) === BEST_CORNER).length,
      seedsCoveringAll: mine.filter((r) => r.summary.perCorner.every((f) => f >= coverMin)).length,
      seconds: mine.reduce((a, r) => a + r.seconds, 0),
    };
  });
}

const pct = (x: { mean: number; std: number }) => `${(100 * x.mean).toFixed(0)} ± ${(100 * x.std).toFixed(0)}%`;

/** Markdown: per arm the share of samples at each corner and out of support (mean ± std over seeds). */
export function cornerTableMarkdown(summaries: readonly ArmSummary[], radius = 0.2): string {
  const head = `| arm | seeds | ${CORNERS.map((c) => `${c.name} (μ ${c.mean})`).join(' | ')} | out of support (> ${radius} from every corner) | nearest the best corner | seconds (all seeds) |`;
  const rule = `|---|---|${CORNERS.map(() => '---|').join('')}---|---|---|`;
  const rows = summaries.map((s) => `| ${CORNER_ARM_LABELS[s.arm]} | ${s.seeds} | ${s.perCorner.map(pct).join(' | ')} | ${pct(s.outOfSupport)} | ${pct(s.nearestBest)} | ${s.seconds.toFixed(0)} |`);
  return [head, rule, ...rows].join('\n');
}

/**
 * The findings, from the numbers: which arms cover all four modes, which commit to the best
 * corner, and how much of each policy lies out of the data's support.
 */
export function cornerFindings(summaries: readonly ArmSummary[], coverMin = 0.1): string {
  const best = CORNERS[BEST_CORNER];
  const lines = summaries.map((s) => {
    const name = CORNER_ARM_LABELS[s.arm];
    const bestShare = s.perCorner[BEST_CORNER];
    const parts = [
      `covers all four corners (each ≥ ${(100 * coverMin).toFixed(0)}% of samples) in ${s.seeds === 0 ? 0 : s.seedsCoveringAll} of ${s.seeds} seeds`,
      `puts most in-support samples on the best corner (${best.name}, μ ${best.mean}) in ${s.seedsPickingBest} of ${s.seeds} seeds, ${pct(bestShare)} of all samples there`,
      `${pct(s.outOfSupport)} of samples out of the data's support, ${pct(s.nearestBest)} nearer the best corner than any other`,
    ];
    return `- **${name}** ${parts.join('; ')}.`;
  });
  return lines.join('\n');
}

/** Curves over training: the best corner's share and the out-of-support share, mean over seeds per arm. */
export function cornerCurvesSpec(runs: readonly CornerRun[]): VegaLiteSpec {
  const rows: RowObject[] = [];
  for (const r of runs) {
    for (const p of r.curve) {
      rows.push({ arm: CORNER_ARM_LABELS[r.arm], seed: r.seed, step: p.step, metric: 'share at the best corner', value: p.best });
      rows.push({ arm: CORNER_ARM_LABELS[r.arm], seed: r.seed, step: p.step, metric: 'share out of support', value: p.outOfSupport });
    }
  }
  return {
    data: { values: rows },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 180,
      layer: [
        {
          mark: { type: 'errorband', extent: 'stdev', opacity: 0.2 },
          encoding: { x: { field: 'step', type: 'quantitative', title: 'gradient steps' }, y: { field: 'value', type: 'quantitative', title: 'fraction of samples' }, color: { field: 'arm', type: 'nominal' } },
        },
        {
          mark: { type: 'line', point: true },
          encoding: { x: { field: 'step', type: 'quantitative' }, y: { aggregate: 'mean', field: 'value', type: 'quantitative' }, color: { field: 'arm', type: 'nominal' } },
        },
      ],
    },
  };
}
