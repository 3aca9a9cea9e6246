/**
 * End to end, as `make reproduce-table1 PROFILE=smoke` does it: the smoke sweep over every task
 * through the CLI's worker pool, then Table 1 from its runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QVPO_ENV_IDS } from '../../lib/envs/registry';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'qvpo-kit.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-sweep-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 900_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('smoke sweep over all five tasks, then the table', { timeout: 900_000 }, () => {
  const root = path.join(tmp, 'runs');
  const sweep = cli(['sweep', '--profile', 'smoke', '--jobs', '2', '--root', root, '--quiet']);
  assert.equal(sweep.code, 0, sweep.out);
  assert.match(sweep.out, /sweep smoke: 5 runs \(0 already complete\)/);
  assert.match(sweep.out, /^sweep: run 1 of 5 done \(qvpo \S+ seed 0: finished in [0-9hms]+\); 0 failed; overall ETA [0-9hms]+$/m, 'a progress line per finished run');
  assert.match(sweep.out, /^sweep: run 5 of 5 done \(.*\); 0 failed; all done$/m);
  for (const env of QVPO_ENV_IDS) {
    const status = JSON.parse(fs.readFileSync(path.join(root, 'smoke', 'qvpo', env, 'seed-0', 'status.json'), 'utf8'));
    assert.equal(status.state, 'complete', `${env} finished`);
    assert.ok(status.paperDiff.some((d: { key: string }) => d.key === 'totalSteps'), 'the run records how it differs from the paper');
  }
  const again = cli(['sweep', '--profile', 'smoke', '--jobs', '2', '--root', root, '--quiet']);
  assert.match(again.out, /5 runs \(5 already complete\)/, 'complete runs are skipped');

  const out = path.join(tmp, 'results');
  const table = cli(['table', '--profile', 'smoke', '--root', root, '--out', out]);
  assert.equal(table.code, 0, table.out);
  const md = fs.readFileSync(path.join(out, 'table1.md'), 'utf8');
  const csv = fs.readFileSync(path.join(out, 'table1.csv'), 'utf8');
  for (const env of QVPO_ENV_IDS) assert.match(md, new RegExp(env.replace('-', '\\-')));
  assert.match(md, /3728\.5/, "the paper's QVPO Hopper value sits beside the runs");
  assert.match(md, /Nd 4 \(paper 64\)/, 'the table says which settings differ from the paper');
  assert.match(csv, /^smoke,task,Hopper-v3,QVPO,1,/m, 'one complete QVPO run on Hopper in the CSV');
  assert.match(csv, /^smoke,task,Hopper-v3,SAC,0,/m, "baselines without runs keep the paper's numbers only");
});

test('smoke sweep of the baselines on Hopper-v3 fills their Table 1 cells from runs, with Figure 3', { timeout: 900_000 }, () => {
  const root = path.join(tmp, 'baseline-runs');
  const sweep = cli(['sweep', '--profile', 'smoke', '--algos', 'td3,sac,ppo,spo,dipo,qsm', '--envs', 'Hopper-v3', '--jobs', '2', '--root', root, '--quiet']);
  assert.equal(sweep.code, 0, sweep.out);
  assert.match(sweep.out, /sweep smoke: 6 runs \(0 already complete\)/);
  const out = path.join(tmp, 'baseline-results');
  const table = cli(['table', '--profile', 'smoke', '--root', root, '--out', out]);
  assert.equal(table.code, 0, table.out);
  const csv = fs.readFileSync(path.join(out, 'table1.csv'), 'utf8');
  for (const algo of ['TD3', 'SAC', 'PPO', 'SPO', 'DIPO', 'QSM']) assert.match(csv, new RegExp(`^smoke,task,Hopper-v3,${algo},1,`, 'm'), `${algo} counted from its run`);
  assert.match(csv, /^smoke,task,Hopper-v3,QVPO,0,/m, 'QVPO has no run in this root');
  for (const f of ['figure3-eval.svg', 'figure3-train.svg']) assert.match(fs.readFileSync(path.join(out, f), 'utf8'), /^<svg/, `${f} written`);
});
