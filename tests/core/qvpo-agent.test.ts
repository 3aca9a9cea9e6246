/**
 * The QVPO agent (lib/agents/qvpo/agent.ts) at toy sizes: determinism, checkpoint/resume,
 * action scaling, tensor hygiene, the critic target and the actor loss of one iteration
 * recomputed step by step (spec §1, §3 action scaling, §4).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { AgentSpec, QvpoAgent, QvpoState } from '../../lib/agents/qvpo/agent';
import { QvpoConfig } from '../../lib/agents/qvpo/config';
import { drawLossNoise } from '../../lib/diffusion/ddpm';
import { copyVariables } from '../../lib/nets/params';
import { ReplayBuffer } from '../../lib/replay/buffer';
import { Rng } from '../../lib/util/rng';
import { BOTH, testOnBackends } from '../helpers/backends';
import { assertAllClose, assertClose, values } from '../helpers/numeric';

const SPEC: AgentSpec = { obsDim: 3, actDim: 2, actionLow: [-2, 0], actionHigh: [2, 1] };
const SMALL: Partial<QvpoConfig> = {
  hiddenWidth: 16,
  hiddenLayers: 2,
  batchSize: 8,
  trainSamples: 4,
  diffusionSteps: 5,
  targetSamples: 3,
  behaviourSamples: 2,
  evalSamples: 6,
  entropySamples: 3,
};

type DoneMode = 'all' | 'none' | 'mixed';

/** 64 random transitions in policy units; done per `mode`. */
function makeBuffer(seed: number, mode: DoneMode, size = 64): ReplayBuffer {
  const rng = new Rng(seed);
  const buf = new ReplayBuffer(1000, SPEC.obsDim, SPEC.actDim);
  for (let i = 0; i < size; i++) {
    const done = mode === 'all' ? true : mode === 'none' ? false : i % 3 === 0;
    buf.add(rng.normals(3), rng.uniforms(2, -1, 1), rng.uniformIn(-1, 2), rng.normals(3), done);
  }
  return buf;
}

function agent(seed: number, extra: Partial<QvpoConfig> = {}): QvpoAgent {
  return new QvpoAgent(SPEC, { ...SMALL, ...extra }, seed);
}

testOnBackends('same seed and buffer → identical update stats; another seed → different', ['cpu'], () => {
  const buf = makeBuffer(1, 'mixed');
  const a = agent(7);
  const b = agent(7);
  const c = agent(8);
  for (let i = 0; i < 3; i++) {
    const sa = a.update(buf, 10_000 + i, true);
    const sb = b.update(buf, 10_000 + i, true);
    const sc = c.update(buf, 10_000 + i, true);
    assert.ok(sa && sb && sc);
    assert.deepEqual(sb, sa, `update ${i}`);
    assert.notDeepEqual(sc, sa);
    for (const [k, v] of Object.entries(sa)) assert.ok(Number.isFinite(v), `${k} finite`);
  }
  assert.equal(a.update(buf, 10_003), null, 'no stats unless asked');
  b.update(buf, 10_003);
  assert.equal(a.updates, 4);
  assert.deepEqual(Array.from(a.act([0.1, 0.2, 0.3], 'eval')), Array.from(b.act([0.1, 0.2, 0.3], 'eval')));
  [a, b, c].forEach((x) => x.dispose());
});

