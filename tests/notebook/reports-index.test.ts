/** scripts/notebook/reports-index.js: each profile's reports/<profile>/index.html from the stamps embedded in its reports, and the top index. */
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

test('rollout pages are listed apart from the reports, without a stamp warning', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-reports-'));
  try {
    const stamp = { profile: 'quick', commit: '0123456789abcdef', dirty: false, backend: 'wasm', date: '2026-11-30T04:00:00.000Z' };
    fs.writeFileSync(path.join(dir, '02-b.html'), `<h1>Table 1</h1>${stampHtml(stamp)}`);
    fs.writeFileSync(path.join(dir, 'rollout-qvpo-hopper-v3.html'), '<h1>qvpo Hopper-v3 seed 2 (quick): rollout</h1>');
    const r = spawnSync(process.execPath, [SCRIPT, '--dir', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 report\(s\)/);
    assert.doesNotMatch(r.stdout, /warning/);
    const index = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    assert.match(index, /Rollout pages[^<]*<code>qvpo-kit rollout<\/code>\): <a href="rollout-qvpo-hopper-v3\.html">qvpo Hopper-v3 seed 2 \(quick\): rollout<\/a>/);
    assert.doesNotMatch(index, /<td><a href="rollout-/);
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

test('--top links each profile folder that has an index, but not smoke (CI checks, git-ignored)', () => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-reports-top-'));
  try {
    const report = (profile: string, date: string) => {
      fs.mkdirSync(path.join(top, profile), { recursive: true });
      const stamp = { profile, commit: 'abcdef0123456789', dirty: false, backend: 'wasm', date };
      fs.writeFileSync(path.join(top, profile, '01-a.html'), `<h1>Figure 2</h1>${stampHtml(stamp)}`);
    };
    report('quick', '2026-11-21T20:00:00.000Z');
    report('smoke', '2026-11-22T20:00:00.000Z');
    for (const p of ['smoke', 'quick']) {
      const r = spawnSync(process.execPath, [SCRIPT, '--dir', path.join(top, p), '--top', top], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    assert.match(fs.readFileSync(path.join(top, 'quick', 'index.html'), 'utf8'), /<h1>qvpo-kit reports \(quick\)<\/h1>[\s\S]*href="\.\.\/index\.html"/);
    assert.match(fs.readFileSync(path.join(top, 'smoke', 'index.html'), 'utf8'), /<a href="01-a\.html">Figure 2<\/a><\/td><td>smoke</);
    const index = fs.readFileSync(path.join(top, 'index.html'), 'utf8');
    assert.match(index, /<a href="quick\/index\.html">quick<\/a><\/td><td>1<\/td><td>2026-11-21T20:00:00\.000Z</);
    assert.doesNotMatch(index, /href="smoke\//);

    const wrong = spawnSync(process.execPath, [SCRIPT, '--dir', path.join(top, 'quick'), '--top', os.tmpdir()], { encoding: 'utf8' });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /--top .*: expected the folder that holds --dir .*quick/);
  } finally {
    fs.rmSync(top, { recursive: true, force: true });
  }
});
