/**
 * Reading an ablation's runs back per arm: curves with the arm as the series, the final
 * returns with their cost (steps/s), and a per-step series of any train.csv column (e.g. the
 * policy's sample spread `sampleStd`) averaged over seeds.
 */
import { Ablation, AblationArm } from '../runner/ablations';
import { CurvePoint, columnCurves, evalCurves } from './curves';
import { RunRecord, finalEvalReturn, listRuns, readTrainCsv, splitByCompleteness } from './runs';
import { mean, std } from '../stats';

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

export interface ArmFinal {
  arm: string;
  label: string;
  seeds: number;
  /** Mean and population std over seeds of the final evaluation return (null without runs). */
  mean: number | null;
  std: number | null;
  /** Training speed: mean over seeds of the last logged steps/s (null when not logged). */
  stepsPerSecond: number | null;
  /** Wall time of the runs, mean over seeds (seconds). */
  wallSeconds: number | null;
}

export function armFinals(arms: readonly ArmRuns[]): ArmFinal[] {
  return arms.map((a) => {
    const finals = a.complete.map((r) => finalEvalReturn(r));
    const last = a.complete.map((r) => {
      const rows = readTrainCsv(r);
      return rows[rows.length - 1];
    });
    const speeds = last.map((row) => (row && typeof row.steps_per_second === 'number' ? row.steps_per_second : NaN)).filter(Number.isFinite);
    const walls = last.map((row) => (row && typeof row.wall_seconds === 'number' ? row.wall_seconds : NaN)).filter(Number.isFinite);
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

/**
 * Figure 4's claim checked on the numbers: with the entropy term, T=20 comes close to T=100
 * without it. "Close" = within the larger of the two seed spreads.
 */
export function entropyClaim(finals: readonly ArmFinal[]): string {
  const get = (name: string) => finals.find((f) => f.arm === name);
  const t20e = get('fig4-T20-ent');
  const t20n = get('fig4-T20-noent');
  const t100n = get('fig4-T100-noent');
  const t100e = get('fig4-T100-ent');
  if (!t20e || !t100n || t20e.mean === null || t100n.mean === null) return 'The claim cannot be checked: the T=20-with-entropy or T=100-without-entropy arm has no complete runs.';
  const gap = t20e.mean - t100n.mean;
  const spread = Math.max(t20e.std ?? 0, t100n.std ?? 0);
  const verdict =
    gap >= 0
      ? `T=20 with the entropy term did at least as well as T=100 without it (${fmt(t20e.mean)} vs ${fmt(t100n.mean)}): the claim holds in this run`
      : -gap <= spread
        ? `T=20 with the entropy term came within the seed spread of T=100 without it (${fmt(t20e.mean)} vs ${fmt(t100n.mean)}, gap ${fmt(-gap)} ≤ std ${fmt(spread)}): consistent with the claim`
        : `T=20 with the entropy term stayed below T=100 without it by more than the seed spread (${fmt(t20e.mean)} vs ${fmt(t100n.mean)}, gap ${fmt(-gap)} > std ${fmt(spread)}): the claim does not hold in this run`;
  const effect =
    t20n && t20n.mean !== null
      ? ` At T=20 the entropy term changed the final return by ${fmt(t20e.mean - t20n.mean)} (${fmt(t20n.mean)} → ${fmt(t20e.mean)})` +
        (t100e && t100e.mean !== null ? `; at T=100 by ${fmt(t100e.mean - t100n.mean)}.` : '.')
      : '';
  return `${verdict}.${effect} Seeds per arm: ${finals.map((f) => `${f.label} ${f.seeds}`).join(', ')}.`;
}

/** Figure 5 in words: arms ranked by final return, with their cost. */
export function selectionSummary(finals: readonly ArmFinal[]): string {
  const ranked = finals.filter((f) => f.mean !== null).sort((a, b) => (b.mean as number) - (a.mean as number));
  if (ranked.length === 0) return 'No arm has complete runs.';
  const lines = ranked.map(
    (f, i) => `${i + 1}. ${f.label}: ${fmt(f.mean)} ± ${fmt(f.std)} over ${f.seeds} seed(s), ${fmt(f.stepsPerSecond)} steps/s`,
  );
  return lines.join('\n');
}
