/** lib/results/paper-table1: the paper's Table 1 as data, and lookups. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import {
  PAPER_ALGORITHMS,
  PAPER_ENVS,
  PAPER_RUNS,
  PAPER_STEPS,
  PAPER_TABLE1,
  PAPER_TABLE1_CAPTION,
  PAPER_TABLE1_SOURCE,
  paperAlgorithmName,
  paperResult,
} from '../../lib/results/paper-table1';

test('lookups: values, N/A as null, case-insensitive names, unknown pairs', () => {
  assert.deepEqual(paperResult('Hopper-v3', 'QVPO'), { env: 'Hopper-v3', algorithm: 'QVPO', mean: 3728.5, std: 13.8 });
  assert.deepEqual(paperResult('hopper-v3', 'qvpo'), paperResult('Hopper-v3', 'QVPO'));
  const qsm = paperResult('Ant-v3', 'QSM');
  assert.ok(qsm);
  assert.equal(qsm.mean, null);
  assert.equal(qsm.std, null);
  assert.deepEqual(paperResult('Humanoid-v3', 'TD3'), { env: 'Humanoid-v3', algorithm: 'TD3', mean: 5353.5, std: 53.7 });
  assert.deepEqual(paperResult('HalfCheetah-v3', 'SAC'), { env: 'HalfCheetah-v3', algorithm: 'SAC', mean: 10616.9, std: 72.8 });
  assert.equal(paperResult('Walker2d-v3', 'DIPO')?.std, 25.7);
  assert.equal(paperResult('Hopper-v4', 'QVPO'), undefined);
  assert.equal(paperResult('Hopper-v3', 'DDPG'), undefined);
  assert.equal(paperAlgorithmName('sac'), 'SAC');
});

test('shape and constants', () => {
  assert.equal(PAPER_TABLE1.length, PAPER_ENVS.length * PAPER_ALGORITHMS.length);
  assert.equal(PAPER_TABLE1.length, 35);
  assert.equal(PAPER_TABLE1.filter((e) => e.mean === null).length, 1, 'only QSM on Ant-v3 is N/A');
  assert.equal(PAPER_RUNS, 5);
  assert.equal(PAPER_STEPS, 1_000_000);
  assert.match(PAPER_TABLE1_SOURCE, /Table 1/);
  assert.match(PAPER_TABLE1_CAPTION, /N\/A/);
  assert.ok(Object.isFrozen(PAPER_TABLE1));
});

test('matches shared/reference/paper-table1.json entry by entry (when the reference is present)', (t) => {
  const file = path.resolve(__dirname, '..', '..', '..', 'shared', 'reference', 'paper-table1.json');
  if (!fs.existsSync(file)) {
    t.skip(`reference not found at ${file}`);
    return;
  }
  const ref = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    source: string;
    caption: string;
    envs: string[];
    algorithms: string[];
    entries: { env: string; algorithm: string; mean: number | null; std: number | null }[];
  };
  assert.equal(PAPER_TABLE1_SOURCE, ref.source);
  assert.equal(PAPER_TABLE1_CAPTION, ref.caption);
  assert.deepEqual([...PAPER_ENVS], ref.envs);
  assert.deepEqual([...PAPER_ALGORITHMS], ref.algorithms);
  assert.equal(ref.entries.length, PAPER_TABLE1.length);
  for (const e of ref.entries) {
    assert.deepEqual(paperResult(e.env, e.algorithm), e, `${e.env} / ${e.algorithm}`);
  }
});
