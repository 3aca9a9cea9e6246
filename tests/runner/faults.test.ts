/**
 * Fault injection: damaged files, other settings, concurrent processes, signals, divergence and
 * bad arguments, each replayed on a small run and checked for its good outcome — a resume that
 * ends with exactly an uninterrupted run's rows, or a refusal that names the file and changes
 * nothing. Issue 17's cases, numbered as there ("bad" 1–7, then the weak ones).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { previousCheckpointFile, readCheckpoint, withFile, writeCheckpoint } from '../../lib/runner/checkpoint';
import { RunPlan, planRun } from '../../lib/runner/plan';
import { EXIT_CODES, lockState, trainRun } from '../../lib/runner/train';
import { listRuns, splitByCompleteness } from '../../lib/results/runs';
import { rowsWithoutTiming } from '../helpers/kill';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'qvpo-kit.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-faults-'));
const PROTOCOL = { totalSteps: 600, checkpointInterval: 100, evalInterval: 250 };
const PROTOCOL_FLAGS = ['--total-steps=600', '--checkpoint-interval=100', '--eval-interval=250'];

function plan(root: string, extra: Partial<Parameters<typeof planRun>[0]> = {}): RunPlan {
  return planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 1, profile: 'smoke', variant: 'faults', protocolOverrides: PROTOCOL, root: path.join(tmp, root), ...extra });
}

function logger(): { log: (line: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (line) => lines.push(line), lines };
}

const rows = rowsWithoutTiming; // tests/helpers/kill.ts

const status = (p: RunPlan) => JSON.parse(fs.readFileSync(path.join(p.dir, 'status.json'), 'utf8'));

let reference: RunPlan;
function assertSameAsReference(p: RunPlan): void {
  assert.equal(status(p).state, 'complete');
  assert.deepEqual(rows(path.join(p.dir, 'train.csv')), rows(path.join(reference.dir, 'train.csv')), 'train.csv equals the uninterrupted run');
  assert.deepEqual(rows(path.join(p.dir, 'eval.csv')), rows(path.join(reference.dir, 'eval.csv')), 'eval.csv equals the uninterrupted run');
}

/** A run stopped (as if killed) at step 350: checkpoints at about 100, 200 and 300. */
async function stoppedRun(root: string): Promise<RunPlan> {
  const p = plan(root);
  assert.equal(await trainRun(p, { quiet: true, log: () => {}, stopAfterSteps: 350 }), 'stopped');
  assert.ok(fs.existsSync(path.join(p.dir, 'checkpoint.prev.bin')), 'two checkpoints: the latest and the one before');
  return p;
}

function cliTrain(root: string, extra: string[] = []): ChildProcess {
  return spawn(
    process.execPath,
    [CLI, 'train', '--env', 'Hopper-v3', '--seed', '1', '--profile', 'smoke', '--variant', 'faults', ...PROTOCOL_FLAGS, '--root', path.join(tmp, root), '--quiet', ...extra],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  for (const t0 = Date.now(); !ok(); ) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });

test('reference: an uninterrupted run', { timeout: 120_000 }, async () => {
  reference = plan('reference');
  assert.equal(await trainRun(reference, { quiet: true, log: () => {} }), 'complete');
  assert.equal(rows(path.join(reference.dir, 'eval.csv')).length, 3, 'evaluations at 250, 500 and 600');
  const s = status(reference);
  assert.equal(s.files.eval.rows, 3);
  assert.ok(!fs.existsSync(path.join(reference.dir, 'checkpoint.bin')) && !fs.existsSync(path.join(reference.dir, 'checkpoint.prev.bin')));
});

test('bad 1: one bit flipped in the saved weights is caught; the run falls back to the previous checkpoint', { timeout: 120_000 }, async () => {
  const p = await stoppedRun('bitflip');
  const file = path.join(p.dir, 'checkpoint.bin');
  const bytes = fs.readFileSync(file);
  const dataStart = 10 + 8 + Number(bytes.readBigUInt64LE(10));
  bytes[dataStart + 101] ^= 0x04;
  fs.writeFileSync(file, bytes);
  const { log, lines } = logger();
  assert.equal(await trainRun(p, { quiet: true, log }), 'complete');
  assert.ok(lines.some((l) => /checkpoint\.bin: checksum mismatch.*falling back to .*checkpoint\.prev\.bin/.test(l)), lines.join('\n'));
  assertSameAsReference(p);
});

