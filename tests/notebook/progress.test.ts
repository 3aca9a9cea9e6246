/** lib/notebook/progress: training lines from notebooks reach the cell and, under make notebooks, the terminal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { NOTEBOOK_PROGRESS_SECONDS, notebookTrainOptions } from '../../lib/notebook/progress';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = "require('./lib/notebook/progress').notebookLog('[qvpo Hopper-v3 seed 0 smoke] step 10/300 | ETA 5s')";

function logOnce(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', SCRIPT], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, QVPO_NOTEBOOK_LOG: '', ...env } });
}

test('a notebook log line goes to the output, and to stderr with a prefix when run-notebooks asks', () => {
  const plain = logOnce({});
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, '[qvpo Hopper-v3 seed 0 smoke] step 10/300 | ETA 5s\n');
  assert.doesNotMatch(plain.stderr, /qvpo-notebook/);
  const echoed = logOnce({ QVPO_NOTEBOOK_LOG: '1' });
  assert.equal(echoed.stdout, plain.stdout);
  assert.match(echoed.stderr, /^\[qvpo-notebook\] \[qvpo Hopper-v3 seed 0 smoke\] step 10\/300 \| ETA 5s$/m);
});

test('training in notebooks prints progress lines every 30 s', () => {
  const o = notebookTrainOptions();
  assert.equal(o.quiet, false);
  assert.equal(o.progressEvery, NOTEBOOK_PROGRESS_SECONDS);
  assert.equal(NOTEBOOK_PROGRESS_SECONDS, 30);
});
