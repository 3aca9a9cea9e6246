/**
 * Diffusion-QL (lib/agents/diffusion-ql) at toy sizes: its settings and registry entry, the
 * reverse chain with gradients against finite differences and against the sampler, the Q-loss
 * normalisation and its constant denominator, the evaluation sampler's softmax selection, the
 * TD target (one EMA-actor action, and the max-Q backup) recomputed by hand, the EMA schedule,
 * checkpoint/resume equality, the kept policy and tensor hygiene. Learning on the 2-D bandit is
 * tests/bandit/diffusion-ql-learning.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { DiffusionQlAgent, normalisedQLoss, selectCandidate } from '../../lib/agents/diffusion-ql/agent';
import { DiffusionQlConfig, diffusionQlSchema } from '../../lib/agents/diffusion-ql/config';
import { d4rlSettings } from '../../lib/agents/diffusion-ql/tasks';
import { OffPolicyAgent, OffPolicyLearner } from '../../lib/agents/off-policy';
import { algorithm, settingsMarkdown } from '../../lib/agents/registry';
import { sampleActionsWithNoise, sampleWithGradient } from '../../lib/diffusion/ddpm';
import { NoiseNet } from '../../lib/diffusion/noise-net';
import { repeatRows } from '../../lib/diffusion/select';
import { betaSchedule, diffusionCoefficients } from '../../lib/diffusion/schedule';
import { gradientsOf } from '../../lib/nets/adam';
import { buildTable1 } from '../../lib/results/table1';
import { planRun } from '../../lib/runner/plan';
import { Rng } from '../../lib/util/rng';
import { assertAllClose, assertClose, values } from '../helpers/numeric';
import { checkRoundTripAndLeaks } from '../helpers/off-policy';
import { randomBuffer } from '../helpers/replay';

const SPEC = { obsDim: 3, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };
const SMALL: Partial<DiffusionQlConfig> = { hiddenWidth: 16, hiddenLayers: 2, batchSize: 8, timeHidden: 8 };

function agent(seed: number, extra: Partial<DiffusionQlConfig> = {}): DiffusionQlAgent {
  return new DiffusionQlAgent(SPEC, { ...SMALL, ...extra }, seed);
}

function twinOf(ag: DiffusionQlAgent): DiffusionQlAgent {
  const twin = new DiffusionQlAgent(SPEC, ag.config, 999);
  twin.setState(ag.getState());
  return twin;
}

test("defaults are the official code's (diffusion-ql-spec §2–6), per-task rows from main.py, a Table 1 column beyond the paper", () => {
  const d = diffusionQlSchema.defaults;
  assert.deepEqual(
    [d.diffusionSteps, d.betaSchedule, d.timeEmbedDim, d.timeHidden, d.eta, d.emaDecay, d.emaEvery, d.emaStart, d.evalSamples, d.evalSelection, d.criticLr, d.chainGradient],
    [5, 'vp', 16, 32, 1, 0.995, 5, 1000, 50, 'softmax', 3e-4, 'all'],
  );
  // the VP schedule at T = 5 (spec §3's worked numbers)
  assertAllClose(betaSchedule('vp', 5), [0.1959, 0.4588, 0.6358, 0.7549, 0.835], 'vp T=5', 0, 6e-5);
  const entry = algorithm('diffusion-ql');
  assert.equal(entry.taskOverrides['Walker2d-v3'].gradClipNorm, 1);
  assert.equal(entry.taskOverrides['Hopper-v3'].gradClipNorm, 9);
  assert.deepEqual(d4rlSettings('Hopper-v3', 'medium-replay'), { actorLr: 3e-4, eta: 1, gradClipNorm: 4 });
  assert.deepEqual(d4rlSettings('Hopper-v3', 'random'), { actorLr: 3e-4, eta: 1, gradClipNorm: 9 }, 'no D4RL row: the medium row');
  assert.deepEqual(d4rlSettings('Ant-v3', 'medium'), {});
  const plan = planRun({ algo: 'diffusion-ql', env: 'Hopper-v3', seed: 0, profile: 'quick' });
  assert.equal((plan.config as DiffusionQlConfig).hiddenWidth, 64);
  assert.ok(plan.paperDiff.some((x) => x.key === 'hiddenWidth'));
  assert.match(settingsMarkdown('diffusion-ql'), /main\.py hyperparameters table, walker2d-medium-v2/);
  const table = buildTable1([], { profile: 'quick', algorithms: ['qvpo', 'diffusion-ql'], envs: ['Hopper-v3'], date: '2026-01-01' });
  assert.equal(table.rows[1].paperMean, null);
  assert.match(table.rows[1].note, /^beyond the paper: Wang, Hunt, Zhou, ICLR 2023/);
  assert.throws(() => diffusionQlSchema.make({ chainGradient: 'first' }), /invalid value "first" for "chainGradient": expected one of all, last/);
});

test('the evaluation sampler draws a candidate with probability softmax(Q), or takes the first best', () => {
  // q = [0, ln 3]: probabilities ¼ and ¾
  assert.equal(selectCandidate([0, Math.log(3)], 'softmax', 0.2), 0);
  assert.equal(selectCandidate([0, Math.log(3)], 'softmax', 0.26), 1);
  assert.equal(selectCandidate([0, Math.log(3)], 'softmax', 0.999), 1);
  assert.equal(selectCandidate([5, 7, 7], 'argmax', 0.5), 1);
  // large Q: the max is subtracted, no overflow, practically argmax
  assert.equal(selectCandidate([1000, 1010, 990], 'softmax', 0.99), 1);
  // frequencies over many draws match softmax([1, 2, 3])
  const q = [1, 2, 3];
  const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
  const rng = new Rng(1);
  const counts = [0, 0, 0];
  const n = 20_000;
  for (let i = 0; i < n; i++) counts[selectCandidate(q, 'softmax', rng.uniform())]++;
  q.forEach((v, j) => assertClose(counts[j] / n, Math.exp(v) / z, `P(${j})`, 0, 0.01));
});

test('L_q = −mean Q_i / mean |Q_j| with the denominator held constant (a random head picks i)', async () => {
  await initBackend('cpu');
  const q1 = tf.tensor2d([[1], [3]]);
  const q2 = tf.tensor2d([[-2], [4]]);
  assertClose(values(normalisedQLoss(q1, q2, true))[0], -2 / 3, 'head 1', 1e-7, 0);
  assertClose(values(normalisedQLoss(q1, q2, false))[0], -1 / 2, 'head 2', 1e-7, 0);
  // d/dq1 = −1/(n·mean|q2|) = −1/6 each; no gradient reaches the other head
  const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => normalisedQLoss(a, b, true))([q1, q2]);
  assertAllClose(values(g1), [-1 / 6, -1 / 6], 'dL/dQ1', 1e-7, 0);
  assertAllClose(values(g2), [0, 0], 'dL/dQ2 is zero (detached)', 0, 0);
  tf.dispose([q1, q2, g1, g2]);
});

/** A tiny noise net, fixed states and draws, and a loss Σ c ⊙ chain(states) to differentiate. */
function chainProblem(T: number) {
  const net = new NoiseNet(2, 2, T, new Rng(3), { hidden: [8], timeHidden: 8, timeEmbedDim: 4 });
  // the linear schedule keeps x̂0 of an untrained net near x (VP's 1/√ᾱ reaches 12 at T = 3),
  // so the chain stays inside the clips, where both sides of a finite difference are smooth
  const coef = diffusionCoefficients('linear', T);
  const rng = new Rng(4);
  const n = 3;
  const states = tf.tensor2d(rng.uniforms(n * 2, -1, 1), [n, 2]);
  // small draws keep the chain inside [−1, 1], away from the final clip's kinks
  const noise = Array.from({ length: T }, () => rng.normals(n * 2).map((z) => 0.3 * z));
  const weights = tf.tensor2d(rng.uniforms(n * 2, -1, 1), [n, 2]);
  const options = { noiseRatio: 1, clipDenoised: false };
  const loss = (through: 'all' | 'last') => () => tf.sum(tf.mul(sampleWithGradient(net, coef, states, noise, options, through), weights)) as tf.Scalar;
  return { net, coef, states, noise, weights, options, loss, dispose: () => (net.dispose(), tf.dispose([states, weights])) };
}

