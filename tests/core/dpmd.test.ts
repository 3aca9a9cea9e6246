/**
 * DPMD and SDAC (lib/agents/dpmd) at toy sizes: their settings and registry entries, the
 * chains' 0.5·N(0, I) start on both engines, the weights and SDAC's reverse samples against
 * hand-computed cases, the temperature and learning-rate schedules, the acting noise, one
 * update of each recomputed step by step (TD target, critic loss, both policy losses, the
 * critic's double step of the official DPMD code), the update cadence, sparse updates in the
 * off-policy learner, checkpoint/resume equality and tensor hygiene. Learning on the bandit is
 * tests/bandit/dpmd-learning.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { RsmAgent } from '../../lib/agents/dpmd/agent';
import { RsmConfig, dpmdSchema, sdacSchema } from '../../lib/agents/dpmd/config';
import { mirrorDescentWeights, noiseEntropy, policyLrAt, reverseSamples, softmaxWeights, temperatureGradient, updateQStats } from '../../lib/agents/dpmd/weights';
import { OffPolicyAgent, OffPolicyLearner } from '../../lib/agents/off-policy';
import { settingsMarkdown, variantOverrides } from '../../lib/agents/registry';
import { drawChainNoise, drawLossNoise, noisyActions } from '../../lib/diffusion/ddpm';
import { DiffusionPolicy } from '../../lib/diffusion/policy';
import { OrtEngine } from '../../lib/engine/ort';
import { TfjsEngine } from '../../lib/engine/tfjs';
import { Adam, gradientsOf } from '../../lib/nets/adam';
import { buildTable1, table1Markdown } from '../../lib/results/table1';
import { planRun } from '../../lib/runner/plan';
import { Rng } from '../../lib/util/rng';
import { assertAllClose, assertClose, values } from '../helpers/numeric';
import { checkRoundTripAndLeaks } from '../helpers/off-policy';
import { randomBuffer } from '../helpers/replay';

const SPEC = { obsDim: 3, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };
const SMALL: Partial<RsmConfig> = { hiddenWidth: 16, hiddenLayers: 2, batchSize: 8, diffusionSteps: 5, particles: 3, reverseSamples: 4 };
const B = 8;
const N = 3;
const M = 4;
const T = 5;
const D = 2;

function agent(objective: 'dpmd' | 'sdac', seed: number, extra: Partial<RsmConfig> = {}): RsmAgent {
  return new RsmAgent(SPEC, { ...SMALL, objective, ...extra }, seed);
}

/** The agent's Rng as it is now, without disturbing it. */
function rngNow(ag: RsmAgent): Rng {
  return Rng.fromState(ag.getState().rng);
}

/** A copy of `ag` as it is now (networks, optimisers, α, statistics, Rng). */
function twinOf(ag: RsmAgent): RsmAgent {
  const twin = new RsmAgent(SPEC, ag.config, 999);
  twin.setState(ag.getState());
  return twin;
}

/** Rows of `x` [n·w] repeated k times each: the layout of k candidates per state. */
function repeatEach(x: ArrayLike<number>, width: number, k: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < x.length / width; r++) for (let j = 0; j < k; j++) rows.push(Array.from(x).slice(r * width, (r + 1) * width));
  return rows;
}

/**
 * The code's get_action, recomputed: k chains per state from `which` net (the same draws the
 * agent takes from `rng`), the best under the current min(Q1, Q2), plus noiseStd·z.
 */
function bestParticles(ag: RsmAgent, states: ArrayLike<number>, which: 'current' | 'target', noiseStd: number, rng: Rng): number[] {
  const n = states.length / SPEC.obsDim;
  const { cand, q } = tf.tidy(() => {
    const c = ag.policy.sample(tf.tensor2d(Float32Array.from(states), [n, SPEC.obsDim]), N, rng, which);
    return { cand: values(c), q: values(ag.critic.min(tf.tensor2d(repeatEach(states, SPEC.obsDim, N)), c)) };
  });
  const best: number[] = [];
  for (let s = 0; s < n; s++) {
    let k = 0;
    for (let j = 1; j < N; j++) if (q[s * N + j] > q[s * N + k]) k = j;
    best.push(...cand.slice((s * N + k) * D, (s * N + k + 1) * D));
  }
  if (noiseStd === 0) return best;
  const z = rng.normals(n * D);
  return best.map((a, i) => a + noiseStd * z[i]);
}

// ------------------------------------------------------------------ settings

