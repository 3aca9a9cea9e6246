/**
 * DDiffPG's NovelD-on-RND intrinsic reward (lib/agents/ddiffpg/novelty.ts): the NovelD formula
 * on injected novelties, the positional encoding by hand, orthogonal init, the spec's defaults,
 * the predictor learning visited states but not unvisited ones, determinism, checkpoint round
 * trip, and no tensor leak.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import {
  NOVELD_DEFAULTS,
  NoveltyModule,
  encodedSize,
  noveldReward,
  orthogonalWeights,
  positionalEncoding,
} from '../../lib/agents/ddiffpg/novelty';
import { Rng } from '../../lib/util/rng';

/** Small nets for speed; everything else at the spec's values unless a test says otherwise. */
const SMALL = { hiddenSizes: [32, 32], featureDim: 16 };

const near = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what}: got ${a}, expected ${b}`);

test('the spec defaults: NovelD 0.01·max(n(s′) − 0.5·n(s), 0), RND 512-256-128 → 128, L = 10, AdamW 1e−4, clip 1', () => {
  assert.deepEqual(
    { ...NOVELD_DEFAULTS, hiddenSizes: [...NOVELD_DEFAULTS.hiddenSizes] },
    { positionDims: 2, frequencies: 10, hiddenSizes: [512, 256, 128], featureDim: 128, lr: 1e-4, weightDecay: 0.01, gradClip: 1, scale: 0.01, alpha: 0.5 },
  );
  // 2 position dims → 2 + 2·10·2 = 42 inputs, plus the rest of the state.
  assert.equal(encodedSize(2, 2, 10), 42);
  assert.equal(encodedSize(29, 2, 10), 69);
});

test('NovelD formula on injected novelties', () => {
  // (n(s), n(s′)) = (1, 1): 1 − 0.5 = 0.5 → 0.005; (2, 0.5): 0.5 − 1 < 0 → 0; (0.5, 3): 3 − 0.25 = 2.75 → 0.0275.
  const r = noveldReward([1, 2, 0.5], [1, 0.5, 3]);
  near(r[0], 0.005, 1e-9, 'r0');
  assert.equal(r[1], 0);
  near(r[2], 0.0275, 1e-9, 'r2');
  // Other α and scale.
  const r2 = noveldReward([1, 4], [3, 1], 1, 2);
  assert.deepEqual(Array.from(r2), [4, 0]);
  assert.throws(() => noveldReward([1], [1, 2]), /1 novelties of s but 2 of s'/);
});

test('positional encoding: [p, sin(2^k p), cos(2^k p) …, rest of the state] by hand', () => {
  // One state (x, y, v) with 2 position dims and L = 2: [x, y, sin x, sin y, cos x, cos y, sin 2x, sin 2y, cos 2x, cos 2y, v].
  const [x, y, v] = [0.3, -1.2, 7];
  const enc = positionalEncoding([x, y, v], 3, 2, 2);
  const expected = [x, y, Math.sin(x), Math.sin(y), Math.cos(x), Math.cos(y), Math.sin(2 * x), Math.sin(2 * y), Math.cos(2 * x), Math.cos(2 * y), v];
  assert.equal(enc.length, encodedSize(3, 2, 2));
  expected.forEach((e, i) => assert.equal(enc[i], Math.fround(e), `entry ${i}`));
  // Rows are independent; the 10th frequency is 2⁹ = 512.
  const two = positionalEncoding([0, 0, 1, 0.5], 2, 2, 10);
  assert.equal(two.length, 84);
  assert.equal(two[42 + 2 + 4 * 9], Math.fround(Math.sin(512 * 1)));
  assert.throws(() => positionalEncoding([1, 2, 3], 2, 2, 10), /3 numbers are not rows of 2/);
});

test('orthogonal init: WᵀW = 2·I for tall, WWᵀ = 2·I for wide matrices (gain √2)', () => {
  for (const [fanIn, fanOut] of [
    [42, 16],
    [16, 42],
    [8, 8],
  ]) {
    const w = orthogonalWeights(fanIn, fanOut, Math.SQRT2, new Rng(5));
    const thin = Math.min(fanIn, fanOut);
    for (let a = 0; a < thin; a++) {
      for (let b = 0; b < thin; b++) {
        let dot = 0;
        if (fanIn >= fanOut) for (let i = 0; i < fanIn; i++) dot += w[i * fanOut + a] * w[i * fanOut + b];
        else for (let j = 0; j < fanOut; j++) dot += w[a * fanOut + j] * w[b * fanOut + j];
        near(dot, a === b ? 2 : 0, 1e-5, `[${fanIn}×${fanOut}] (${a}, ${b})`);
      }
    }
  }
});

test('training lowers the novelty of visited states while unvisited states stay novel', async () => {
  await initBackend('cpu');
  const m = new NoveltyModule(2, { ...SMALL, lr: 1e-3 }, 1);
  const rng = new Rng(2);
  // Visited: a small patch round (0.5, 0.5). Unvisited: the opposite corner.
  const patch = (n: number) => Float32Array.from({ length: 2 * n }, () => 0.5 + 0.05 * rng.normal());
  const visited = Float32Array.of(0.5, 0.5, 0.52, 0.48);
  const unvisited = Float32Array.of(-0.6, -0.6, -0.7, -0.5);
  const v0 = m.novelty(visited);
  const u0 = m.novelty(unvisited);
  let firstLoss = NaN;
  let lastLoss = NaN;
  for (let i = 0; i < 300; i++) {
    const loss = m.update(patch(32), patch(32));
    if (i === 0) firstLoss = loss;
    lastLoss = loss;
  }
  const v1 = m.novelty(visited);
  const u1 = m.novelty(unvisited);
  assert.ok(lastLoss < 0.1 * firstLoss, `loss ${firstLoss} → ${lastLoss}`);
  for (let i = 0; i < 2; i++) {
    assert.ok(v1[i] < 0.3 * v0[i], `visited state ${i}: novelty ${v0[i]} → ${v1[i]}`);
    assert.ok(u1[i] > 0.7 * u0[i], `unvisited state ${i}: novelty ${u0[i]} → ${u1[i]}`);
    assert.ok(u1[i] > 3 * v1[i], `unvisited ${u1[i]} ≫ visited ${v1[i]}`);
  }
  // Leaving the visited patch for the unvisited corner is rewarded; the way back is not.
  const toNew = m.intrinsicReward(visited, unvisited);
  const back = m.intrinsicReward(unvisited, visited);
  assert.ok(toNew[0] > 0 && back[0] === 0, `rewards ${toNew[0]}, ${back[0]}`);
  // intrinsicReward is NovelD on the module's own novelties.
  const expected = noveldReward(m.novelty(visited), m.novelty(unvisited));
  assert.deepEqual(Array.from(toNew), Array.from(expected));
  assert.equal(m.updateCount, 300);
  m.dispose();
});

test('same seed → same nets and same updates; another seed → other nets', async () => {
  await initBackend('cpu');
  const obsDim = 4; // (x, y) encoded plus two raw dims
  const a = new NoveltyModule(obsDim, SMALL, 7);
  const b = new NoveltyModule(obsDim, SMALL, 7);
  const c = new NoveltyModule(obsDim, SMALL, 8);
  const rng = new Rng(3);
  const s = Float32Array.from({ length: 4 * obsDim }, () => rng.normal());
  const s2 = Float32Array.from({ length: 4 * obsDim }, () => rng.normal());
  assert.deepEqual(Array.from(a.novelty(s)), Array.from(b.novelty(s)));
  assert.notDeepEqual(Array.from(a.novelty(s)), Array.from(c.novelty(s)));
  for (let i = 0; i < 5; i++) assert.equal(a.update(s, s2), b.update(s, s2));
  assert.deepEqual(Array.from(a.intrinsicReward(s, s2)), Array.from(b.intrinsicReward(s, s2)));
  for (const m of [a, b, c]) m.dispose();
});

test('getState/setState round trip: the copy gives the same novelties and continues identically', async () => {
  await initBackend('cpu');
  const rng = new Rng(4);
  const s = Float32Array.from({ length: 16 }, () => rng.normal());
  const s2 = Float32Array.from({ length: 16 }, () => rng.normal());
  const a = new NoveltyModule(2, SMALL, 1);
  for (let i = 0; i < 3; i++) a.update(s, s2);
  const state = a.getState();
  const b = new NoveltyModule(2, SMALL, 99);
  b.setState(JSON.parse(JSON.stringify(state, (_, v) => (v instanceof Float32Array ? Array.from(v) : v)), (k, v) => (k === 'values' ? Float32Array.from(v) : v)));
  assert.equal(b.updateCount, 3);
  assert.deepEqual(Array.from(b.novelty(s)), Array.from(a.novelty(s)));
  for (let i = 0; i < 3; i++) assert.equal(b.update(s, s2), a.update(s, s2), `update ${i}`);
  assert.deepEqual(Array.from(b.novelty(s2)), Array.from(a.novelty(s2)));
  assert.throws(() => b.setState({ ...state, kind: 'other' as 'ddiffpg-novelty' }), /not a novelty checkpoint \(kind other\)/);
  const wrong = new NoveltyModule(3, SMALL, 1);
  assert.throws(() => wrong.setState(state), /RND target: tensor 0 has shape/);
  for (const m of [a, b, wrong]) m.dispose();
});

test('no tensor leak over many update / novelty / reward calls (spec-size nets)', async () => {
  await initBackend('cpu');
  const m = new NoveltyModule(2, {}, 0); // the spec's 512-256-128 → 128
  const rng = new Rng(5);
  const batch = () => Float32Array.from({ length: 2 * 16 }, () => rng.uniformIn(-1, 1));
  m.update(batch(), batch());
  m.intrinsicReward(batch(), batch());
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) {
    m.update(batch(), batch());
    m.intrinsicReward(batch(), batch());
    m.novelty(batch());
  }
  assert.equal(tf.memory().numTensors, before, 'tensor count unchanged');
  m.dispose();
  assert.throws(() => new NoveltyModule(2, { positionDims: 3 }), /positionDims must be an integer in \[0, obsDim = 2\], got 3/);
});
