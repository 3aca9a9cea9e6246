/** lib/runner/progress: a run's ETA from its post-warm-up speed, a sweep's overall ETA and its progress line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESUMABLE_EXIT_CODES, formatDuration, runEta, sweepEtaSeconds, sweepProgressLine } from '../../lib/runner/progress';
import { EXIT_CODES } from '../../lib/runner/train';

test('durations read as seconds, minutes, hours', () => {
  assert.equal(formatDuration(42.4), '42s');
  assert.equal(formatDuration(185), '3m05s');
  assert.equal(formatDuration(4260), '1h11m');
  assert.equal(formatDuration(NaN), '?');
  assert.equal(formatDuration(-1), '?');
});

test('during warm-up the ETA waits for training speed instead of extrapolating the warm-up', () => {
  // 4000 random steps in 10 s would promise 20k steps in under a minute.
  assert.equal(runEta({ step: 4000, totalSteps: 20000, warmupSteps: 5000, since: null, now: 10 }), 'ETA after warm-up (1000 random steps left)');
});

test('after warm-up the ETA uses the speed since warm-up ended, not the warm-up speed', () => {
  // Warm-up: 5000 steps in 10 s (500 steps/s). Then 1000 training steps in 100 s (10 steps/s).
  const eta = runEta({ step: 6000, totalSteps: 20000, warmupSteps: 5000, since: { t: 10, step: 5000 }, now: 110 });
  assert.equal(eta, `ETA ${formatDuration(14000 / 10)}`);
  assert.equal(eta, 'ETA 23m20s');
  // The whole run's mean speed (6000 steps / 110 s) would have said about 4m17s.
  assert.notEqual(eta, `ETA ${formatDuration((14000 * 110) / 6000)}`);
});

test('a run without warm-up or resumed past it is timed from where this process started measuring', () => {
  assert.equal(runEta({ step: 300, totalSteps: 1300, warmupSteps: 0, since: { t: 0, step: 0 }, now: 30 }), 'ETA 1m40s');
  assert.equal(runEta({ step: 12000, totalSteps: 20000, warmupSteps: 5000, since: { t: 0, step: 11000 }, now: 50 }), 'ETA 6m40s');
  assert.equal(runEta({ step: 5000, totalSteps: 20000, warmupSteps: 5000, since: { t: 10, step: 5000 }, now: 10 }), 'ETA measuring');
  assert.equal(runEta({ step: 20000, totalSteps: 20000, warmupSteps: 5000, since: { t: 0, step: 5000 }, now: 99 }), 'ETA 0s');
});

test('sweep ETA: remaining runs cost the measured mean of their algorithm and task, shared by the workers', () => {
  const eta = sweepEtaSeconds({
    finished: [
      { algo: 'qvpo', env: 'Hopper-v3', seconds: 200, ok: true },
      { algo: 'qvpo', env: 'Hopper-v3', seconds: 100, ok: true },
      { algo: 'qvpo', env: 'Ant-v3', seconds: 600, ok: true },
      { algo: 'qvpo', env: 'Walker2d-v3', seconds: 5, ok: false }, // failed fast: not a measure
    ],
    // Hopper 150 s expected, 50 s done → 100 s left.
    running: [{ algo: 'qvpo', env: 'Hopper-v3', elapsed: 50 }],
    // Ant 600 s; Walker2d: no success on that task, so the mean of qvpo's: 300 s; sac: no sac run, the mean of all: 300 s.
    queued: [
      { algo: 'qvpo', env: 'Ant-v3' },
      { algo: 'qvpo', env: 'Walker2d-v3' },
      { algo: 'sac', env: 'Hopper-v3' },
    ],
    jobs: 2,
  });
  assert.equal(eta, (100 + 600 + 300 + 300) / 2);
});

test('sweep ETA: unknown before a run finishes, zero when nothing is left, one worker for one run left', () => {
  const none = sweepEtaSeconds({ finished: [], running: [{ algo: 'qvpo', env: 'Hopper-v3', elapsed: 5 }], queued: [], jobs: 2 });
  assert.equal(none, null);
  const done = sweepEtaSeconds({ finished: [{ algo: 'qvpo', env: 'Hopper-v3', seconds: 10, ok: true }], running: [], queued: [], jobs: 2 });
  assert.equal(done, 0);
  const one = sweepEtaSeconds({ finished: [{ algo: 'qvpo', env: 'Hopper-v3', seconds: 80, ok: true }], running: [], queued: [{ algo: 'qvpo', env: 'Hopper-v3' }], jobs: 4 });
  assert.equal(one, 80);
  // A running run past its expected time costs nothing more, never a negative time.
  const late = sweepEtaSeconds({ finished: [{ algo: 'qvpo', env: 'Hopper-v3', seconds: 80, ok: true }], running: [{ algo: 'qvpo', env: 'Hopper-v3', elapsed: 500 }], queued: [], jobs: 1 });
  assert.equal(late, 0);
});

test('sweep progress line: run k of N, failures, overall ETA', () => {
  assert.equal(
    sweepProgressLine({ done: 3, total: 10, failed: 1, last: 'qvpo Hopper-v3 seed 2: finished in 3m12s', etaSeconds: 1500 }),
    'sweep: run 3 of 10 done (qvpo Hopper-v3 seed 2: finished in 3m12s); 1 failed; overall ETA 25m00s',
  );
  assert.equal(
    sweepProgressLine({ done: 1, total: 5, failed: 1, last: 'sac Ant-v3 seed 0: exit 2 in 4s', etaSeconds: null }),
    'sweep: run 1 of 5 done (sac Ant-v3 seed 0: exit 2 in 4s); 1 failed; overall ETA after the first complete run',
  );
  assert.match(sweepProgressLine({ done: 5, total: 5, failed: 0, last: 'x', etaSeconds: 0 }), /; 0 failed; all done$/);
  // A run stopped by a signal is resumable, not failed; a stopping sweep promises no ETA.
  assert.equal(
    sweepProgressLine({ done: 3, total: 35, failed: 0, interrupted: 1, stopping: true, last: 'ppo Hopper-v3 seed 2: exit 143 in 29s', etaSeconds: 0 }),
    'sweep: run 3 of 35 done (ppo Hopper-v3 seed 2: exit 143 in 29s); 0 failed; 1 stopped with a checkpoint; stopping: the same command resumes',
  );
  assert.deepEqual([...RESUMABLE_EXIT_CODES].sort(), [EXIT_CODES.stopped, EXIT_CODES.preempted].sort());
});
