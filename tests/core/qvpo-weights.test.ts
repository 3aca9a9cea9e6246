/**
 * QVPO's selection and weighting pieces (lib/diffusion/select.ts, lib/agents/qvpo/weights.ts;
 * spec §4.2–4.4): best-of-K, Q-weights, the actor-loss rows and the ω_ent schedule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { bestOfK, gatherBest, repeatRows } from '../../lib/diffusion/select';
import { actorRows, entropyAlphaAt, qWeights } from '../../lib/agents/qvpo/weights';
import { QTransform } from '../../lib/agents/qvpo/config';
import { DoubleCritic } from '../../lib/nets/critic';
import { Rng } from '../../lib/util/rng';
import { BOTH, testOnBackends } from '../helpers/backends';
import { assertAllClose, assertClose, values } from '../helpers/numeric';

testOnBackends('qWeights: qadv = max(q − V, 0), qcut = max(q, cut); unknown transform is an error', BOTH, () => {
  tf.tidy(() => {
    const q = tf.tensor1d([1, 2, 3, -0.5, 0.25]);
    const v = tf.tensor1d([1.5, 1, 3, -2, 0]);
    assertAllClose(values(qWeights(q, v, 'qadv', 1)), [0, 1, 0, 1.5, 0.25], 'qadv', 1e-7, 0);
    assertAllClose(values(qWeights(q, v, 'qcut', 1)), [1, 2, 3, 1, 1], 'qcut with cut 1', 0, 0);
    assertAllClose(values(qWeights(q, v, 'qcut', -1)), [1, 2, 3, -0.5, 0.25], 'qcut with cut −1', 0, 0);
    assert.throws(() => qWeights(q, v, 'qexp' as QTransform, 1), /unknown Q transform "qexp": expected qadv or qcut/);
  });
});

testOnBackends('bestOfK: argmax per state (first on ties), its score and the mean of the K scores', BOTH, () => {
  tf.tidy(() => {
    // three states, K = 4; ties in state 1 (positions 1 and 3) and state 2 (all equal)
    const scores = tf.tensor1d([0.1, 0.7, -0.2, 0.3, /**/ 1, 5, 2, 5, /**/ -1, -1, -1, -1]);
    const pick = bestOfK(scores, 4);
    assert.deepEqual(values(pick.index), [1, 1, 0]);
    assertAllClose(values(pick.best), [0.7, 5, -1], 'best', 1e-7, 0);
    assertAllClose(values(pick.mean), [(0.1 + 0.7 - 0.2 + 0.3) / 4, 13 / 4, -1], 'mean includes the best', 1e-6, 1e-7);
    const one = bestOfK(tf.tensor1d([3, -4]), 1);
    assert.deepEqual(values(one.index), [0, 0]);
    assertAllClose(values(one.mean), [3, -4], 'K = 1', 0, 0);
  });
});

