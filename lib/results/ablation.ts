/**
 * Reading an ablation's runs back per arm: curves with the arm as the series, the final
 * returns with their cost (steps/s), and a per-step series of any train.csv column (e.g. the
 * policy's sample spread `sampleStd`) averaged over seeds. Claims comparing two arms are
 * sentences of lib/stats/compare: the difference with its bootstrap interval and P(X > Y).
 */
import { Ablation, AblationArm, ArmCost } from '../runner/ablations';
import { CurvePoint, columnCurves, evalCurves, runWarmupSteps } from './curves';
import { RunRecord, TrainRow, finalEvalReturn, listRuns, readTrainCsv, splitByCompleteness } from './runs';
import { BootstrapOptions, mean, median, std } from '../stats';
import { ArmComparison, compareArms } from '../stats/compare';

export interface ArmRuns {
  arm: AblationArm;
  /** Directory label: `<profile>-<variant>`. */
  label: string;
  complete: RunRecord[];
  /** Incomplete runs of the selected seeds, with the reason they do not count. */
  incomplete: { id: string; reason: string }[];
}

export function armRuns(root: string, profile: string, ablation: Ablation, seeds: readonly number[]): ArmRuns[] {
  return ablation.arms.map((arm) => {
    const label = `${profile}-${arm.name}`;
    const runs = listRuns(root, { profile: label, algo: 'qvpo', env: ablation.env }).filter((r) => seeds.includes(r.seed));
    const split = splitByCompleteness(runs);
    return { arm, label, complete: split.complete, incomplete: split.incomplete.map((x) => ({ id: x.run.id, reason: x.reason })) };
  });
}

/** Evaluation curves with the arm's label in the `algo` field (the series of figure3Spec). */
export function armEvalCurves(arms: readonly ArmRuns[]): CurvePoint[] {
  return arms.flatMap((a) => evalCurves(a.complete).map((p) => ({ ...p, algo: a.arm.label })));
}

/** A train.csv column as curves (see columnCurves), one per arm, trailing window `window` steps. */
export function armColumnCurves(arms: readonly ArmRuns[], column: string, window: number, points = 50): CurvePoint[] {
  return arms.flatMap((a) => columnCurves(a.complete, column, { window, points }).map((p) => ({ ...p, algo: a.arm.label })));
}

/** An arm's curve (from armColumnCurves) at its last step: e.g. the sample spread at the end of training. */
export interface ArmColumnEnd {
  arm: string;
  label: string;
  /** The curve's last point: the mean over seeds. */
  value: number;
  /** Each run's own value at that step (the points the mean is taken over). */
  values: number[];
}

/**
 * Each arm's value at the last step of `curves` (armColumnCurves' points, series = arm label), so
 * a sentence quoting it says what the chart drawn from the same points ends at; with `column`
 * and `window` as given to armColumnCurves, also each run's value there. Arms without a finite
 * point are left out.
 */
export function armColumnEnds(arms: readonly ArmRuns[], curves: readonly CurvePoint[], column?: string, window?: number, points = 50): ArmColumnEnd[] {
  return arms.flatMap((a) => {
    const last = curves.filter((p) => p.algo === a.arm.label && Number.isFinite(p.mean)).reduce<CurvePoint | null>((best, p) => (best && best.step >= p.step ? best : p), null);
    if (!last) return [];
    // One run at a time through the same smoothing, read at the same step.
    const values =
      column === undefined || window === undefined
        ? []
        : a.complete.flatMap((run) => columnCurves([run], column, { window, points }).filter((p) => p.step === last.step && Number.isFinite(p.mean)).map((p) => p.mean));
    return [{ arm: a.arm.name, label: a.arm.label, value: last.mean, values }];
  });
}

export interface ArmFinal {
  arm: string;
  label: string;
  seeds: number;
  /** Mean and population std over seeds of the final evaluation return (null without runs). */
  mean: number | null;
  std: number | null;
  /** Each seed's final evaluation return. */
  scores: number[];
  /** Training speed as run: mean over seeds of trainingStepsPerSecond (null when not logged). */
  stepsPerSecond: number | null;
  /** Wall time of the runs, mean over seeds (seconds). */
  wallSeconds: number | null;
}

/**
 * A run's training speed as run: the median over its post-warm-up episodes of each episode's
 * steps/s (the median skips the episodes that carry an evaluation). NaN when not logged.
 */
export function trainingStepsPerSecond(run: RunRecord, rows: readonly TrainRow[] = readTrainCsv(run)): number {
  const warmup = runWarmupSteps(run);
  const rates = rows
    .filter((row) => typeof row.step === 'number' && row.step > warmup)
    .map((row) => (typeof row.steps_per_second === 'number' ? row.steps_per_second : NaN))
    .filter(Number.isFinite);
  return rates.length ? median(rates) : NaN;
}