test('the reverse chain with gradients: the sampler\'s numbers, and gradients through all T steps equal finite differences', async () => {
  await initBackend('cpu');
  const p = chainProblem(3);
  const withGrad = tf.tidy(() => values(sampleWithGradient(p.net, p.coef, p.states, p.noise, p.options, 'all')));
  const plain = tf.tidy(() => values(sampleActionsWithNoise(p.net, p.coef, p.states, 1, p.noise, p.options)));
  assertAllClose(withGrad, plain, 'same chain as the sampler', 1e-5, 1e-6);
  assert.ok(withGrad.every((a) => Math.abs(a) < 0.98), `inside the clips: ${withGrad}`);

  const vars = p.net.variables;
  const grads = tf.tidy(() => gradientsOf(p.loss('all'), vars).grads.map((g) => values(g)));
  assert.ok(grads.every((g) => g.some((x) => Math.abs(x) > 1e-4)), 'every parameter tensor gets a gradient');
  const lossAt = () => tf.tidy(() => values(p.loss('all')())[0]);
  const h = 1e-2;
  let checked = 0;
  // a few entries of every parameter tensor (time MLP and main MLP alike)
  vars.forEach((v, vi) => {
    const data = values(v);
    for (const index of [0, Math.floor(data.length / 2), data.length - 1]) {
      const shifted = (delta: number) => {
        const copy = Float32Array.from(data);
        copy[index] += delta;
        v.assign(tf.tensor(copy, v.shape));
        return lossAt();
      };
      const fd = (shifted(h) - shifted(-h)) / (2 * h);
      v.assign(tf.tensor(data, v.shape));
      assertClose(grads[vi][index], fd, `∂L/∂${v.name}[${index}]`, 2e-3, 3e-2);
      checked++;
    }
  });
  assert.ok(checked >= 12);
  p.dispose();
});

