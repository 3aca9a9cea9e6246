/**
 * The dataset format: a written dataset reads back exactly; a damaged, cut, foreign or
 * mismatched one is refused with an error naming the file, the bad value and what was expected;
 * normalised scores come from a dataset's reference returns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DATASET_FIELDS,
  DatasetArrays,
  DatasetMeta,
  episodeReturns,
  readDataset,
  readDatasetManifest,
  writeDataset,
} from '../../lib/datasets/format';
import { hasScoreReference, normalisedScore } from '../../lib/datasets/score';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-dataset-format-'));
const OBS = 11;
const ACT = 3;

/** N synthetic Hopper-v3 transitions: episodes of 4 steps, ending alternately by termination and time limit. */
function synthetic(n: number): DatasetArrays {
  const a: DatasetArrays = {
    observations: Float32Array.from({ length: n * OBS }, (_, i) => Math.sin(i)),
    actions: Float32Array.from({ length: n * ACT }, (_, i) => Math.cos(i) * 0.9),
    rewards: Float32Array.from({ length: n }, (_, i) => i * 0.5),
    next_observations: Float32Array.from({ length: n * OBS }, (_, i) => Math.sin(i + OBS)),
    terminals: new Float32Array(n),
    timeouts: new Float32Array(n),
  };
  for (let i = 3; i < n; i += 4) (Math.floor(i / 4) % 2 === 0 ? a.terminals : a.timeouts)[i] = 1;
  return a;
}

const meta: DatasetMeta = {
  env: 'Hopper-v3',
  kind: 'medium',
  maxEpisodeSteps: 4,
  reference: { randomReturn: 10, policyReturn: 110, randomSource: 'test', policySource: 'test' },
  provenance: {
    kind: 'medium',
    command: 'test',
    commit: null,
    dirty: null,
    createdAt: new Date(0).toISOString(),
    seed: 0,
    steps: 10,
    policy: 'uniform random',
    behaviour: 'synthetic',
  },
};

function fresh(name: string, n = 10): { dir: string; arrays: DatasetArrays } {
  const dir = path.join(tmp, name);
  const arrays = synthetic(n);
  writeDataset(dir, arrays, meta);
  return { dir, arrays };
}

