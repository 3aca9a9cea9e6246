import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPTS = path.join(ROOT, 'scripts', 'notebook');
const installer = require(path.join(SCRIPTS, 'install-kernel.js'));
const launcher = require(path.join(SCRIPTS, 'tslab-launcher.js'));
const runner = require(path.join(SCRIPTS, 'run-notebooks.js'));

test('kernelspec: node + launcher + kernel --config-path {connection_file}, absolute paths', () => {
  const spec = installer.kernelSpec();
  assert.deepEqual(spec.argv, [
    process.execPath,
    path.join(SCRIPTS, 'tslab-launcher.js'),
    'kernel',
    '--config-path',
    '{connection_file}',
  ]);
  assert.ok(spec.argv.slice(0, 2).every((p: string) => path.isAbsolute(p)));
  assert.equal(spec.language, 'typescript');
  assert.equal(spec.display_name, 'TypeScript (qvpo-kit tslab)');
  assert.equal(spec.interrupt_mode, 'signal');
  assert.equal(spec.metadata.qvpo_kit_root, ROOT);
});

test('install-kernel writes kernels/<name>/kernel.json under --prefix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-kernel-'));
  const r = spawnSync(process.execPath, [path.join(SCRIPTS, 'install-kernel.js'), '--prefix', dir], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const file = path.join(dir, 'kernels', 'tslab', 'kernel.json');
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(spec, installer.kernelSpec());
  assert.ok(r.stdout.includes(file));

  const bad = spawnSync(process.execPath, [path.join(SCRIPTS, 'install-kernel.js'), '--name', '../x'], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /invalid kernel name/);
});

test('jupyter finds the kernelspec through JUPYTER_PATH (when jupyter is installed)', (t) => {
  const which = spawnSync('bash', [path.join(SCRIPTS, 'ensure-jupyter.sh'), '--check', '--print-path'], {
    encoding: 'utf8',
  });
  if (which.status !== 0) {
    t.skip('no working jupyter (run `make jupyter`)');
    return;
  }
  const jupyter = which.stdout.trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-kernel-'));
  installer.installKernel(dir, { name: 'qvpo-test-kernel' });
  const r = spawnSync(jupyter, ['kernelspec', 'list', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, JUPYTER_PATH: dir },
  });
  assert.equal(r.status, 0, r.stderr);
  const specs = JSON.parse(r.stdout).kernelspecs;
  assert.ok(specs['qvpo-test-kernel'], `kernelspecs: ${Object.keys(specs).join(', ')}`);
  assert.equal(specs['qvpo-test-kernel'].resource_dir, path.join(dir, 'kernels', 'qvpo-test-kernel'));
  assert.equal(specs['qvpo-test-kernel'].spec.language, 'typescript');
});

test('launcher: failure descriptions for thrown errors, odd values and compile errors', () => {
  const err = new RangeError('bad range');
  const d = launcher.describeFailure([[err]]);
  assert.equal(d.ename, 'RangeError');
  assert.equal(d.evalue, 'bad range');
  assert.ok(d.traceback.some((l: string) => l.includes('RangeError: bad range')));
  assert.ok(!d.traceback.some((l: string) => /node:vm|tslab[\\/]dist/.test(l)));

  const s = launcher.describeFailure([[42]]);
  assert.equal(s.ename, 'Thrown');
  assert.equal(s.evalue, '42');

  const c = launcher.describeFailure([
    ['%s%d:%d - %s', '', 0, 6, "Type 'string' is not assignable to type 'number'."],
    ['%s%d:%d - %s', '', 1, 0, "Cannot find name 'foo'."],
  ]);
  assert.equal(c.ename, 'TypeScriptError');
  assert.equal(c.evalue, "Type 'string' is not assignable to type 'number'. (and 1 more)");
  assert.deepEqual(c.traceback, ["0:6 - Type 'string' is not assignable to type 'number'.", "1:0 - Cannot find name 'foo'."]);

  assert.equal(launcher.describeFailure([]).ename, 'Error');
});

test('launcher: directory imports map to <dir>/index only for TypeScript folders', () => {
  assert.equal(launcher.directoryIndexId(ROOT, './lib/report'), './lib/report/index');
  assert.equal(launcher.directoryIndexId(ROOT, './lib/report/'), './lib/report/index');
  assert.equal(launcher.directoryIndexId(ROOT, './lib/report/index'), null);
  assert.equal(launcher.directoryIndexId(ROOT, './lib/report/charts'), null);
  assert.equal(launcher.directoryIndexId(ROOT, 'vega'), null);
  assert.equal(launcher.directoryIndexId(path.join(ROOT, 'lib', 'report'), '../report'), '../report/index');
  assert.equal(launcher.directoryIndexId(ROOT, './no/such/dir'), null);
});

test('run-notebooks: argument parsing and error collection', () => {
  const o = runner.parseArgs(['--profile', 'smoke', '--timeout=60', '--out', 'x', 'a.ipynb'], {});
  assert.equal(o.profile, 'smoke');
  assert.equal(o.timeout, 60);
  assert.deepEqual(o.notebooks, ['a.ipynb']);
  assert.equal(runner.parseArgs([], { QVPO_PROFILE: 'paper' }).profile, 'paper');
  assert.equal(runner.parseArgs([], {}).profile, 'quick');
  // Each profile's reports have their own folder; --out still chooses any.
  assert.equal(runner.parseArgs(['--profile', 'smoke'], {}).out, path.join(ROOT, 'reports', 'smoke'));
  assert.equal(runner.parseArgs([], { QVPO_PROFILE: 'paper' }).out, path.join(ROOT, 'reports', 'paper'));
  assert.equal(o.out, 'x');
  // "code cell k/N" progress lines count the cells nbclient executes.
  assert.equal(runner.codeCellCount(path.join(ROOT, 'tests', 'fixtures', 'notebooks', 'report-smoke.ipynb')), 4);
  assert.throws(() => runner.parseArgs(['--profile', 'fast'], {}), /unknown profile "fast" \(expected one of: smoke, quick, medium, paper\)/);
  assert.throws(() => runner.parseArgs(['--bogus'], {}), /unknown option: --bogus/);
  assert.throws(() => runner.parseArgs(['--timeout', 'abc'], {}), /--timeout/);

  const errors = runner.collectErrors({
    cells: [
      { cell_type: 'code', metadata: {}, outputs: [{ output_type: 'error', ename: 'E', evalue: 'v', traceback: ['t'] }] },
      { cell_type: 'code', metadata: { tags: ['raises-exception'] }, outputs: [{ output_type: 'error', ename: 'X', evalue: 'y' }] },
      { cell_type: 'markdown', metadata: {}, source: '' },
    ],
  });
  assert.deepEqual(errors, [{ index: 0, ename: 'E', evalue: 'v', traceback: ['t'] }]);
});

test('launcher: a thrown string is not mistaken for a compile error', () => {
  const d = launcher.describeFailure([['just a string']]);
  assert.equal(d.ename, 'Thrown');
  assert.equal(d.evalue, 'just a string');
  assert.deepEqual(d.traceback, ["Uncaught 'just a string'"]);
});
