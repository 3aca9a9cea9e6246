/**
 * Tables, charts, trajectory drawings and the written findings of notebook 06, built from
 * ArmRuns. Kept here (not in the notebook) so the numbers behind the words are tested code.
 */
import { MazeLayout, mazeSvg } from '../envs/point-maze';
import { VegaLiteSpec } from '../report/charts';
import { RowObject } from '../report/frames';
import { ArmRun, EvalPoint } from './experiment';

/** Colours of the goals' paths (goal 0, goal 1, …) and of episodes that reach none. */
export const GOAL_COLOURS: readonly string[] = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
export const NO_GOAL_COLOUR = '#9e9e9e';

/** "goal 1 (upper left)" from the layout's goal positions. */
export function goalName(layout: MazeLayout, g: number): string {
  const goal = layout.goals[g];
  const side = goal.x < -1e-9 ? 'left' : goal.x > 1e-9 ? 'right' : 'centre';
  const height = goal.y > 1e-9 ? 'upper' : goal.y < -1e-9 ? 'lower' : 'middle';
  return `goal ${g + 1} (${height} ${side})`;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sd = (xs: readonly number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const last = (r: ArmRun): EvalPoint => r.points[r.points.length - 1];

/** Runs grouped by arm, in the order the arms first appear. */
export function byArm(runs: readonly ArmRun[]): { label: string; runs: ArmRun[] }[] {
  const out: { label: string; runs: ArmRun[] }[] = [];
  for (const r of runs) {
    let group = out.find((g) => g.label === r.label);
    if (!group) out.push((group = { label: r.label, runs: [] }));
    group.runs.push(r);
  }
  return out;
}

/** One row per arm, seed and evaluation: every number of the curves. */
export function curveRows(runs: readonly ArmRun[]): RowObject[] {
  const rows: RowObject[] = [];
  for (const r of runs) {
    for (const p of r.points) {
      const successes = p.goalCounts.reduce((a, b) => a + b, 0);
      const row: RowObject = {
        arm: r.label,
        seed: r.seed,
        envSteps: p.envSteps,
        successRate: p.successRate,
        goalsReached: p.goalsReached,
        trainGoalsFound: p.trainGoalCounts.filter((c) => c > 0).length,
        modes: p.modes,
      };
      p.goalCounts.forEach((c, g) => (row[`goal${g + 1}Share`] = successes ? c / successes : null));
      rows.push(row);
    }
  }
  return rows;
}

/** Mean ± std over seeds per arm and evaluation step, for a metric of the curve rows. */
export function curveSummary(runs: readonly ArmRun[], metric: 'successRate' | 'goalsReached' | 'trainGoalsFound' | 'modes'): RowObject[] {
  const rows = curveRows(runs).filter((r) => typeof r[metric] === 'number');
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const key = `${r.arm}\u0000${r.envSteps}`;
    const list = groups.get(key) ?? [];
    list.push(r[metric] as number);
    groups.set(key, list);
  }
  return [...groups.entries()].map(([key, xs]) => {
    const [arm, steps] = key.split('\u0000');
    const m = mean(xs);
    const s = sd(xs);
    return { arm, envSteps: Number(steps), mean: m, lo: m - s, hi: m + s, seeds: xs.length };
  });
}

/** Line + ±1 std band over seeds, one colour per arm. */
export function curveSpec(summary: readonly RowObject[], title: string, yTitle: string, yDomain?: [number, number]): VegaLiteSpec {
  const x = { field: 'envSteps', type: 'quantitative', title: 'environment steps (all envs)' };
  const scale = yDomain ? { domain: yDomain } : {};
  const y = { field: 'mean', type: 'quantitative', title: yTitle, scale };
  const color = { field: 'arm', type: 'nominal', title: null, legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1, labelLimit: 320 } };
  return {
    title,
    width: 420,
    height: 200,
    data: { values: summary },
    layer: [
      // clip: a ±1 std band may leave the metric's range (a success rate above 1)
      { mark: { type: 'area', fillOpacity: 0.18, clip: true }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
      { mark: { type: 'line', point: true, clip: true }, encoding: { x, y, color } },
    ],
  };
}

/** DDiffPG's modes over training, one line per seed (evaluation steps). */
export function modesSpec(runs: readonly ArmRun[]): VegaLiteSpec {
  const values: RowObject[] = [];
  for (const r of runs) {
    for (const p of r.points) if (p.modes !== null) values.push({ seed: `seed ${r.seed}`, envSteps: p.envSteps, modes: p.modes, goals: new Set(p.modeGoals).size });
  }
  const x = { field: 'envSteps', type: 'quantitative', title: 'environment steps (all envs)' };
  const color = { field: 'seed', type: 'nominal', title: null };
  return {
    title: "DDiffPG: modes kept (solid) and distinct goals among them (dashed)",
    width: 420,
    height: 180,
    data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'modes', type: 'quantitative', title: 'count', axis: { tickMinStep: 1 } }, color } },
      { mark: { type: 'line', strokeDash: [4, 3] }, encoding: { x, y: { field: 'goals', type: 'quantitative' }, color } },
    ],
  };
}