test("kill -9 between the checkpoint's two renames: no checkpoint.bin, the previous one resumes to the same rows", { timeout: 120_000 }, async () => {
  const p = await stoppedRun('renames');
  const file = path.join(p.dir, 'checkpoint.bin');
  fs.renameSync(file, `${file}.tmp-424242`); // the new one written, not yet renamed; the old one already moved aside
  const { log, lines } = logger();
  assert.equal(await trainRun(p, { quiet: true, log }), 'complete');
  assert.ok(lines.some((l) => /checkpoint\.bin is missing; falling back to .*checkpoint\.prev\.bin/.test(l)), lines.join('\n'));
  assert.ok(!fs.existsSync(`${file}.tmp-424242`), 'the orphaned temp file is removed');
  assertSameAsReference(p);
});

test('bad 1b: both checkpoints damaged: a clear refusal with the recovery, nothing counted', { timeout: 120_000 }, async () => {
  const p = await stoppedRun('bothbad');
  for (const f of [path.join(p.dir, 'checkpoint.bin'), previousCheckpointFile(path.join(p.dir, 'checkpoint.bin'))]) {
    const bytes = fs.readFileSync(f);
    fs.writeFileSync(f, bytes.subarray(0, bytes.length - 1000)); // truncated
  }
  await assert.rejects(trainRun(p, { quiet: true, log: () => {} }), /has no usable checkpoint: .*checkpoint\.bin: checksum mismatch.*checkpoint\.prev\.bin: checksum mismatch.*--fresh/);
  assert.equal(status(p).state, 'running', 'left as it was');
  assert.ok(!fs.existsSync(path.join(p.dir, 'run.lock')), 'no lock left behind');
  assert.equal(splitByCompleteness(listRuns(path.join(tmp, 'bothbad'))).complete.length, 0);
});

test('bad 2: 12 header bytes overwritten, still valid JSON: caught, falls back, same rows as uninterrupted', { timeout: 120_000 }, async () => {
  const p = await stoppedRun('header');
  const file = path.join(p.dir, 'checkpoint.bin');
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf('{"counters":');
  assert.ok(at > 0);
  bytes.write('{"xounters":', at); // 12 bytes; the header still parses, its counters are gone
  fs.writeFileSync(file, bytes);
  const { log, lines } = logger();
  assert.equal(await trainRun(p, { quiet: true, log }), 'complete');
  assert.ok(lines.some((l) => /checksum mismatch.*falling back/.test(l)), lines.join('\n'));
  assertSameAsReference(p);
  assert.ok(!fs.readFileSync(path.join(p.dir, 'train.csv'), 'utf8').includes('\n\n'), 'no blank line in train.csv');
});