testOnBackends('checkpoint/resume: setState into a fresh agent, then the next update matches the original', BOTH, () => {
  const buf = makeBuffer(2, 'mixed');
  const a = agent(11);
  for (let i = 0; i < 3; i++) a.update(buf, 20_000 + i);
  const state: QvpoState = a.getState();
  assert.equal(state.kind, 'qvpo');
  assert.equal(state.updates, 3);
  const b = agent(999); // different init and rng: everything must come from the state
  b.setState(state);
  assert.equal(b.updates, 3);
  assert.equal(b.entropyAlpha, a.entropyAlpha);
  const sa = a.update(buf, 20_003, true);
  const sb = b.update(buf, 20_003, true);
  assert.deepEqual(sb, sa);
  const sa2 = a.update(buf, 20_004, true);
  const sb2 = b.update(buf, 20_004, true);
  assert.deepEqual(sb2, sa2, 'and the one after');
  assert.deepEqual(Array.from(b.act([0, 1, 2], 'behaviour')), Array.from(a.act([0, 1, 2], 'behaviour')));
  assert.throws(() => b.setState({ ...state, kind: 'dipo' } as unknown as QvpoState), /QVPO.setState: not a QVPO checkpoint \(kind dipo\)/);
  const wide = new QvpoAgent(SPEC, { ...SMALL, hiddenWidth: 8 }, 1);
  // the first tensor to differ is the time MLP's: it is as wide as the hidden layers
  assert.throws(() => wide.setState(state), /diffusion policy: tensor 0 has shape \[32,16\] in the checkpoint, \[32,8\] in the network/);
  [a, b, wide].forEach((x) => x.dispose());
});

testOnBackends('actions respect asymmetric env bounds; toPolicyUnits(toEnvUnits(a)) = a', ['cpu'], () => {
  const ag = agent(21);
  const rng = new Rng(22);
  for (let i = 0; i < 10; i++) {
    for (const mode of ['behaviour', 'eval'] as const) {
      const a = ag.act(rng.normals(3), mode);
      assert.equal(a.length, 2);
      assert.ok(a[0] >= -2 && a[0] <= 2, `a0 = ${a[0]} in [−2, 2]`);
      assert.ok(a[1] >= 0 && a[1] <= 1, `a1 = ${a[1]} in [0, 1]`);
    }
    const r = ag.randomAction();
    assert.ok(r[0] >= -2 && r[0] <= 2 && r[1] >= 0 && r[1] <= 1, `random action ${r}`);
  }
  const batch = ag.actBatch(rng.normals(5 * 3), 5, 'behaviour');
  assert.equal(batch.length, 10);
  // env = a·(high − low)/2 + (high + low)/2: scale [2, 0.5], bias [0, 0.5]
  assert.deepEqual(Array.from(ag.toEnvUnits(Float32Array.from([-1, -1, 1, 1, 0, 0, 0.5, -0.5]))), [-2, 0, 2, 1, 0, 0.5, 1, 0.25]);
  const a = Float32Array.from(rng.uniforms(20, -1, 1));
  assertAllClose(ag.toPolicyUnits(ag.toEnvUnits(a)), a, 'round trip', 1e-6, 1e-7);
  assert.deepEqual(Array.from(ag.toPolicyUnits([2, 0.75])), [1, 0.5]);
  assert.throws(
    () => new QvpoAgent({ ...SPEC, actionLow: [-1] }, SMALL, 1),
    /QVPO: action bounds have 1\/2 entries, actDim is 2/,
  );
  assert.throws(() => new QvpoAgent(SPEC, { ...SMALL, batchSize: 0 }, 1), /invalid value 0 for "batchSize"/);
  ag.dispose();
});

testOnBackends('no tensor leak: numTensors after 30 more updates + acts equals the count after the first few', BOTH, () => {
  const terminal = makeBuffer(3, 'all');
  const boot = makeBuffer(4, 'mixed');
  const ag = agent(31);
  const obs = [0.3, -0.2, 0.1];
  const round = (i: number) => {
    ag.update(i % 2 ? terminal : boot, 10_000 + i, i % 3 === 0);
    ag.act(obs, 'behaviour');
    if (i % 5 === 0) ag.act(obs, 'eval');
    ag.actBatch([...obs, ...obs], 2, 'behaviour');
  };
  for (let i = 0; i < 3; i++) round(i);
  const settled = tf.memory().numTensors;
  for (let i = 3; i < 33; i++) round(i);
  assert.equal(tf.memory().numTensors, settled, `tensors: ${settled} after 3 rounds, ${tf.memory().numTensors} after 33`);
  ag.getState();
  assert.equal(tf.memory().numTensors, settled, 'getState leaks nothing');
  ag.dispose();
});

/** The agent's Rng as it is now, without disturbing it. */
function rngNow(ag: QvpoAgent): Rng {
  return Rng.fromState(ag.getState().rng);
}