/**
 * Final-evaluation episodes per goal, one bar per arm and seed stacked by goal: summed over seeds,
 * two seeds that each keep a different single goal would look like one that keeps both.
 */
export function goalHistogramSpec(runs: readonly ArmRun[], layout: MazeLayout): VegaLiteSpec {
  const values: RowObject[] = [];
  const n = layout.goals.length;
  for (const { label, runs: rs } of byArm(runs)) {
    for (const r of rs) {
      const p = last(r);
      const counts = [...p.goalCounts, p.episodes.length - p.goalCounts.reduce((a, b) => a + b, 0)];
      counts.forEach((c, g) => values.push({ run: `${label}, seed ${r.seed}`, outcome: g < n ? goalName(layout, g) : 'no goal', order: g, episodes: c }));
    }
  }
  const domain = [...layout.goals.map((_, g) => goalName(layout, g)), 'no goal'];
  const range = [...layout.goals.map((_, g) => GOAL_COLOURS[g % GOAL_COLOURS.length]), NO_GOAL_COLOUR];
  return {
    title: 'Final evaluation: episodes per goal, per seed',
    width: 360,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'run', type: 'nominal', title: null, sort: null, axis: { labelLimit: 320 } },
      x: { field: 'episodes', type: 'quantitative', title: 'evaluation episodes' },
      color: { field: 'outcome', type: 'nominal', title: null, scale: { domain, range }, legend: { labelLimit: 320 } },
      order: { field: 'order', type: 'quantitative' },
    },
  };
}

/**
 * The evaluation paths of one evaluation (default: the last) of every run as an SVG grid: one row
 * per arm, one panel per seed, each path coloured by the goal it reaches (grey: none).
 */