test("the 'last' chain gradient stops before the last step: equal to 'all' at T = 1, different at T = 3", async () => {
  await initBackend('cpu');
  const gradsOf = (T: number, through: 'all' | 'last') => {
    const p = chainProblem(T);
    const g = tf.tidy(() => gradientsOf(p.loss(through), p.net.variables).grads.flatMap((t) => Array.from(values(t))));
    p.dispose();
    return g;
  };
  assertAllClose(gradsOf(1, 'last'), gradsOf(1, 'all'), 'T = 1', 1e-6, 1e-6);
  const all = gradsOf(3, 'all');
  const last = gradsOf(3, 'last');
  assert.ok(last.every(Number.isFinite));
  assert.ok(all.some((g, i) => Math.abs(g - last[i]) > 1e-4), 'earlier steps contribute under all');
});

test('TD target: one EMA-actor action and the target critic; the max-Q backup takes each head\'s max over its samples, then the min', async () => {
  await initBackend('cpu');
  for (const maxQBackup of [false, true]) {
    const ag = agent(1, { maxQBackup, maxQBackupSamples: 4, gamma: 0.9 });
    const buffer = randomBuffer(40, 2, (i) => i % 5 === 4);
    const twin = twinOf(ag);
    const rng = Rng.fromState(ag.getState().rng);
    const stats = ag.update(buffer, 0, true)!;
    const expected = tf.tidy(() => {
      const batch = buffer.sample(8, rng);
      const s2 = tf.tensor2d(batch.nextObs, [8, 3]);
      let v: tf.Tensor;
      if (maxQBackup) {
        const a2 = twin.policy.sample(s2, 4, rng, 'target');
        const [q1, q2] = twin.criticTarget.both(repeatRows(s2, 4), a2);
        v = tf.minimum(tf.max(tf.reshape(q1, [8, 4]), 1), tf.max(tf.reshape(q2, [8, 4]), 1));
      } else {
        v = twin.criticTarget.min(s2, twin.policy.sample(s2, 1, rng, 'target'));
      }
      const y = tf.reshape(tf.add(tf.tensor1d(batch.reward), tf.mul(tf.mul(tf.sub(1, tf.tensor1d(batch.done)), 0.9), v)), [8, 1]);
      const [q1, q2] = twin.critic.both(tf.tensor2d(batch.obs, [8, 3]), tf.tensor2d(batch.act, [8, 2]));
      return values(tf.add(tf.losses.meanSquaredError(y, q1), tf.losses.meanSquaredError(y, q2)))[0];
    });
    assertClose(stats.criticLoss, expected, `critic loss (maxQBackup ${maxQBackup})`, 1e-5, 1e-5);
    assertClose(stats.actorLoss, stats.bcLoss + ag.config.eta * stats.qLoss, 'L = L_bc + η·L_q', 1e-5, 1e-5);
    ag.dispose();
    twin.dispose();
  }
});

