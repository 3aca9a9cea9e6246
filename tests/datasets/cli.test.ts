/**
 * `qvpo-kit dataset`: bad input is refused before anything is written, with an error naming the
 * value and what was expected; a good command writes the dataset and prints its summary, and
 * records itself (every default filled in) in the manifest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/qvpo-kit';
import { readDataset } from '../../lib/datasets/format';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-dataset-cli-'));

test('bad flags are refused, naming the value and what was expected, and nothing is written', async () => {
  const out = path.join(tmp, 'never');
  const fakeRun = path.join(tmp, 'not-a-run');
  fs.mkdirSync(fakeRun);
  const cases: [string[], RegExp][] = [
    [['--kind', 'random'], /dataset needs --env \(e\.g\. --env Hopper-v3\)/],
    [['--env', 'Hoper-v3', '--kind', 'random'], /unknown env id 'Hoper-v3'; known ids: Ant-v3, .*Hopper-v3/],
    [['--env', 'Hopper-v3'], /dataset needs --kind: one of random, medium, medium-replay, expert/],
    [['--env', 'Hopper-v3', '--kind', 'mediun'], /--kind "mediun": expected one of random, medium, medium-replay, expert/],
    [['--env', 'Hopper-v3', '--kind', 'random', '--steps', '0'], /--steps must be a whole number from 1 to 10000000, got "0"/],
    [['--env', 'Hopper-v3', '--kind', 'random', '--steps', '-5'], /--steps must be a whole number from 1 to 10000000, got "-5"/],
    [['--env', 'Hopper-v3', '--kind', 'random', '--seed', '1.5'], /--seed must be a whole number from 0 to 2147483647, got "1\.5"/],
    [['--env', 'Hopper-v3', '--kind', 'medium', '--policy-run', path.join(tmp, 'missing')], /--policy-run .*missing: no such directory \(expected a complete run's directory holding policy\.bin\)/],
    [['--env', 'Hopper-v3', '--kind', 'medium', '--policy-run', fakeRun], /--policy-run .*not-a-run: .*policy\.bin does not exist \(only complete runs keep a policy\.bin\)/],
    [['--env', 'Hopper-v3', '--kind', 'random', '--policy-run', fakeRun], /--policy-run: only medium and expert datasets roll out a policy \(--kind random\)/],
    [['--env', 'Hopper-v3', '--kind', 'medium-replay', '--steps', '100'], /--steps: a medium-replay dataset holds every transition of its SAC run; set its length with --sac-steps/],
    [['--env', 'Hopper-v3', '--kind', 'random', '--sac-steps', '100'], /--sac-steps: a random dataset trains nothing/],
    [['--env', 'Hopper-v3', '--kind', 'medium-replay', '--profile', 'fast'], /unknown profile "fast": expected one of smoke, quick, medium, paper/],
    [['--env', 'Hopper-v3', '--kind', 'medium', '--action-noise', '2'], /--action-noise must be a decimal number from 0 to 1 \(e\.g\. 0\.1\), got "2"/],
    [['--env', 'Hopper-v3', '--kind', 'medium', '--action-noise', '1e-1'], /--action-noise must be a decimal number from 0 to 1/],
    [['--env', 'Hopper-v3', '--kind', 'random', '--random-dataset', tmp], /--random-dataset: a random dataset is its own random reference/],
    [['--env', 'Hopper-v3', '--kind', 'medium', '--random-dataset', path.join(tmp, 'nope')], /dataset directory .*nope does not exist/],
    [['--env', 'Hopper-v3', '--kind', 'random', '--bogus'], /dataset: unexpected argument\(s\) --bogus/],
  ];
  for (const [argv, message] of cases) await assert.rejects(main(['dataset', ...argv, '--out', out]), message, argv.join(' '));
  assert.ok(!fs.existsSync(out), 'no refused command wrote anything');
});

test('a dataset command writes the dataset, prints the summary, refuses to overwrite without --force', () => {
  const out = path.join(tmp, 'Hopper-v3', 'random');
  const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'qvpo-kit.js'), 'dataset', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const r = cli('--env', 'Hopper-v3', '--kind', 'random', '--steps', '250', '--seed', '2', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /dataset written: .*random \(data\.bin 0\.0 MB, SHA-256 [0-9a-f]{16}…\)/);
  assert.match(r.stdout, /250 transitions, \d+ complete episodes \(\d+ terminations, 0 time limits\)/);
  assert.match(r.stdout, /episode return \d+\.\d ± \d+\.\d \(min \d+\.\d, max \d+\.\d\)/);
  const d = readDataset(out);
  assert.equal(d.manifest.size, 250);
  assert.match(d.manifest.provenance.command, /^qvpo-kit dataset --env Hopper-v3 --kind random --seed 2 --steps 250 --max-episode-steps 1000 --out /);
  assert.ok(d.manifest.provenance.commit === null || /^[0-9a-f]{40}$/.test(d.manifest.provenance.commit));
  const again = cli('--env', 'Hopper-v3', '--kind', 'random', '--steps', '250', '--out', out);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already holds a dataset \(manifest\.json\); choose another --out, or --force to replace it/);
  const forced = cli('--env', 'Hopper-v3', '--kind', 'random', '--steps', '100', '--out', out, '--force', '--quiet');
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal(readDataset(out).manifest.size, 100);
});
