/**
 * Making datasets on tiny budgets: a random one on Hopper-v3 (shapes, terminations and time
 * limits kept apart, continuity within episodes, the same seed giving the same bytes), and the
 * SAC-based kinds with the smoke profile's SAC: medium-replay holds every transition of the SAC
 * run it trains, medium rolls out that run's policy.bin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { episodeReturns, fileSha256, readDataset } from '../../lib/datasets/format';
import { SOURCE_RUN, makeDataset } from '../../lib/datasets/make';
import { normalisedScore } from '../../lib/datasets/score';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-dataset-make-'));
const quiet = { command: 'test', log: null } as const;

test('random, 300 steps with a 20-step time limit: shapes, terminals and timeouts apart, episodes continuous', { timeout: 120_000 }, async () => {
  const out = path.join(tmp, 'Hopper-v3', 'random');
  const made = await makeDataset({ env: 'Hopper-v3', kind: 'random', out, seed: 3, steps: 300, maxEpisodeSteps: 20, ...quiet });
  const d = readDataset(out, { env: 'Hopper-v3' });
  const n = 300;
  assert.equal(d.manifest.size, n);
  assert.equal(d.observations.length, n * 11);
  assert.equal(d.next_observations.length, n * 11);
  assert.equal(d.actions.length, n * 3);
  for (const f of ['rewards', 'terminals', 'timeouts'] as const) assert.equal(d[f].length, n, f);
  assert.equal(d.manifest.maxEpisodeSteps, 20);
  assert.ok(d.manifest.terminals > 0, 'a random hopper falls: some episodes terminate');
  assert.ok(d.manifest.timeouts > 0, 'some reach the 20-step limit');
  // Episode by episode: a time-limit end comes at step 20 exactly, a termination never after it;
  // inside an episode each next observation is the following observation.
  let length = 0;
  for (let i = 0; i < n; i++) {
    length++;
    const ended = d.terminals[i] === 1 || d.timeouts[i] === 1;
    if (d.timeouts[i] === 1) assert.equal(length, 20, `timeout at transition ${i}`);
    if (d.terminals[i] === 1) assert.ok(length <= 20);
    if (!ended) {
      assert.ok(length < 20, `an episode runs past the limit at ${i}`);
      if (i + 1 < n) assert.deepEqual(d.next_observations.subarray(i * 11, i * 11 + 11), d.observations.subarray((i + 1) * 11, (i + 2) * 11));
    }
    if (ended) length = 0;
  }
  for (const a of d.actions) assert.ok(a >= -1 && a <= 1, `action ${a} in Hopper's box`);
  const eps = episodeReturns(d.rewards, d.terminals, d.timeouts);
  assert.equal(d.manifest.episodes, eps.returns.length);
  // Both flags are set where the hopper falls on the limit's last step, as the env reports it.
  const ends = d.terminals.reduce((k, t, i) => k + (t === 1 || d.timeouts[i] === 1 ? 1 : 0), 0);
  assert.equal(ends, eps.returns.length);
  assert.equal(d.manifest.reference.randomReturn, d.manifest.returns.mean);
  assert.equal(d.manifest.reference.policyReturn, null);
  assert.equal(d.manifest.provenance.policy, 'uniform random');
  assert.equal(d.manifest.provenance.seed, 3);
  assert.equal(made.trainingSeconds, null);

  const again = path.join(tmp, 'again');
  await makeDataset({ env: 'Hopper-v3', kind: 'random', out: again, seed: 3, steps: 300, maxEpisodeSteps: 20, ...quiet });
  assert.equal(readDataset(again).manifest.data.sha256, d.manifest.data.sha256, 'the same seed makes the same data');
  const other = path.join(tmp, 'other');
  await makeDataset({ env: 'Hopper-v3', kind: 'random', out: other, seed: 4, steps: 300, maxEpisodeSteps: 20, ...quiet });
  assert.notEqual(readDataset(other).manifest.data.sha256, d.manifest.data.sha256);
});

test('medium-replay records every transition of the SAC run it trains; medium rolls out its policy', { timeout: 300_000 }, async () => {
  const replayDir = path.join(tmp, 'Hopper-v3', 'medium-replay');
  const made = await makeDataset({ env: 'Hopper-v3', kind: 'medium-replay', out: replayDir, seed: 1, sacSteps: 300, profile: 'smoke', quietTraining: true, ...quiet });
  const replay = readDataset(replayDir);
  const m = replay.manifest;
  assert.equal(m.size, 300, 'one transition per SAC env step');
  assert.equal(m.provenance.steps, 300);
  const runDir = path.join(replayDir, SOURCE_RUN);
  const status = JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8'));
  assert.equal(status.state, 'complete');
  assert.equal(status.algo, 'sac');
  const policy = m.provenance.policy;
  assert.ok(typeof policy === 'object');
  assert.equal(policy.run, SOURCE_RUN);
  assert.equal(policy.policySha256, fileSha256(path.join(runDir, 'policy.bin')));
  assert.equal(policy.algo, 'sac');
  assert.equal(policy.trainedSteps, 300);
  // The run's own training episodes (train.csv) are the dataset's episodes.
  const trainRows = fs.readFileSync(path.join(runDir, 'train.csv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(m.episodes, trainRows.length);
  trainRows.forEach((row, k) => assert.ok(Math.abs(Number(row.split(',')[2]) - m.returns.values[k]) < 1e-3, `episode ${k}'s return`));
  // The random reference is the random dataset beside it (made by the test above).
  const random = readDataset(path.join(tmp, 'Hopper-v3', 'random'));
  assert.equal(m.reference.randomReturn, random.manifest.returns.mean);
  assert.equal(typeof m.reference.policyReturn, 'number');
  assert.ok(made.trainingSeconds !== null && made.trainingSeconds > 0);

  const mediumDir = path.join(tmp, 'Hopper-v3', 'medium');
  await makeDataset({ env: 'Hopper-v3', kind: 'medium', out: mediumDir, seed: 1, steps: 200, policyRun: runDir, ...quiet });
  const medium = readDataset(mediumDir);
  assert.equal(medium.manifest.size, 200);
  assert.equal(medium.manifest.provenance.actionNoise, 0);
  assert.equal((medium.manifest.provenance.policy as { policySha256: string }).policySha256, policy.policySha256);
  assert.equal(medium.manifest.reference.policyReturn, m.reference.policyReturn, 'the same policy, the same reference episodes');
  assert.ok(!fs.existsSync(path.join(mediumDir, SOURCE_RUN)), 'nothing trained for a medium dataset of a given run');
  // Noise-free, the dataset's complete episodes are the evaluation policy's own.
  assert.ok(Math.abs(normalisedScore(medium.manifest.reference.policyReturn!, medium) - 100) < 1e-9);
  const noisy = path.join(tmp, 'noisy');
  await makeDataset({ env: 'Hopper-v3', kind: 'medium', out: noisy, seed: 1, steps: 200, policyRun: runDir, actionNoise: 0.3, ...quiet });
  const n = readDataset(noisy);
  assert.notEqual(n.manifest.data.sha256, medium.manifest.data.sha256);
  for (const a of n.actions) assert.ok(a >= -1 && a <= 1, 'noisy actions are clipped to the box');
});