testOnBackends('critic step, all-terminal batch: loss = MSE(Q1, r) + MSE(Q2, r) with the pre-update critic', BOTH, () => {
  const buf = makeBuffer(5, 'all');
  const ag = agent(41);
  ag.update(buf, 10_000);
  const rng = rngNow(ag);
  const batch = buf.sample(SMALL.batchSize!, rng);
  const [q1, q2] = tf.tidy(() => {
    const [h1, h2] = ag.critic.both(tf.tensor2d(batch.obs, [8, 3]), tf.tensor2d(batch.act, [8, 2]));
    return [values(h1), values(h2)];
  });
  const r = Array.from(batch.reward);
  const mse = (q: number[]) => q.reduce((s, v, i) => s + (v - r[i]) ** 2, 0) / q.length;
  const st = ag.update(buf, 10_001, true)!;
  assertClose(st.criticLoss, mse(q1) + mse(q2), 'critic loss', 1e-5, 1e-6);
  ag.dispose();
});

testOnBackends('critic step, bootstrapping: y = r + γ(1 − done)·max_k min(Q1\', Q2\')(s\', a\'_k) from the target nets', BOTH, () => {
  const buf = makeBuffer(6, 'mixed');
  const ag = agent(51, { gamma: 0.9, tau: 0.3 });
  for (let i = 0; i < 3; i++) ag.update(buf, 10_000 + i); // targets now differ from the current nets
  const rng = rngNow(ag);
  const B = SMALL.batchSize!;
  const Kt = SMALL.targetSamples!;
  const batch = buf.sample(B, rng);
  assert.ok(batch.done.some((d) => d === 1) && batch.done.some((d) => d === 0), 'the batch mixes both kinds');
  const { q1, q2, best, bestCurrent } = tf.tidy(() => {
    const s2 = tf.tensor2d(batch.nextObs, [B, 3]);
    // Kt candidates per s' from the target actor, scored by the target critic (same draws as the agent)
    const cand = ag.policy.sample(s2, Kt, rng, 'target');
    const qT = values(ag.criticTarget.min(tf.reshape(tf.tile(tf.expandDims(s2, 1), [1, Kt, 1]), [B * Kt, 3]) as tf.Tensor2D, cand));
    const qC = values(ag.critic.min(tf.reshape(tf.tile(tf.expandDims(s2, 1), [1, Kt, 1]), [B * Kt, 3]) as tf.Tensor2D, cand));
    const maxPer = (q: number[]) => Array.from({ length: B }, (_, b) => Math.max(...q.slice(b * Kt, (b + 1) * Kt)));
    const [h1, h2] = ag.critic.both(tf.tensor2d(batch.obs, [B, 3]), tf.tensor2d(batch.act, [B, 2]));
    return { q1: values(h1), q2: values(h2), best: maxPer(qT), bestCurrent: maxPer(qC) };
  });
  const target = (bestQ: number[]) => Array.from(batch.reward, (r, i) => r + 0.9 * (1 - batch.done[i]) * bestQ[i]);
  const lossFor = (y: number[]) => [q1, q2].reduce((acc, q) => acc + q.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / B, 0);
  const st = ag.update(buf, 10_003, true)!;
  assertClose(st.criticLoss, lossFor(target(best)), 'critic loss with the TD target', 1e-5, 1e-6);
  // the test discriminates: the current critic, or ignoring done, gives another loss
  assert.ok(Math.abs(lossFor(target(bestCurrent)) - st.criticLoss) > 1e-4, 'target critic, not the current one');
  const noMask = Array.from(batch.reward, (r, i) => r + 0.9 * best[i]);
  assert.ok(Math.abs(lossFor(noMask) - st.criticLoss) > 1e-3, 'done cuts the bootstrap');
  ag.dispose();
});

