/**
 * Golden: the kit's cosine schedule (lib/diffusion/schedule.ts, computed in float64) against
 * the official buffers for T = 20 and T = 100 (tests/fixtures/golden/schedule.json): within
 * float32 rounding of the official float32 buffers (rel 5e-5) and equal to the same formulas
 * evaluated in float64 (rel 1e-12).
 */
import { test } from 'node:test';
import { diffusionCoefficients } from '../../lib/diffusion/schedule';
import { SCHEDULE_BUFFERS, ScheduleBuffer, ScheduleFixture, loadFixture } from './fixture';
import { Comparison } from './harness';

const fixture = loadFixture<ScheduleFixture>('schedule.json');

/**
 * The kit's value of each official buffer. log(1 − ᾱ) is not one of the kit's (nothing uses
 * it): derived here from the kit's ᾱ and checked against float64 only, because the official
 * float32 buffer takes 1 − ᾱ in float32, which cancels at both ends of the schedule
 * (ᾱ ≈ 1 at i = 0, ᾱ ≈ 0 at i = T − 1) and is off by up to 2% relative there.
 */
function kitBuffers(T: number): Record<ScheduleBuffer, ArrayLike<number>> {
  const c = diffusionCoefficients('cosine', T);
  return {
    betas: c.betas,
    alphas_cumprod: c.alphasCumprod,
    alphas_cumprod_prev: c.alphasCumprodPrev,
    sqrt_alphas_cumprod: c.sqrtAlphasCumprod,
    sqrt_one_minus_alphas_cumprod: c.sqrtOneMinusAlphasCumprod,
    log_one_minus_alphas_cumprod: Array.from(c.alphasCumprod, (a) => Math.log(1 - a)),
    sqrt_recip_alphas_cumprod: c.sqrtRecipAlphasCumprod,
    sqrt_recipm1_alphas_cumprod: c.sqrtRecipm1AlphasCumprod,
    posterior_variance: c.posteriorVariance,
    posterior_log_variance_clipped: c.posteriorLogVarianceClipped,
    posterior_mean_coef1: c.posteriorMeanCoef1,
    posterior_mean_coef2: c.posteriorMeanCoef2,
  };
}

for (const T of [20, 100]) {
  test(`cosine schedule, T = ${T}: every buffer against the official float32 (rel 5e-5) and float64 (rel 1e-12) ones`, (t) => {
    if (fixture.schedule !== 'cosine' || fixture.s !== 0.008 || fixture.max_beta !== 0.999) throw new Error('schedule.json: not the cosine schedule with s 0.008, β ≤ 0.999');
    const sets = fixture[String(T)] as { official_float32: Record<ScheduleBuffer, number[]>; float64: Record<ScheduleBuffer, number[]> };
    const kit = kitBuffers(T);
    const cmp = new Comparison();
    for (const name of SCHEDULE_BUFFERS) {
      if (name !== 'log_one_minus_alphas_cumprod') cmp.check(`${name} vs official float32`, kit[name], sets.official_float32[name], { rel: 5e-5 }, false);
      cmp.check(`${name} vs float64`, kit[name], sets.float64[name], { rel: 1e-12 }, false);
    }
    for (const line of cmp.lines()) t.diagnostic(line);
    cmp.assertAll(`schedule T = ${T}`);
  });
}
