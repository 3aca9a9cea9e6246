/** scripts/notebook/reports-index.js: reports/index.html from the stamps embedded in the reports. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stampHtml } from '../../lib/report/stamp';

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'notebook', 'reports-index.js');

test('index lists every report with its title and stamp; a report without a stamp is flagged', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-reports-'));
  try {
    const stamp = { profile: 'quick', commit: '0123456789abcdef', dirty: false, backend: "wasm (it's SIMD)", date: '2026-11-21T20:00:00.000Z' };
    fs.writeFileSync(path.join(dir, '01-a.html'), `<h1 id="x">Figure 2 &#8212; toy<a>&#182;</a></h1>${stampHtml(stamp)}`);
    fs.writeFileSync(path.join(dir, '02-b.html'), '<h1>Table 1</h1><p>old report</p>');
    const r = spawnSync(process.execPath, [SCRIPT, '--dir', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 report\(s\)/);
    assert.match(r.stdout, /warning: 02-b\.html has no stamp/);
    const index = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    assert.match(index, /<a href="01-a\.html">Figure 2 — toy<\/a><\/td><td>quick<\/td><td><code>0123456789<\/code><\/td><td>wasm \(it's SIMD\)<\/td><td>2026-11-21T20:00:00\.000Z<\/td>/);
    assert.match(index, /<a href="02-b\.html">Table 1<\/a><\/td><td>no stamp<\/td>/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('no reports: a clear error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-reports-'));
  const r = spawnSync(process.execPath, [SCRIPT, '--dir', dir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no reports in .*: run make notebooks first/);
});
