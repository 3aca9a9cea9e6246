/** lib/results/claims: QVPO against each baseline per task and over all tasks, with intervals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { claimsMarkdown, qvpoClaims } from '../../lib/results/claims';
import { listRuns } from '../../lib/results/runs';
import { writeRun } from '../helpers/runs';

const HOPPER_QVPO = 3728.5; // the paper's QVPO means, Table 1's normalisers
const CHEETAH_QVPO = 11385.6;

test('claims per task and over all tasks, from the complete runs of one profile', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-claims-'));
  try {
    const run = (algo: string, env: string, seed: number, final: number, extra: Record<string, unknown> = {}) =>
      writeRun(root, { algo, env, seed, evalReturns: [0, final], ...extra });
    // Hopper: QVPO [100, 110] vs SAC [50, 60]; HalfCheetah: QVPO [0, 10] vs SAC [5, 15]
    run('qvpo', 'Hopper-v3', 0, 100);
    run('qvpo', 'Hopper-v3', 1, 110);
    run('sac', 'Hopper-v3', 0, 50);
    run('sac', 'Hopper-v3', 1, 60);
    run('qvpo', 'HalfCheetah-v3', 0, 0);
    run('qvpo', 'HalfCheetah-v3', 1, 10);
    run('sac', 'HalfCheetah-v3', 0, 5);
    run('sac', 'HalfCheetah-v3', 1, 15);
    run('sac', 'HalfCheetah-v3', 2, 9999, { state: 'running' }); // incomplete: left out
    run('ppo', 'Hopper-v3', 0, 70, { profile: 'smoke' }); // another profile: left out
    const table = qvpoClaims(listRuns(root), { profile: 'quick' });

    assert.deepEqual(table.rows.map((r) => `${r.env}/${r.baseline}`), ['Hopper-v3/SAC', 'HalfCheetah-v3/SAC'], "tasks in the paper's order");
    const [hopper, cheetah] = table.rows.map((r) => r.comparison);
    // two seeds each: the interval is the difference ± 10 (see tests/stats/compare.test.ts)
    assert.equal(hopper.sentence, 'QVPO − SAC on Hopper-v3: +50.0 [+40.0, +60.0] (95% bootstrap CI), P(QVPO > SAC) = 1.00 [1.00, 1.00]: holds');
    assert.deepEqual(cheetah.difference, { point: -5, lo: -15, hi: 5 });
    assert.equal(cheetah.improvement.point, 0.25, '10 > 5 is the only pair of four QVPO wins');
    assert.equal(cheetah.verdict, 'inconclusive');

    assert.equal(table.aggregates.length, 1);
    const all = table.aggregates[0].comparison;
    // IQM of four pooled normalised scores = mean of the middle two
    const iqm4 = (v: number[]) => {
      const s = [...v].sort((a, b) => a - b);
      return (s[1] + s[2]) / 2;
    };
    const expected = iqm4([100 / HOPPER_QVPO, 110 / HOPPER_QVPO, 0, 10 / CHEETAH_QVPO]) - iqm4([50 / HOPPER_QVPO, 60 / HOPPER_QVPO, 5 / CHEETAH_QVPO, 15 / CHEETAH_QVPO]);
    assert.ok(Math.abs(all.difference.point - expected) < 1e-12, `${all.difference.point} vs ${expected}`);
    assert.equal(all.improvement.point, (1 + 0.25) / 2, 'P averaged over the two tasks');
    assert.match(all.sentence, /^IQM\(QVPO\) − IQM\(SAC\) on 2 tasks \(score ÷ paper QVPO mean\): \+0\.0\d\d \[/);

    const md = claimsMarkdown(table);
    assert.match(md, /\| Hopper-v3 \| SAC \| \+50\.0 \[\+40\.0, \+60\.0\] \| 1\.00 \[1\.00, 1\.00\] \| 2 \| holds \|/);
    assert.match(md, /\| HalfCheetah-v3 \| SAC \| −5\.0 \[−15\.0, \+5\.0\] \| 0\.25 \[[\d.]+, [\d.]+\] \| 2 \| inconclusive \|/);
    assert.match(md, /\| all tasks \(Hopper-v3, HalfCheetah-v3\) \| SAC \| \+0\.0\d\d /);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('no runs of both arms on a task: a sentence instead of an empty table; profile required', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-claims-'));
  try {
    writeRun(root, { algo: 'qvpo', seed: 0 });
    const table = qvpoClaims(listRuns(root), { profile: 'quick' });
    assert.deepEqual([table.rows, table.aggregates], [[], []]);
    assert.match(claimsMarkdown(table), /No task has complete runs of both QVPO and a baseline\.$/);
    assert.throws(() => qvpoClaims([], { profile: '' }), /options\.profile/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
