/**
 * Cluster executors without a cluster: `sweep --executor slurm --no-submit` writes the manifest,
 * the sbatch array and the Kubernetes Indexed Job; `run-index` takes its index from --index,
 * SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX; `status --manifest` shows each run's state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifestFile, taskIndex } from '../../lib/runner/executors';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'qvpo-kit.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-executors-'));

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const root = path.join(tmp, 'runs');
const manifest = path.join(tmp, 'sweeps', 'qvpo-smoke-qvpo.json');

test('sweep --executor slurm --no-submit: manifest, sbatch job array and Kubernetes Indexed Job', () => {
  const r = cli([
    'sweep', '--executor', 'slurm', '--no-submit', '--profile', 'smoke', '--envs', 'Hopper-v3,HalfCheetah-v3', '--seeds', '0,1',
    '--root', root, '--partition', 'gpu', '--time', '1-00:00:00', '--gpus', '1', '--cpus-per-task', '4', '--signal-lead', '600', '--max-running', '2', '--quiet',
  ]);
  assert.equal(r.code, 0, r.out);
  assert.ok(!fs.existsSync(root), 'nothing run, no run folder made');
  const { manifest: m, plans, root: back } = readManifestFile(manifest);
  assert.equal(back, root);
  assert.equal(m.root, '../runs', 'the root is kept relative to the manifest');
  assert.deepEqual(plans.map((p) => `${p.env}/${p.seed}`), ['Hopper-v3/0', 'Hopper-v3/1', 'HalfCheetah-v3/0', 'HalfCheetah-v3/1']);
  const sbatch = fs.readFileSync(manifest.replace(/\.json$/, '.sbatch'), 'utf8');
  for (const line of ['#SBATCH --array=0-3%2', '#SBATCH --requeue', '#SBATCH --partition=gpu', '#SBATCH --time=1-00:00:00', '#SBATCH --gpus-per-task=1', '#SBATCH --cpus-per-task=4', '#SBATCH --signal=B:TERM@600']) {
    assert.ok(sbatch.includes(line + '\n'), `${line} in the sbatch script`);
  }
  assert.match(sbatch, /run-index --manifest '.*qvpo-smoke-qvpo\.json' --index "\$SLURM_ARRAY_TASK_ID" --quiet &/);
  assert.match(sbatch, /if \[ \$code -eq 143 \]; then\n.*\n {2}scontrol requeue "\$\{SLURM_ARRAY_JOB_ID\}_\$\{SLURM_ARRAY_TASK_ID\}"/);
  const job = fs.readFileSync(manifest.replace(/\.json$/, '.k8s.yaml'), 'utf8');
  for (const line of ['  completionMode: Indexed', '  completions: 4', '  parallelism: 2', '      restartPolicy: Never', '      terminationGracePeriodSeconds: 600']) {
    assert.ok(job.includes(line + '\n'), `${line} in the Job`);
  }
  assert.match(job, /"run-index", "--manifest", "\/data\/sweeps\/qvpo-smoke-qvpo\.json"/);
  assert.match(job, /values: \[3\]/, 'a diverged run is not retried');
  assert.match(job, /limits: \{ cpu: "4", nvidia\.com\/gpu: 1 \}/);
});

test('bad executor options are refused before anything is written', () => {
  const out = path.join(tmp, 'bad-sweeps');
  for (const [args, message] of [
    [['--executor', 'pbs'], /--executor must be local, slurm or k8s, got "pbs"/],
    [['--executor', 'slurm', '--time', 'tomorrow'], /--time must be a Slurm time limit/],
    [['--executor', 'slurm', '--cpus-per-task', '0'], /--cpus-per-task must be a whole number from 1 to 1024, got "0"/],
  ] as [string[], RegExp][]) {
    const r = cli(['sweep', '--profile', 'smoke', '--root', path.join(tmp, 'bad-runs'), '--sweep-dir', out, '--no-submit', ...args]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, message);
    assert.ok(!fs.existsSync(out), `${args.join(' ')}: nothing written`);
  }
});

test('taskIndex: --index, then SLURM_ARRAY_TASK_ID, then JOB_COMPLETION_INDEX; strict and in range', () => {
  assert.equal(taskIndex('2', 4, {}), 2);
  assert.equal(taskIndex(undefined, 4, { SLURM_ARRAY_TASK_ID: '3', JOB_COMPLETION_INDEX: '1' }), 3);
  assert.equal(taskIndex(undefined, 4, { JOB_COMPLETION_INDEX: '1' }), 1);
  assert.throws(() => taskIndex(undefined, 4, {}), /needs --index, or SLURM_ARRAY_TASK_ID .* or JOB_COMPLETION_INDEX/);
  assert.throws(() => taskIndex('4', 4, {}), /--index \(the manifest has 4 runs\) must be a whole number from 0 to 3, got "4"/);
  assert.throws(() => taskIndex(undefined, 4, { SLURM_ARRAY_TASK_ID: '1e0' }), /SLURM_ARRAY_TASK_ID .* got "1e0"/);
});

test('run-index runs one entry each (Slurm and Kubernetes index variables); status --manifest; table aggregates', { timeout: 300_000 }, () => {
  let st = cli(['status', '--manifest', manifest]);
  assert.equal(st.code, 0, st.out);
  assert.match(st.out, /4 runs in .*: 4 queued/);
  assert.equal(cli(['run-index', '--manifest', manifest, '--quiet'], { SLURM_ARRAY_TASK_ID: '0' }).code, 0);
  const k8s = cli(['run-index', '--manifest', manifest, '--quiet'], { JOB_COMPLETION_INDEX: '3' });
  assert.equal(k8s.code, 0, k8s.out);
  st = cli(['status', '--manifest', manifest]);
  assert.match(st.out, /4 runs in .*: 2 complete, 2 queued/);
  assert.match(st.out, / {2}0 {2}complete {3}300\/300 {7}smoke\/qvpo\/Hopper-v3\/seed-0/);
  assert.match(st.out, / {2}1 {2}queued /);
  assert.match(st.out, / {2}3 {2}complete .*smoke\/qvpo\/HalfCheetah-v3\/seed-1/);
  const out = path.join(tmp, 'table');
  const table = cli(['table', '--profile', 'smoke', '--root', root, '--out', out]);
  assert.equal(table.code, 0, table.out);
  assert.match(fs.readFileSync(path.join(out, 'table1.csv'), 'utf8'), /^smoke,task,Hopper-v3,QVPO,1,/m);
  const bad = cli(['run-index', '--manifest', path.join(tmp, 'nope.json'), '--index', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /--manifest .*nope\.json: no such file/);
});
