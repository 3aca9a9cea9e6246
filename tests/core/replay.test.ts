/** FIFO replay buffer (lib/replay/buffer.ts, spec §5). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayBuffer } from '../../lib/replay/buffer';
import { Rng } from '../../lib/util/rng';

/** Transition number k, recognisable in every field. */
function addRow(buf: ReplayBuffer, k: number, done = false): void {
  const obs = Array.from({ length: buf.obsDim }, (_, j) => k + j / 10);
  const act = Array.from({ length: buf.actDim }, (_, j) => -k - j / 10);
  const next = obs.map((v) => v + 1000);
  buf.add(obs, act, k * 2, next, done);
}

function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

test('stores transitions row by row, done as 1/0', () => {
  const buf = new ReplayBuffer(10, 3, 2);
  addRow(buf, 1, false);
  addRow(buf, 2, true);
  assert.equal(buf.size, 2);
  const b = buf.gather(Int32Array.from([1, 0]));
  assert.equal(b.size, 2);
  assert.deepEqual(Array.from(b.obs), [2, 2.1, 2.2, 1, 1.1, 1.2].map(Math.fround));
  assert.deepEqual(Array.from(b.act), [-2, -2.1, -1, -1.1].map(Math.fround));
  assert.deepEqual(Array.from(b.reward), [4, 2]);
  assert.deepEqual(Array.from(b.nextObs), [1002, 1002.1, 1002.2, 1001, 1001.1, 1001.2].map(Math.fround));
  assert.deepEqual(Array.from(b.done), [1, 0]);
});

test('ring: after capacity the oldest rows are replaced and size caps at capacity', () => {
  const buf = new ReplayBuffer(5, 1, 1);
  for (let k = 0; k < 7; k++) addRow(buf, k);
  assert.equal(buf.size, 5);
  // slots 0 and 1 now hold transitions 5 and 6; 2..4 still hold 2..4
  assert.deepEqual(Array.from(buf.gather(allIndices(5)).reward), [10, 12, 4, 6, 8]);
  for (let k = 7; k < 23; k++) addRow(buf, k);
  assert.equal(buf.size, 5);
  const rewards = Array.from(buf.gather(allIndices(5)).reward).sort((a, b) => a - b);
  assert.deepEqual(rewards, [36, 38, 40, 42, 44], 'the 5 newest transitions (18..22)');
});

test('growth beyond the initial 4096-row allocation keeps every row', () => {
  const buf = new ReplayBuffer(10_000, 2, 1);
  for (let k = 0; k < 5000; k++) addRow(buf, k, k % 3 === 0);
  assert.equal(buf.size, 5000);
  const b = buf.gather(allIndices(5000));
  for (let k = 0; k < 5000; k++) {
    assert.equal(b.reward[k], 2 * k);
    assert.equal(b.obs[2 * k], k);
    assert.equal(b.act[k], -k);
    assert.equal(b.nextObs[2 * k + 1], Math.fround(k + 0.1 + 1000));
    assert.equal(b.done[k], k % 3 === 0 ? 1 : 0);
  }
  // a capacity that is not a power of two: grows to exactly capacity, then wraps
  const odd = new ReplayBuffer(5000, 1, 1);
  for (let k = 0; k < 5003; k++) addRow(odd, k);
  assert.equal(odd.size, 5000);
  assert.deepEqual(Array.from(odd.gather(Int32Array.from([0, 1, 2, 3, 4999])).reward), [10000, 10002, 10004, 6, 9998]);
});

