/**
 * The compact test reporter (scripts/test-reporter.mjs), run as `make unit` runs it on fixture
 * files: one line per file, failures in full, the one-line summary last, and a non-zero exit
 * whenever a test fails or a file crashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = 'tests/fixtures/reporter';

function runTests(files: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=1', '--test-reporter=./scripts/test-reporter.mjs', ...files.map((f) => `${FIXTURES}/${f}`)],
    // Without the outer runner's NODE_TEST_CONTEXT, which would make this one skip its files.
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a failing test: its file line, the failure in full, the summary last, exit code 1', () => {
  const r = runTests(['mixed.js', 'passing.js']);
  assert.equal(r.code, 1, r.out + r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.match(lines[lines.length - 1], /^4 passed, 1 failed, 1 skipped \(2 files, \d+\.\d s\)$/);
  assert.match(r.out, /^✖ tests\/fixtures\/reporter\/mixed\.js {2}3 passed, 1 failed, 1 skipped {2}\d+\.\d s$/m);
  assert.match(r.out, /^✔ tests\/fixtures\/reporter\/passing\.js {2}1 passed {2}\d+\.\d s$/m);
  assert.match(r.out, /^ {4}skipped: needs a GPU \(no GPU here\)$/m);
  // The failure: its name, the assertion's message and where it was thrown.
  assert.match(r.out, /^ {2}✖ compares\n {6}AssertionError.*: arithmetic is off\n/m);
  assert.match(r.out, /at .*tests\/fixtures\/reporter\/mixed\.js:7:/);
  assert.match(r.out, /a line the failing file printed/, 'a failed file shows its output');
  assert.doesNotMatch(r.out, /^(not )?ok \d+ /m, 'no TAP lines');
});

test('all passing: one line per file and exit code 0', () => {
  const r = runTests(['passing.js']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(r.out.trim().split('\n').filter(Boolean).length, 2, r.out);
  assert.match(r.out, /\n1 passed, 0 failed, 0 skipped \(1 file, \d+\.\d s\)\n$/);
});

test('a file that crashes counts as a failure and shows why', () => {
  const r = runTests(['crashing.js', 'passing.js']);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /^✖ tests\/fixtures\/reporter\/crashing\.js {2}0 passed, 1 failed/m);
  assert.match(r.out, /the file failed: it crashed or exited non-zero\)\n {6}test failed \(exit code [1-9]\d*\)/);
  assert.match(r.out, /Error: the fixture crashed on purpose/);
  assert.match(r.out, /\n1 passed, 1 failed, 0 skipped \(2 files, \d+\.\d s\)\n$/);
});