test('defaults are the official code\'s (dpmd-spec §6.1); SDAC differs from DPMD only in its objective; the profiles and the variant reach the run plan', () => {
  const d = dpmdSchema.defaults;
  assert.deepEqual(
    [d.objective, d.diffusionSteps, d.betaSchedule, d.betaScale, d.initialNoiseStd, d.particles, d.noiseScale, d.initialAlpha, d.alphaLr, d.alphaUpdateEvery, d.targetEntropyPerDim],
    ['dpmd', 20, 'wide-linear', 0.8, 0.5, 32, 0.1, 5, 7e-3, 250, -0.9],
  );
  assert.deepEqual([d.policyDelay, d.rewardScale, d.updateEvery, d.batchSize, d.gamma, d.tau, d.criticLr, d.adamEps], [2, 0.2, 5, 256, 0.99, 0.005, 3e-4, 1e-8]);
  assert.deepEqual([d.actorLr, d.actorLrEnd, d.actorLrDecayStart, d.actorLrDecaySteps], [3e-4, 3e-5, 25_000, 50_000]);
  assert.deepEqual([d.qClip, d.qNormalisation, d.qStatsRate, d.criticDoubleStep, d.reverseSamples, d.weightScale], [3, 'intended', 0.001, false, 64, 5]);
  assert.deepEqual({ ...sdacSchema.defaults, objective: 'dpmd' }, { ...d });
  assert.equal(sdacSchema.defaults.objective, 'sdac');
  assert.throws(() => dpmdSchema.make({ qNormalisation: 'exact' }), /invalid value "exact" for "qNormalisation": expected one of intended, official/);

  for (const algo of ['dpmd', 'sdac']) {
    const paper = planRun({ algo, env: 'Humanoid-v3', seed: 0, profile: 'paper' });
    assert.equal(paper.config.objective, algo);
    assert.deepEqual(paper.paperDiff, [], `${algo}: the paper profile is the official settings`);
    const quick = planRun({ algo, env: 'Hopper-v3', seed: 0, profile: 'quick' }).config;
    // quick: (20k − 5k)/5 = 3000 updates, 1500 policy updates → α every 4, lr flat 375, decay 750
    assert.deepEqual([quick.hiddenWidth, quick.batchSize, quick.warmupSteps, quick.particles, quick.reverseSamples], [64, 64, 5_000, 32, 64]);
    assert.deepEqual([quick.alphaUpdateEvery, quick.actorLrDecayStart, quick.actorLrDecaySteps], [4, 375, 750]);
    const medium = planRun({ algo, env: 'Hopper-v3', seed: 0, profile: 'medium' }).config;
    // medium: (100k − 5k)/5 = 19,000 updates → α every 24 (23.75), lr flat 2375, decay 4750
    assert.deepEqual([medium.hiddenWidth, medium.alphaUpdateEvery, medium.actorLrDecayStart, medium.actorLrDecaySteps], [64, 24, 2_375, 4_750]);
  }
  assert.deepEqual(variantOverrides('dpmd', 'official-code'), { qNormalisation: 'official', criticDoubleStep: true });
  assert.equal(variantOverrides('sdac', 'official-code'), null);
  const table = settingsMarkdown('dpmd');
  assert.match(table, /\| betaSchedule \| wide-linear \| code \|/);
  assert.match(table, /\| qNormalisation \| intended \| kit \| \(q − μ\)\/σ/);
});

test('Table 1: DPMD and SDAC rows show "— (beyond the paper)" where the paper\'s value would be, and say where they come from', () => {
  const table = buildTable1([], { profile: 'quick', algorithms: ['qvpo', 'dpmd', 'sdac'], envs: ['Hopper-v3'], date: '2026-01-01' });
  assert.deepEqual(table.rows.map((r) => r.algorithm), ['QVPO', 'DPMD', 'SDAC']);
  const dpmd = table.rows[1];
  assert.equal(dpmd.paperMean, null);
  assert.match(dpmd.note, /^beyond the paper: Ma et al\., ICML 2025/);
  const md = table1Markdown(table);
  assert.match(md, /\| Hopper-v3 \| DPMD \| 0 \|[^\n]*— \(beyond the paper\)/);
  assert.match(md, /\| Hopper-v3 \| QVPO \| 0 \|[^\n]*3728\.5 \(13\.8\)/);
});

// ------------------------------------------------------------------ diffusion pieces