test('the EMA actor keeps its initial weights until emaStart, then steps every emaEvery updates by 1 − decay; the target critic moves every update', async () => {
  await initBackend('cpu');
  const ag = agent(3, { emaStart: 4, emaEvery: 2, emaDecay: 0.5, tau: 0.1 });
  const buffer = randomBuffer(40, 4, () => false);
  const emaValues = () => values(ag.policy.target.variables[0]);
  const initial = emaValues();
  const criticTarget0 = values(ag.criticTarget.variables[0]);
  const changedAt: number[] = [];
  let before = initial;
  for (let u = 0; u < 9; u++) {
    const online = values(ag.policy.net.variables[0]);
    ag.update(buffer, u, false);
    const after = emaValues();
    if (after.some((x, i) => x !== before[i])) {
      changedAt.push(u);
      // w_ema ← 0.5·w_ema + 0.5·w, w the actor after this update's step
      const w = values(ag.policy.net.variables[0]);
      assertAllClose(after, before.map((x, i) => 0.5 * x + 0.5 * w[i]), `EMA step at update ${u}`, 1e-6, 1e-6);
      assert.ok(online.some((x, i) => x !== w[i]));
    }
    before = after;
  }
  assert.deepEqual(changedAt, [4, 6, 8]);
  assert.ok(values(ag.criticTarget.variables[0]).some((x, i) => x !== criticTarget0[i]));
  ag.dispose();
});

test('the actor step lowers L_bc + η·L_q on its batch, and η = 0 is plain behaviour cloning', async () => {
  await initBackend('cpu');
  const buffer = randomBuffer(64, 5, () => true);
  for (const eta of [0, 1]) {
    const ag = agent(6, { eta, batchSize: 64, actorLr: 3e-3, criticLr: 1e-3 });
    const first = ag.update(buffer, 0, true)!;
    let last = first;
    for (let u = 1; u < 60; u++) last = ag.update(buffer, u, true)!;
    if (eta === 0) assertClose(first.actorLoss, first.bcLoss, 'η = 0: the loss is L_bc', 1e-6, 1e-6);
    assert.ok(last.bcLoss < first.bcLoss, `η ${eta}: L_bc falls (${first.bcLoss} → ${last.bcLoss})`);
    ag.dispose();
  }
});

test('checkpoint round trip, kept policy and no tensor leak (online learner)', async () => {
  await initBackend('cpu');
  const make = (seed: number) => {
    const c = diffusionQlSchema.make({ ...SMALL, warmupSteps: 10, emaStart: 0, evalSamples: 4 });
    return new OffPolicyLearner(new DiffusionQlAgent(SPEC, c, seed) as OffPolicyAgent, c);
  };
  const stats = checkRoundTripAndLeaks(make);
  assert.ok(Number.isFinite(stats.qLoss) && Number.isFinite(stats.actorGradNorm));

  const a = agent(7, { evalSamples: 5 });
  a.update(randomBuffer(40, 8, () => false), 0, false);
  const b = agent(8, { evalSamples: 5 });
  b.setPolicyState(structuredClone(a.getPolicyState()));
  const obs = [0.1, -0.2, 0.3];
  assert.deepEqual(b.act(obs, 'eval'), a.act(obs, 'eval'), 'the kept policy acts as the agent did');
  assert.throws(() => b.setPolicyState({ kind: 'diffusion-policy', rng: a.getState().rng }), /expected a policy state of kind "diffusion-ql-policy", got "diffusion-policy"/);
  assert.throws(() => b.setState({ kind: 'qvpo' } as never), /Diffusion-QL\.setState: not a Diffusion-QL checkpoint \(kind qvpo\)/);
  a.dispose();
  b.dispose();
});

test("an offline run takes its dataset kind's D4RL row (main.py's per-dataset settings) as the paper's values", () => {
  const { planOfflineRun } = require('../../lib/runner/plan') as typeof import('../../lib/runner/plan');
  const replay = planOfflineRun({ algo: 'diffusion-ql', env: 'Hopper-v3', seed: 0, profile: 'quick', dataset: 'datasets/Hopper-v3/medium-replay' });
  assert.equal((replay.config as DiffusionQlConfig).gradClipNorm, 4, 'hopper-medium-replay-v2: gn 4');
  assert.ok(!replay.paperDiff.some((d) => d.key === 'gradClipNorm'), 'the row is the paper value, not a difference');
  const medium = planOfflineRun({ algo: 'diffusion-ql', env: 'Hopper-v3', seed: 0, profile: 'quick', dataset: 'datasets/Hopper-v3/medium' });
  assert.equal((medium.config as DiffusionQlConfig).gradClipNorm, 9, 'hopper-medium-v2: gn 9');
  assert.equal(replay.dataset?.kind, 'medium-replay');
  assert.match(replay.dir, /quick\/diffusion-ql\/Hopper-v3\/offline-medium-replay\/seed-0$/);
});
