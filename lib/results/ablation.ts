/**
 * Reading an ablation's runs back per arm: curves with the arm as the series, the final
 * returns with their cost (steps/s), and a per-step series of any train.csv column (e.g. the
 * policy's sample spread `sampleStd`) averaged over seeds.
 */
import { Ablation, AblationArm, ArmCost } from '../runner/ablations';
import { CurvePoint, columnCurves, evalCurves } from './curves';
import { RunRecord, TrainRow, finalEvalReturn, listRuns, readRunConfig, readTrainCsv, splitByCompleteness } from './runs';
import { mean, median, std } from '../stats';

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
  value: number;
}

/**
 * Each arm's value at the last step of `curves` (armColumnCurves' points, series = arm label), so
 * a sentence quoting it says what the chart drawn from the same points ends at. Arms without a
 * finite point are left out.
 */
export function armColumnEnds(arms: readonly ArmRuns[], curves: readonly CurvePoint[]): ArmColumnEnd[] {
  return arms.flatMap((a) => {
    const last = curves.filter((p) => p.algo === a.arm.label && Number.isFinite(p.mean)).reduce<CurvePoint | null>((best, p) => (best && best.step >= p.step ? best : p), null);
    return last ? [{ arm: a.arm.name, label: a.arm.label, value: last.mean }] : [];
  });
}

export interface ArmFinal {
  arm: string;
  label: string;
  seeds: number;
  /** Mean and population std over seeds of the final evaluation return (null without runs). */
  mean: number | null;
  std: number | null;
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
  const plan = readRunConfig(run);
  const config = plan.config as Record<string, unknown> | undefined;
  const warmup = typeof config?.warmupSteps === 'number' ? config.warmupSteps : 0;
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
      stepsPerSecond: speeds.length ? mean(speeds) : null,
      wallSeconds: walls.length ? mean(walls) : null,
    };
  });
}