test('x_T = 0.5·N(0, I): drawChainNoise scales the first draw only; the policy\'s chains start there on both engines (ORT = tfjs ≤ 1e-5)', async () => {
  await initBackend('cpu');
  const unit = drawChainNoise(4, 3, 2, new Rng(5));
  const half = drawChainNoise(4, 3, 2, new Rng(5), 0.5);
  assertAllClose(half[0], Array.from(unit[0], (z) => 0.5 * z), 'x_T', 0, 1e-7);
  for (let i = 1; i < 4; i++) assert.deepEqual(Array.from(half[i]), Array.from(unit[i]), `posterior noise ${i} untouched`);
  assert.throws(() => drawChainNoise(4, 3, 2, new Rng(5), 0), /initial noise std must be a finite number > 0, got 0/);

  const make = (initialNoiseStd: number) =>
    new DiffusionPolicy(3, 2, new Rng(1), { diffusionSteps: 6, betaSchedule: 'wide-linear', betaScale: 0.8, initialNoiseStd, hidden: [16, 16], lr: 1e-3, adamEps: 1e-8, gradClipNorm: 0, noiseRatio: 1, clipDenoised: true });
  const policy = make(0.5);
  const unitStart = make(1);
  const states = tf.tensor2d(new Rng(2).normals(4 * 3), [4, 3]);
  const options = { noiseRatio: 1, clipDenoised: true };
  const ort = new OrtEngine({ provider: 'cpu', threads: 1 });
  try {
    const sampled = values(policy.sample(states, 5, new Rng(9)));
    const noise = drawChainNoise(6, 20, 2, new Rng(9));
    noise[0] = noise[0].map((z) => 0.5 * z);
    const byTfjs = values(new TfjsEngine().sample(policy.net, policy.coef, states, 5, noise, options));
    const byOrt = values(ort.sample(policy.net, policy.coef, states, 5, noise, options));
    assertAllClose(sampled, byTfjs, 'policy.sample = tfjs chain from 0.5·z', 0, 1e-5);
    assertAllClose(byOrt, byTfjs, 'ORT = tfjs on the wide-linear ×0.8 schedule', 0, 1e-5);
    const fromUnit = values(unitStart.sample(states, 5, new Rng(9)));
    assert.ok(fromUnit.some((v, i) => Math.abs(v - sampled[i]) > 1e-3), 'the start matters (test is informative)');
  } finally {
    ort.dispose();
    tf.dispose(states);
    policy.dispose();
    unitStart.dispose();
  }
});

// ------------------------------------------------------------------ weights

test('DPMD weights exp(clip(n(q), ±3)/α) by hand: n = (q − μ)/σ as intended, q − μ/σ as the official code computes it', async () => {
  await initBackend('cpu');
  const q = [1, 2, 10, -20];
  const stats = { mean: 1, std: 2 };
  tf.tidy(() => {
    // (q − 1)/2 = [0, 0.5, 4.5, −10.5] → clip [0, 0.5, 3, −3] → /0.5 → [0, 1, 6, −6]
    assertAllClose(values(mirrorDescentWeights(tf.tensor1d(q), stats, 0.5, 3, 'intended')), [1, Math.E, Math.exp(6), Math.exp(-6)], 'intended', 1e-6, 0);
    // q − 1/2 = [0.5, 1.5, 9.5, −20.5] → clip [0.5, 1.5, 3, −3] → /0.5 → [1, 3, 6, −6]
    assertAllClose(values(mirrorDescentWeights(tf.tensor1d(q), stats, 0.5, 3, 'official')), [Math.E, Math.exp(3), Math.exp(6), Math.exp(-6)], 'official', 1e-6, 0);
    // a σ of 0 does not divide by zero: q = μ gives weight 1
    assertAllClose(values(mirrorDescentWeights(tf.tensor1d([1]), { mean: 1, std: 0 }, 0.5, 3, 'intended')), [1], 'σ = 0', 0, 1e-7);
  });
  const next = updateQStats({ mean: 1, std: 2 }, 11, 0, 0.001);
  assertClose(next.mean, 1.01, 'μ + 0.001·(11 − 1)', 1e-12, 1e-12);
  assertClose(next.std, 1.998, 'σ + 0.001·(0 − 2)', 1e-12, 1e-12);
});

test('SDAC weights: a softmax over each state\'s copies of q·scale, stable when q is in the thousands', async () => {
  await initBackend('cpu');
  tf.tidy(() => {
    // state 0: q·2 = [0, 2, 4] → e^{0,2,4}/Σ; state 1: all equal → 1/3 each
    const z = 1 + Math.exp(2) + Math.exp(4);
    assertAllClose(values(softmaxWeights(tf.tensor1d([0, 1, 2, 5, 5, 5]), 3, 2)), [1 / z, Math.exp(2) / z, Math.exp(4) / z, 1 / 3, 1 / 3, 1 / 3], 'softmax', 1e-6, 1e-7);
    const big = values(softmaxWeights(tf.tensor1d([3000, 3001, 2999, 3000]), 2, 5));
    // each state's pair differs by 1, so by 5 after scaling: weights 1/(1 + e⁵) and e⁵/(1 + e⁵)
    const [lo, hi] = [1 / (1 + Math.exp(5)), Math.exp(5) / (1 + Math.exp(5))];
    assertAllClose(big, [lo, hi, lo, hi], 'no overflow', 1e-5, 1e-7);
  });
});

