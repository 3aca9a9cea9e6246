/**
 * Progress lines of runs and sweeps: durations, a run's ETA, a sweep's overall ETA. Pure
 * functions of the numbers they are given, so the tests can pin them with fixed numbers.
 */

/** 42s, 3m05s, 1h11m; '?' for a duration that cannot be known. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A point of a run's progress: wall seconds and env steps done. */
export interface ProgressPoint {
  t: number;
  step: number;
}

/**
 * The ETA part of a run's progress line. Warm-up steps (random actions, no updates) run many
 * times faster than training ones, so an ETA from their speed promises far too early an end
 * and then jumps (31s → 1h11m). During warm-up the line says the ETA comes after it; after
 * warm-up the ETA uses the mean speed since warm-up ended (`since`: where this process first
 * saw a post-warm-up step), evaluations included.
 */
export function runEta(o: { step: number; totalSteps: number; warmupSteps: number; since: ProgressPoint | null; now: number }): string {
  if (o.step >= o.totalSteps) return 'ETA 0s';
  if (o.step < o.warmupSteps || o.since === null) {
    return `ETA after warm-up (${Math.min(o.warmupSteps, o.totalSteps) - o.step} random steps left)`;
  }
  const steps = o.step - o.since.step;
  const seconds = o.now - o.since.t;
  if (steps <= 0 || seconds <= 0) return 'ETA measuring';
  return `ETA ${formatDuration(((o.totalSteps - o.step) * seconds) / steps)}`;
}

/** What a sweep knows about one run for its ETA. */
export interface SweepRunInfo {
  algo: string;
  env: string;
}

/**
 * Seconds until a sweep is done: each run still to finish costs the mean measured duration of
 * the finished runs (exit 0) of its algorithm and task, else of its algorithm, else of all;
 * a running run is charged what is left of that after its elapsed time. The total is shared
 * by min(jobs, runs left) workers. Null when no run has finished yet.
 */
export function sweepEtaSeconds(o: {
  finished: readonly (SweepRunInfo & { seconds: number; ok: boolean })[];
  running: readonly (SweepRunInfo & { elapsed: number })[];
  queued: readonly SweepRunInfo[];
  jobs: number;
}): number | null {
  const measured = o.finished.filter((r) => r.ok);
  if (measured.length === 0) return null;
  const meanOf = (rows: readonly { seconds: number }[]) => rows.reduce((s, r) => s + r.seconds, 0) / rows.length;
  const expected = (r: SweepRunInfo) => {
    const same = measured.filter((m) => m.algo === r.algo && m.env === r.env);
    if (same.length) return meanOf(same);
    const algo = measured.filter((m) => m.algo === r.algo);
    return meanOf(algo.length ? algo : measured);
  };
  const work = o.running.reduce((s, r) => s + Math.max(0, expected(r) - r.elapsed), 0) + o.queued.reduce((s, r) => s + expected(r), 0);
  const left = o.running.length + o.queued.length;
  return left === 0 ? 0 : work / Math.max(1, Math.min(o.jobs, left));
}

/** The line a sweep prints as each run finishes: "sweep: run 3 of 10 done (…); 1 failed; overall ETA 25m00s". */
/** Exit codes of a run that stopped on a signal with a checkpoint (train.ts EXIT_CODES: stopped, preempted): resumable, not failed. */
export const RESUMABLE_EXIT_CODES: readonly number[] = [130, 143];

export function sweepProgressLine(o: {
  done: number;
  total: number;
  failed: number;
  /** Runs that stopped on a signal with a checkpoint (default 0). */
  interrupted?: number;
  /** The sweep itself got a signal and starts no new run. */
  stopping?: boolean;
  last: string;
  etaSeconds: number | null;
}): string {
  const eta = o.stopping
    ? 'stopping: the same command resumes'
    : o.done >= o.total
      ? 'all done'
      : o.etaSeconds === null
        ? 'overall ETA after the first complete run'
        : `overall ETA ${formatDuration(o.etaSeconds)}`;
  const interrupted = o.interrupted ? `; ${o.interrupted} stopped with a checkpoint` : '';
  return `sweep: run ${o.done} of ${o.total} done (${o.last}); ${o.failed} failed${interrupted}; ${eta}`;
}
