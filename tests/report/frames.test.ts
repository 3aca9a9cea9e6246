import { test } from 'node:test';
import assert from 'node:assert/strict';

import { frameFromRows, frameToRows, groupStats, rollingMean } from '../../lib/report/frames';

test('rollingMean: trailing window, partial at the start', () => {
  assert.deepEqual(rollingMean([1, 2, 3, 4, 5], 2), [1, 1.5, 2.5, 3.5, 4.5]);
  assert.deepEqual(rollingMean([1, 2, 3, 4], 3), [1, 1.5, 2, 3]);
  assert.deepEqual(rollingMean([5, 7], 1), [5, 7]);
  assert.deepEqual(rollingMean([], 4), []);
  assert.deepEqual(rollingMean([1, 2], 10), [1, 1.5]);
});

test('rollingMean: a NaN only spoils the windows that contain it', () => {
  const out = rollingMean([1, NaN, 3, 5, 7], 2);
  assert.equal(out[0], 1);
  assert.ok(Number.isNaN(out[1]) && Number.isNaN(out[2]));
  assert.deepEqual(out.slice(3), [4, 6]);
});

test('rollingMean: window must be a positive integer', () => {
  assert.throws(() => rollingMean([1], 0), /positive integer/);
  assert.throws(() => rollingMean([1], 1.5), /positive integer/);
});

test('groupStats: mean, sample std, count per group; sorted; std null for one row', () => {
  const rows = [
    { algo: 'sac', seed: 1, ret: 5 },
    { algo: 'qvpo', seed: 1, ret: 1 },
    { algo: 'qvpo', seed: 2, ret: 3 },
    { algo: 'td3', seed: 1, ret: 9 },
    { algo: 'sac', seed: 2, ret: 9 },
    { algo: 'sac', seed: 3, ret: 10 },
  ];
  const out = groupStats(rows, ['algo'], ['ret']);
  assert.deepEqual(
    out.map((r) => r.algo),
    ['qvpo', 'sac', 'td3'],
  );
  assert.equal(out[0].ret_mean, 2);
  assert.ok(Math.abs((out[0].ret_std as number) - Math.SQRT2) < 1e-12);
  assert.equal(out[0].ret_count, 2);
  assert.equal(out[1].ret_mean, 8);
  assert.ok(Math.abs((out[1].ret_std as number) - Math.sqrt(7)) < 1e-12);
  assert.equal(out[2].ret_std, null);
  assert.equal(out[2].ret_count, 1);

  const meanOnly = groupStats(rows, ['algo'], ['ret'], { stats: ['mean', 'std'] });
  assert.deepEqual(Object.keys(meanOnly[0]).sort(), ['algo', 'ret_mean', 'ret_std']);
  assert.throws(() => groupStats(rows, ['env'], ['ret']), /no column "env"/);
});

test('frame <-> rows', () => {
  const rows = [
    { a: 1, b: 'x' },
    { a: 2, b: 'y' },
  ];
  const df = frameFromRows(rows);
  assert.deepEqual(df.shape, [2, 2]);
  assert.deepEqual(frameToRows(df), rows);
});
