import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointError, previousCheckpointFile, readCheckpoint, writeCheckpoint } from '../../lib/runner/checkpoint';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-ckpt-'));

test('a checkpoint round-trips nested state with typed arrays of every supported kind', () => {
  const state = {
    counters: { step: 1234, episode: 7, lastEval: null, name: 'x' },
    learner: {
      weights: [{ shape: [2, 3], values: Float32Array.from([1.5, -2, 3, 4e-7, 5, 6]) }],
      buffer: { obs: new Float32Array(0), done: Float32Array.from([0, 1]), idx: Int32Array.from([-3, 9]) },
      rng: { s: [1, 2, 3, 4], spare: null },
      f64: Float64Array.from([Math.PI]),
      bytes: Uint8Array.from([0, 255]),
    },
  };
  const file = path.join(tmp, 'a.bin');
  writeCheckpoint(file, state);
  const back = readCheckpoint(file) as typeof state;
  assert.deepEqual(back.counters, state.counters);
  assert.ok(back.learner.weights[0].values instanceof Float32Array);
  assert.deepEqual(Array.from(back.learner.weights[0].values), Array.from(state.learner.weights[0].values));
  assert.deepEqual(back.learner.weights[0].shape, [2, 3]);
  assert.equal(back.learner.buffer.obs.length, 0);
  assert.deepEqual(Array.from(back.learner.buffer.idx), [-3, 9]);
  assert.ok(back.learner.buffer.idx instanceof Int32Array);
  assert.equal(back.learner.f64[0], Math.PI);
  assert.deepEqual(Array.from(back.learner.bytes), [0, 255]);
  assert.deepEqual(back.learner.rng, { s: [1, 2, 3, 4], spare: null });
});

test('writing is atomic: an existing checkpoint is replaced whole and no temp file remains', () => {
  const file = path.join(tmp, 'b.bin');
  writeCheckpoint(file, { v: Float32Array.from([1]) });
  writeCheckpoint(file, { v: Float32Array.from([2, 3]) });
  assert.deepEqual(Array.from((readCheckpoint(file) as { v: Float32Array }).v), [2, 3]);
  assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith('b.bin')), ['b.bin']);
});

test('a file that is not a checkpoint, or is cut short, gives a clear error', () => {
  const bad = path.join(tmp, 'bad.bin');
  fs.writeFileSync(bad, 'hello world, not a checkpoint');
  assert.throws(() => readCheckpoint(bad), /bad\.bin: not a qvpo-kit checkpoint/);
  const good = path.join(tmp, 'c.bin');
  writeCheckpoint(good, { v: new Float32Array(1000) });
  const cut = path.join(tmp, 'cut.bin');
  fs.writeFileSync(cut, fs.readFileSync(good).subarray(0, 200));
  assert.throws(() => readCheckpoint(cut), /cut\.bin: checksum mismatch/);
});

test('one flipped bit anywhere is caught by the checksum; keepPrevious keeps the replaced file', () => {
  const file = path.join(tmp, 'd.bin');
  writeCheckpoint(file, { v: Float32Array.from([1, 2, 3]) });
  writeCheckpoint(file, { v: Float32Array.from([4, 5, 6]) }, { keepPrevious: true });
  assert.deepEqual(Array.from((readCheckpoint(previousCheckpointFile(file)) as { v: Float32Array }).v), [1, 2, 3]);
  const bytes = fs.readFileSync(file);
  for (const at of [12, bytes.length - 40, bytes.length - 1]) {
    const flipped = Buffer.from(bytes);
    flipped[at] ^= 0x01;
    fs.writeFileSync(path.join(tmp, 'e.bin'), flipped);
    assert.throws(() => readCheckpoint(path.join(tmp, 'e.bin')), (e: Error) => e instanceof CheckpointError && /e\.bin: (checksum mismatch|unreadable header|truncated)/.test(e.message), `bit flipped at byte ${at}`);
  }
});