testOnBackends('actor step: best-of-Nd with qadv weights, Ne uniform rows with ω·w, loss over all B + Ne·B rows', BOTH, () => {
  const buf = makeBuffer(7, 'all'); // all-terminal: the critic step draws only its batch
  const omega = 0.3; // large, so the entropy rows matter in the loss
  const ag = agent(61, { entropyAlpha: omega, entropyAlphaFloor: 0.002 });
  ag.update(buf, 0);
  ag.update(buf, 0); // ω_ent after an update at env step 0 is still ω0
  // twin with the pre-update actor
  const twin = agent(1, { entropyAlpha: omega });
  twin.setState(ag.getState());
  const rng = rngNow(ag);
  const st = ag.update(buf, 0, true)!;
  // the actor step scores with the critic after the critic step; the critic is not touched afterwards
  copyVariables(twin.critic.variables, ag.critic.variables);

  const B = SMALL.batchSize!;
  const Nd = SMALL.trainSamples!;
  const Ne = SMALL.entropySamples!;
  const d = 2;
  buf.sample(B, rng); // critic batch
  const batch = buf.sample(B, rng); // the actor's own batch
  const samples = tf.tidy(() => values(twin.policy.sample(tf.tensor2d(batch.obs, [B, 3]), Nd, rng, 'current')));
  const q = tf.tidy(() =>
    values(twin.critic.min(tf.tensor2d(Array.from({ length: B * Nd }, (_, r) => Array.from(batch.obs.slice(Math.floor(r / Nd) * 3, Math.floor(r / Nd) * 3 + 3)))), tf.tensor2d(samples, [B * Nd, d]))),
  );
  const idx: number[] = [];
  const qBest: number[] = [];
  const V: number[] = [];
  for (let b = 0; b < B; b++) {
    const qs = q.slice(b * Nd, (b + 1) * Nd);
    let k = 0;
    for (let j = 1; j < Nd; j++) if (qs[j] > qs[k]) k = j;
    idx.push(k);
    qBest.push(qs[k]);
    V.push(qs.reduce((s, v) => s + v, 0) / Nd);
  }
  const w = qBest.map((qb, b) => Math.max(qb - V[b], 0));
  assert.ok(w.some((x) => x > 0), 'some states have positive weight');
  assertClose(st.qBest, qBest.reduce((s, v) => s + v, 0) / B, 'qBest stat', 1e-5, 1e-6);
  assertClose(st.qMean, V.reduce((s, v) => s + v, 0) / B, 'qMean stat', 1e-5, 1e-6);
  assertClose(st.weightMean, w.reduce((s, v) => s + v, 0) / B, 'weightMean stat', 1e-4, 1e-6);
  assertClose(st.weightPositive, w.filter((x) => x > 0).length / B, 'weightPositive stat', 0, 1e-7);
  assert.equal(st.entropyAlpha, omega);

  // rows: B best actions with w(s), then Ne uniform actions per state with ω·w(s)
  const states: number[][] = [];
  const actions: number[][] = [];
  const weights: number[] = [];
  for (let b = 0; b < B; b++) {
    states.push(Array.from(batch.obs.slice(b * 3, b * 3 + 3)));
    actions.push(samples.slice((b * Nd + idx[b]) * d, (b * Nd + idx[b] + 1) * d));
    weights.push(w[b]);
  }
  const u = rng.uniforms(B * Ne * d, -1, 1);
  for (let r = 0; r < B * Ne; r++) {
    const b = Math.floor(r / Ne);
    states.push(Array.from(batch.obs.slice(b * 3, b * 3 + 3)));
    actions.push(Array.from(u.slice(r * d, (r + 1) * d)));
    weights.push(omega * w[b]);
  }
  const noise = drawLossNoise(B + B * Ne, d, SMALL.diffusionSteps!, rng);
  const [expected, policyOnly] = tf.tidy(() => {
    const S = tf.tensor2d(states);
    const A = tf.tensor2d(actions);
    const full = twin.policy.loss(A, S, tf.tensor1d(weights), noise).dataSync()[0];
    // the same rows with the entropy weights zeroed: the entropy rows are part of the sum
    const zeroed = twin.policy.loss(A, S, tf.tensor1d(weights.map((x, i) => (i < B ? x : 0))), noise).dataSync()[0];
    return [full, zeroed];
  });
  assertClose(st.actorLoss, expected, 'actor loss', 1e-4, 1e-7);
  assert.ok(Math.abs(expected - policyOnly) > 1e-3 * Math.abs(expected), 'entropy rows change the loss (test is informative)');
  [ag, twin].forEach((x) => x.dispose());
});

