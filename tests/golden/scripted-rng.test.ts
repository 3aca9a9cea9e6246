/**
 * The golden tests' scripted generator (scripted-rng.ts): it hands out the recorded draws in
 * order and fails on a wrong kind, bound, range or length, on any other call, and on draws
 * left over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Draw } from './fixture';
import { ScriptedRng } from './scripted-rng';

const DRAWS: Draw[] = [
  { name: 'batch', kind: 'int', bound: 10, count: 2, values: [3, 7] },
  { name: 'chain', kind: 'normals', arrays: 2, length: 3, values: { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) } },
  { name: 'entropy', kind: 'uniforms', low: -1, high: 1, arrays: 1, length: 2, values: { shape: [1, 2], data: Float32Array.from([0.5, -0.5]) } },
];

test('replays the draws in order, row by row', () => {
  const rng = new ScriptedRng(DRAWS, 'toy');
  assert.deepEqual([rng.int(10), rng.int(10)], [3, 7]);
  assert.deepEqual(Array.from(rng.normals(3)), [1, 2, 3]);
  const out = new Float32Array(3);
  assert.equal(rng.normals(3, out), out);
  assert.deepEqual(Array.from(out), [4, 5, 6]);
  assert.deepEqual(Array.from(rng.uniforms(2, -1, 1)), [0.5, -0.5]);
  assert.doesNotThrow(() => rng.finish());
  assert.throws(() => rng.int(10), /toy: int\(10\): every recorded draw is used up/);
});

test('fails on a wrong kind, bound, length or range, on other calls, and on leftovers', () => {
  assert.throws(() => new ScriptedRng(DRAWS, 'toy').normals(3), /normals\(3\): the next recorded draw is #1 "batch" \(2 × int\(10\)\), not normals/);
  assert.throws(() => new ScriptedRng(DRAWS, 'toy').int(20), /int\(20\): draw #1 "batch" has bound 10/);
  const rng = new ScriptedRng(DRAWS, 'toy');
  rng.int(10);
  rng.int(10);
  assert.throws(() => rng.normals(4), /draw #2 "chain" has arrays of 3/);
  rng.normals(3);
  assert.throws(() => rng.finish(), /draw #2 "chain" \(2 × normals\(3\)\) was used for only 1 calls; 2 record\(s\) left/);
  rng.normals(3);
  assert.throws(() => rng.uniforms(2, 0, 1), /uniforms\(2, 0, 1\): draw #3 "entropy" is 1 × uniforms\(2, -1, 1\)/);
  assert.throws(() => rng.finish(), /draw #3 "entropy" .* was never used; 1 record\(s\) left/);
  for (const call of [() => rng.normal(), () => rng.uniform(), () => rng.uniformIn(0, 1), () => rng.nextUint32(), () => rng.childSeed(), () => rng.getState()]) {
    assert.throws(call, /is not among the recorded draws|no state to save/);
  }
});
