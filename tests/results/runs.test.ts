/** lib/results/runs: listing run directories, readers, completeness, final return, clear errors. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  finalEvalReturn,
  listRuns,
  readEvalCsv,
  readRunConfig,
  readStatusJson,
  readTrainCsv,
  splitByCompleteness,
} from '../../lib/results/runs';
import { writeRun } from '../helpers/runs';

const tmpRoots: string[] = [];
after(() => {
  for (const d of tmpRoots) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-runs-test-'));
  tmpRoots.push(d);
  return d;
}

function buildTree(): string {
  const root = tmpDir();
  writeRun(root, { seed: 0, evalReturns: [10, 20, 3000.5] });
  writeRun(root, { seed: 1, state: 'running', step: 12000, totalSteps: 100000, evalReturns: [11] });
  writeRun(root, { seed: 2, state: 'failed', step: 5000, error: 'NaN in critic loss', evalReturns: null });
  writeRun(root, { seed: 3, status: { state: 'done' } });
  writeRun(root, { seed: 4, statusText: '{ "state": "complete", ' });
  writeRun(root, { seed: 10, evalReturns: [1, 2, 42] }); // sorts after seed 4 numerically
  writeRun(root, { seed: 5, evalReturns: [] }); // complete, header only
  writeRun(root, { algo: 'sac', env: 'Walker2d-v3', seed: 0 });
  writeRun(root, { profile: 'smoke', seed: 0, totalSteps: 2000, evalInterval: 1000, evalReturns: [1, 2] });
  // things that are not runs
  fs.mkdirSync(path.join(root, 'quick', 'qvpo', 'Hopper-v3', 'notes'), { recursive: true });
  fs.mkdirSync(path.join(root, 'quick', 'qvpo', 'Hopper-v3', 'seed-x'), { recursive: true });
  fs.writeFileSync(path.join(root, 'quick', 'README.txt'), 'not a run');
  return root;
}

test('listRuns walks <profile>/<algo>/<env>/seed-<n>, sorted, with status and eval rows', () => {
  const root = buildTree();
  const runs = listRuns(root);
  assert.deepEqual(
    runs.map((r) => r.id),
    [
      'quick/qvpo/Hopper-v3/seed-0',
      'quick/qvpo/Hopper-v3/seed-1',
      'quick/qvpo/Hopper-v3/seed-2',
      'quick/qvpo/Hopper-v3/seed-3',
      'quick/qvpo/Hopper-v3/seed-4',
      'quick/qvpo/Hopper-v3/seed-5',
      'quick/qvpo/Hopper-v3/seed-10',
      'quick/sac/Walker2d-v3/seed-0',
      'smoke/qvpo/Hopper-v3/seed-0',
    ],
  );
  const r0 = runs[0];
  assert.equal(r0.state, 'complete');
  assert.equal(r0.dir, path.join(root, 'quick', 'qvpo', 'Hopper-v3', 'seed-0'));
  assert.equal(r0.files.eval, path.join(r0.dir, 'eval.csv'));
  assert.equal(r0.status?.totalSteps, 30000);
  assert.deepEqual(r0.status?.paperDiff, [{ key: 'totalSteps', value: 30000, paper: 1_000_000 }]);
  assert.deepEqual(r0.evalRows[2], { step: 30000, return_mean: 3000.5, return_std: 7, episodes: 10, wall_seconds: 37.5 });
  assert.equal(finalEvalReturn(r0), 3000.5, 'final = return_mean of the last eval row');
  assert.deepEqual(r0.errors, []);
  assert.deepEqual(r0.warnings, []);
  assert.deepEqual(readRunConfig(r0), { algo: 'qvpo', trainSamples: 16 });
  assert.equal(runs[1].state, 'running');
  assert.equal(runs[2].state, 'failed');
  assert.equal(runs[3].state, 'invalid');
  assert.equal(runs[4].state, 'invalid');
});

test('filters: profile, algo and env (case-insensitive), seed, state; a missing root gives []', () => {
  const root = buildTree();
  assert.deepEqual(listRuns(root, { profile: 'smoke' }).map((r) => r.id), ['smoke/qvpo/Hopper-v3/seed-0']);
  assert.deepEqual(listRuns(root, { algo: 'SAC' }).map((r) => r.id), ['quick/sac/Walker2d-v3/seed-0']);
  assert.deepEqual(listRuns(root, { profile: 'quick', env: 'hopper-v3', seed: [0, 10] }).map((r) => r.seed), [0, 10]);
  assert.deepEqual(listRuns(root, { state: ['running', 'failed'] }).map((r) => r.seed), [1, 2]);
  assert.deepEqual(listRuns(path.join(root, 'nothing-here')), []);
});

test('splitByCompleteness: only complete runs with eval rows count; the rest carry a reason', () => {
  const root = buildTree();
  const { complete, incomplete } = splitByCompleteness(listRuns(root, { profile: 'quick' }));
  assert.deepEqual(complete.map((r) => r.id), ['quick/qvpo/Hopper-v3/seed-0', 'quick/qvpo/Hopper-v3/seed-10', 'quick/sac/Walker2d-v3/seed-0']);
  const reasons = Object.fromEntries(incomplete.map((x) => [x.run.seed, x.reason]));
  assert.equal(reasons[1], 'running (step 12000 of 100000)');
  assert.equal(reasons[2], 'failed at step 5000 of 30000: NaN in critic loss');
  assert.match(reasons[3], /^invalid: .*status\.json: malformed status\.json: "state" must be one of running\|complete\|failed\|stopped\|preempted\|diverged \(got "done"\)/);
  assert.match(reasons[4], /^invalid: .*seed-4[/\\]status\.json: invalid JSON/);
  assert.equal(reasons[5], 'complete, but eval.csv has no evaluation rows');
  assert.throws(() => finalEvalReturn(incomplete.find((x) => x.run.seed === 2)!.run), /seed-2: no evaluation rows in .*eval\.csv/);
});

test('strict listing throws on the first malformed run, naming the file', () => {
  const root = buildTree();
  assert.throws(() => listRuns(root, { profile: 'quick' }, { strict: true }), /seed-3[/\\]status\.json: malformed status\.json/);
});

test('warnings: a complete run whose last evaluation is not at the end of training', () => {
  const root = tmpDir();
  writeRun(root, { seed: 0, totalSteps: 35000, evalReturns: [1, 2, 3] });
  const [run] = listRuns(root);
  assert.equal(splitByCompleteness([run]).complete.length, 1, 'still counted');
  assert.match(run.warnings.join('\n'), /last evaluation is at step 30000, not at the end of training \(totalSteps 35000\)/);
});

test('status.json: every problem listed with the file name; directory mismatch is an error', () => {
  const root = tmpDir();
  const dir = writeRun(root, {
    seed: 0,
    status: { seed: 'zero', startedAt: 'yesterday-ish', paperDiff: [{ key: 'trainSamples', value: 16 }] },
  });
  const file = path.join(dir, 'status.json');
  assert.throws(
    () => readStatusJson(file),
    (e: Error) => {
      assert.ok(e.message.startsWith(`${file}: malformed status.json:`), e.message);
      assert.match(e.message, /"seed" must be a non-negative integer \(got "zero"\)/);
      assert.match(e.message, /"startedAt" must be an ISO date string/);
      assert.match(e.message, /"paperDiff\[0\]" must be \{key: string, value, paper\}/);
      return true;
    },
  );
  fs.writeFileSync(file, JSON.stringify({ state: 'running' }));
  assert.throws(() => readStatusJson(file), /"paperDiff" must be an array/);
  assert.throws(() => readStatusJson(path.join(root, 'nope', 'status.json')), /nope[/\\]status\.json: status\.json is missing/);

  const root2 = tmpDir();
  writeRun(root2, { seed: 1, status: { env: 'Walker2d-v3' } });
  const [run] = listRuns(root2);
  assert.match(run.errors.join('\n'), /status\.json says env "Walker2d-v3", which does not match its directory quick\/qvpo\/Hopper-v3\/seed-1/);
  assert.equal(splitByCompleteness([run]).complete.length, 0);
});

test('eval.csv: clear errors name the file, row and column', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'eval.csv');
  const write = (text: string) => fs.writeFileSync(file, text);

  write('');
  assert.deepEqual(readEvalCsv(file), []);
  write('step,return_mean,return_std,episodes,wall_seconds\n');
  assert.deepEqual(readEvalCsv(file), []);

  write('step,return_mean,episodes\n10000,5,10\n');
  assert.throws(() => readEvalCsv(file), (e: Error) => {
    assert.ok(e.message.startsWith(`${file}: malformed eval.csv: missing column(s) return_std, wall_seconds`), e.message);
    return true;
  });
  write('step,return_mean,return_std,episodes,wall_seconds\n10000,5,1,10,3\n20000,abc,1,10,6\n');
  assert.throws(() => readEvalCsv(file), /eval\.csv: malformed eval\.csv: data row 2 \(line 3\), column "return_mean": expected a finite number, got "abc"/);
  write('step,return_mean,return_std,episodes,wall_seconds\n10000,5,1,10,3\n10000,6,1,10,6\n');
  assert.throws(() => readEvalCsv(file), /data row 2 \(line 3\): step 10000 does not increase \(previous row has step 10000\)/);
  write('step,return_mean,return_std,episodes,wall_seconds\n10000,5,1,10\n');
  assert.throws(() => readEvalCsv(file), /eval\.csv: malformed eval\.csv: CSV line 2: 4 fields, but the header has 5/);
  write('step,return_mean,return_std,episodes,wall_seconds\n10000.5,5,1,10,3\n');
  assert.throws(() => readEvalCsv(file), /column "step": expected a non-negative integer, got 10000.5/);
  write('step,return_mean,return_std,episodes,wall_seconds\n10000,5,1,0,3\n');
  assert.throws(() => readEvalCsv(file), /column "episodes": expected ≥ 1, got 0/);
  assert.throws(() => readEvalCsv(path.join(dir, 'missing.csv')), /missing\.csv: eval\.csv is missing/);

  // a malformed eval.csv makes the run invalid in a listing, with the message
  const root = tmpDir();
  writeRun(root, { seed: 0, evalText: 'step,return_mean\n1,2\n' });
  const [run] = listRuns(root);
  assert.equal(run.state, 'complete');
  assert.match(splitByCompleteness([run]).incomplete[0].reason, /^invalid: .*eval\.csv: malformed eval\.csv: missing column/);
});

test('train.csv: required columns are numbers, extra columns are kept', () => {
  const root = tmpDir();
  const dir = writeRun(root, { seed: 0 });
  const [run] = listRuns(root);
  const rows = readTrainCsv(run);
  assert.deepEqual(rows, [
    { step: 1000, episode: 1, episode_return: 12.5, episode_length: 1000, critic_loss: 0.25 },
    { step: 1850, episode: 2, episode_return: 30, episode_length: 850, critic_loss: null },
  ]);
  const file = path.join(dir, 'train.csv');
  fs.writeFileSync(file, 'step,episode,episode_length\n1,1,1\n');
  assert.throws(() => readTrainCsv(file), /train\.csv: malformed train\.csv: missing column\(s\) episode_return/);
  fs.writeFileSync(file, 'step,episode,episode_return,episode_length\n1,1,NaN,1\n');
  assert.throws(() => readTrainCsv(file), /data row 1 \(line 2\), column "episode_return": expected a finite number, got NaN/);
});
