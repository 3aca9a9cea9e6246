/**
 * Runs record their compute engine; a run stopped on the ORT engine resumes to exactly the
 * rows an uninterrupted ORT run writes; resuming it on another engine is refused, named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setEngine } from '../../lib/engine';
import { planRun } from '../../lib/runner/plan';
import { trainRun } from '../../lib/runner/train';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-engine-'));
const settings = { algo: 'qvpo', env: 'Hopper-v3', seed: 3, profile: 'smoke', variant: 'engine', protocolOverrides: { totalSteps: 400, checkpointInterval: 100, evalInterval: 200 } };
const quiet = { quiet: true, log: () => {} };

function rows(file: string): string[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = header.split(',');
  const drop = new Set(['wall_seconds', 'steps_per_second'].map((c) => cols.indexOf(c)));
  return lines.map((l) => l.split(',').filter((_, i) => !drop.has(i)).join(','));
}

test('stopped on ort, resumed on ort: same CSVs as an uninterrupted ort run; tfjs resume refused', { timeout: 300_000 }, async () => {
  setEngine('ort');
  const whole = planRun({ ...settings, root: path.join(tmp, 'whole') });
  assert.equal(await trainRun(whole, quiet), 'complete');
  const status = JSON.parse(fs.readFileSync(path.join(whole.dir, 'status.json'), 'utf8'));
  assert.equal(status.starts[0].engine, 'ort');
  const environment = JSON.parse(fs.readFileSync(path.join(whole.dir, 'environment.json'), 'utf8'));
  assert.equal(environment.engine.name, 'ort');
  assert.match(environment.engine.description, /^ort \(onnxruntime=/);

  const split = planRun({ ...settings, root: path.join(tmp, 'split') });
  assert.equal(await trainRun(split, { ...quiet, stopAfterSteps: 250 }), 'stopped');
  assert.ok(fs.existsSync(path.join(split.dir, 'checkpoint.bin')));

  setEngine('tfjs');
  await assert.rejects(trainRun(split, quiet), /ran on the ort engine; resuming it on tfjs would mix two engines in one run\. Resume with QVPO_ENGINE=ort/);
  assert.ok(!fs.existsSync(path.join(split.dir, 'run.lock')), 'the refused resume leaves no lock behind');

  setEngine('ort');
  assert.equal(await trainRun(split, quiet), 'complete');
  const after = JSON.parse(fs.readFileSync(path.join(split.dir, 'status.json'), 'utf8'));
  assert.deepEqual(after.starts.map((s: { engine: string }) => s.engine), ['ort', 'ort']);
  assert.deepEqual(rows(path.join(split.dir, 'train.csv')), rows(path.join(whole.dir, 'train.csv')));
  assert.deepEqual(rows(path.join(split.dir, 'eval.csv')), rows(path.join(whole.dir, 'eval.csv')));
});
