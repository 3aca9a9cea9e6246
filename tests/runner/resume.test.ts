/**
 * A run killed with SIGKILL restarts from its last checkpoint and ends with exactly the rows
 * an uninterrupted run writes (same seed, same backend); a partial run is never complete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planRun } from '../../lib/runner/plan';
import { trainRun } from '../../lib/runner/train';
import { listRuns, splitByCompleteness } from '../../lib/results/runs';
import { killAfterFirstCheckpoint, rowsWithoutTiming } from '../helpers/kill';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-resume-'));
const settings = { variant: 'resume', protocolOverrides: { totalSteps: 500, checkpointInterval: 100, evalInterval: 250 } };

test('kill -9 mid-run, then resume: same train.csv and eval.csv as an uninterrupted run', { timeout: 300_000 }, async () => {
  const reference = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 1, profile: 'smoke', root: path.join(tmp, 'a'), ...settings });
  assert.equal(await trainRun(reference, { quiet: true, log: () => {} }), 'complete');

  const killed = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 1, profile: 'smoke', root: path.join(tmp, 'b'), ...settings });
  const checkpoint = path.join(killed.dir, 'checkpoint.bin');
  await killAfterFirstCheckpoint(
    ['--env', 'Hopper-v3', '--seed', '1', '--profile', 'smoke', '--variant', 'resume', '--total-steps=500', '--checkpoint-interval=100', '--eval-interval=250', '--root', path.join(tmp, 'b'), '--quiet'],
    checkpoint,
  );

  const status = JSON.parse(fs.readFileSync(path.join(killed.dir, 'status.json'), 'utf8'));
  assert.equal(status.state, 'running', 'a killed run is left as running, not complete');
  assert.ok(status.step < 500);
  const { complete, incomplete } = splitByCompleteness(listRuns(path.join(tmp, 'b')));
  assert.equal(complete.length, 0, 'the killed run does not count in tables');
  assert.equal(incomplete.length, 1);

  assert.equal(await trainRun(killed, { quiet: true, log: () => {} }), 'complete');
  const after = JSON.parse(fs.readFileSync(path.join(killed.dir, 'status.json'), 'utf8'));
  assert.equal(after.state, 'complete');
  assert.equal(after.starts.length, 2);
  assert.ok(after.starts[1].fromStep > 0, 'the second start resumed from a checkpoint');
  assert.ok(!fs.existsSync(checkpoint), 'a complete run drops its checkpoint');
  // Training time is summed over starts: the killed start's time up to its checkpoint, then this one's.
  const whole = JSON.parse(fs.readFileSync(path.join(reference.dir, 'status.json'), 'utf8'));
  for (const s of [whole, after]) {
    assert.ok(typeof s.cpuSeconds === 'number' && s.cpuSeconds > 0, `cpuSeconds recorded: ${s.cpuSeconds}`);
    assert.ok(typeof s.wallSeconds === 'number' && s.wallSeconds > 0, `wallSeconds recorded: ${s.wallSeconds}`);
  }
  const lastEvalWall = Number(fs.readFileSync(path.join(killed.dir, 'eval.csv'), 'utf8').trim().split('\n').pop()!.split(',')[4]);
  assert.ok(after.wallSeconds >= lastEvalWall, `status wall ${after.wallSeconds} s covers the final evaluation's clock ${lastEvalWall} s`);

  assert.deepEqual(rowsWithoutTiming(path.join(killed.dir, 'train.csv')), rowsWithoutTiming(path.join(reference.dir, 'train.csv')));
  assert.deepEqual(rowsWithoutTiming(path.join(killed.dir, 'eval.csv')), rowsWithoutTiming(path.join(reference.dir, 'eval.csv')));
  assert.equal(rowsWithoutTiming(path.join(reference.dir, 'eval.csv')).length, 2, 'evaluations at 250 and 500');
});

test('a complete run is skipped; other settings in the same directory are refused', async () => {
  const plan = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 1, profile: 'smoke', root: path.join(tmp, 'a'), ...settings });
  assert.equal(await trainRun(plan, { quiet: true, log: () => {} }), 'skipped');
  const other = { ...plan, protocol: { ...plan.protocol, totalSteps: 600 } };
  await assert.rejects(trainRun(other, { quiet: true, log: () => {} }), /holds a run with other settings/);
});
