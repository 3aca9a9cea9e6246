/** Killing a `qvpo-kit train` child mid-run, and comparing its rows after resume (not a test file itself). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'qvpo-kit.js');

/** Starts `qvpo-kit train ARGS`, waits for `checkpointFile` to appear, then kill -9s the child and waits for it. */
export async function killAfterFirstCheckpoint(trainArgs: readonly string[], checkpointFile: string, timeoutMs = 60_000): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'train', ...trainArgs], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (const t0 = Date.now(); !fs.existsSync(checkpointFile) && Date.now() - t0 < timeoutMs; ) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const wrote = fs.existsSync(checkpointFile);
  child.kill('SIGKILL');
  await exited;
  assert.ok(wrote, `the child wrote ${checkpointFile} within ${timeoutMs / 1000} s`);
}

/** A run CSV's rows as text, without the columns that measure time (they differ between any two runs). */
export function rowsWithoutTiming(file: string): string[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = header.split(',');
  const drop = new Set(['wall_seconds', 'steps_per_second'].map((c) => cols.indexOf(c)));
  return lines.map((l) => l.split(',').filter((_, i) => !drop.has(i)).join(','));
}
