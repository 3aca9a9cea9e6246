/** lib/stats: mean, std (ddof), IQM / trimmed mean semantics, percentile, stratified bootstrap. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iqm, mean, median, percentile, std, stratifiedBootstrapCI, trimMean } from '../../lib/stats';
import { Rng } from '../../lib/util/rng';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `got ${a}, expected ${b}`);

test('mean and std: ddof 0 by default (population), ddof 1 on request', () => {
  close(mean([1, 2, 3, 4]), 2.5);
  close(std([1, 2, 3, 4]), Math.sqrt(1.25));
  close(std([1, 2, 3, 4], 0), Math.sqrt(1.25));
  close(std([1, 2, 3, 4], 1), Math.sqrt(5 / 3));
  assert.equal(std([7]), 0, 'one value: std 0 with ddof 0');
  assert.throws(() => std([7], 1), /more than ddof = 1/);
  // no catastrophic cancellation for large returns with a small spread
  close(std([1e9 + 1, 1e9 + 2, 1e9 + 3]), Math.sqrt(2 / 3), 1e-6);
});

test('empty or non-finite input gives a clear error', () => {
  for (const f of [mean, (v: number[]) => std(v), iqm, median]) {
    assert.throws(() => f([]), /empty input/);
  }
  assert.throws(() => mean([1, NaN]), /value 1 is not a finite number/);
  assert.throws(() => iqm([Infinity]), /value 0 is not a finite number/);
});

test('iqm = scipy trim_mean(x, 0.25): drop floor(n/4) at each end, no interpolation', () => {
  assert.equal(iqm([5]), 5, 'n = 1');
  close(iqm([1, 2, 30]), 11, 1e-12); // n = 3: nothing dropped
  close(iqm([100, 1, 3, 2]), 2.5); // n = 4: middle 2 of 1 2 3 100
  close(iqm([100, 4, 1, 3, 2]), 3); // n = 5: middle 3 of 1 2 3 4 100
  close(iqm([6, -100, 1, 100, 2, 3, 4, 5]), 3.5); // n = 8: middle 4 (2 3 4 5)
  // n = 10: floor(2.5) = 2 dropped at each end → middle 6 (0 10 10 10 10 10) = 50/6.
  // A fractional 25% trim would give 9 instead.
  close(iqm([10, 0, 1000, 10, 0, 10, 10, 0, 10, 10]), 50 / 6);
  const data = [3, 1, 2, 9];
  iqm(data);
  assert.deepEqual(data, [3, 1, 2, 9], 'input is not reordered');
});

test('trimMean with other proportions', () => {
  close(trimMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 0.1), 5.5); // drop 1 each end
  close(trimMean([1, 2, 3, 100], 0), 26.5);
  assert.throws(() => trimMean([1, 2], 0.5), /proportionToCut must be in \[0, 0.5\)/);
});

test('percentile interpolates linearly (NumPy default)', () => {
  const v = [4, 1, 3, 2];
  assert.equal(percentile(v, 0), 1);
  assert.equal(percentile(v, 100), 4);
  close(percentile(v, 50), 2.5);
  close(percentile(v, 25), 1.75);
  close(percentile(v, 2.5), 1.075);
  assert.equal(median([9]), 9);
  assert.throws(() => percentile(v, 101), /p must be in \[0, 100\]/);
});

function normals(seed: number, n: number, mu = 0, sigma = 1): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => mu + sigma * r.normal());
}

test('bootstrap CI is deterministic given the seed and changes with it', () => {
  const tasks = [normals(1, 5, 3000, 100), normals(2, 5, 5000, 300)];
  const a = stratifiedBootstrapCI(tasks, iqm, { reps: 500, seed: 7 });
  const b = stratifiedBootstrapCI(tasks, iqm, { reps: 500, seed: 7 });
  const c = stratifiedBootstrapCI(tasks, iqm, { reps: 500, seed: 8 });
  assert.deepEqual(a, b);
  assert.equal(a.point, c.point);
  assert.ok(a.lo !== c.lo || a.hi !== c.hi, 'another seed gives another interval');
  assert.equal(a.point, iqm([...tasks[0], ...tasks[1]]), 'point = statistic on the pooled data');
});

test('bootstrap CI contains the point estimate and has the expected width for the mean', () => {
  const x = normals(3, 400, 10, 2);
  const ci = stratifiedBootstrapCI([x], mean, { reps: 2000, seed: 0 });
  assert.ok(ci.lo < ci.point && ci.point < ci.hi, JSON.stringify(ci));
  // normal theory: half-width ≈ 1.96 σ/√n with σ the sample std
  const expected = (1.96 * std(x)) / Math.sqrt(x.length);
  const half = (ci.hi - ci.lo) / 2;
  assert.ok(Math.abs(half / expected - 1) < 0.15, `half-width ${half} vs ${expected}`);
  // a wider confidence level gives a wider interval
  const ci80 = stratifiedBootstrapCI([x], mean, { reps: 2000, seed: 0, confidence: 0.8 });
  assert.ok(ci80.lo > ci.lo && ci80.hi < ci.hi);
  for (let seed = 0; seed < 5; seed++) {
    const d = [normals(10 + seed, 5, 100, 10), normals(20 + seed, 5, 300, 30), normals(30 + seed, 5, 500, 5)];
    const r = stratifiedBootstrapCI(d, iqm, { reps: 1000, seed });
    assert.ok(r.lo <= r.point && r.point <= r.hi, `seed ${seed}: ${JSON.stringify(r)}`);
  }
});

test('bootstrap CI collapses for constant data and for one run per task', () => {
  assert.deepEqual(stratifiedBootstrapCI([[4, 4, 4], [4, 4]], iqm, { reps: 200 }), { point: 4, lo: 4, hi: 4 });
  assert.deepEqual(stratifiedBootstrapCI([[3728.5]], mean), { point: 3728.5, lo: 3728.5, hi: 3728.5 });
  assert.deepEqual(stratifiedBootstrapCI([[1], [3]], mean), { point: 2, lo: 2, hi: 2 });
});

test('stratification keeps every task\'s run count and draws only from that task', () => {
  // Task t's values lie in [1000 t, 1000 t + 100): the pooled sample tells its tasks apart.
  const tasks = [
    [0, 1, 2],
    [1000, 1001, 1002, 1003, 1004],
    [2050],
    [3000, 3099],
  ];
  let calls = 0;
  let sawRepeat = false;
  const ci = stratifiedBootstrapCI(
    tasks,
    (flat, byTask) => {
      calls++;
      const counts = [0, 0, 0, 0];
      for (const v of flat) counts[Math.floor(v / 1000)]++;
      assert.deepEqual(counts, [3, 5, 1, 2], 'per-task counts in the pooled sample');
      assert.deepEqual(byTask.map((s) => s.length), [3, 5, 1, 2]);
      byTask.forEach((s, t) => s.forEach((v) => assert.ok(tasks[t].includes(v), `task ${t} drew ${v}`)));
      if (new Set(byTask[1]).size < byTask[1].length) sawRepeat = true;
      return counts[1];
    },
    { reps: 300, seed: 3 },
  );
  assert.equal(calls, 301, 'the point estimate plus one call per replicate');
  assert.ok(sawRepeat, 'resampling is with replacement');
  assert.deepEqual(ci, { point: 5, lo: 5, hi: 5 });
});

test('bootstrap input errors are clear', () => {
  assert.throws(() => stratifiedBootstrapCI([], mean), /no tasks/);
  assert.throws(() => stratifiedBootstrapCI([[1, 2], []], mean), /task 1 has no scores/);
  assert.throws(() => stratifiedBootstrapCI([[1, NaN]], mean), /task 0: value 1 is not a finite number/);
  assert.throws(() => stratifiedBootstrapCI([[1, 2]], mean, { confidence: 1 }), /confidence must be in \(0, 1\)/);
  assert.throws(() => stratifiedBootstrapCI([[1, 2]], mean, { reps: 0 }), /reps must be a positive integer/);
  assert.throws(() => stratifiedBootstrapCI([[1, 2]], mean, { seed: -1 }), /seed must be an integer/);
  assert.throws(() => stratifiedBootstrapCI([[1, 2]], () => NaN), /statistic returned NaN/);
});