export function armFinals(arms: readonly ArmRuns[]): ArmFinal[] {
  return arms.map((a) => {
    const finals = a.complete.map((r) => finalEvalReturn(r));
    const trainRows = a.complete.map((r) => readTrainCsv(r));
    const speeds = a.complete.map((r, i) => trainingStepsPerSecond(r, trainRows[i])).filter(Number.isFinite);
    const walls = trainRows
      .map((rows) => rows[rows.length - 1])
      .map((row) => (row && typeof row.wall_seconds === 'number' ? row.wall_seconds : NaN))
      .filter(Number.isFinite);
    return {
      arm: a.arm.name,
      label: a.arm.label,
      seeds: finals.length,
      mean: finals.length ? mean(finals) : null,
      std: finals.length ? std(finals) : null,
      scores: finals,
      stepsPerSecond: speeds.length ? mean(speeds) : null,
      wallSeconds: walls.length ? mean(walls) : null,
    };
  });
}

const fmt = (v: number | null, digits = 1) => (v === null ? 'n/a' : v.toFixed(digits));

/** An arm's short name in claim sentences: its run folder's variant without the figure prefix (T20-ent, Kb4-Kt2). */
export function armShortName(arm: string): string {
  return arm.replace(/^fig\d+-/, '');
}

/**
 * Arm `to` against arm `from` on their final returns ("to is above from"), as a compareArms
 * sentence; null when an arm is absent or has no complete runs.
 */
export function compareFinals(from: ArmFinal | undefined, to: ArmFinal | undefined, options: BootstrapOptions = {}): ArmComparison | null {
  if (!from || !to || from.scores.length === 0 || to.scores.length === 0) return null;
  return compareArms(to.scores, from.scores, { ...options, names: [armShortName(to.arm), armShortName(from.arm)] });
}

/** An arm's training step measured alone, as the notebooks print it: the median round's ms and, over several rounds, their range. */
export function formatStepCost(measured: ArmCost | undefined): string {
  if (!measured) return 'n/a';
  const rounds = measured.roundsMs;
  const range = rounds.length > 1 ? ` (${rounds[0].toFixed(1)}–${rounds[rounds.length - 1].toFixed(1)})` : '';
  return measured.cost.msPerEnvStep.toFixed(1) + range;
}

/**
 * Figure 4's claim checked on the runs: with the entropy term, T=20 comes close to T=100 without
 * it. Each comparison is a compareArms sentence (difference of the final returns with its 95%
 * bootstrap interval, P(X > Y)); then what the term did at each T, to the final return and,
 * given `spreads` (armColumnEnds of `sampleStd` with per-run values), to the policy's sample
 * spread at the end of training: the mechanism the paper credits.
 */
export function entropyClaim(finals: readonly ArmFinal[], costs: readonly ArmCost[] = [], spreads: readonly ArmColumnEnd[] = [], options: BootstrapOptions = {}): string {
  const get = (name: string) => finals.find((f) => f.arm === name);
  const main = compareFinals(get('fig4-T100-noent'), get('fig4-T20-ent'), options);
  if (!main) return 'The claim cannot be checked: the T=20-with-entropy or T=100-without-entropy arm has no complete runs.';
  const reading =
    main.verdict === 'holds'
      ? 'T=20 with the term ended above T=100 without it: the claim holds in these runs, with room to spare.'
      : main.verdict === 'does not hold'
        ? 'T=20 with the term ended below T=100 without it: the claim does not hold in these runs.'
        : 'The interval contains 0: these runs cannot tell the two arms apart, which the claim expects but does not show.';
  const lines = [`**The claim** (T=20 with the entropy term comes close to T=100 without it): ${main.sentence}. ${reading}`];

  // What the term itself did at each T: on the final return, and on the sample spread.
  const effects = [20, 100].map((t) => compareFinals(get(`fig4-T${t}-noent`), get(`fig4-T${t}-ent`), options)).filter((c): c is ArmComparison => c !== null);
  if (effects.length) lines.push(`**The entropy term's effect on the final return**, with against without: ${effects.map((c) => c.sentence).join('; ')}.`);
  const spreadOf = (name: string) => spreads.find((x) => x.arm === name);
  const spreadEffects = [20, 100].flatMap((t) => {
    const [withTerm, without] = [spreadOf(`fig4-T${t}-ent`), spreadOf(`fig4-T${t}-noent`)];
    if (!withTerm || !without) return [];
    if (withTerm.values.length === 0 || without.values.length === 0) return [`${fmt(withTerm.value, 3)} with the term and ${fmt(without.value, 3)} without at T=${t}`];
    return [compareArms(withTerm.values, without.values, { ...options, names: [armShortName(withTerm.arm), armShortName(without.arm)], digits: 3 }).sentence];
  });
  if (spreadEffects.length) lines.push(`**The policy's sample spread at the end of training** (mean per-dimension std of the Nd samples): ${spreadEffects.join('; ')}.`);

  const msOf = (name: string) => costs.find((c) => c.arm === name)?.cost.msPerEnvStep;
  const ms20 = msOf('fig4-T20-ent');
  const ms100 = msOf('fig4-T100-noent');
  if (ms20 !== undefined && ms100 !== undefined) {
    lines.push(`Per training step, T=20 with the entropy term costs ×${(ms20 / ms100).toFixed(2)} of T=100 without it (${fmt(ms20)} vs ${fmt(ms100)} ms, measured alone).`);
  }
  lines.push(`Seeds per arm: ${finals.map((f) => `${f.seeds} (${f.label})`).join(', ')}.`);
  return lines.join('\n\n');
}

