/**
 * Every profile's tables, figures and reports have their own folders (lib/results/layout.ts):
 * the smoke profile's Table 1 step leaves the committed quick outputs untouched, and git
 * ignores what smoke writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TABLE1_FILES, profileOutputs } from '../../lib/results/layout';
import { writeRun } from '../helpers/runs';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'qvpo-kit.js');
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const haveGit = spawnSync('git', ['-C', ROOT, 'rev-parse', '--git-dir'], { encoding: 'utf8' }).status === 0;

test('each profile label has its own runs, results and reports folders', () => {
  assert.deepEqual(profileOutputs('quick', '/r'), { runs: '/r/results/runs/quick', results: '/r/results/quick', reports: '/r/reports/quick' });
  assert.equal(profileOutputs('quick-nd16', '/r').results, '/r/results/quick-nd16');
  const folders = ['smoke', 'quick', 'paper'].flatMap((p) => Object.values(profileOutputs(p, '/r')));
  assert.equal(new Set(folders).size, folders.length, 'no two profiles share a folder');
});

test('a label that is not a profile (or would leave its folder) is refused, naming it', () => {
  for (const bad of ['fast', '', 'quick/../paper', '../quick', 'quick/x', 'Quick', 'runs']) {
    assert.throws(() => profileOutputs(bad, '/r'), new RegExp(`profile label "${bad.replace(/[./]/g, '\\$&')}": expected a profile \\(smoke, quick, medium, paper\\)`));
  }
});

test('the committed quick outputs sit in their profile folders, nothing at the old shared places', () => {
  const quick = profileOutputs('quick', ROOT);
  for (const f of TABLE1_FILES) assert.ok(fs.existsSync(path.join(quick.results, f)), `results/quick/${f}`);
  for (const f of TABLE1_FILES) assert.ok(!fs.existsSync(path.join(ROOT, 'results', f)), `results/${f} is gone`);
  const reports = fs.readdirSync(quick.reports).filter((f) => f.endsWith('.html'));
  assert.ok(reports.includes('index.html') && reports.includes('02-mujoco-main.html'), `reports/quick holds ${reports.join(', ')}`);
  const top = fs.readdirSync(path.join(ROOT, 'reports')).filter((f) => f.endsWith('.html'));
  assert.deepEqual(top, ['index.html'], 'only the top index is directly under reports/');
  assert.match(fs.readFileSync(path.join(ROOT, 'reports', 'index.html'), 'utf8'), /href="quick\/index\.html"/);
});

test('git ignores what the smoke profile writes, and keeps the quick outputs', { skip: haveGit ? false : 'not a git checkout' }, () => {
  const ignored = (p: string) => spawnSync('git', ['-C', ROOT, 'check-ignore', '-q', '--no-index', p]).status === 0;
  for (const p of ['results/smoke/table1.md', 'results/runs/smoke/qvpo/Hopper-v3/seed-0/status.json', 'results/runs/smoke-fig4-T20-ent/qvpo/Ant-v3/seed-0/eval.csv', 'reports/smoke/index.html', 'results/bandit-toy/smoke/curves.csv']) {
    assert.ok(ignored(p), `${p} is ignored`);
  }
  for (const p of ['results/quick/table1.md', 'reports/quick/02-mujoco-main.html', 'results/runs/quick/qvpo/Hopper-v3/seed-0/status.json', 'reports/index.html', 'results/paper/table1.md']) {
    assert.ok(!ignored(p), `${p} is kept`);
  }
});

test('the smoke Table 1 step writes results/smoke/ and leaves the quick outputs untouched', { timeout: 120_000 }, () => {
  const quick = profileOutputs('quick', ROOT).results;
  const smoke = profileOutputs('smoke', ROOT).results;
  const before = Object.fromEntries(TABLE1_FILES.map((f) => [f, sha(path.join(quick, f))]));
  const hadSmoke = fs.existsSync(smoke);
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-profile-outputs-'));
  try {
    for (const seed of [0, 1]) writeRun(runs, { profile: 'smoke', seed, totalSteps: 300, evalInterval: 150, evalReturns: [10 + seed, 20 + seed] });
    const r = spawnSync(process.execPath, [CLI, 'table', '--profile', 'smoke', '--root', runs], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`written ${path.join(smoke, 'table1.md').replace(/[.]/g, '\\.')}`));
    assert.match(fs.readFileSync(path.join(smoke, 'table1.md'), 'utf8'), /profile `smoke`/);
    for (const f of ['figure3-eval.svg', 'figure3-train.svg']) assert.match(fs.readFileSync(path.join(smoke, f), 'utf8'), /^<svg/);
    for (const f of TABLE1_FILES) assert.equal(sha(path.join(quick, f)), before[f], `results/quick/${f} unchanged`);
    for (const f of TABLE1_FILES) assert.ok(!fs.existsSync(path.join(ROOT, 'results', f)), `nothing written to results/${f}`);
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
    if (!hadSmoke) fs.rmSync(smoke, { recursive: true, force: true });
  }
});