const fmt = (v: number | null, digits = 1) => (v === null ? 'n/a' : v.toFixed(digits));
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${fmt(Math.abs(v))}`;

/** The spread two arms' final returns are judged against: the larger std; null when an arm has one seed (no spread). */
function seedSpread(a: ArmFinal, b: ArmFinal): number | null {
  return Math.min(a.seeds, b.seeds) < 2 ? null : Math.max(a.std ?? 0, b.std ?? 0);
}

/** How a change of final return from one arm to another reads against their seed spread. */
type ChangeOutcome = 'higher' | 'lower' | 'within' | 'one-seed';

/**
 * The change of final return from arm `from` to arm `to` and its outcome against seedSpread: the
 * one rule both figures' claims judge a change by. Null when an arm is absent or has no complete runs.
 */
function judgeChange(
  from: ArmFinal | undefined,
  to: ArmFinal | undefined,
): { fromMean: number; toMean: number; change: number; spread: number | null; outcome: ChangeOutcome } | null {
  if (!from || !to || from.mean === null || to.mean === null) return null;
  const change = to.mean - from.mean;
  const spread = seedSpread(from, to);
  const outcome: ChangeOutcome = spread === null ? 'one-seed' : Math.abs(change) <= spread ? 'within' : change > 0 ? 'higher' : 'lower';
  return { fromMean: from.mean, toMean: to.mean, change, spread, outcome };
}

/** An arm's training step measured alone, as the notebooks print it: the median round's ms and, over several rounds, their range. */
export function formatStepCost(measured: ArmCost | undefined): string {
  if (!measured) return 'n/a';
  const rounds = measured.roundsMs;
  const range = rounds.length > 1 ? ` (${rounds[0].toFixed(1)}–${rounds[rounds.length - 1].toFixed(1)})` : '';
  return measured.cost.msPerEnvStep.toFixed(1) + range;
}

/**
 * Figure 4's claim checked on the numbers: with the entropy term, T=20 comes close to T=100
 * without it. "Close" = within the larger of the two seed spreads. Also states what the term
 * did to the final return at each T and, given `spreads` (armColumnEnds of `sampleStd`), to the
 * policy's sample spread at the end of training: the mechanism the paper credits.
 */
export function entropyClaim(finals: readonly ArmFinal[], costs: readonly ArmCost[] = [], spreads: readonly ArmColumnEnd[] = []): string {
  const get = (name: string) => finals.find((f) => f.arm === name);
  const t20e = get('fig4-T20-ent');
  const t100n = get('fig4-T100-noent');
  if (!t20e || !t100n || t20e.mean === null || t100n.mean === null) return 'The claim cannot be checked: the T=20-with-entropy or T=100-without-entropy arm has no complete runs.';
  const gap = t20e.mean - t100n.mean;
  const spread = seedSpread(t20e, t100n);
  const verdict =
    spread === null
      ? `T=20 with the entropy term ended at ${fmt(t20e.mean)} and T=100 without it at ${fmt(t100n.mean)}; with one seed in an arm there is no spread to judge the claim by`
      : gap >= 0
        ? `T=20 with the entropy term did at least as well as T=100 without it (${fmt(t20e.mean)} vs ${fmt(t100n.mean)}): the claim holds in this run`
        : -gap <= spread
          ? `T=20 with the entropy term came within the seed spread of T=100 without it (${fmt(t20e.mean)} vs ${fmt(t100n.mean)}, gap ${fmt(-gap)} ≤ std ${fmt(spread)}): consistent with the claim`
          : `T=20 with the entropy term stayed below T=100 without it by more than the seed spread (${fmt(t20e.mean)} vs ${fmt(t100n.mean)}, gap ${fmt(-gap)} > std ${fmt(spread)}): the claim does not hold in this run`;
  // What the term itself did at each T: on the final return, against the seed spread of the
  // pair, and on the policy's sample spread at the end of training.
  const pairs = [20, 100].map((t) => ({ t, withTerm: `fig4-T${t}-ent`, without: `fig4-T${t}-noent` }));
  const termEffect = (t: number, withTerm: ArmFinal | undefined, without: ArmFinal | undefined) => {
    const judged = judgeChange(without, withTerm);
    if (!judged) return null;
    const { fromMean, toMean, change, spread: pairSpread, outcome } = judged;
    const reading = outcome === 'one-seed' ? 'one seed in an arm' : outcome === 'within' ? `within the seed spread ${fmt(pairSpread)}` : `beyond the seed spread ${fmt(pairSpread)}`;
    return `at T=${t} by ${signed(change)} (${fmt(fromMean)} → ${fmt(toMean)}, ${reading})`;
  };
  const spreadOf = (name: string) => spreads.find((x) => x.arm === name)?.value;
  const spreadEffect = (t: number, withTerm: number | undefined, without: number | undefined) =>
    withTerm === undefined || without === undefined ? null : `${fmt(withTerm, 3)} with the term and ${fmt(without, 3)} without at T=${t}`;
  const effects = pairs.map((p) => termEffect(p.t, get(p.withTerm), get(p.without))).filter((e): e is string => e !== null);
  const spreadEffects = pairs.map((p) => spreadEffect(p.t, spreadOf(p.withTerm), spreadOf(p.without))).filter((e): e is string => e !== null);
  const effect = effects.length ? ` The entropy term changed the final return ${effects.join('; ')}.` : '';
  const mechanism = spreadEffects.length
    ? ` At the end of training the policy's sample spread (mean per-dimension std of the Nd samples) was ${spreadEffects.join('; ')}.`
    : '';
  const msOf = (name: string) => costs.find((c) => c.arm === name)?.cost.msPerEnvStep;
  const ms20 = msOf('fig4-T20-ent');
  const ms100 = msOf('fig4-T100-noent');
  const cost =
    ms20 !== undefined && ms100 !== undefined
      ? ` Per training step, T=20 with the entropy term costs ×${(ms20 / ms100).toFixed(2)} of T=100 without it (${fmt(ms20)} vs ${fmt(ms100)} ms, measured alone).`
      : '';
  return `${verdict}.${effect}${mechanism}${cost} Seeds per arm: ${finals.map((f) => `${f.seeds} (${f.label})`).join(', ')}.`;
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
 * Figure 5's reading checked on the numbers: one setting changed at a time (Kb at fixed Kt,
 * Kt at fixed Kb), each change's effect on the final return against the larger seed spread
 * of the two arms, and its cost per training step where measured.
 */