test('SDAC reverse samples: ã_t = √ᾱ·a₀ + √(1−ᾱ)·ε₁ per state, a₀′ = (ã_t − √(1−ᾱ)·ε₂)/√ᾱ per copy; the loss\'s noisy input rebuilt from a₀′ is ã_t', async () => {
  await initBackend('cpu');
  const policy = new DiffusionPolicy(3, 2, new Rng(1), { diffusionSteps: 5, betaSchedule: 'wide-linear', betaScale: 0.8, hidden: [8], lr: 1e-3, adamEps: 1e-8, gradClipNorm: 0, noiseRatio: 1, clipDenoised: true });
  const coef = policy.coef;
  const proposals = Float32Array.from([0.5, -0.2, 0.9, 0.1]);
  const rows = reverseSamples(coef, proposals, 2, 3, new Rng(4));
  // the same draws by hand: t per state, then ε₁, then ε₂
  const rng = new Rng(4);
  const t = [rng.int(5), rng.int(5)];
  const eps1 = rng.normals(4);
  const eps2 = rng.normals(12);
  assert.deepEqual(Array.from(rows.noise.t), [t[0], t[0], t[0], t[1], t[1], t[1]]);
  assert.deepEqual(Array.from(rows.noise.eps), Array.from(eps2));
  for (let s = 0; s < 2; s++) {
    const sa = coef.sqrtAlphasCumprod[t[s]];
    const sn = coef.sqrtOneMinusAlphasCumprod[t[s]];
    for (let j = 0; j < 2; j++) {
      const noisy = sa * proposals[s * 2 + j] + sn * eps1[s * 2 + j];
      assertClose(rows.noisy[s * 2 + j], noisy, `ã[${s},${j}]`, 1e-6, 1e-7);
      for (let c = 0; c < 3; c++) {
        const i = (s * 3 + c) * 2 + j;
        const a = (noisy - sn * eps2[i]) / sa;
        assertClose(rows.actions[i], a, `a₀′[${s},${c},${j}]`, 1e-6, 1e-6);
        assertClose(rows.clipped[i], Math.min(1, Math.max(-1, a)), `clipped a₀′[${s},${c},${j}]`, 1e-6, 1e-6);
      }
    }
  }
  assert.ok(rows.actions.some((a) => Math.abs(a) > 1), 'some reverse samples leave the box (clipping is exercised)');
  tf.tidy(() => {
    const x = noisyActions(coef, tf.tensor2d(rows.actions, [6, 2]), rows.noise).x;
    assertAllClose(values(x), repeatEach(rows.noisy, 2, 3).flat(), 'x_t = ã_t', 1e-5, 1e-5);
  });
  assert.throws(() => reverseSamples(coef, Float32Array.from([1, 2, 3]), 2, 3, new Rng(1)), /reverseSamples: 3 numbers are not rows of 2/);
  policy.dispose();
});

// ------------------------------------------------------------------ temperature and schedules

test('temperature: H(α) = ½·d·ln(2πe·(0.1α)²); gradient H − H_target vanishes at α* ≈ 0.9838 for any d; Adam drifts α from 5 to α* and holds it', async () => {
  await initBackend('cpu');
  // by hand: 2πe·0.04 = 0.6831787, ln = −0.3809988, × 1.5
  assertClose(noiseEntropy(2, 0.1, 3), -0.5714981, 'H(2), d = 3', 1e-6, 1e-7);
  for (const d of [3, 17]) {
    assertClose(temperatureGradient(0.98377955, 0.1, d, -0.9), 0, `fixed point, d = ${d}`, 0, 1e-6);
    assert.ok(temperatureGradient(5, 0.1, d, -0.9) > 0 && temperatureGradient(0.5, 0.1, d, -0.9) < 0, 'α falls above α*, rises below');
  }
  // The rule alone, as the agent applies it: Adam (lr 7e-3) on log α
  const logAlpha = tf.variable(tf.scalar(Math.log(5)));
  const adam = new Adam([logAlpha], { lr: 7e-3, eps: 1e-8 });
  const alphas: number[] = [];
  for (let i = 0; i < 800; i++) {
    const alpha = Math.exp(values(logAlpha)[0]);
    alphas.push(alpha);
    const g = tf.scalar(temperatureGradient(alpha, 0.1, 3, -0.9));
    adam.apply([g]);
    g.dispose();
  }
  // log α moves ≈ 0.007 per step: ln 5 − ln 0.984 = 1.625 takes ≈ 232 steps
  for (let i = 1; i < 200; i++) assert.ok(alphas[i] < alphas[i - 1], `α falls while above α* (step ${i}: ${alphas[i]})`);
  // Adam's steps are ≤ lr, and close to it while the gradient keeps its sign and size
  const moved = Math.log(5) - Math.log(alphas[100]);
  assert.ok(moved > 0.8 * 100 * 7e-3 && moved <= 100 * 7e-3 + 1e-9, `log α moved ${moved} in 100 steps of lr 7e-3`);
  for (let i = 600; i < 800; i++) assertClose(alphas[i], 0.9838, `α holds near α* (step ${i})`, 0.05, 0);
  logAlpha.dispose();
  adam.dispose();
});

