/**
 * Offline runs: TD3 trained from a tiny Hopper-v3 dataset under the smoke profile completes with
 * the files of a run (config.json naming the dataset and its checksum, eval.csv with normalised
 * scores, train.csv, policy.bin); killed with SIGKILL it resumes to the rows of an uninterrupted
 * run; a dataset damaged or replaced under it makes the resume fail, saying so; on-policy
 * algorithms are refused; offline runs stay out of the runs Table 1 reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetMeta, readDataset, writeDataset } from '../../lib/datasets/format';
import { makeDataset, rollout, uniformPolicy } from '../../lib/datasets/make';
import { makeEnv } from '../../lib/envs/registry';
import { listOfflineRuns, listRuns, splitByCompleteness } from '../../lib/results/runs';
import { trainOffline } from '../../lib/runner/offline';
import { planOfflineRun } from '../../lib/runner/plan';
import { readPolicyFile } from '../../lib/runner/policy-file';
import { main } from '../../cli/qvpo-kit';
import { killAfterFirstCheckpoint, rowsWithoutTiming } from '../helpers/kill';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-offline-'));
const quiet = { quiet: true, log: () => {} };

/** A 400-step random Hopper-v3 dataset with made-up reference returns (random 10, policy 110). */
async function scoredDataset(dir: string, seed: number): Promise<void> {
  const env = await makeEnv('Hopper-v3');
  try {
    const rec = rollout(env, uniformPolicy(env, seed), { steps: 400, seed, what: 'test', log: null });
    const meta: DatasetMeta = {
      env: 'Hopper-v3',
      kind: 'random',
      maxEpisodeSteps: 1000,
      reference: { randomReturn: 10, policyReturn: 110, randomSource: 'test', policySource: 'test' },
      provenance: { kind: 'random', command: 'test', commit: null, dirty: null, createdAt: new Date(0).toISOString(), seed, steps: 400, policy: 'uniform random', behaviour: 'test' },
    };
    writeDataset(dir, rec.arrays(), meta, { overwrite: true });
  } finally {
    env.close();
  }
}

test('an offline TD3 run on a random dataset completes with the files of a run; the dataset is recorded', { timeout: 120_000 }, async () => {
  const dataset = path.join(tmp, 'datasets', 'random');
  await makeDataset({ env: 'Hopper-v3', kind: 'random', out: dataset, seed: 0, steps: 300, command: 'test', log: null });
  const sha = readDataset(dataset).manifest.data.sha256;
  const plan = planOfflineRun({ algo: 'td3', env: 'Hopper-v3', seed: 0, profile: 'smoke', dataset, root: path.join(tmp, 'runs') });
  assert.equal(plan.dir, path.join(tmp, 'runs', 'smoke', 'td3', 'Hopper-v3', 'offline-random', 'seed-0'));
  assert.equal(plan.config.replaySize, 1_000_000, 'the default buffer already holds 300 transitions');
  assert.equal(await trainOffline(plan, quiet), 'complete');

  const config = JSON.parse(fs.readFileSync(path.join(plan.dir, 'config.json'), 'utf8'));
  assert.equal(config.dataset.sha256, sha);
  assert.equal(config.dataset.kind, 'random');
  assert.equal(config.dataset.size, 300);
  assert.equal(config.dataset.path, dataset);
  const status = JSON.parse(fs.readFileSync(path.join(plan.dir, 'status.json'), 'utf8'));
  assert.equal(status.state, 'complete');
  assert.equal(status.step, 300);
  for (const f of ['environment.json', 'policy.bin']) assert.ok(fs.existsSync(path.join(plan.dir, f)), f);
  assert.ok(!fs.existsSync(path.join(plan.dir, 'checkpoint.bin')));
  const evalText = fs.readFileSync(path.join(plan.dir, 'eval.csv'), 'utf8').trim().split('\n');
  assert.equal(evalText[0], 'step,return_mean,return_std,episodes,wall_seconds,length_mean,normalised_score');
  assert.deepEqual(evalText.slice(1).map((l) => l.split(',')[0]), ['150', '300'], 'evaluations every evalInterval gradient steps');
  assert.ok(evalText.slice(1).every((l) => l.endsWith(',')), 'a random dataset has no policy reference: the score is blank');
  const trainText = fs.readFileSync(path.join(plan.dir, 'train.csv'), 'utf8').trim().split('\n');
  assert.equal(trainText[0], 'step,wall_seconds,steps_per_second,criticLoss,actorLoss');
  assert.deepEqual(trainText.slice(1).map((l) => l.split(',')[0]), ['150', '300']);
  assert.equal(readPolicyFile(path.join(plan.dir, 'policy.bin')).dataset?.sha256, sha);

  // Offline runs are not Table 1's: listRuns does not see them, listOfflineRuns does.
  assert.deepEqual(listRuns(path.join(tmp, 'runs')), []);
  const offline = listOfflineRuns(path.join(tmp, 'runs'));
  assert.equal(offline.length, 1);
  assert.equal(offline[0].id, 'smoke/td3/Hopper-v3/offline-random/seed-0');
  assert.equal(offline[0].dataset, 'random');
  assert.equal(splitByCompleteness(offline).complete.length, 1);
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => printed.push(line);
  try {
    assert.equal(await main(['status', '--root', path.join(tmp, 'runs')]), 0);
  } finally {
    console.log = log;
  }
  assert.match(printed.join('\n'), /^0 runs under .*: 0 complete\n1 offline runs \(trained from datasets; never in Table 1\): 1 complete\n {2}complete {2}smoke\/td3\/Hopper-v3\/offline-random\/seed-0$/);
  assert.equal(await trainOffline(plan, quiet), 'skipped', 'a complete run is skipped');
});