/**
 * Figure 5 in words: arms ranked by final return, with their cost: steps/s as run (shared
 * cores, warm-up and evaluations included) and, when measured, ms per training step alone.
 */
export function selectionSummary(finals: readonly ArmFinal[], costs: readonly ArmCost[] = []): string {
  const ranked = finals.filter((f) => f.mean !== null).sort((a, b) => (b.mean as number) - (a.mean as number));
  if (ranked.length === 0) return 'No arm has complete runs.';
  const lines = ranked.map((f, i) => {
    const cost = costs.find((c) => c.arm === f.arm)?.cost;
    const alone = cost ? `; ${fmt(cost.msPerEnvStep)} ms per training step measured alone (${fmt(cost.envStepsPerSecond)} steps/s)` : '';
    return `${i + 1}. ${f.label}: ${fmt(f.mean)} ± ${fmt(f.std)} over ${f.seeds} seed(s), ${fmt(f.stepsPerSecond)} steps/s as run${alone}`;
  });
  return lines.join('\n');
}

/**
 * Figure 5's reading checked on the runs: one setting changed at a time (Kb at fixed Kt, Kt at
 * fixed Kb), each change as a compareArms sentence on the final return ("the larger setting
 * ends higher"), with its cost per training step where measured.
 */
export function selectionClaim(finals: readonly ArmFinal[], costs: readonly ArmCost[] = [], options: BootstrapOptions = {}): string {
  type Outcome = ArmComparison['verdict'] | 'missing' | 'one-seed';
  const get = (name: string) => finals.find((f) => f.arm === name);
  const costOf = (name: string) => costs.find((c) => c.arm === name) ?? null;
  const compare = (from: string, to: string, what: string): { line: string; outcome: Outcome } => {
    const c = compareFinals(get(from), get(to), options);
    if (!c) return { line: `- ${what}: not comparable (an arm has no complete runs).`, outcome: 'missing' };
    const ca = costOf(from);
    const cb = costOf(to);
    let cost = '';
    if (ca && cb) {
      const [ma, mb] = [ca.cost.msPerEnvStep, cb.cost.msPerEnvStep];
      // Ranges over the timing rounds that overlap: the difference is within the timing noise.
      const overlap = ca.roundsMs.length > 1 && cb.roundsMs.length > 1 && Math.max(ca.roundsMs[0], cb.roundsMs[0]) <= Math.min(ca.roundsMs[ca.roundsMs.length - 1], cb.roundsMs[cb.roundsMs.length - 1]);
      cost = `; cost per training step ×${(mb / ma).toFixed(2)} (${fmt(ma)} → ${fmt(mb)} ms${overlap ? ", within the timing noise: the rounds' ranges overlap" : ''})`;
    }
    return { line: `- ${what}: ${c.sentence}${cost}.`, outcome: Math.min(...c.seeds) < 2 ? 'one-seed' : c.verdict };
  };
  const kb = [compare('fig5-Kb1-Kt1', 'fig5-Kb4-Kt1', 'Kb 1 → 4 at Kt = 1'), compare('fig5-Kb4-Kt2', 'fig5-Kb20-Kt2', 'Kb 4 → 20 at Kt = 2')];
  const kt = [compare('fig5-Kb4-Kt1', 'fig5-Kb4-Kt2', 'Kt 1 → 2 at Kb = 4'), compare('fig5-Kb4-Kt2', 'fig5-Kb4-Kt4', 'Kt 2 → 4 at Kb = 4')];
  const outcomes = kb.map((c) => c.outcome);
  const verdict = outcomes.includes('missing')
    ? "The paper's reading (more behaviour candidates, higher returns) cannot be checked: a Kb comparison lacks complete runs."
    : outcomes.includes('one-seed')
      ? "The paper's reading (more behaviour candidates, higher returns) cannot be judged from one seed per arm."
      : outcomes.every((o) => o === 'holds')
        ? "The paper's reading holds in these runs: each increase of Kb raised the final return (both intervals above 0)."
        : outcomes.includes('does not hold')
          ? "The paper's reading does not hold in these runs: an increase of Kb lowered the final return (its interval lies below 0)."
          : outcomes.includes('holds')
            ? "The paper's reading is only partly shown in these runs: one increase of Kb raised the final return (interval above 0), the other's interval contains 0."
            : "These runs neither show nor contradict the paper's reading: both intervals for an increase of Kb contain 0.";
  return [...kb, ...kt].map((c) => c.line).join('\n') + '\n\n' + verdict;
}