test('the agent steps α at updates 0, k, 2k (k = alphaUpdateEvery): its first step lowers log α by lr', async () => {
  await initBackend('cpu');
  const buf = randomBuffer(64, 3, (i) => i % 3 === 0);
  const ag = agent('dpmd', 5, { alphaUpdateEvery: 3, policyDelay: 1 });
  const alphas = [ag.alpha];
  for (let i = 0; i < 7; i++) {
    ag.update(buf, 0);
    alphas.push(ag.alpha);
  }
  // Adam's first step is lr·g/(|g| + eps) = lr for a positive gradient
  assertClose(Math.log(alphas[1]), Math.log(5) - 7e-3, 'log α after update 0', 0, 1e-6);
  const moved = alphas.slice(1).map((a, i) => a !== alphas[i]);
  assert.deepEqual(moved, [true, false, false, true, false, false, true]);
  assert.equal(ag.getState().alphaOptimizer.step, 3);
  ag.dispose();
});

test('policy learning rate: flat for actorLrDecayStart policy updates, linear to actorLrEnd over actorLrDecaySteps, then flat', async () => {
  assertAllClose(
    [0, 25_000, 50_000, 75_000, 100_000].map((k) => policyLrAt(k, 3e-4, 3e-5, 25_000, 50_000)),
    [3e-4, 3e-4, 1.65e-4, 3e-5, 3e-5],
    'schedule',
    1e-12,
    0,
  );
  await initBackend('cpu');
  const buf = randomBuffer(64, 4, () => false);
  const ag = agent('dpmd', 6, { policyDelay: 1, actorLrDecayStart: 1, actorLrDecaySteps: 2 });
  const lrs = Array.from({ length: 5 }, () => ag.update(buf, 0, true)?.actorLr ?? NaN);
  assertAllClose(lrs, [3e-4, 3e-4, 1.65e-4, 3e-5, 3e-5], 'policy steps 0–4', 1e-12, 0);
  assertClose(ag.policy.optimizer.lr, 3e-5, 'the optimiser steps at that rate', 1e-12, 0);
  ag.dispose();
});

// ------------------------------------------------------------------ acting

test('acting: evaluation = best of N chains of the target policy under the current critic; behaviour adds N(0, (0.1·α)²), unclipped', async () => {
  await initBackend('cpu');
  const buf = randomBuffer(64, 5, (i) => i % 4 === 0);
  const ag = agent('dpmd', 7, { tau: 0.5, policyDelay: 1, initialAlpha: 30 });
  for (let i = 0; i < 3; i++) ag.update(buf, 0); // the target policy now differs from the current one
  const obs = [0.4, -0.3, 0.8];
  const evalExpected = bestParticles(ag, obs, 'target', 0, rngNow(ag));
  assertAllClose(ag.act(obs, 'eval'), evalExpected, 'eval action', 1e-6, 1e-6);
  assert.ok(bestParticles(ag, obs, 'current', 0, rngNow(ag)).some((v, i) => Math.abs(v - evalExpected[i]) > 1e-3), 'the target policy acts, not the current one');

  const noiseStd = 0.1 * ag.alpha;
  assert.ok(noiseStd > 2.5, `α ≈ 30: noise std ${noiseStd}`);
  const rng = rngNow(ag);
  const best = bestParticles(ag, obs, 'target', 0, rng);
  const z = rng.normals(2);
  const behaviour = ag.act(obs, 'behaviour');
  assertAllClose(behaviour, best.map((a, i) => a + noiseStd * z[i]), 'behaviour = best + 0.1·α·z', 1e-5, 1e-5);
  const many = Array.from({ length: 20 }, () => Array.from(ag.act(obs, 'behaviour'))).flat();
  assert.ok(many.some((a) => Math.abs(a) > 1), 'noisy actions are not clipped to the box');
  ag.dispose();
});

// ------------------------------------------------------------------ one update, step by step

test('TD target and critic loss: y = 0.2·r + γ(1 − done)·min(Q1\', Q2\')(s\', a\'), a\' = best of N current chains + 0.1·α noise', async () => {
  await initBackend('cpu');
  const buf = randomBuffer(64, 6, (i) => i % 3 === 0);
  const ag = agent('dpmd', 8, { gamma: 0.9, tau: 0.01, criticLr: 1e-2, policyDelay: 1 });
  for (let i = 0; i < 3; i++) ag.update(buf, 0); // the critic moves fast, its target slowly
  const rng = rngNow(ag);
  const alpha = ag.alpha;
  const batch = buf.sample(B, rng);
  assert.ok(batch.done.some((d) => d === 1) && batch.done.some((d) => d === 0), 'the batch mixes both kinds');
  const next = bestParticles(ag, batch.nextObs, 'current', 0.1 * alpha, rng);
  const { q1, q2, qT, qC } = tf.tidy(() => {
    const s2 = tf.tensor2d(batch.nextObs, [B, 3]);
    const a2 = tf.tensor2d(next, [B, 2]);
    const [h1, h2] = ag.critic.both(tf.tensor2d(batch.obs, [B, 3]), tf.tensor2d(batch.act, [B, 2]));
    return { q1: values(h1), q2: values(h2), qT: values(ag.criticTarget.min(s2, a2)), qC: values(ag.critic.min(s2, a2)) };
  });
  const target = (q: number[], rewardScale = 0.2) => Array.from(batch.reward, (r, i) => rewardScale * r + 0.9 * (1 - batch.done[i]) * q[i]);
  const lossFor = (y: number[]) => [q1, q2].reduce((acc, q) => acc + q.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / B, 0);
  const st = ag.update(buf, 0, true)!;
  assertClose(st.criticLoss, lossFor(target(qT)), 'critic loss', 1e-5, 1e-6);
  assert.ok(Math.abs(lossFor(target(qC)) - st.criticLoss) > 1e-4, 'the target critic scores a\', not the critic');
  assert.ok(Math.abs(lossFor(target(qT, 1)) - st.criticLoss) > 1e-3, 'rewards are scaled by 0.2');
  ag.dispose();
});