test('bad 3: config.json truncated or lost, resumed with --eval-interval 200: refused, naming the difference', { timeout: 120_000 }, async () => {
  const p = await stoppedRun('config');
  const config = path.join(p.dir, 'config.json');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').slice(0, 100));
  const other = plan('config', { protocolOverrides: { ...PROTOCOL, evalInterval: 200 } });
  assert.equal(other.dir, p.dir, 'same variant, same directory');
  await assert.rejects(trainRun(other, { quiet: true, log: () => {} }), /holds a run with other settings/);
  fs.rmSync(config);
  // Without status.json's hash, the checkpoint's own copy of the settings still refuses it.
  const s = status(p);
  delete s.settingsSha256;
  fs.writeFileSync(path.join(p.dir, 'status.json'), JSON.stringify(s));
  await assert.rejects(trainRun(other, { quiet: true, log: () => {} }), /other settings \(.*checkpoint\.bin: protocol\.evalInterval 200 \(the run has 250\)/);
  assert.equal(status(p).state, 'running', 'nothing written by the refused resumes');
  assert.equal(await trainRun(p, { quiet: true, log: () => {} }), 'complete', 'the same settings resume');
  assertSameAsReference(p);
  assert.ok(JSON.parse(fs.readFileSync(config, 'utf8')).settingsSha256, 'config.json written again, with its hash');
});

test('bad 4: eval.csv cut to its header, train.csv cut mid-line: the checkpoint restores every row', { timeout: 120_000 }, async () => {
  const p = await stoppedRun('csv');
  const evalCsv = path.join(p.dir, 'eval.csv');
  fs.writeFileSync(evalCsv, fs.readFileSync(evalCsv, 'utf8').split('\n')[0] + '\n');
  const trainCsv = path.join(p.dir, 'train.csv');
  const text = fs.readFileSync(trainCsv, 'utf8');
  fs.writeFileSync(trainCsv, text.slice(0, Math.floor(text.length / 2)));
  assert.equal(await trainRun(p, { quiet: true, log: () => {} }), 'complete');
  assertSameAsReference(p);
  assert.equal(rows(evalCsv).length, 3);
});

test('bad 5 and signals: --fresh refuses a live run; SIGTERM checkpoints and exits 143 "preempted"; the resume equals uninterrupted', { timeout: 180_000 }, async () => {
  const p = plan('live');
  const child = cliTrain('live');
  const exited = exitOf(child);
  await waitFor('the first checkpoint', () => fs.existsSync(path.join(p.dir, 'checkpoint.bin')));
  const lockFile = path.join(p.dir, 'run.lock');
  await assert.rejects(trainRun(p, { fresh: true, quiet: true, log: () => {} }), new RegExp(`--fresh refused: process ${child.pid} is training this run \\(lock ${lockFile.replace(/[.]/g, '\\.')}\\)`));
  await assert.rejects(trainRun(p, { quiet: true, log: () => {} }), new RegExp(`is being run by process ${child.pid} \\(lock .*run\\.lock\\)`));
  assert.ok(fs.existsSync(lockFile), 'the live run keeps its directory and lock');
  child.kill('SIGTERM');
  const { code, out } = await exited;
  assert.equal(code, EXIT_CODES.preempted, out);
  assert.equal(code, 143);
  const s = status(p);
  assert.equal(s.state, 'preempted');
  assert.ok(s.step < 600);
  assert.ok(!fs.existsSync(lockFile), 'the lock is released');
  assert.match(splitByCompleteness(listRuns(path.join(tmp, 'live'))).incomplete[0].reason, /^preempted \(step \d+ of 600; resumable\)/);
  const { log, lines } = logger();
  assert.equal(await trainRun(p, { quiet: true, log }), 'complete');
  assert.ok(lines.some((l) => new RegExp(`resuming at step ${s.step}\\b`).test(l)), `resumed from the signal's checkpoint at ${s.step}: ${lines.join('\n')}`);
  assertSameAsReference(p);
});

test('signals: SIGINT checkpoints and exits 130 "stopped"; resumable', { timeout: 180_000 }, async () => {
  const p = plan('sigint');
  const child = cliTrain('sigint');
  const exited = exitOf(child);
  await waitFor('the first checkpoint', () => fs.existsSync(path.join(p.dir, 'checkpoint.bin')));
  child.kill('SIGINT');
  const { code, out } = await exited;
  assert.equal(code, 130, out);
  assert.equal(status(p).state, 'stopped');
  assert.equal(await trainRun(p, { quiet: true, log: () => {} }), 'complete');
  assertSameAsReference(p);
});

test('bad 6: table/status with a typo in --profile: refused before anything is written', () => {
  const out = path.join(tmp, 'table-out');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'table1.md'), 'committed table\n');
  const table = cli(['table', '--profile', 'quik', '--root', path.join(tmp, 'reference'), '--out', out]);
  assert.equal(table.code, 2, table.out);
  assert.match(table.out, /--profile "quik": unknown profile "quik"; expected one of smoke, quick, medium, paper/);
  const empty = cli(['table', '--profile', 'quick', '--root', path.join(tmp, 'reference'), '--out', out]);
  assert.match(empty.out, /no runs of profile "quick" under .*reference \(there: smoke-faults\); nothing written/);
  assert.equal(fs.readFileSync(path.join(out, 'table1.md'), 'utf8'), 'committed table\n', 'the committed table is untouched');
  assert.deepEqual(fs.readdirSync(out), ['table1.md']);
  const st = cli(['status', '--profile', 'quik', '--root', path.join(tmp, 'reference')]);
  assert.equal(st.code, 2);
  assert.match(st.out, /unknown profile "quik"/);
});

