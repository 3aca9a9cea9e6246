/**
 * DDPM schedules and derived coefficients (spec §3) and the sinusoidal time embedding (§2.1),
 * against the spec's table and float64 values computed here from the formulas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BETA_SCHEDULES, BetaSchedule, betaSchedule, diffusionCoefficients } from '../../lib/diffusion/schedule';
import { sinusoidalEmbedding } from '../../lib/diffusion/noise-net';
import { assertAllClose, assertClose, cosineBetas64, sinusoid64 } from '../helpers/numeric';

const SPEC_COSINE_T20 = [
  0.007993, 0.020075, 0.032254, 0.044681, 0.05752, 0.070957, 0.08521, 0.100547, 0.117304, 0.135922, 0.156997, 0.181359,
  0.210212, 0.245372, 0.289725, 0.348137, 0.429434, 0.551024, 0.748476, 0.999,
];

test('cosine β for T = 20 equals the spec table to 1e-5, the last β hits the 0.999 clip, ᾱ_last ≈ 6.06e-6', () => {
  const betas = betaSchedule('cosine', 20);
  assert.equal(betas.length, 20);
  for (let i = 0; i < 20; i++) {
    assert.ok(Math.abs(betas[i] - SPEC_COSINE_T20[i]) <= 1e-5, `β[${i}] = ${betas[i]}, spec ${SPEC_COSINE_T20[i]}`);
  }
  assert.equal(betas[19], 0.999, 'last β is clipped to exactly 0.999');
  // Unclipped, the last β would be 1 (ᾱ(1) = cos²(π/2) = 0): the clip is what keeps ᾱ_last > 0.
  const c = diffusionCoefficients('cosine', 20);
  const abarLast = c.alphasCumprod[19];
  assert.ok(Math.abs(abarLast - 6.06e-6) < 0.01e-6, `ᾱ_last = ${abarLast}`);
  // β increasing, all within [0, 0.999]
  for (let i = 1; i < 20; i++) assert.ok(betas[i] > betas[i - 1]);
});

test('cosine β matches the formula ᾱ(k/T) = cos²(((k/T + s)/(1 + s))·π/2) for other T', () => {
  for (const T of [1, 5, 100]) {
    assertAllClose(betaSchedule('cosine', T), cosineBetas64(T), `cosine T=${T}`, 1e-12, 1e-12);
  }
  // T = 5 spot value computed by hand: f(0) = cos²(0.008/1.008·π/2), f(1) = cos²(0.208/1.008·π/2)
  const f0 = Math.cos((0.008 / 1.008) * (Math.PI / 2)) ** 2;
  const f1 = Math.cos((0.208 / 1.008) * (Math.PI / 2)) ** 2;
  assertClose(betaSchedule('cosine', 5)[0], 1 - f1 / f0, 'cosine T=5 β0', 1e-12, 1e-12);
  assertClose(1 - f1 / f0, 0.101294, 'hand value of β0 (T=5)', 0, 1e-6);
});

test('linear β = linspace(1e-4, 2e-2, T)', () => {
  assertAllClose(betaSchedule('linear', 5), [1e-4, 0.005075, 0.01005, 0.015025, 0.02], 'linear T=5', 1e-12, 1e-15);
  const b20 = betaSchedule('linear', 20);
  assert.equal(b20[0], 1e-4);
  assertClose(b20[19], 2e-2, 'linear last', 1e-12, 1e-15);
  assertClose(b20[1] - b20[0], (2e-2 - 1e-4) / 19, 'linear spacing', 1e-9, 1e-15);
  assert.deepEqual(Array.from(betaSchedule('linear', 1)), [1e-4]);
});

test('vp β_t = 1 − exp(−b_min/T − ½(b_max − b_min)(2t − 1)/T²) with b_min 0.1, b_max 10', () => {
  const T = 4;
  // hand: t = 1: exponent = −0.025 − 0.5·9.9·1/16 = −0.334375
  const expected = [1, 2, 3, 4].map((t) => 1 - Math.exp(-0.1 / T - (0.5 * 9.9 * (2 * t - 1)) / (T * T)));
  assertClose(expected[0], 1 - Math.exp(-0.334375), 'hand vp β1', 1e-15, 1e-15);
  assertAllClose(betaSchedule('vp', T), expected, 'vp T=4', 1e-12, 1e-15);
  assertClose(betaSchedule('vp', T)[0], 0.284215, 'vp β1 value', 0, 1e-6);
});

test('ᾱ, ᾱ_prev, posterior variance, clamped log variance and posterior mean coefficients (linear T = 5, by hand)', () => {
  const betas = [1e-4, 0.005075, 0.01005, 0.015025, 0.02];
  const c = diffusionCoefficients('linear', 5);
  assert.equal(c.T, 5);
  // ᾱ by explicit products
  const abar1 = (1 - 1e-4) * (1 - 0.005075);
  const abar2 = abar1 * (1 - 0.01005);
  assertClose(c.alphasCumprod[0], 0.9999, 'ᾱ0', 1e-12, 1e-15);
  assertClose(c.alphasCumprod[1], abar1, 'ᾱ1', 1e-12, 1e-15);
  assertClose(c.alphasCumprod[2], abar2, 'ᾱ2', 1e-12, 1e-15);
  assert.equal(c.alphasCumprodPrev[0], 1, 'ᾱ_prev(0) = 1');
  assertClose(c.alphasCumprodPrev[2], abar1, 'ᾱ_prev(2) = ᾱ1', 1e-12, 1e-15);
  assertClose(c.alphas[3], 1 - 0.015025, 'α3', 1e-12, 1e-15);
  assertClose(c.sqrtAlphasCumprod[2], Math.sqrt(abar2), '√ᾱ2', 1e-12, 1e-15);
  assertClose(c.sqrtOneMinusAlphasCumprod[2], Math.sqrt(1 - abar2), '√(1−ᾱ2)', 1e-12, 1e-15);
  assertClose(c.sqrtRecipAlphasCumprod[2], 1 / Math.sqrt(abar2), '√(1/ᾱ2)', 1e-12, 1e-15);
  assertClose(c.sqrtRecipm1AlphasCumprod[2], Math.sqrt(1 / abar2 - 1), '√(1/ᾱ2 − 1)', 1e-12, 1e-15);

  // index 0: ᾱ_prev = 1 → posterior variance 0 → log clamped at log(1e-20); c1 = 1, c2 = 0
  assert.equal(c.posteriorVariance[0], 0);
  assertClose(c.posteriorLogVarianceClipped[0], Math.log(1e-20), 'log σ²_0 clamp', 1e-12, 1e-12);
  assertClose(c.posteriorLogVarianceClipped[0], -46.0517, 'log(1e-20)', 0, 1e-4);
  assertClose(c.posteriorMeanCoef1[0], 1, 'c1(0)', 1e-12, 1e-12);
  assert.equal(c.posteriorMeanCoef2[0], 0, 'c2(0)');

  // index 2: σ² = β(1 − ᾱ_prev)/(1 − ᾱ), c1 = β√ᾱ_prev/(1 − ᾱ), c2 = (1 − ᾱ_prev)√α/(1 − ᾱ)
  const b = betas[2];
  const varHand = (b * (1 - abar1)) / (1 - abar2);
  assertClose(c.posteriorVariance[2], varHand, 'σ²_2', 1e-12, 1e-15);
  assertClose(c.posteriorLogVarianceClipped[2], Math.log(varHand), 'log σ²_2', 1e-12, 1e-12);
  assertClose(c.posteriorMeanCoef1[2], (b * Math.sqrt(abar1)) / (1 - abar2), 'c1(2)', 1e-12, 1e-15);
  assertClose(c.posteriorMeanCoef2[2], ((1 - abar1) * Math.sqrt(1 - b)) / (1 - abar2), 'c2(2)', 1e-12, 1e-15);
  // the posterior mean is exact for a noiseless x0: c1·√ᾱ_prev⁻¹... i.e. c1 + c2·√ᾱ = √ᾱ_prev
  for (let i = 0; i < 5; i++) {
    assertClose(
      c.posteriorMeanCoef1[i] + c.posteriorMeanCoef2[i] * c.sqrtAlphasCumprod[i],
      Math.sqrt(c.alphasCumprodPrev[i]),
      `c1 + c2√ᾱ = √ᾱ_prev at ${i}`,
      1e-12,
      1e-12,
    );
  }
});

test('cosine T = 20 coefficients at the last index (hand-checked from the table)', () => {
  const c = diffusionCoefficients('cosine', 20);
  const b = cosineBetas64(20);
  let abar = 1;
  for (const beta of b) abar *= 1 - beta;
  const abarPrev = abar / (1 - b[19]);
  assertClose(c.alphasCumprod[19], abar, 'ᾱ19', 1e-10, 1e-16);
  assertClose(c.alphasCumprodPrev[19], abarPrev, 'ᾱ_prev 19', 1e-10, 1e-16);
  assertClose(c.posteriorVariance[19], (0.999 * (1 - abarPrev)) / (1 - abar), 'σ²_19', 1e-10, 1e-16);
  assertClose(c.posteriorMeanCoef2[19], ((1 - abarPrev) * Math.sqrt(0.001)) / (1 - abar), 'c2(19)', 1e-10, 1e-16);
});

test('wide-linear ×0.8 (DPMD/SDAC, dpmd-spec §3): β = 0.8·linspace(1e-4, 0.999, 20), ᾱ_last ≈ 5.27e-6', () => {
  const betas = betaSchedule('wide-linear', 20, 0.8);
  // by hand: 0.8·1e-4, 0.8·(1e-4 + 0.9989·10/19), 0.8·0.999
  assertClose(betas[0], 8e-5, 'β0', 1e-12, 1e-15);
  assertClose(betas[10], 0.8 * (1e-4 + (0.9989 * 10) / 19), 'β10', 1e-12, 1e-15);
  assertClose(betas[10], 0.42066947, 'β10 by hand', 0, 1e-8);
  assertClose(betas[19], 0.7992, 'β19', 1e-12, 1e-15);
  for (let i = 1; i < 20; i++) assertClose(betas[i] - betas[i - 1], (0.8 * 0.9989) / 19, `step ${i}`, 1e-9, 1e-12);
  // ᾱ_last = Π(1 − β_i), checked against numpy (5.268384621e-6); the spec's "≈ 1e−5" is this, rounded
  const c = diffusionCoefficients('wide-linear', 20, 0.8);
  assertClose(c.alphasCumprod[19], 5.268384621e-6, 'ᾱ19', 1e-8, 1e-16);
  // the scale multiplies any schedule, and 1 leaves it as it is
  assertAllClose(betaSchedule('cosine', 5, 0.5), Array.from(betaSchedule('cosine', 5), (b) => 0.5 * b), 'cosine ×0.5', 1e-15, 1e-15);
  assert.deepEqual(Array.from(betaSchedule('wide-linear', 3, 1)), [1e-4, (1e-4 + 0.999) / 2, 0.999]);
});

test('unknown schedule, bad T and bad scale are errors naming the value', () => {
  assert.throws(() => betaSchedule('sigmoid' as BetaSchedule, 5), /unknown beta schedule "sigmoid": expected one of cosine, linear, vp, wide-linear/);
  for (const bad of [0, -3, 2.5, NaN]) {
    assert.throws(() => betaSchedule('cosine', bad), new RegExp(`diffusion steps T must be a positive integer, got ${bad}`));
    assert.throws(() => diffusionCoefficients('linear', bad), /diffusion steps T must be a positive integer/);
  }
  for (const bad of [0, -0.5, 1.2, NaN]) {
    assert.throws(() => betaSchedule('wide-linear', 20, bad), new RegExp(`β schedule scale must be in \\(0, 1\\], got ${bad}`));
  }
  assert.deepEqual([...BETA_SCHEDULES], ['cosine', 'linear', 'vp', 'wide-linear']);
});

test('sinusoidal embedding: sines first then cosines, f_k = exp(−k·ln(10000)/15) for dim 32', () => {
  const steps = [0, 1, 7, 19];
  const emb = sinusoidalEmbedding(steps, 32);
  assert.equal(emb.length, steps.length * 32);
  // t = 0: sines 0, cosines 1
  for (let k = 0; k < 16; k++) {
    assert.equal(emb[k], 0);
    assert.equal(emb[16 + k], 1);
  }
  // t = 1, hand values: f_0 = 1, f_15 = 1e-4, f_1 = 10000^(−1/15) ≈ 0.541170
  assertClose(emb[32 + 0], Math.sin(1), 'sin(1·f0)', 1e-6, 1e-7);
  assertClose(emb[32 + 16], Math.cos(1), 'cos(1·f0)', 1e-6, 1e-7);
  assertClose(emb[32 + 15], Math.sin(1e-4), 'sin(1·f15)', 1e-5, 1e-9);
  assertClose(emb[32 + 1], Math.sin(0.5411695265464638), 'sin(f1)', 1e-6, 1e-7);
  assertClose(emb[32 + 17], 0.857107, 'cos(f1)', 0, 2e-6);
  // t = 7 and 19 against the float64 formula, all columns
  for (let r = 0; r < steps.length; r++) {
    assertAllClose(emb.subarray(r * 32, (r + 1) * 32), sinusoid64(steps[r], 32), `emb(t=${steps[r]})`, 1e-6, 1e-6);
  }
  // other even dims use half − 1 in the denominator
  assertAllClose(sinusoidalEmbedding([3], 8), sinusoid64(3, 8), 'dim 8', 1e-6, 1e-6);
  assert.throws(() => sinusoidalEmbedding([0], 31), /time embedding dim must be even and >= 4, got 31/);
  assert.throws(() => sinusoidalEmbedding([0], 2), /got 2/);
});
