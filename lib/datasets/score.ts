/**
 * D4RL-style normalised scores: 100 · (R − R_random) / (R_best − R_random), where R_random is the
 * uniform-random policy's mean episode return on the task and R_best the mean return of the best
 * policy behind the datasets (the source policy of a medium or expert dataset). 0 is random, 100
 * the source policy. Every dataset's manifest carries both numbers (`reference`), so a score can
 * be computed from any one dataset; a random dataset has no policy behind it (policyReturn null)
 * unless one was named when it was made.
 */
import { Dataset, DatasetManifest, ReferenceReturns } from './format';

export type ScoreReference = Pick<ReferenceReturns, 'randomReturn' | 'policyReturn'> | DatasetManifest | Dataset;

function referenceOf(from: ScoreReference): { randomReturn: number | null; policyReturn: number | null; what: string } {
  if ('manifest' in from) return { ...from.manifest.reference, what: `dataset ${from.dir}` };
  if ('reference' in from) return { ...from.reference, what: `the ${from.env} ${from.kind} dataset` };
  return { randomReturn: from.randomReturn, policyReturn: from.policyReturn, what: 'the reference returns' };
}

/** Whether `from` has both reference returns, and they differ. */
export function hasScoreReference(from: ScoreReference): boolean {
  const r = referenceOf(from);
  return typeof r.randomReturn === 'number' && typeof r.policyReturn === 'number' && r.policyReturn !== r.randomReturn;
}

/** The normalised score of return `ret`; throws, saying which is missing, when the references are incomplete. */
export function normalisedScore(ret: number, from: ScoreReference): number {
  const r = referenceOf(from);
  if (typeof r.randomReturn !== 'number' || typeof r.policyReturn !== 'number') {
    const missing = [r.randomReturn === null ? 'randomReturn' : '', r.policyReturn === null ? 'policyReturn' : ''].filter(Boolean).join(' and ');
    throw new Error(`${r.what} has no ${missing} (a random dataset has no policy behind it): take the reference returns of a medium or expert dataset of the task`);
  }
  if (r.policyReturn === r.randomReturn) throw new Error(`${r.what}: randomReturn and policyReturn are both ${r.randomReturn}, so no score can be normalised`);
  return (100 * (ret - r.randomReturn)) / (r.policyReturn - r.randomReturn);
}