test('bad 7: learning rate 1e6 diverges: stopped as "diverged" (exit 3), excluded and listed by table and status', { timeout: 180_000 }, async () => {
  const root = path.join(tmp, 'diverge');
  const r = cli(['train', '--env', 'Hopper-v3', '--seed', '1', '--profile', 'smoke', '--variant', 'lr1e6', '--actor-lr', '1e6', '--critic-lr', '1e6', '--root', root, '--quiet']);
  assert.equal(r.code, EXIT_CODES.diverged, r.out);
  assert.equal(r.code, 3);
  assert.match(r.out, /diverged: .*(Loss is (NaN|Infinity|-Infinity)|action\[\d+\] is (NaN|Infinity|-Infinity)|non-finite value)/);
  const dir = path.join(root, 'smoke-lr1e6', 'qvpo', 'Hopper-v3', 'seed-1');
  const s = JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8'));
  assert.equal(s.state, 'diverged');
  assert.ok(s.step < s.totalSteps, 'stopped early');
  for (const line of fs.readFileSync(path.join(dir, 'train.csv'), 'utf8').split('\n')) assert.doesNotMatch(line, /NaN|Infinity/, 'no NaN row written');
  const { complete, incomplete } = splitByCompleteness(listRuns(root));
  assert.equal(complete.length, 0);
  assert.match(incomplete[0].reason, /^diverged at step \d+ of 300: /);
  const out = path.join(tmp, 'diverge-table');
  const table = cli(['table', '--profile', 'smoke-lr1e6', '--root', root, '--out', out]);
  assert.equal(table.code, 0, table.out);
  assert.match(fs.readFileSync(path.join(out, 'table1.md'), 'utf8'), /`smoke-lr1e6\/qvpo\/Hopper-v3\/seed-1`: diverged at step/);
  assert.match(cli(['status', '--root', root]).out, /diverged at step \d+ of 300/);
  const again = cli(['train', '--env', 'Hopper-v3', '--seed', '1', '--profile', 'smoke', '--variant', 'lr1e6', '--actor-lr', '1e6', '--critic-lr', '1e6', '--root', root, '--quiet']);
  assert.equal(again.code, 3, 'a diverged run is not retried as if resumable');
  assert.match(again.out, /diverged earlier .*--fresh/);
});

test('weak: stale temp files removed; a lock whose pid was reused is named and replaced; status tells dead from running', { timeout: 120_000 }, async () => {
  const p = await stoppedRun('stale');
  const st = cli(['status', '--root', path.join(tmp, 'stale')]);
  assert.match(st.out, /dead \(step \d+ of 600\): status\.json says running, but no live process holds it \(no lock\); run it again to resume/);
  fs.writeFileSync(path.join(p.dir, 'checkpoint.bin.tmp-999999'), 'half a checkpoint');
  fs.writeFileSync(path.join(p.dir, 'status.json.tmp-999998'), '{');
  // pid 1 is alive but started long before this lock says its holder did.
  const lockFile = path.join(p.dir, 'run.lock');
  fs.writeFileSync(lockFile, JSON.stringify({ pid: 1, host: os.hostname(), started: '1' }));
  const { log, lines } = logger();
  assert.equal(await trainRun(p, { quiet: true, log }), 'complete');
  assert.ok(lines.some((l) => l.includes(`removing stale lock: pid 1 of ${lockFile} now belongs to another process`)), lines.join('\n'));
  assert.deepEqual(fs.readdirSync(p.dir).filter((f) => f.includes('.tmp-')), []);
  assertSameAsReference(p);
});