test('DPMD policy step: rows (s\', a\'), weights exp(clip((q − μ)/σ, ±3)/α) from the critic after its step, then μ, σ move by 0.001', async () => {
  await initBackend('cpu');
  const buf = randomBuffer(64, 7, (i) => i % 5 === 0);
  const ag = agent('dpmd', 9, { qStatsRate: 0.1 });
  ag.update(buf, 0);
  ag.update(buf, 0); // update 2 is a policy update; μ, σ have moved off 0 and 1
  const twin = twinOf(ag);
  const rng = rngNow(ag);
  const alpha = ag.alpha;
  const { mean: mu, std: sigma } = ag.qStats;
  const batch = buf.sample(B, rng);
  const next = bestParticles(twin, batch.nextObs, 'current', 0.1 * alpha, rng);
  const noise = drawLossNoise(B, D, T, rng);
  const st = ag.update(buf, 0, true)!;
  const q = tf.tidy(() => values(ag.critic.min(tf.tensor2d(batch.nextObs, [B, 3]), tf.tensor2d(next, [B, 2]))));
  const w = q.map((v) => Math.exp(Math.min(3, Math.max(-3, (v - mu) / sigma)) / alpha));
  const [expected, withOldCritic] = tf.tidy(() => {
    const S = tf.tensor2d(batch.nextObs, [B, 3]);
    const A = tf.tensor2d(next, [B, 2]);
    const qOld = values(twin.critic.min(S, A));
    const wOld = qOld.map((v) => Math.exp(Math.min(3, Math.max(-3, (v - mu) / sigma)) / alpha));
    return [values(twin.policy.loss(A, S, tf.tensor1d(w), noise))[0], values(twin.policy.loss(A, S, tf.tensor1d(wOld), noise))[0]];
  });
  assertClose(st.actorLoss, expected, 'actor loss', 1e-4, 1e-7);
  assert.ok(Math.abs(withOldCritic - expected) > 1e-5 * Math.abs(expected), 'the critic after its step weighs (test is informative)');
  const qMean = q.reduce((s, v) => s + v, 0) / B;
  const qStd = Math.sqrt(q.reduce((s, v) => s + (v - qMean) ** 2, 0) / B);
  assertClose(st.qMean, qMean, 'qMean', 1e-5, 1e-6);
  assertClose(st.weightMean, w.reduce((s, v) => s + v, 0) / B, 'weightMean', 1e-5, 1e-6);
  assertClose(ag.qStats.mean, mu + 0.1 * (qMean - mu), 'running μ', 1e-5, 1e-6);
  assertClose(ag.qStats.std, sigma + 0.1 * (qStd - sigma), 'running σ', 1e-5, 1e-6);
  [ag, twin].forEach((x) => x.dispose());
});