testOnBackends('ω_ent: the first update uses ω0, then it decays linearly with env steps to the floor; 0 stays off', ['cpu'], () => {
  const buf = makeBuffer(8, 'all');
  const ag = agent(71, { entropyAlpha: 0.02, entropyAlphaFloor: 0.002, entropyDecaySteps: 100 });
  const s1 = ag.update(buf, 50, true)!;
  assert.equal(s1.entropyAlpha, 0.02, 'first update uses ω0');
  assertClose(ag.entropyAlpha, 0.01, 'after the update at n = 50 of 100', 1e-12, 1e-15);
  const s2 = ag.update(buf, 80, true)!;
  assertClose(s2.entropyAlpha, 0.01, 'second update uses the decayed value', 1e-12, 1e-15);
  assertClose(ag.entropyAlpha, 0.004, 'n = 80', 1e-12, 1e-15);
  ag.update(buf, 500);
  assert.equal(ag.entropyAlpha, 0.002, 'floor');
  assert.equal(ag.getState().entropyAlpha, 0.002, 'ω_ent is checkpointed');
  const off = agent(72, { entropyAlpha: 0 });
  off.update(buf, 10);
  assert.equal(off.entropyAlpha, 0);
  const low = agent(73, { entropyAlpha: 0.001 });
  low.update(buf, 999_999);
  assert.equal(low.entropyAlpha, 0.001, 'ω0 below the floor is kept');
  [ag, off, low].forEach((x) => x.dispose());
});

testOnBackends('act(): best of Kb (behaviour) or evalSamples (eval) candidates under min(Q1, Q2) of the current nets', BOTH, () => {
  const buf = makeBuffer(9, 'mixed');
  const ag = agent(81, { tau: 0.5 });
  for (let i = 0; i < 2; i++) ag.update(buf, 10_000 + i); // current and target nets differ
  const obs = [0.4, -0.3, 0.8];
  for (const [mode, k] of [['behaviour', SMALL.behaviourSamples!], ['eval', SMALL.evalSamples!]] as const) {
    const rng = rngNow(ag);
    const { cand, q } = tf.tidy(() => {
      const s = tf.tensor2d([obs]);
      const c = ag.policy.sample(s, k, rng, 'current');
      return { cand: values(c), q: values(ag.critic.min(tf.tensor2d(Array.from({ length: k }, () => obs)), c)) };
    });
    let best = 0;
    for (let j = 1; j < k; j++) if (q[j] > q[best]) best = j;
    const expected = ag.toEnvUnits(Float32Array.from(cand.slice(best * 2, best * 2 + 2)));
    const got = ag.act(obs, mode);
    assertAllClose(got, expected, `${mode} action`, 1e-6, 1e-6);
    assert.ok(new Set(q).size > 1, 'candidates differ in value (test is informative)');
  }
  ag.dispose();
});

testOnBackends('targets: after each update θ\' ← τθ + (1 − τ)θ\' for the critic and the actor', ['cpu'], () => {
  const buf = makeBuffer(10, 'mixed');
  const tau = 0.2;
  const ag = agent(91, { tau });
  ag.update(buf, 10_000);
  const oldCriticTarget = ag.criticTarget.variables.map(values);
  const oldActorTarget = ag.policy.target.variables.map(values);
  ag.update(buf, 10_001);
  const critic = ag.critic.variables.map(values);
  const actor = ag.policy.net.variables.map(values);
  ag.criticTarget.variables.forEach((v, i) =>
    assertAllClose(values(v), critic[i].map((x, j) => tau * x + (1 - tau) * oldCriticTarget[i][j]), `critic target ${i}`, 1e-5, 1e-6),
  );
  ag.policy.target.variables.forEach((v, i) =>
    assertAllClose(values(v), actor[i].map((x, j) => tau * x + (1 - tau) * oldActorTarget[i][j]), `actor target ${i}`, 1e-5, 1e-6),
  );
  assert.ok(critic[0].some((x, j) => Math.abs(x - oldCriticTarget[0][j]) > 1e-6), 'the critic moved away from its target');
  ag.dispose();
});
