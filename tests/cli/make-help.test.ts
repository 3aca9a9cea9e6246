/** `make help` lists every .PHONY target of the Makefile and mk/notebooks.mk, one line each. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The targets named on `.PHONY:` lines of a makefile. */
function phonyTargets(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\.PHONY:(.*)$/gm)].flatMap((m) => m[1].trim().split(/\s+/)).filter(Boolean);
}

test('make help: one line with a description for every .PHONY target', () => {
  const r = spawnSync('make', ['--no-print-directory', 'help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  const targets = [...phonyTargets('Makefile'), ...phonyTargets('mk/notebooks.mk')];
  assert.ok(targets.length >= 17, `found the .PHONY lines (${targets.join(' ')})`);
  for (const target of ['test', 'unit', 'typecheck', 'kernel-user', 'reports-index', 'clean']) assert.ok(targets.includes(target), `${target} is .PHONY`);
  for (const target of targets) {
    const lines = r.stdout.split('\n').filter((l) => l.startsWith(`  make ${target} `));
    assert.equal(lines.length, 1, `make help has one line for ${target}`);
    assert.match(lines[0], new RegExp(`^ {2}make ${target} +\\S`), `${target} has a description`);
  }
});