test('sampling: uniform with replacement, indices within the stored part', () => {
  const buf = new ReplayBuffer(100, 1, 1);
  for (let k = 0; k < 7; k++) addRow(buf, k);
  const rng = new Rng(3);
  const idx = buf.sampleIndices(2000, rng);
  assert.equal(idx.length, 2000);
  for (const i of idx) assert.ok(i >= 0 && i < 7, `index ${i} within size 7`);
  // with replacement: more draws than rows are allowed and repeat
  const small = buf.sample(50, rng);
  assert.equal(small.size, 50);
  assert.ok(new Set(small.reward).size <= 7);

  // rough uniformity over a full buffer (chi-square, 9 dof, p ≈ 0.001 at 27.9)
  const full = new ReplayBuffer(10, 1, 1);
  for (let k = 0; k < 10; k++) addRow(full, k);
  const counts = new Array(10).fill(0);
  const N = 20000;
  for (const i of full.sampleIndices(N, new Rng(11))) counts[i]++;
  const chi2 = counts.reduce((s, c) => s + (c - N / 10) ** 2 / (N / 10), 0);
  assert.ok(chi2 < 27.9, `chi-square ${chi2}: ${counts}`);
  // samples are what gather() of the drawn indices gives, and deterministic for a seed
  const i1 = full.sampleIndices(16, new Rng(5));
  const s1 = full.sample(16, new Rng(5));
  assert.deepEqual(Array.from(s1.reward), Array.from(full.gather(i1).reward));
});

test('getState/setState round trip, then both buffers evolve identically', () => {
  const a = new ReplayBuffer(6, 2, 2);
  for (let k = 0; k < 9; k++) addRow(a, k, k % 2 === 1);
  const state = a.getState();
  assert.equal(state.size, 6);
  assert.equal(state.next, 3);
  const b = new ReplayBuffer(6, 2, 2);
  b.setState(state);
  assert.equal(b.size, 6);
  const fields = (buf: ReplayBuffer) => {
    const g = buf.gather(allIndices(buf.size));
    return [g.obs, g.act, g.reward, g.nextObs, g.done].map((x) => Array.from(x));
  };
  assert.deepEqual(fields(b), fields(a));
  addRow(a, 100);
  addRow(b, 100);
  assert.deepEqual(fields(b), fields(a), 'the write position was restored');
  assert.deepEqual(Array.from(b.sample(8, new Rng(1)).reward), Array.from(a.sample(8, new Rng(1)).reward));
  // the state is a copy
  state.reward[0] = -1;
  assert.notEqual(a.gather(Int32Array.from([0])).reward[0], -1);

  // a state larger than the initial allocation restores into a fresh buffer
  const big = new ReplayBuffer(9000, 1, 1);
  for (let k = 0; k < 4500; k++) addRow(big, k);
  const big2 = new ReplayBuffer(9000, 1, 1);
  big2.setState(big.getState());
  assert.equal(big2.size, 4500);
  assert.equal(big2.gather(Int32Array.from([4499])).reward[0], 8998);

  assert.throws(() => new ReplayBuffer(6, 2, 3).setState(state), /checkpoint is for capacity 6, dims 2\/2; this buffer is 6, 2\/3/);
});

test('errors: wrong-length add, empty sample, bad construction', () => {
  const buf = new ReplayBuffer(4, 3, 2);
  assert.throws(() => buf.add([1, 2], [0, 0], 0, [1, 2, 3], false), /expected obs\/nextObs of 3 and act of 2 numbers, got 2\/3 and 2/);
  assert.throws(() => buf.add([1, 2, 3], [0], 0, [1, 2, 3], false), /got 3\/3 and 1/);
  assert.throws(() => buf.add([1, 2, 3], [0, 0], 0, [1, 2, 3, 4], false), /got 3\/4 and 2/);
  assert.equal(buf.size, 0, 'a rejected add stores nothing');
  assert.throws(() => buf.sample(1, new Rng(0)), /the buffer is empty/);
  assert.throws(() => new ReplayBuffer(0, 3, 2), /ReplayBuffer capacity must be a positive integer, got 0/);
  assert.throws(() => new ReplayBuffer(10, 1.5, 2), /ReplayBuffer obsDim must be a positive integer, got 1.5/);
  assert.throws(() => new ReplayBuffer(10, 3, -1), /ReplayBuffer actDim must be a positive integer, got -1/);
});