export function trajectoryGridSvg(runs: readonly ArmRun[], layout: MazeLayout, options: { size?: number; at?: 'last' | number } = {}): string {
  const size = options.size ?? 180;
  const label = 32;
  const gap = 10;
  const groups = byArm(runs);
  const columns = Math.max(...groups.map((g) => g.runs.length));
  // Wide enough for the longest panel title (≈ 7 px a character at 12 px).
  const longest = Math.max(...groups.flatMap((g) => g.runs.map((r) => `${g.label}, seed ${r.seed}`.length)), '00000 env steps: 100% success'.length);
  const column = Math.max(size, Math.ceil(7 * longest)) + gap;
  const width = Math.max(columns * column, 560);
  const height = groups.length * (size + label + gap) + 24;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, sans-serif" font-size="12">`];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  const legend = [...layout.goals.map((_, g) => [goalName(layout, g), GOAL_COLOURS[g % GOAL_COLOURS.length]]), ['no goal', NO_GOAL_COLOUR]];
  legend.forEach(([name, colour], i) => {
    parts.push(`<line x1="${10 + i * 170}" y1="12" x2="${34 + i * 170}" y2="12" stroke="${colour}" stroke-width="3"/><text x="${40 + i * 170}" y="16">${name}</text>`);
  });
  groups.forEach((group, row) => {
    const y0 = 24 + row * (size + label + gap);
    group.runs.forEach((r, col) => {
      const point = options.at === undefined || options.at === 'last' ? last(r) : r.points.find((p) => p.envSteps >= (options.at as number)) ?? last(r);
      const paths = point.episodes.map((e) => Array.from({ length: e.path.length / 2 }, (_, k) => ({ x: e.path[2 * k], y: e.path[2 * k + 1] })));
      const colours = point.episodes.map((e) => (e.goal >= 0 ? GOAL_COLOURS[e.goal % GOAL_COLOURS.length] : NO_GOAL_COLOUR));
      const inner = mazeSvg(layout, paths, { size, colors: colours });
      const x0 = col * column;
      parts.push(`<text x="${x0}" y="${y0 + 12}">${group.label}, seed ${r.seed}</text>`);
      parts.push(`<text x="${x0}" y="${y0 + 27}" fill="#555">${point.envSteps} env steps: ${(100 * point.successRate).toFixed(0)}% success</text>`);
      parts.push(inner.replace('<svg xmlns="http://www.w3.org/2000/svg" ', `<svg x="${x0}" y="${y0 + label}" `));
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface ArmSummary {
  label: string;
  seeds: number;
  successMean: number;
  successStd: number;
  /** Final evaluation: goals reached (≥ minGoalShare of successes) per seed. */
  goalsReached: number[];
  /** The same over the last `POOLED_EVALS` evaluations pooled, per seed: less sensitive to one evaluation's draw. */
  goalsReachedPooled: number[];
  /** Final evaluation episodes per goal, summed over seeds, and the episodes in all. */
  goalCounts: number[];
  episodes: number;
  /** Seeds whose training episodes reached every goal at least once. */
  seedsTrainedOnAllGoals: number;
  /** DDiffPG: modes at the end per seed, and the distinct goals among them. */
  modes: number[] | null;
  modeGoals: number[] | null;
  /** DDiffPG: per seed, the distinct goals that any clustering of the run gave a mode (discovered, kept or not). */
  modeGoalsEver: number[] | null;
  /** Per goal: mean steps, and mean discounted return γ^(steps − 1)·10, of the final evaluation's episodes that reach it (NaN if none). */
  stepsPerGoal: number[];
  returnPerGoal: number[];
  cpuSeconds: number;
  seconds: number;
}

/** Evaluations pooled for ArmSummary.goalsReachedPooled. */
export const POOLED_EVALS = 3;

/** Goals holding ≥ the run's minGoalShare of the successes of its last `count` evaluations together. */
export function pooledGoalsReached(run: ArmRun, count = POOLED_EVALS): number {
  const points = run.points.slice(-count);
  const counts = new Array<number>(points[0].goalCounts.length).fill(0);
  for (const p of points) p.goalCounts.forEach((c, g) => (counts[g] += c));
  const total = counts.reduce((a, b) => a + b, 0);
  return total ? counts.filter((c) => c / total >= run.settings.minGoalShare).length : 0;
}

/** Distinct goals that were the main goal of some mode at some clustering of a DDiffPG run. */
export function goalsEverGivenAMode(run: ArmRun): number {
  const goals = new Set<string>();
  for (const record of run.modeHistory ?? []) {
    for (const counts of record.labels) {
      const top = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
      if (top && Number(top[0]) >= 0) goals.add(top[0]);
    }
  }
  return goals.size;
}

export function summarise(runs: readonly ArmRun[]): ArmSummary[] {
  return byArm(runs).map(({ label, runs: rs }) => {
    const finals = rs.map(last);
    const numGoals = finals[0].goalCounts.length;
    const goalCounts = new Array<number>(numGoals).fill(0);
    const stepSums = new Array<number>(numGoals).fill(0);
    const returnSums = new Array<number>(numGoals).fill(0);
    for (const p of finals) {
      p.goalCounts.forEach((c, g) => {
        goalCounts[g] += c;
        if (c) stepSums[g] += p.stepsPerGoal[g] * c;
        if (c) returnSums[g] += p.returnPerGoal[g] * c;
      });
    }
    const modes = finals[0].modes === null ? null : finals.map((p) => p.modes ?? 0);
    return {
      label,
      seeds: rs.length,
      successMean: mean(finals.map((p) => p.successRate)),
      successStd: sd(finals.map((p) => p.successRate)),
      goalsReached: finals.map((p) => p.goalsReached),
      goalsReachedPooled: rs.map((r) => pooledGoalsReached(r)),
      goalCounts,
      episodes: finals.reduce((n, p) => n + p.episodes.length, 0),
      seedsTrainedOnAllGoals: finals.filter((p) => p.trainGoalCounts.every((c) => c > 0)).length,
      modes,
      modeGoals: modes === null ? null : finals.map((p) => new Set(p.modeGoals).size),
      modeGoalsEver: modes === null ? null : rs.map((r) => goalsEverGivenAMode(r)),
      stepsPerGoal: goalCounts.map((c, g) => (c ? stepSums[g] / c : NaN)),
      returnPerGoal: goalCounts.map((c, g) => (c ? returnSums[g] / c : NaN)),
      cpuSeconds: rs.reduce((n, r) => n + r.cpuSeconds, 0),
      seconds: rs.reduce((n, r) => n + r.seconds, 0),
    };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** The final numbers as table rows. */
export function summaryRows(summaries: readonly ArmSummary[], layout: MazeLayout): RowObject[] {
  return summaries.map((s) => {
    const row: RowObject = {
      arm: s.label,
      'success (final eval)': `${pct(s.successMean)} ± ${pct(s.successStd)}`,
      'goals reached per seed': s.goalsReached.join(', '),
      [`… over the last ${POOLED_EVALS} evals`]: s.goalsReachedPooled.join(', '),
      'seeds reaching ≥ 2 goals': `${s.goalsReached.filter((g) => g >= 2).length}/${s.seeds}`,
    };
    s.goalCounts.forEach((c, g) => {
      row[goalName(layout, g)] = `${c}/${s.episodes}`;
      // The per-mode return: how good the episodes that take each goal's route are.
      row[`steps · discounted return, goal ${g + 1}`] = c ? `${s.stepsPerGoal[g].toFixed(1)} · ${s.returnPerGoal[g].toFixed(2)}` : '—';
    });
    row['seeds whose training found every goal'] = `${s.seedsTrainedOnAllGoals}/${s.seeds}`;
    row['modes kept (distinct goals)'] = s.modes === null ? '—' : s.modes.map((m, i) => `${m} (${s.modeGoals?.[i]})`).join(', ');
    row['goals ever given a mode'] = s.modeGoalsEver === null ? '—' : s.modeGoalsEver.join(', ');
    row['CPU s (all seeds)'] = Math.round(s.cpuSeconds);
    return row;
  });
}

/**
 * What the run shows, read off its numbers: per arm the success rate, how many seeds' final
 * evaluations reach two or more goals, the goal split, and for DDiffPG the modes it keeps; then
 * the comparison the notebook is about.
 */
export function findings(runs: readonly ArmRun[], layout: MazeLayout, minGoalShare: number): string {
  const summaries = summarise(runs);
  const lines: string[] = [];
  const numGoals = layout.goals.length;
  for (const s of summaries) {
    const multi = s.goalsReached.filter((g) => g >= 2).length;
    const pooled = s.goalsReachedPooled.filter((g) => g >= 2).length;
    const split = s.goalCounts.map((c, g) => `${c} at ${goalName(layout, g)}`).join(', ');
    let line =
      `- **${s.label}**: the final evaluation succeeds in ${pct(s.successMean)} ± ${pct(s.successStd)} of episodes (mean ± std over ${s.seeds} seed${s.seeds === 1 ? '' : 's'}); ` +
      `${multi} of ${s.seeds} seeds reach two or more goals (each with ≥ ${pct(minGoalShare)} of the seed's successes), ${pooled} of ${s.seeds} over the last ${POOLED_EVALS} evaluations pooled; ` +
      `over all seeds the final evaluation has ${split} of ${s.episodes} episodes. ` +
      `Training episodes reached every goal in ${s.seedsTrainedOnAllGoals} of ${s.seeds} seeds.`;
    if (s.modes && s.modeGoals) {
      line += ` It ends with ${s.modes.join(', ')} modes (seed by seed), whose successful trajectories go to ${s.modeGoals.join(', ')} distinct goals; over the run its clusterings gave a mode to ${(s.modeGoalsEver ?? []).join(', ')} distinct goals.`;
    }
    lines.push(line);
  }
  const ddiffpg = summaries.find((s) => s.modes !== null);
  const others = summaries.filter((s) => s.modes === null);
  if (ddiffpg && others.length) {
    // Seeds whose last evaluations, pooled, reach two or more goals: one evaluation alone is a small, noisy draw.
    const share = (s: ArmSummary) => s.goalsReachedPooled.filter((g) => g >= Math.min(2, numGoals)).length / s.seeds;
    const best = others.reduce((a, b) => (share(b) > share(a) ? b : a));
    const d = share(ddiffpg);
    const o = share(best);
    const verdict =
      d > o
        ? `over its last ${POOLED_EVALS} evaluations DDiffPG reaches several goals in more seeds (${pct(d)}) than any baseline (best: ${best.label}, ${pct(o)})`
        : d === o
          ? `over its last ${POOLED_EVALS} evaluations DDiffPG reaches several goals in as many seeds (${pct(d)}) as the best baseline (${best.label}): the run does not separate them`
          : `over its last ${POOLED_EVALS} evaluations DDiffPG reaches several goals in fewer seeds (${pct(d)}) than ${best.label} (${pct(o)}): the claim does not hold in this run`;
    lines.push('', `**The claim** (DDiffPG discovers and keeps several behaviours where the other agents settle on one): ${verdict}. With ${ddiffpg.seeds} seed${ddiffpg.seeds === 1 ? '' : 's'} this is a count, not a test.`);
  }
  return lines.join('\n');
}

/** Everything a run produced, JSON-ready: every episode's goal and length, the paths of the last evaluation only (rounded to 1e-3). */
export function resultsJson(runs: readonly ArmRun[]): unknown {
  return runs.map((r) => ({
    ...r,
    points: r.points.map((p, i) => ({
      ...p,
      episodes: p.episodes.map((e) => (i === r.points.length - 1 ? { goal: e.goal, length: e.length, path: Array.from(e.path, (v) => Math.round(v * 1000) / 1000) } : { goal: e.goal, length: e.length })),
    })),
  }));
}