test('SDAC policy step: M reverse samples per noisy proposal, softmax(min Q·5/α) from the critic the update started with, ε_θ(ã_t, t, s) regressed onto ε₂', async () => {
  await initBackend('cpu');
  const buf = randomBuffer(64, 8, (i) => i % 5 === 0);
  const ag = agent('sdac', 10);
  ag.update(buf, 0);
  ag.update(buf, 0);
  const twin = twinOf(ag);
  const rng = rngNow(ag);
  const alpha = ag.alpha;
  const batch = buf.sample(B, rng);
  bestParticles(twin, batch.nextObs, 'current', 0.1 * alpha, rng); // the TD target's draws
  const a0 = bestParticles(twin, batch.obs, 'current', 0.1 * alpha, rng);
  const t = Array.from({ length: B }, () => rng.int(T));
  const eps1 = rng.normals(B * D);
  const eps2 = rng.normals(B * M * D);
  const coef = twin.policy.coef;
  const noisy = a0.map((a, i) => coef.sqrtAlphasCumprod[t[Math.floor(i / D)]] * a + coef.sqrtOneMinusAlphasCumprod[t[Math.floor(i / D)]] * eps1[i]);
  const reverse = Array.from({ length: B * M * D }, (_, i) => {
    const s = Math.floor(i / (M * D));
    const j = i % D;
    const a = (noisy[s * D + j] - coef.sqrtOneMinusAlphasCumprod[t[s]] * eps2[i]) / coef.sqrtAlphasCumprod[t[s]];
    return Math.min(1, Math.max(-1, a));
  });
  const st = ag.update(buf, 0, true)!;
  const lossWith = (critic: 'before' | 'after') =>
    tf.tidy(() => {
      const states = tf.tensor2d(repeatEach(batch.obs, 3, M));
      const q = values((critic === 'before' ? twin : ag).critic.min(states, tf.tensor2d(reverse, [B * M, D])));
      const w: number[] = [];
      for (let s = 0; s < B; s++) {
        const z = q.slice(s * M, (s + 1) * M).map((v) => (v * 5) / alpha);
        const top = Math.max(...z);
        const e = z.map((v) => Math.exp(v - top));
        const sum = e.reduce((x, y) => x + y, 0);
        w.push(...e.map((v) => v / sum));
      }
      const x = tf.tensor2d(repeatEach(noisy, D, M));
      const steps = tf.tensor1d(t.flatMap((v) => Array(M).fill(v)), 'int32');
      const predicted = values(twin.policy.net.predict(x, steps, states));
      let total = 0;
      predicted.forEach((p, i) => (total += w[Math.floor(i / D)] * (p - eps2[i]) ** 2));
      return total / (B * M * D);
    });
  assertClose(st.actorLoss, lossWith('before'), 'actor loss', 1e-4, 1e-7);
  assert.ok(Math.abs(lossWith('after') - st.actorLoss) > 1e-5 * st.actorLoss, 'scored before the critic step (test is informative)');
  assert.equal(st.qRunningMean, undefined, 'no running Q statistics for SDAC');
  [ag, twin].forEach((x) => x.dispose());
});

test('critic double step (the DPMD code): the same gradients applied twice with Adam\'s moved state; default once', async () => {
  await initBackend('cpu');
  const buf = randomBuffer(64, 9, () => true); // all terminal: y = 0.2·r
  for (const criticDoubleStep of [true, false]) {
    const ag = agent('dpmd', 11, { criticDoubleStep });
    ag.update(buf, 0);
    const twin = twinOf(ag);
    const adam = new Adam(twin.critic.variables, { lr: 3e-4, eps: 1e-8 });
    adam.setState(ag.getState().criticOptimizer);
    const batch = buf.sample(B, rngNow(ag));
    ag.update(buf, 0);
    const grads = tf.tidy(() => {
      const y = tf.tensor2d(Array.from(batch.reward, (r) => [0.2 * r]));
      return gradientsOf(() => {
        const [q1, q2] = twin.critic.both(tf.tensor2d(batch.obs, [B, 3]), tf.tensor2d(batch.act, [B, 2]));
        return tf.add(tf.losses.meanSquaredError(y, q1), tf.losses.meanSquaredError(y, q2)) as tf.Scalar;
      }, twin.critic.variables).grads;
    });
    adam.apply(grads);
    const once = twin.critic.variables.map(values);
    adam.apply(grads);
    const twice = twin.critic.variables.map(values);
    const expected = criticDoubleStep ? twice : once;
    const other = criticDoubleStep ? once : twice;
    ag.critic.variables.forEach((v, i) => assertAllClose(values(v), expected[i], `critic ${i} (double ${criticDoubleStep})`, 1e-4, 1e-6));
    assert.ok(values(ag.critic.variables[0]).some((v, j) => Math.abs(v - other[0][j]) > 1e-6), 'once and twice differ (test is informative)');
    assert.equal(ag.getState().criticOptimizer.step, criticDoubleStep ? 4 : 2);
    tf.dispose(grads);
    adam.dispose();
    [ag, twin].forEach((x) => x.dispose());
  }
});

test('cadence: the critic steps at every update; the policy and both targets at updates 0, 2, 4', async () => {
  await initBackend('cpu');
  const buf = randomBuffer(64, 10, (i) => i % 4 === 0);
  for (const objective of ['dpmd', 'sdac'] as const) {
    const ag = agent(objective, 12);
    const snapshot = () => [ag.critic.q1.weights[0], ag.policy.net.main.weights[0], ag.policy.target.main.weights[0], ag.criticTarget.q1.weights[0]].map(values);
    const moved: boolean[][] = [];
    for (let i = 0; i < 5; i++) {
      const before = snapshot();
      ag.update(buf, 0);
      moved.push(snapshot().map((w, k) => w.some((v, j) => v !== before[k][j])));
    }
    const even = [true, true, true, true];
    const odd = [true, false, false, false];
    assert.deepEqual(moved, [even, odd, even, odd, even], objective);
    ag.dispose();
  }
});

// ------------------------------------------------------------------ runner integration

