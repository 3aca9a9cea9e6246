/**
 * Against a real one-node Slurm (Debian's slurmctld, slurmd and munge on localhost, installed and
 * started by scripts/slurm/start.sh): a smoke job array of 4 runs completes and `table`
 * aggregates it; a run pre-empted mid-way (`scancel --batch --signal=TERM`) checkpoints, requeues
 * itself, resumes and ends with the CSVs of an uninterrupted run.
 *
 * Runs when CI=true or QVPO_TEST_SLURM=1; skips, saying why, without root or without Slurm and apt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifestFile } from '../../lib/runner/executors';
import { planRun } from '../../lib/runner/plan';
import { trainRun } from '../../lib/runner/train';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'qvpo-kit.js');

function skipReason(): string | null {
  if (process.env.CI !== 'true' && process.env.QVPO_TEST_SLURM !== '1') return 'set QVPO_TEST_SLURM=1 (or CI=true) to run it';
  if (process.getuid?.() !== 0) return `needs root to install and start slurmd (running as uid ${process.getuid?.()})`;
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (!(has('slurmctld') && has('slurmd') && has('sbatch') && has('munged')) && !has('apt-get')) return 'Slurm is not installed and apt-get is unavailable';
  return null;
}

const reason = skipReason();
if (reason) console.log(`# slurm tests skipped: ${reason}`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-slurm-'));
const scratch = path.join(tmp, 'cluster');
const env = { ...process.env, SLURM_CONF: path.join(scratch, 'slurm.conf') };

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, env });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function jobId(out: string): string {
  const m = /submitted job array (\d+)/.exec(out);
  assert.ok(m, out);
  return m[1];
}

const stateOf = (dir: string): string | null => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8')).state;
  } catch {
    return null;
  }
};

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  for (const t0 = Date.now(); !ok(); ) {
    if (Date.now() - t0 > ms) {
      const queue = spawnSync('squeue', [], { encoding: 'utf8', env }).stdout;
      assert.fail(`timed out after ${ms / 1000}s waiting for ${what}; squeue:\n${queue}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function rows(file: string): string[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = header.split(',');
  const drop = new Set(['wall_seconds', 'steps_per_second'].map((c) => cols.indexOf(c)));
  return lines.map((l) => l.split(',').filter((_, i) => !drop.has(i)).join(','));
}

test('one-node Slurm: a smoke job array completes and aggregates; a pre-empted run requeues and equals an uninterrupted one', { skip: reason ?? false, timeout: 900_000 }, async (t) => {
  const t0 = Date.now();
  execFileSync(path.join(ROOT, 'scripts', 'slurm', 'start.sh'), [scratch], { stdio: 'inherit', timeout: 300_000 });
  t.after(() => {
    execFileSync(path.join(ROOT, 'scripts', 'slurm', 'stop.sh'), [scratch], { stdio: 'inherit' });
  });

  await t.test('a job array of 4 smoke runs completes; table aggregates it', async () => {
    const root = path.join(tmp, 'array', 'runs');
    const r = cli(['sweep', '--executor', 'slurm', '--profile', 'smoke', '--envs', 'Hopper-v3,HalfCheetah-v3', '--seeds', '0,1', '--root', root, '--quiet']);
    assert.equal(r.code, 0, r.out);
    jobId(r.out);
    const manifest = path.join(tmp, 'array', 'sweeps', 'qvpo-smoke-qvpo.json');
    const { plans } = readManifestFile(manifest);
    assert.equal(plans.length, 4);
    await waitFor('4 complete runs', () => plans.every((p) => stateOf(p.dir) === 'complete'), 600_000);
    const st = cli(['status', '--manifest', manifest]);
    assert.match(st.out, /4 runs in .*: 4 complete/);
    const out = path.join(tmp, 'array', 'table');
    const table = cli(['table', '--profile', 'smoke', '--root', root, '--out', out]);
    assert.equal(table.code, 0, table.out);
    const csv = fs.readFileSync(path.join(out, 'table1.csv'), 'utf8');
    assert.match(csv, /^smoke,task,Hopper-v3,QVPO,2,/m, 'both Hopper seeds counted');
    assert.match(csv, /^smoke,task,HalfCheetah-v3,QVPO,2,/m, 'both HalfCheetah seeds counted');
  });

  await t.test('scancel --batch --signal=TERM mid-run: preempted, requeued, resumed; CSVs equal an uninterrupted run', async () => {
    const protocol = { totalSteps: 3000, checkpointInterval: 100, evalInterval: 1000 };
    const root = path.join(tmp, 'preempt', 'runs');
    const r = cli([
      'sweep', '--executor', 'slurm', '--profile', 'smoke', '--envs', 'Hopper-v3', '--seeds', '5', '--variant', 'preempt',
      '--total-steps=3000', '--checkpoint-interval=100', '--eval-interval=1000', '--root', root, '--quiet',
    ]);
    assert.equal(r.code, 0, r.out);
    const job = jobId(r.out);
    const plan = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 5, profile: 'smoke', variant: 'preempt', protocolOverrides: protocol, root });
    await waitFor('the first checkpoint', () => fs.existsSync(path.join(plan.dir, 'checkpoint.bin')), 300_000);
    const cancel = spawnSync('scancel', ['--batch', '--signal=TERM', `${job}_0`], { encoding: 'utf8', env });
    assert.equal(cancel.status, 0, cancel.stderr);
    const seen = new Set<string>();
    await waitFor('the run to be preempted, requeued and complete', () => {
      const s = stateOf(plan.dir);
      if (s) seen.add(s);
      return s === 'complete';
    }, 600_000);
    assert.ok(seen.has('preempted'), `states seen: ${[...seen].join(', ')}`);
    const status = JSON.parse(fs.readFileSync(path.join(plan.dir, 'status.json'), 'utf8'));
    assert.equal(status.starts.length, 2, 'started, then resumed once');
    assert.ok(status.starts[1].fromStep > 0 && status.starts[1].fromStep < 3000, 'resumed mid-way from the checkpoint');
    const log = fs.readFileSync(path.join(tmp, 'preempt', 'sweeps', 'qvpo-smoke-preempt-qvpo-logs', `${job}_0.out`), 'utf8');
    assert.match(log, /requeueing/);

    const whole = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 5, profile: 'smoke', variant: 'preempt', protocolOverrides: protocol, root: path.join(tmp, 'whole') });
    assert.equal(await trainRun(whole, { quiet: true, log: () => {} }), 'complete');
    assert.deepEqual(rows(path.join(plan.dir, 'train.csv')), rows(path.join(whole.dir, 'train.csv')));
    assert.deepEqual(rows(path.join(plan.dir, 'eval.csv')), rows(path.join(whole.dir, 'eval.csv')));
  });
  console.log(`# slurm tests took ${((Date.now() - t0) / 1000).toFixed(0)} s (cluster start included)`);
});
