/** lib/stats/compare: probability of improvement, two-arm stratified bootstrap, the claim sentence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareArms, differenceCI, formatSigned, probabilityOfImprovement, probabilityOfImprovementCI, twoArmBootstrapCI } from '../../lib/stats/compare';
import { Rng } from '../../lib/util/rng';

test('probability of improvement: pairs won, ties count 1/2, averaged over tasks', () => {
  // 3>1, 3<4, 5>1, 5>4: 3 of 4 pairs
  assert.equal(probabilityOfImprovement([3, 5], [1, 4]), 0.75);
  // (2,2) tie ½, (2,1) won, twice: (½ + 1 + ½ + 1) / 4
  assert.equal(probabilityOfImprovement([2, 2], [2, 1]), 0.75);
  // 1<2, 2=2, 3>2: (0 + ½ + 1) / 3
  assert.equal(probabilityOfImprovement([1, 2, 3], [2]), 0.5);
  // per task 0.75 and 0, then the mean over tasks (not over all pairs pooled)
  assert.equal(probabilityOfImprovement([[3, 5], [0]], [[1, 4], [1]]), 0.375);
  assert.equal(probabilityOfImprovement([1, 4], [3, 5]), 0.25, 'P(Y > X) = 1 − P(X > Y) without ties');
});

test('the bootstrap resamples within tasks: constant tasks give a zero-width interval', () => {
  // Task A: X 10, Y 0; task B: X 0, Y 1. Pooled means 5 and 0.5. A bootstrap that mixed
  // tasks would move both means; one that stays within each task never does.
  const x = [[10, 10], [0, 0]];
  const y = [[0, 0], [1, 1]];
  assert.deepEqual(differenceCI(x, y, 'mean', { reps: 300 }), { point: 4.5, lo: 4.5, hi: 4.5 });
  assert.deepEqual(probabilityOfImprovementCI(x, y, { reps: 300 }), { point: 0.5, lo: 0.5, hi: 0.5 });
});

test('two runs per arm: the interval is the range of the possible resamples', () => {
  // X = [1, 3] resamples to means 1, 2, 3 (probabilities ¼, ½, ¼); Y = [0, 0] is constant.
  // With 2000 replicates the 2.5th and 97.5th percentiles are the extremes 1 and 3.
  assert.deepEqual(differenceCI([1, 3], [0, 0]), { point: 2, lo: 1, hi: 3 });
  // X = [0, 2] against [0, 0]: P = (½ + ½ + 1 + 1)/4; resamples {0,0} → ½, {0,2} → ¾, {2,2} → 1
  assert.deepEqual(probabilityOfImprovementCI([0, 2], [0, 0]), { point: 0.75, lo: 0.5, hi: 1 });
});

test('compareArms: holds, does not hold, inconclusive, as one sentence', () => {
  const holds = compareArms([1, 3], [0, 0], { names: ['QVPO', 'SAC'], on: 'Hopper-v3' });
  assert.equal(holds.verdict, 'holds');
  assert.equal(holds.sentence, 'QVPO − SAC on Hopper-v3: +2.0 [+1.0, +3.0] (95% bootstrap CI), P(QVPO > SAC) = 1.00 [1.00, 1.00]: holds');
  assert.deepEqual(holds.seeds, [2, 2]);

  const reverse = compareArms([0, 0], [1, 3], { names: ['QVPO', 'SAC'] });
  assert.equal(reverse.verdict, 'does not hold');
  assert.equal(reverse.sentence, 'QVPO − SAC: −2.0 [−3.0, −1.0] (95% bootstrap CI), P(QVPO > SAC) = 0.00 [0.00, 0.00]: does not hold');

  const unsure = compareArms([0, 2], [0, 0], { names: ['A', 'B'] });
  assert.equal(unsure.verdict, 'inconclusive', 'an interval touching 0 is not above it');
  assert.equal(unsure.sentence, 'A − B: +1.0 [0.0, +2.0] (95% bootstrap CI), P(A > B) = 0.75 [0.50, 1.00]: inconclusive at 2 seeds');

  // One run per arm: the interval is the point, so no verdict however large the gap.
  const single = compareArms([500], [1]);
  assert.deepEqual(single.difference, { point: 499, lo: 499, hi: 499 });
  assert.equal(single.verdict, 'inconclusive');
  assert.match(single.sentence, /: inconclusive at 1 seed$/);

  // Two tasks of unequal size, pooled: (1+3+2+5+6)/5 − (0+0+1+4+4)/5 = 3.4 − 1.8; P = mean of
  // task 1's 8.5 of 9 pairs and task 2's 4 of 4.
  const pooled = compareArms([[1, 3, 2], [5, 6]], [[0, 0, 1], [4, 4]], { digits: 2 });
  assert.ok(Math.abs(pooled.difference.point - 1.6) < 1e-12);
  assert.ok(Math.abs(pooled.improvement.point - (8.5 / 9 + 1) / 2) < 1e-12);
  assert.match(pooled.sentence, /^X − Y: \+1\.60 \[/);
  assert.deepEqual(pooled.seeds, [2, 2], 'the smallest run count over tasks');
  assert.match(compareArms([0, 2, 1], [0, 1]).sentence, /: inconclusive at 2–3 seeds$/);
});

test('compareArms with the IQM and with another confidence level', () => {
  // IQM of [0, 1, 2, 100] = mean of the middle two = 1.5; of [0, 0, 0, 0] = 0
  const c = compareArms([0, 1, 2, 100], [0, 0, 0, 0], { statistic: 'iqm', names: ['QVPO', 'TD3'], confidence: 0.9, reps: 500 });
  assert.equal(c.difference.point, 1.5);
  assert.match(c.sentence, /^IQM\(QVPO\) − IQM\(TD3\): \+1\.5 \[[^\]]+\] \(90% bootstrap CI\)/);
  assert.equal(c.improvement.point, (0.5 + 1 + 1 + 1) / 4);
});

test('the intervals are deterministic given the seed and change with it', () => {
  const normals = (seed: number, n: number, mu: number) => {
    const r = new Rng(seed);
    return Array.from({ length: n }, () => mu + 10 * r.normal());
  };
  const x = [normals(1, 5, 100), normals(2, 5, 50)];
  const y = [normals(3, 5, 95), normals(4, 5, 52)];
  const a = compareArms(x, y, { seed: 7, reps: 500 });
  const b = compareArms(x, y, { seed: 7, reps: 500 });
  const c = compareArms(x, y, { seed: 8, reps: 500 });
  assert.deepEqual(a, b);
  assert.equal(a.difference.point, c.difference.point);
  assert.notDeepEqual([a.difference.lo, a.difference.hi], [c.difference.lo, c.difference.hi]);
  assert.ok(a.difference.lo < a.difference.point && a.difference.point < a.difference.hi);
  assert.ok(a.improvement.lo <= a.improvement.point && a.improvement.point <= a.improvement.hi);
});

test('bad input is named', () => {
  assert.throws(() => compareArms([[1, 2], [3]], [[1, 2]]), /arm X has 2 task\(s\), arm Y 1/);
  assert.throws(() => compareArms([], [1]), /arm X: task 0 has no scores/);
  assert.throws(() => probabilityOfImprovement([1, NaN], [1]), /arm X: task 0: value 1 is not a finite number/);
  assert.throws(() => twoArmBootstrapCI([1, 2], [1, 2], () => NaN), /statistic returned NaN on the data/);
  assert.throws(() => compareArms([1, 2], [1, 2], { reps: 0 }), /reps must be a positive integer/);
  assert.equal(formatSigned(-0.04), '0.0');
  assert.equal(formatSigned(-12.345, 2), '−12.35');
});