test('off-policy learner with updateEvery 5: updates after env steps 10, 15, 20; episode ends in between report the last update\'s stats, also after a resume', () => {
  const calls: number[] = [];
  const stub: OffPolicyAgent = {
    spec: SPEC,
    act: () => Float32Array.of(0, 0),
    randomAction: () => Float32Array.of(0, 0),
    toPolicyUnits: (a) => Float32Array.from(a),
    update: (_buffer, envStep, wantStats) => {
      calls.push(envStep);
      return wantStats ? { update: calls.length } : null;
    },
    getState: () => ({}),
    setState: () => {},
    getPolicyState: () => ({ kind: 'stub', rng: { s: [0, 0, 0, 0], spare: null } as never }),
    setPolicyState: () => {},
    dispose: () => {},
  };
  const settings = { replaySize: 100, warmupSteps: 10, updatesPerStep: 1, updateEvery: 5, timeLimitAsTerminal: false };
  const learner = new OffPolicyLearner(stub, settings);
  const step = (l: OffPolicyLearner, n: number, wantStats: boolean) =>
    l.observe({ obs: [0, 0, 0], action: [0, 0], reward: 1, nextObs: [0, 0, 0], terminated: false, truncated: false }, n, wantStats);
  const reported: Record<number, unknown> = {};
  for (let n = 1; n <= 17; n++) reported[n] = step(learner, n, n % 3 === 0);
  assert.deepEqual(calls, [10, 15]);
  assert.deepEqual([reported[9], reported[12], reported[15], reported[11]], [null, { update: 1 }, { update: 2 }, null]);
  const resumed = new OffPolicyLearner(stub, settings);
  resumed.setState(structuredClone(learner.getState()));
  assert.deepEqual(step(resumed, 18, true), { update: 2 }, 'the last update\'s stats survive a checkpoint');
  assert.throws(() => new OffPolicyLearner(stub, { ...settings, updateEvery: 0 }), /updateEvery must be a whole number ≥ 1, got 0/);
});

test('checkpoint/resume: a restored DPMD, SDAC and official-code DPMD learner takes the same next step; nothing leaks', async () => {
  await initBackend('cpu');
  for (const [schema, extra] of [
    [dpmdSchema, {}],
    [sdacSchema, {}],
    [dpmdSchema, { qNormalisation: 'official', criticDoubleStep: true }],
  ] as const) {
    const config = schema.make({ ...SMALL, warmupSteps: 10, replaySize: 100, ...extra });
    const stats = checkRoundTripAndLeaks((seed) => new OffPolicyLearner(new RsmAgent(SPEC, config, seed), config));
    for (const [k, v] of Object.entries(stats)) assert.ok(Number.isFinite(v), `${config.objective} ${k} = ${v}`);
  }
  const ag = agent('sdac', 13);
  assert.throws(() => ag.setState({ ...agent('dpmd', 1).getState() }), /SDAC.setState: the checkpoint is of DPMD, this agent is SDAC/);
  assert.throws(() => ag.setState({ kind: 'qvpo' } as never), /SDAC.setState: not a DPMD\/SDAC checkpoint \(kind qvpo\)/);
  ag.dispose();
});

test('no tensor leak: the tensor count after 12 more updates and actions equals the count after the first two', async () => {
  await initBackend('cpu');
  const buf = randomBuffer(64, 11, (i) => i % 3 === 0);
  for (const extra of [{ objective: 'dpmd' as const, criticDoubleStep: true }, { objective: 'sdac' as const }]) {
    const before = tf.memory().numTensors;
    const ag = new RsmAgent(SPEC, { ...SMALL, ...extra }, 14);
    const round = (i: number) => {
      ag.update(buf, 0, i % 2 === 0);
      ag.act([0.1, 0.2, 0.3], i % 3 === 0 ? 'eval' : 'behaviour');
    };
    round(0);
    round(1);
    const settled = tf.memory().numTensors;
    for (let i = 2; i < 14; i++) round(i);
    assert.equal(tf.memory().numTensors, settled, `${extra.objective}: ${settled} tensors after 2 rounds, ${tf.memory().numTensors} after 14`);
    ag.getState();
    assert.equal(tf.memory().numTensors, settled, 'getState leaks nothing');
    ag.dispose();
    assert.equal(tf.memory().numTensors, before, 'dispose frees every tensor of the agent');
  }
});

test('bad settings are errors that name them', () => {
  assert.throws(() => new RsmAgent(SPEC, { noiseScale: 0 }, 1), /noiseScale 0 makes the noise entropy −∞/);
  assert.throws(() => new RsmAgent({ ...SPEC, actionLow: [-1] }, SMALL, 1), /DPMD: action bounds have 1\/2 entries, actDim is 2/);
  assert.throws(() => dpmdSchema.make({ betaScale: 1.5 }), /invalid value 1.5 for "betaScale"/);
  assert.throws(() => dpmdSchema.make({ updateEvery: 0 }), /invalid value 0 for "updateEvery"/);
});