test('round trip: the arrays, sizes, episode returns and checksum read back as written', () => {
  const { dir, arrays } = fresh('roundtrip');
  const d = readDataset(dir, { env: 'Hopper-v3' });
  for (const f of DATASET_FIELDS) assert.deepEqual(Array.from(d[f]), Array.from(arrays[f]), f);
  const m = d.manifest;
  assert.equal(m.size, 10);
  assert.equal(m.obsDim, OBS);
  assert.equal(m.actDim, ACT);
  assert.equal(m.terminals, 1);
  assert.equal(m.timeouts, 1);
  // Two complete episodes (steps 0–3 and 4–7); steps 8–9 are cut off by the budget.
  assert.equal(m.episodes, 2);
  assert.deepEqual(m.returns.values, [0 + 0.5 + 1 + 1.5, 2 + 2.5 + 3 + 3.5]);
  assert.equal(m.returns.mean, 7);
  assert.equal(m.returns.min, 3);
  assert.equal(m.returns.max, 11);
  assert.equal(m.data.bytes, 10 * (2 * OBS + ACT + 3) * 4);
  assert.equal(fs.statSync(path.join(dir, 'data.bin')).size, m.data.bytes);
  assert.match(m.data.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(episodeReturns(d.rewards, d.terminals, d.timeouts).lengths, [4, 4]);
  assert.deepEqual(readDatasetManifest(dir), m);
});

test('writing refuses bad arrays and an existing dataset (unless overwrite)', () => {
  const { dir } = fresh('exists');
  assert.throws(() => writeDataset(dir, synthetic(10), meta), /already holds a dataset \(manifest\.json\); remove it or pass overwrite/);
  writeDataset(dir, synthetic(12), meta, { overwrite: true });
  assert.equal(readDataset(dir).manifest.size, 12);
  const short = synthetic(5);
  short.actions = short.actions.slice(1);
  assert.throws(() => writeDataset(path.join(tmp, 'short'), short, meta), /dataset array actions has 14 numbers, expected 15 \(5 transitions × 3\)/);
  const flags = synthetic(5);
  flags.terminals[2] = 0.5;
  assert.throws(() => writeDataset(path.join(tmp, 'flags'), flags, meta), /terminals\[2\] is 0\.5, expected 0 or 1/);
  assert.throws(() => writeDataset(path.join(tmp, 'walker'), synthetic(5), { ...meta, env: 'Walker2d-v3' }), /observations has 55 numbers, expected 85 \(5 transitions × 17\)/);
  assert.ok(!fs.existsSync(path.join(tmp, 'short', 'manifest.json')), 'nothing written for a refused dataset');
});

test('a damaged data.bin: a flipped byte fails the checksum, a cut file the size, naming the file', () => {
  const { dir } = fresh('damaged');
  const file = path.join(dir, 'data.bin');
  const bytes = fs.readFileSync(file);
  bytes[100] ^= 0x40;
  fs.writeFileSync(file, bytes);
  assert.throws(() => readDataset(dir), (e: Error) => {
    assert.ok(e.message.startsWith(`${file}: SHA-256 `), e.message);
    assert.match(e.message, /does not match manifest\.json's [0-9a-f]{16}…: the file is damaged or was changed/);
    return true;
  });
  fs.writeFileSync(file, bytes.subarray(0, 1000));
  assert.throws(() => readDataset(dir), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is 1000 bytes, expected 1120 \\(10 transitions of Hopper-v3`));
  fs.rmSync(file);
  assert.throws(() => readDataset(dir), /data\.bin is missing \(manifest\.json expects 1120 bytes\)/);
});

test('a dataset of another task, wrong sizes or a broken manifest: errors name the value and what was expected', () => {
  const { dir } = fresh('mismatch');
  assert.throws(() => readDataset(dir, { env: 'Walker2d-v3' }), /is a dataset of Hopper-v3, expected a dataset of Walker2d-v3/);
  const manifestFile = path.join(dir, 'manifest.json');
  const original = fs.readFileSync(manifestFile, 'utf8');
  const edit = (change: (m: Record<string, unknown>) => void) => {
    const m = JSON.parse(original) as Record<string, unknown>;
    change(m);
    fs.writeFileSync(manifestFile, JSON.stringify(m));
  };
  edit((m) => (m.obsDim = 12));
  assert.throws(() => readDataset(dir), /not a usable dataset manifest: obsDim is 12, Hopper-v3 observations have 11 numbers/);
  edit((m) => (m.env = 'Walker2d-v3'));
  assert.throws(() => readDataset(dir), /obsDim is 11, Walker2d-v3 observations have 17 numbers; actDim is 3, Walker2d-v3 actions have 6 numbers/);
  edit((m) => (m.env = 'Hoper-v3'));
  assert.throws(() => readDataset(dir), /env: unknown env id 'Hoper-v3'/);
  edit((m) => (m.size = 11));
  assert.throws(() => readDataset(dir), /data\.bytes is 1120, expected 1232/);
  edit((m) => (m.format = 'something-else'));
  assert.throws(() => readDataset(dir), /format is "something-else", expected "qvpo-kit-dataset"/);
  edit((m) => (m.version = 2));
  assert.throws(() => readDataset(dir), /version is 2, this qvpo-kit reads version 1/);
  fs.writeFileSync(manifestFile, '{ not json');
  assert.throws(() => readDataset(dir), /manifest\.json: not readable as JSON/);
  fs.rmSync(manifestFile);
  assert.throws(() => readDataset(dir), /manifest\.json is missing: the dataset was not finished/);
  assert.throws(() => readDataset(path.join(tmp, 'nowhere')), /dataset directory .*nowhere does not exist \(expected e\.g\. datasets\/Hopper-v3\/medium/);
});

test('values that are not finite, and flags that are not 0/1, are refused where they are', () => {
  const { dir } = fresh('values');
  const file = path.join(dir, 'data.bin');
  const m = readDatasetManifest(dir);
  const bytes = fs.readFileSync(file);
  const rewardsAt = m.data.arrays.find((a) => a.name === 'rewards')!.offset;
  bytes.writeFloatLE(NaN, rewardsAt + 4 * 7);
  fs.writeFileSync(file, bytes);
  // Fix the checksum, as a writer that wrote NaN would have.
  const fixed = { ...m, data: { ...m.data, sha256: require('node:crypto').createHash('sha256').update(bytes).digest('hex') } };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(fixed));
  assert.throws(() => readDataset(dir), /rewards\[7\] is NaN, expected a finite number/);
});

test('normalised score: 0 at the random return, 100 at the policy return, from refs or any dataset', () => {
  const { dir } = fresh('score');
  const d = readDataset(dir);
  assert.equal(normalisedScore(10, d), 0);
  assert.equal(normalisedScore(110, d.manifest), 100);
  assert.equal(normalisedScore(60, { randomReturn: 10, policyReturn: 110 }), 50);
  assert.ok(hasScoreReference(d));
  const random = { randomReturn: 12, policyReturn: null };
  assert.equal(hasScoreReference(random), false);
  assert.throws(() => normalisedScore(5, random), /has no policyReturn \(a random dataset has no policy behind it\)/);
  assert.throws(() => normalisedScore(5, { randomReturn: 3, policyReturn: 3 }), /both 3, so no score can be normalised/);
});