export function selectionClaim(finals: readonly ArmFinal[], costs: readonly ArmCost[] = []): string {
  type Outcome = ChangeOutcome | 'missing';
  const get = (name: string) => finals.find((f) => f.arm === name);
  const costOf = (name: string) => costs.find((c) => c.arm === name) ?? null;
  const compare = (from: string, to: string, what: string): { line: string; outcome: Outcome } => {
    const judged = judgeChange(get(from), get(to));
    if (!judged) return { line: `- ${what}: not comparable (an arm has no complete runs).`, outcome: 'missing' };
    const { fromMean, toMean, change: gap, spread, outcome } = judged;
    const reading =
      outcome === 'one-seed'
        ? 'one seed in an arm: no spread to judge it by'
        : outcome === 'within'
          ? `within the seed spread ${fmt(spread)}`
          : `${outcome}, beyond the seed spread ${fmt(spread)}`;
    const ca = costOf(from);
    const cb = costOf(to);
    let cost = '';
    if (ca && cb) {
      const [ma, mb] = [ca.cost.msPerEnvStep, cb.cost.msPerEnvStep];
      // Ranges over the timing rounds that overlap: the difference is within the timing noise.
      const overlap = ca.roundsMs.length > 1 && cb.roundsMs.length > 1 && Math.max(ca.roundsMs[0], cb.roundsMs[0]) <= Math.min(ca.roundsMs[ca.roundsMs.length - 1], cb.roundsMs[cb.roundsMs.length - 1]);
      cost = `; cost per training step ×${(mb / ma).toFixed(2)} (${fmt(ma)} → ${fmt(mb)} ms${overlap ? ', within the timing noise: the rounds\' ranges overlap' : ''})`;
    }
    return { line: `- ${what}: ${fmt(fromMean)} → ${fmt(toMean)} (${signed(gap)}, ${reading})${cost}.`, outcome };
  };
  const kb = [compare('fig5-Kb1-Kt1', 'fig5-Kb4-Kt1', 'Kb 1 → 4 at Kt = 1'), compare('fig5-Kb4-Kt2', 'fig5-Kb20-Kt2', 'Kb 4 → 20 at Kt = 2')];
  const kt = [compare('fig5-Kb4-Kt1', 'fig5-Kb4-Kt2', 'Kt 1 → 2 at Kb = 4'), compare('fig5-Kb4-Kt2', 'fig5-Kb4-Kt4', 'Kt 2 → 4 at Kb = 4')];
  const outcomes = kb.map((c) => c.outcome);
  const verdict = outcomes.includes('missing')
    ? 'The paper\'s reading (more behaviour candidates, higher returns) cannot be checked: a Kb comparison lacks complete runs.'
    : outcomes.includes('one-seed')
      ? 'The paper\'s reading (more behaviour candidates, higher returns) cannot be judged from one seed per arm.'
      : outcomes.every((o) => o === 'higher')
        ? 'The paper\'s reading holds in these runs: each increase of Kb raised the final return beyond the seed spread.'
        : outcomes.includes('lower')
          ? 'The paper\'s reading does not hold in these runs: an increase of Kb lowered the final return beyond the seed spread.'
          : outcomes.includes('higher')
            ? 'The paper\'s reading is only partly shown in these runs: one increase of Kb raised the final return beyond the seed spread, the other stayed within it.'
            : 'These runs neither show nor contradict the paper\'s reading: both changes of Kb stayed within the seed spread.';
  return [...kb, ...kt].map((c) => c.line).join('\n') + '\n\n' + verdict;
}