testOnBackends('repeatRows lays rows out b·K + k; gatherBest returns row b·K + index[b]', BOTH, () => {
  tf.tidy(() => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const r = repeatRows(x, 3);
    assert.deepEqual(r.shape, [6, 2]);
    assert.deepEqual(values(r), [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    const r1 = repeatRows(x, 1);
    assert.deepEqual(values(r1), [1, 2, 3, 4]);
    assert.notEqual(r1, x, 'K = 1 returns a copy the caller may dispose');
    // candidates labelled 10·b + k
    const b = 3;
    const k = 4;
    const cand = tf.tensor2d(Array.from({ length: b * k }, (_, i) => [10 * Math.floor(i / k) + (i % k), -i]), [b * k, 2]);
    const got = gatherBest(cand, tf.tensor1d([2, 0, 3], 'int32'), k);
    assert.deepEqual(got.shape, [3, 2]);
    assert.deepEqual(values(got), [2, -2, 10, -4, 23, -11]);
    // argMax output (int32) and float indices are both accepted
    assert.deepEqual(values(gatherBest(cand, tf.tensor1d([1, 1, 1]), k)), [1, -1, 11, -5, 21, -9]);
  });
});

testOnBackends('DoubleCritic.minRepeated = min over heads on the repeated states', BOTH, () => {
  const critic = new DoubleCritic(3, 2, new Rng(5), { hidden: [8, 8] });
  const rng = new Rng(6);
  tf.tidy(() => {
    const s = tf.tensor2d(rng.normals(4 * 3), [4, 3]);
    const a = tf.tensor2d(rng.uniforms(4 * 5 * 2, -1, 1), [20, 2]);
    const lean = values(critic.minRepeated(s, a, 5));
    const plain = values(critic.min(repeatRows(s, 5), a));
    assertAllClose(lean, plain, 'minRepeated vs min', 1e-5, 1e-6);
  });
  critic.dispose();
});

testOnBackends('actorRows: B best rows with w, then Ne·B uniform rows with ω·w of their own state', BOTH, () => {
  tf.tidy(() => {
    const states = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const best = tf.tensor2d([[0.1, 0.2], [0.3, 0.4]]);
    const w = tf.tensor1d([0.5, 2]);
    const ne = 3;
    const rows = actorRows(states, best, w, 0.1, ne, new Rng(1));
    const n = 2 + ne * 2;
    assert.deepEqual(rows.states.shape, [n, 3]);
    assert.deepEqual(rows.actions.shape, [n, 2]);
    assert.deepEqual(rows.weights.shape, [n]);
    const sv = values(rows.states);
    const av = values(rows.actions);
    // policy rows first
    assert.deepEqual(sv.slice(0, 6), [1, 2, 3, 4, 5, 6]);
    assertAllClose(av.slice(0, 4), [0.1, 0.2, 0.3, 0.4].map(Math.fround), 'best actions', 0, 0);
    // entropy rows grouped by state: rows 2..4 → state 0, rows 5..7 → state 1
    for (let r = 2; r < n; r++) {
      const b = r < 2 + ne ? 0 : 1;
      assert.deepEqual(sv.slice(r * 3, r * 3 + 3), b === 0 ? [1, 2, 3] : [4, 5, 6], `row ${r} state`);
    }
    assertAllClose(values(rows.weights), [0.5, 2, 0.05, 0.05, 0.05, 0.2, 0.2, 0.2], 'weights', 1e-6, 0);
    const uniform = av.slice(4);
    for (const v of uniform) assert.ok(v >= -1 && v <= 1, `uniform action ${v}`);
    assert.equal(new Set(uniform).size, uniform.length, 'distinct random actions');
    // the random actions are drawn from the given Rng: same seed, same rows
    const again = actorRows(states, best, w, 0.1, ne, new Rng(1));
    assert.deepEqual(values(again.actions), av);

    // a state with w = 0 gives its entropy rows weight 0 too (spec §4.2)
    const zero = actorRows(states, best, tf.tensor1d([0, 1]), 0.02, 2, new Rng(2));
    assertAllClose(values(zero.weights), [0, 1, 0, 0, 0.02, 0.02], 'zero-weight state', 1e-6, 0);

    // ω = 0 or Ne = 0: only the B policy rows
    for (const [alpha, count] of [[0, 10], [0.02, 0]] as const) {
      const only = actorRows(states, best, w, alpha, count, new Rng(3));
      assert.deepEqual(only.states.shape, [2, 3], `ω ${alpha}, Ne ${count}`);
      assert.deepEqual(values(only.actions), values(best));
      assert.deepEqual(values(only.weights), [0.5, 2]);
    }
  });
});

test('entropyAlphaAt = min(ω0, max(floor, ω0 − ω0·n/decay)), including ω0 below the floor', () => {
  const at = (n: number, a0 = 0.02) => entropyAlphaAt(n, a0, 0.002, 1_000_000);
  assert.equal(at(0), 0.02);
  assertClose(at(10_000), 0.02 - 0.0002, 'n = 10k', 1e-12, 1e-15);
  assertClose(at(500_000), 0.01, 'half way', 1e-12, 1e-15);
  assertClose(at(900_000), 0.002, 'reaches the floor at 90%', 1e-9, 1e-15);
  assert.equal(at(950_000), 0.002, 'floored');
  assert.equal(at(2_000_000), 0.002, 'floored after the decay');
  // ω0 below the floor is kept
  assert.equal(at(0, 0.001), 0.001);
  assert.equal(at(999_999, 0.001), 0.001);
  assert.equal(at(5_000_000, 0.001), 0.001);
  // ω0 = 0 stays 0 (entropy term off)
  assert.equal(at(123, 0), 0);
  // other decay horizons
  assertClose(entropyAlphaAt(250, 0.1, 0.01, 1000), 0.075, 'ω0 0.1 over 1000 steps', 1e-12, 1e-15);
  assert.equal(entropyAlphaAt(1000, 0.1, 0.01, 1000), 0.01);
});