test('weak: a garbled status.json on a complete run is not restarted; edited CSVs of a complete run are caught', async () => {
  const root = path.join(tmp, 'garbled');
  fs.cpSync(path.join(tmp, 'reference'), root, { recursive: true });
  const p = plan('garbled');
  const statusFile = path.join(p.dir, 'status.json');
  const good = fs.readFileSync(statusFile, 'utf8');
  fs.writeFileSync(statusFile, good.slice(0, 40));
  const before = fs.readFileSync(path.join(p.dir, 'train.csv'), 'utf8');
  await assert.rejects(trainRun(p, { quiet: true, log: () => {} }), /status\.json is unreadable .*not restarted over its results.*--fresh/);
  assert.equal(fs.readFileSync(path.join(p.dir, 'train.csv'), 'utf8'), before, 'results untouched');
  fs.writeFileSync(statusFile, good);
  assert.equal(splitByCompleteness(listRuns(root)).complete.length, 1);

  const evalCsv = path.join(p.dir, 'eval.csv');
  const lines = fs.readFileSync(evalCsv, 'utf8').trim().split('\n');
  fs.writeFileSync(evalCsv, lines.slice(0, -1).join('\n') + '\n');
  let { complete, incomplete } = splitByCompleteness(listRuns(root));
  assert.equal(complete.length, 0, 'a complete run missing its last eval row does not count');
  assert.match(incomplete[0].reason, /eval\.csv: changed after the run completed \(2 row\(s\) now, status\.json records 3/);
  fs.writeFileSync(evalCsv, lines.join('\n') + '\n');
  fs.writeFileSync(path.join(p.dir, 'train.csv'), before.slice(0, before.length - 30));
  ({ complete, incomplete } = splitByCompleteness(listRuns(root)));
  assert.equal(complete.length, 0, 'a truncated train.csv is not accepted');
  assert.match(incomplete[0].reason, /train\.csv: changed after the run completed/);
});

test('weak: flags and environment variables are parsed strictly, before any folder is made', () => {
  const root = path.join(tmp, 'flags');
  const base = ['train', '--profile', 'smoke', '--root', root];
  const cases: [string[], RegExp, NodeJS.ProcessEnv?][] = [
    [['train', '--env', '--root', root], /--env needs a value, got the flag --root/],
    [[...base, '--env', 'Hopper-v3', '--seed='], /--seed must be a whole number from 0 to 2147483647, got ""/],
    [[...base, '--env', 'Hopper-v3', '--seed', '0x10'], /--seed must be a whole number from 0 to 2147483647, got "0x10"/],
    [[...base, '--env', 'Hopper-v3', '--seed', '1e300'], /--seed must be a whole number from 0 to 2147483647, got "1e300"/],
    [['sweep', '--profile', 'smoke', '--seeds', '0,1.5', '--root', root], /--seeds must be a whole number from 0 to 2147483647, got "1.5"/],
    [['sweep', '--profile', 'smoke', '--jobs', '2x', '--root', root], /--jobs must be a whole number from 1 to 1024, got "2x"/],
    [[...base, '--env', 'Hopper-v3', '--variant', 'big', '--batch-size', '100000000'], /invalid value "100000000" for "batchSize": expected an integer >= 1 <= 65536/],
    [[...base, '--env', 'Hopper-v3'], /QVPO_SAMPLER_WORKERS must be a whole number from 0 to \d+, got "32" \(this machine has \d+ cores/, { QVPO_SAMPLER_WORKERS: '32', QVPO_FORCE_WORKERS: '' }],
  ];
  for (const [args, message, env] of cases) {
    const r = cli(args, env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
    assert.match(r.out, message);
    assert.ok(!fs.existsSync(root), `${args.join(' ')} made no folder`);
  }
});

test('weak: an I/O error names its file (ENOSPC from a write says which)', () => {
  const fd = fs.openSync('/dev/full', 'w');
  let err: unknown;
  try {
    fs.writeSync(fd, 'x');
  } catch (e) {
    err = e;
  } finally {
    fs.closeSync(fd);
  }
  assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  assert.doesNotMatch((err as Error).message, /train\.csv/, 'Node does not name the file itself');
  const named = withFile(err, '/runs/x/train.csv') as NodeJS.ErrnoException;
  assert.match(named.message, /^\/runs\/x\/train\.csv: ENOSPC/);
  assert.equal(named.code, 'ENOSPC');
});

test('weak: killing a sweep parent stops its children with a checkpoint', { timeout: 180_000 }, async () => {
  const root = path.join(tmp, 'orphans');
  const sweep = spawn(
    process.execPath,
    [CLI, 'sweep', '--profile', 'smoke', '--envs', 'Hopper-v3', '--seeds', '1', '--jobs', '1', '--variant', 'orphan', '--total-steps=200000', '--checkpoint-interval=100', '--root', root, '--quiet'],
    { cwd: ROOT, stdio: 'ignore' },
  );
  const dir = path.join(root, 'smoke-orphan', 'qvpo', 'Hopper-v3', 'seed-1');
  await waitFor('the child run to checkpoint', () => fs.existsSync(path.join(dir, 'checkpoint.bin')));
  sweep.kill('SIGKILL');
  await waitFor('the orphaned child to stop', () => !fs.existsSync(path.join(dir, 'run.lock')));
  const s = JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8'));
  assert.equal(s.state, 'stopped');
  assert.ok(fs.existsSync(path.join(dir, 'checkpoint.bin')));
});

/** A 16 MiB tmpfs to fill (root only); null with the reason when it cannot be mounted. */
function smallDisk(): { dir: string; unmount: () => void } | string {
  if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs';
  const dir = path.join(tmp, 'small-disk');
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot mount a tmpfs here: ${(r.stderr || r.error?.message || '').trim()}`;
  return { dir, unmount: () => void spawnSync('umount', [dir]) };
}

test('weak: a full disk fails the run naming the file, records "failed", and it resumes once there is room', { timeout: 180_000 }, async (t) => {
  const disk = smallDisk();
  if (typeof disk === 'string') {
    t.skip(disk);
    return;
  }
  try {
    const settings = ['--total-steps=1000', '--checkpoint-interval=100', '--eval-interval=500'];
    const child = spawn(process.execPath, [CLI, 'train', '--env', 'Hopper-v3', '--seed', '2', '--profile', 'smoke', '--variant', 'disk', ...settings, '--root', disk.dir, '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = exitOf(child);
    const p = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 2, profile: 'smoke', variant: 'disk', protocolOverrides: { totalSteps: 1000, checkpointInterval: 100, evalInterval: 500 }, root: disk.dir });
    await waitFor('the first checkpoint', () => fs.existsSync(path.join(p.dir, 'checkpoint.bin')));
    const filler = path.join(disk.dir, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      for (const chunk = Buffer.alloc(1 << 16); ; ) fs.writeSync(fd, chunk);
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const { code, out } = await exited;
    assert.equal(code, 2, out);
    assert.match(out, new RegExp(`${p.dir.replace(/[.]/g, '\\.')}/[a-z.]+(\\.tmp-\\d+)?: ENOSPC`), 'the error names the file');
    const s = JSON.parse(fs.readFileSync(path.join(p.dir, 'status.json'), 'utf8'));
    assert.equal(s.state, 'failed', 'recorded although the disk is full');
    assert.match(s.error, /ENOSPC/);
    assert.deepEqual(fs.readdirSync(p.dir).filter((f) => f.includes('.tmp-')), [], 'no temp file left');
    fs.rmSync(filler);
    assert.equal(await trainRun(p, { quiet: true, log: () => {} }), 'complete');
    const whole = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 2, profile: 'smoke', variant: 'disk', protocolOverrides: { totalSteps: 1000, checkpointInterval: 100, evalInterval: 500 }, root: path.join(tmp, 'disk-whole') });
    assert.equal(await trainRun(whole, { quiet: true, log: () => {} }), 'complete');
    assert.deepEqual(rows(path.join(p.dir, 'train.csv')), rows(path.join(whole.dir, 'train.csv')));
    assert.deepEqual(rows(path.join(p.dir, 'eval.csv')), rows(path.join(whole.dir, 'eval.csv')));
  } finally {
    disk.unmount();
  }
});

for (const algo of ['sac', 'ppo']) {
  test(`kill -9 of a ${algo} run after a checkpoint, then resume: the rows of an uninterrupted run`, { timeout: 180_000 }, async () => {
    const whole = planRun({ algo, env: 'Hopper-v3', seed: 1, profile: 'smoke', variant: 'faults', protocolOverrides: PROTOCOL, root: path.join(tmp, `${algo}-whole`) });
    assert.equal(await trainRun(whole, { quiet: true, log: () => {} }), 'complete');
    const p = planRun({ algo, env: 'Hopper-v3', seed: 1, profile: 'smoke', variant: 'faults', protocolOverrides: PROTOCOL, root: path.join(tmp, `${algo}-killed`) });
    const child = cliTrain(`${algo}-killed`, ['--algo', algo]);
    const exited = exitOf(child);
    await waitFor('the first checkpoint', () => fs.existsSync(path.join(p.dir, 'checkpoint.bin')));
    child.kill('SIGKILL');
    await exited;
    assert.equal(status(p).state, 'running', 'killed, so still marked running');
    const oldCheckpoint = algo === 'sac';
    if (oldCheckpoint) {
      // As a checkpoint made before CPU time was kept: the run's CPU total becomes unknown, not a part.
      const file = path.join(p.dir, 'checkpoint.bin');
      const saved = readCheckpoint(file) as { counters: Record<string, unknown> };
      assert.equal(typeof saved.counters.cpuSeconds, 'number');
      delete saved.counters.cpuSeconds;
      writeCheckpoint(file, saved);
    }
    assert.equal(await trainRun(p, { quiet: true, log: () => {} }), 'complete');
    assert.ok(status(p).starts[1].fromStep > 0, 'resumed from the checkpoint');
    if (oldCheckpoint) assert.equal(status(p).cpuSeconds, null);
    else assert.ok(status(p).cpuSeconds > 0);
    assert.deepEqual(rows(path.join(p.dir, 'train.csv')), rows(path.join(whole.dir, 'train.csv')));
    assert.deepEqual(rows(path.join(p.dir, 'eval.csv')), rows(path.join(whole.dir, 'eval.csv')));
  });
}

test('weak: SIGTERM to a sweep is passed to its children: each checkpoints and is reported preempted', { timeout: 180_000 }, async () => {
  const root = path.join(tmp, 'sweep-term');
  const sweep = spawn(
    process.execPath,
    [CLI, 'sweep', '--profile', 'smoke', '--envs', 'Hopper-v3', '--seeds', '1', '--jobs', '1', '--variant', 'term', '--total-steps=200000', '--checkpoint-interval=100', '--root', root, '--quiet'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = exitOf(sweep);
  const dir = path.join(root, 'smoke-term', 'qvpo', 'Hopper-v3', 'seed-1');
  await waitFor('the child run to checkpoint', () => fs.existsSync(path.join(dir, 'checkpoint.bin')));
  sweep.kill('SIGTERM');
  const { code, out } = await exited;
  assert.equal(code, 1, out);
  assert.match(out, /preempted \(the same sweep resumes it\): qvpo Hopper-v3 seed 1 \(exit 143\)/);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8')).state, 'preempted');
  assert.ok(!fs.existsSync(path.join(dir, 'run.lock')));
});

test('weak: a lock file still being written counts as held; an old unreadable one as stale', () => {
  const lockFile = path.join(tmp, 'half.lock');
  fs.writeFileSync(lockFile, '');
  assert.deepEqual(lockState(lockFile), { lock: null, live: true, why: `${lockFile} is being created by another process` });
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lockFile, old, old);
  assert.deepEqual(lockState(lockFile), { lock: null, live: false, why: `${lockFile} is unreadable` });
  fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: os.hostname() }));
  assert.equal(lockState(lockFile).live, true, 'a live pid without a start time is taken as the holder');
});