/** A run that took far longer than the others, and where the time went. */
export interface SlowRun {
  label: string;
  seed: number;
  wallSeconds: number;
  /** The run's own median steps/s after warm-up (episodes that carried an evaluation left out). */
  typicalRate: number;
  /** Episodes below a quarter of typicalRate: their time, their median rate, their step range. */
  slowSeconds: number;
  slowRate: number;
  fromStep: number;
  toStep: number;
  /** The same stretch on the clock (ISO times), for a run that ran in one go; null after a resume. */
  clock: { from: string; to: string } | null;
}

/**
 * Runs whose wall time exceeds `factor` × the median wall time of all the arms' runs, with the
 * stretch of episodes that ran below a quarter of the run's own typical speed. On a shared
 * machine such a stretch is time the run waited for the cores: the clock times say when, so a
 * report can name what else ran then.
 */
export function slowRuns(arms: readonly ArmRuns[], factor = 1.5): SlowRun[] {
  const all = arms.flatMap((a) => a.complete.map((run) => ({ label: a.arm.label, run, rows: readTrainCsv(run) })));
  const wallOf = (rows: readonly TrainRow[]) => Number(rows[rows.length - 1]?.wall_seconds);
  const walls = all.map((x) => wallOf(x.rows)).filter(Number.isFinite);
  if (walls.length === 0) return [];
  const limit = factor * median(walls);
  const out: SlowRun[] = [];
  for (const { label, run, rows } of all) {
    const wall = wallOf(rows);
    if (!(wall > limit)) continue;
    const warmup = runWarmupSteps(run);
    const evalSteps = run.evalRows.map((e) => e.step);
    // Each episode's rate from the wall clock between consecutive rows (evaluation time included,
    // so episodes that carried an evaluation are left out).
    const episodes = rows.slice(1).map((row, i) => {
      const prev = rows[i];
      const steps = Number(row.step) - Number(prev.step);
      const seconds = Number(row.wall_seconds) - Number(prev.wall_seconds);
      const carriedEval = evalSteps.some((s) => s > Number(prev.step) && s <= Number(row.step));
      return { from: Number(prev.step), to: Number(row.step), startSeconds: Number(prev.wall_seconds), endSeconds: Number(row.wall_seconds), seconds, rate: steps / seconds, carriedEval };
    }).filter((e) => e.seconds > 0 && !e.carriedEval && e.from >= warmup);
    if (episodes.length === 0) continue;
    const typicalRate = median(episodes.map((e) => e.rate));
    const slow = episodes.filter((e) => e.rate < typicalRate / 4);
    if (slow.length === 0) continue;
    const starts = Array.isArray(run.status?.starts) ? (run.status?.starts as unknown[]) : [];
    const startedAt = Date.parse(run.status?.startedAt ?? '');
    const at = (seconds: number) => new Date(startedAt + 1000 * seconds).toISOString();
    out.push({
      label,
      seed: run.seed,
      wallSeconds: wall,
      typicalRate,
      slowSeconds: slow.reduce((sum, e) => sum + e.seconds, 0),
      slowRate: median(slow.map((e) => e.rate)),
      fromStep: slow[0].from,
      toStep: slow[slow.length - 1].to,
      clock: starts.length === 1 && Number.isFinite(startedAt) ? { from: at(slow[0].startSeconds), to: at(slow[slow.length - 1].endSeconds) } : null,
    });
  }
  return out;
}

/** slowRuns as Markdown lines ('' when there are none). */
export function slowRunsText(slow: readonly SlowRun[]): string {
  const minutes = (s: number) => (s / 60).toFixed(1);
  const clock = (iso: string) => `${iso.slice(11, 16)}`;
  return slow
    .map((r) => {
      const when = r.clock ? `, ${clock(r.clock.from)}–${clock(r.clock.to)} UTC on ${r.clock.from.slice(0, 10)}` : '';
      return (
        `- ${r.label}, seed ${r.seed}: ${minutes(r.wallSeconds)} min in all, ${minutes(r.slowSeconds)} min of it in episodes at under a quarter of its typical ` +
        `${r.typicalRate.toFixed(1)} steps/s (median ${r.slowRate.toFixed(1)} steps/s there), between steps ${r.fromStep.toLocaleString('en-US')} and ${r.toStep.toLocaleString('en-US')}${when}.`
      );
    })
    .join('\n');
}
