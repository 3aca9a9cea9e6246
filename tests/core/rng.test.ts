/** The seeded Rng: determinism, serialisable state, ranges and distributions, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../lib/util/rng';
import { mean, std } from '../helpers/numeric';

function draws(r: Rng, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.nextUint32());
  return out;
}

test('same seed gives the same stream, different seeds differ', () => {
  assert.deepEqual(draws(new Rng(42), 100), draws(new Rng(42), 100));
  const a = draws(new Rng(42), 100);
  const b = draws(new Rng(43), 100);
  assert.ok(a.some((x, i) => x !== b[i]), 'seeds 42 and 43 give different streams');
  // all generators: uniform, normal, int
  const r1 = new Rng(7);
  const r2 = new Rng(7);
  for (let i = 0; i < 50; i++) {
    assert.equal(r1.uniform(), r2.uniform());
    assert.equal(r1.normal(), r2.normal());
    assert.equal(r1.int(13), r2.int(13));
  }
  // seed 0 and the max seed are valid and non-degenerate
  for (const seed of [0, 0xffffffff]) {
    const xs = draws(new Rng(seed), 20);
    assert.ok(new Set(xs).size > 15, `seed ${seed} produces a varied stream`);
  }
});

test('getState/setState continues the identical stream, including a pending Box-Muller spare', () => {
  const r = new Rng(123);
  for (let i = 0; i < 17; i++) r.uniform();
  r.normal(); // leaves the spare normal in the state
  const state = r.getState();
  assert.notEqual(state.spare, null, 'a spare normal is pending');
  const viaJson = JSON.parse(JSON.stringify(state));
  const expected = [r.normal(), r.uniform(), r.int(1000), r.normal(), r.normal(), ...Array.from(r.normals(5))];

  const restored = new Rng(999);
  restored.setState(viaJson);
  const got = [restored.normal(), restored.uniform(), restored.int(1000), restored.normal(), restored.normal(), ...Array.from(restored.normals(5))];
  assert.deepEqual(got, expected);

  const fromState = Rng.fromState(state);
  assert.equal(fromState.normal(), expected[0]);
  // getState is a copy: advancing the generator does not change an earlier state object
  const s1 = r.getState();
  const copy = JSON.stringify(s1);
  r.uniform();
  assert.equal(JSON.stringify(s1), copy);
});

test('setState rejects malformed states', () => {
  const r = new Rng(1);
  assert.throws(() => r.setState({ s: [1, 2, 3], spare: null } as never), /invalid Rng state/);
  assert.throws(() => r.setState({ s: [1, 2, 3, -1], spare: null }), /invalid Rng state/);
  assert.throws(() => r.setState({ s: [1, 2, 3, 2 ** 32], spare: null }), /invalid Rng state/);
  assert.throws(() => r.setState(null as never), /invalid Rng state/);
});

test('uniform in [0,1), uniformIn/uniforms ranges', () => {
  const r = new Rng(5);
  const xs: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    xs.push(u);
  }
  assert.ok(Math.abs(mean(xs) - 0.5) < 0.01, `mean ${mean(xs)}`);
  assert.ok(Math.abs(std(xs) - Math.sqrt(1 / 12)) < 0.01, `std ${std(xs)}`);
  const u = r.uniforms(5000, -1, 1);
  assert.ok(u instanceof Float32Array);
  for (const v of u) assert.ok(v >= -1 && v <= 1);
  assert.ok(Math.min(...u) < -0.99 && Math.max(...u) > 0.99, 'covers the range');
  for (let i = 0; i < 1000; i++) {
    const v = r.uniformIn(2, 5);
    assert.ok(v >= 2 && v < 5);
  }
});

test('int(n) stays in [0, n) and is roughly uniform (chi-square)', () => {
  const r = new Rng(2024);
  const n = 10;
  const counts = new Array(n).fill(0);
  const N = 50000;
  for (let i = 0; i < N; i++) {
    const k = r.int(n);
    assert.ok(Number.isInteger(k) && k >= 0 && k < n, `int(${n}) gave ${k}`);
    counts[k]++;
  }
  const e = N / n;
  const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
  // 9 degrees of freedom: P(chi2 > 27.9) ≈ 0.001
  assert.ok(chi2 < 27.9, `chi-square ${chi2}, counts ${counts}`);
  // a non-power-of-two bound close to 2^32 and 1
  assert.equal(r.int(1), 0);
  for (let i = 0; i < 100; i++) {
    const k = r.int(3_000_000_000);
    assert.ok(k >= 0 && k < 3_000_000_000);
  }
  for (const bad of [0, -2, 1.5, NaN]) {
    assert.throws(() => r.int(bad), new RegExp(`Rng.int needs a positive integer bound, got ${bad}`));
  }
});

test('normal() has mean 0 and std 1; normals() fills a Float32Array', () => {
  const r = new Rng(77);
  const xs: number[] = [];
  for (let i = 0; i < 40000; i++) xs.push(r.normal());
  assert.ok(Math.abs(mean(xs)) < 0.02, `mean ${mean(xs)}`);
  assert.ok(Math.abs(std(xs) - 1) < 0.02, `std ${std(xs)}`);
  // tails: P(|z| > 2) ≈ 4.55%
  const tail = xs.filter((x) => Math.abs(x) > 2).length / xs.length;
  assert.ok(Math.abs(tail - 0.0455) < 0.006, `tail ${tail}`);
  const out = new Float32Array(8);
  const same = r.normals(8, out);
  assert.equal(same, out, 'fills the given array');
  assert.ok(out.some((v) => v !== 0));
});

test('invalid seeds are errors naming the value', () => {
  for (const bad of [-1, 1.5, 2 ** 32, NaN]) {
    assert.throws(() => new Rng(bad), new RegExp(`Rng seed must be an integer in \\[0, 2\\^32\\), got ${bad}`));
  }
  assert.throws(() => new Rng('3' as never), /Rng seed must be an integer/);
});

test('childSeed draws from the stream and gives independent generators', () => {
  const a = new Rng(9);
  const b = new Rng(9);
  assert.equal(a.childSeed(), b.childSeed());
  const c1 = new Rng(a.childSeed());
  const c2 = new Rng(a.childSeed());
  assert.notDeepEqual(draws(c1, 5), draws(c2, 5));
});

test('normals(n) draws exactly what n calls of normal() draw, spare value and state included', () => {
  for (let seed = 0; seed < 20; seed++) {
    const bulk = new Rng(seed);
    const single = new Rng(seed);
    const plan = new Rng(seed + 500);
    for (let round = 0; round < 30; round++) {
      const n = plan.int(9); // odd and even lengths, and 0, so the spare crosses calls
      const got = bulk.normals(n);
      for (let i = 0; i < n; i++) assert.ok(Object.is(got[i], Math.fround(single.normal())), `seed ${seed}, round ${round}, draw ${i}`);
      if (plan.uniform() < 0.3) assert.equal(bulk.uniform(), single.uniform());
      assert.deepEqual(bulk.getState(), single.getState());
    }
  }
});