test('kill -9 mid-run, then resume: the rows of an uninterrupted run; a damaged or replaced dataset stops the resume', { timeout: 300_000 }, async () => {
  const dataset = path.join(tmp, 'scored', 'random-scored');
  await scoredDataset(dataset, 5);
  const protocolOverrides = { totalSteps: 600, evalInterval: 300, checkpointInterval: 100 };
  const request = { algo: 'td3', env: 'Hopper-v3', seed: 1, profile: 'smoke', dataset, variant: 'resume', protocolOverrides };
  const reference = planOfflineRun({ ...request, root: path.join(tmp, 'a') });
  assert.equal(await trainOffline(reference, quiet), 'complete');
  const refEval = fs.readFileSync(path.join(reference.dir, 'eval.csv'), 'utf8').trim().split('\n').slice(1);
  for (const line of refEval) {
    const cells = line.split(',');
    assert.ok(Math.abs(Number(cells[6]) - (Number(cells[1]) - 10)) < 1e-9, 'normalised score = 100 (R − 10) / (110 − 10)');
  }

  const killed = planOfflineRun({ ...request, root: path.join(tmp, 'b') });
  await killAfterFirstCheckpoint(
    ['--algo', 'td3', '--dataset', dataset, '--seed', '1', '--profile', 'smoke', '--variant', 'resume', '--total-steps=600', '--eval-interval=300', '--checkpoint-interval=100', '--root', path.join(tmp, 'b'), '--quiet'],
    path.join(killed.dir, 'checkpoint.bin'),
  );
  const status = JSON.parse(fs.readFileSync(path.join(killed.dir, 'status.json'), 'utf8'));
  assert.equal(status.state, 'running', 'a killed run is left as running');
  assert.ok(status.step < 600, `killed at step ${status.step}`);

  // The data changed under the run (a flipped byte): the resume fails, naming the file.
  const data = path.join(dataset, 'data.bin');
  const good = fs.readFileSync(data);
  const bad = Buffer.from(good);
  bad[2000] ^= 0x10;
  fs.writeFileSync(data, bad);
  await assert.rejects(trainOffline(planOfflineRun({ ...request, root: path.join(tmp, 'b') }), quiet), new RegExp(`${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: SHA-256 .* does not match manifest\\.json's`));
  fs.writeFileSync(data, good);

  assert.equal(await trainOffline(planOfflineRun({ ...request, root: path.join(tmp, 'b') }), quiet), 'complete');
  const after = JSON.parse(fs.readFileSync(path.join(killed.dir, 'status.json'), 'utf8'));
  assert.equal(after.state, 'complete');
  assert.ok(after.starts.length >= 2);
  assert.ok(after.starts[after.starts.length - 1].fromStep > 0, 'the last start resumed from a checkpoint');
  assert.deepEqual(rowsWithoutTiming(path.join(killed.dir, 'eval.csv')), rowsWithoutTiming(path.join(reference.dir, 'eval.csv')));
  assert.deepEqual(rowsWithoutTiming(path.join(killed.dir, 'train.csv')), rowsWithoutTiming(path.join(reference.dir, 'train.csv')));
  assert.equal(rowsWithoutTiming(path.join(reference.dir, 'eval.csv')).length, 2);

  // A run stopped part-way, then the dataset made again with other data: refused, naming both checksums.
  const partial = planOfflineRun({ ...request, root: path.join(tmp, 'c') });
  assert.equal(await trainOffline(partial, { ...quiet, stopAfterSteps: 250 }), 'stopped');
  await scoredDataset(dataset, 6);
  await assert.rejects(
    trainOffline(planOfflineRun({ ...request, root: path.join(tmp, 'c') }), quiet),
    /dataset .*random-scored changed since this run started: its data SHA-256 is now [0-9a-f]{16}…, the run was trained on [0-9a-f]{16}… .*Put that dataset back, or start again with --fresh/,
  );
});

test('offline training refuses on-policy algorithms, a dataset of another task and a bad dataset path', async () => {
  const dataset = path.join(tmp, 'datasets', 'random');
  await assert.rejects(main(['train', '--algo', 'ppo', '--dataset', dataset, '--profile', 'smoke', '--root', path.join(tmp, 'x')]), /offline training needs an off-policy algorithm: ppo is on-policy/);
  await assert.rejects(main(['train', '--algo', 'td3', '--env', 'Walker2d-v3', '--dataset', dataset, '--root', path.join(tmp, 'x')]), /is a dataset of Hopper-v3, expected a dataset of Walker2d-v3/);
  await assert.rejects(main(['train', '--algo', 'td3', '--dataset', path.join(tmp, 'none'), '--root', path.join(tmp, 'x')]), /dataset directory .*none does not exist/);
  assert.ok(!fs.existsSync(path.join(tmp, 'x')), 'nothing written');
});
