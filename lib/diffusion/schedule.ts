/**
 * DDPM noise schedules and the coefficients derived from them (spec §3).
 * Index i = 0..T−1 plays the role of DDPM step i+1; ᾱ_prev(0) = 1.
 *
 * `wide-linear` is the linear schedule of the DPMD/SDAC code (dpmd-spec §3): β from 1e−4 all the
 * way to 0.999 rather than DDPM's 0.02, used there with a scale of 0.8. `scale` multiplies
 * every β of any schedule, as that code's beta_schedule_scale does; 1 leaves it as it is.
 */

export type BetaSchedule = 'cosine' | 'linear' | 'vp' | 'wide-linear';
export const BETA_SCHEDULES: readonly BetaSchedule[] = ['cosine', 'linear', 'vp', 'wide-linear'];

/** β_i = lo + (hi − lo)·i/(T − 1), i = 0..T−1 (lo alone when T = 1). */
function linspace(lo: number, hi: number, T: number): Float64Array {
  return Float64Array.from({ length: T }, (_, i) => (T === 1 ? lo : lo + ((hi - lo) * i) / (T - 1)));
}

export function betaSchedule(kind: BetaSchedule, T: number, scale = 1): Float64Array {
  if (!Number.isInteger(T) || T < 1) throw new Error(`diffusion steps T must be a positive integer, got ${T}`);
  // β must stay in (0, 1) for ᾱ to be positive: a scale above 1 could push 0.999 past 1.
  if (!(scale > 0 && scale <= 1)) throw new Error(`β schedule scale must be in (0, 1], got ${scale}`);
  const betas = unscaledBetas(kind, T);
  if (scale !== 1) for (let i = 0; i < T; i++) betas[i] *= scale;
  return betas;
}

function unscaledBetas(kind: BetaSchedule, T: number): Float64Array {
  const betas = new Float64Array(T);
  switch (kind) {
    case 'cosine': {
      // ᾱ(u) = cos²(((u + s)/(1 + s))·π/2) at u = k/T, normalised by ᾱ(0); β clipped to [0, 0.999].
      const s = 0.008;
      const abar = (k: number) => Math.cos(((k / T + s) / (1 + s)) * Math.PI * 0.5) ** 2;
      const a0 = abar(0);
      for (let k = 1; k <= T; k++) {
        const beta = 1 - abar(k) / a0 / (abar(k - 1) / a0);
        betas[k - 1] = Math.min(Math.max(beta, 0), 0.999);
      }
      return betas;
    }
    case 'linear':
      return linspace(1e-4, 2e-2, T);
    case 'wide-linear':
      return linspace(1e-4, 0.999, T);
    case 'vp': {
      const bMin = 0.1;
      const bMax = 10;
      for (let t = 1; t <= T; t++) {
        betas[t - 1] = 1 - Math.exp(-bMin / T - (0.5 * (bMax - bMin) * (2 * t - 1)) / (T * T));
      }
      return betas;
    }
    default:
      throw new Error(`unknown beta schedule "${String(kind)}": expected one of ${BETA_SCHEDULES.join(', ')}`);
  }
}

/** Everything the forward (noising) and reverse (sampling) processes need, per step index. */
export interface DiffusionCoefficients {
  T: number;
  betas: Float64Array;
  alphas: Float64Array;
  alphasCumprod: Float64Array;
  alphasCumprodPrev: Float64Array;
  /** √ᾱ and √(1−ᾱ): forward noising x_t = √ᾱ·a + √(1−ᾱ)·ε. */
  sqrtAlphasCumprod: Float64Array;
  sqrtOneMinusAlphasCumprod: Float64Array;
  /** √(1/ᾱ) and √(1/ᾱ − 1): x̂0 = √(1/ᾱ)·x − √(1/ᾱ − 1)·ε̂. */
  sqrtRecipAlphasCumprod: Float64Array;
  sqrtRecipm1AlphasCumprod: Float64Array;
  /** Posterior q(x_{t−1} | x_t, x̂0): mean c1·x̂0 + c2·x, variance σ². */
  posteriorMeanCoef1: Float64Array;
  posteriorMeanCoef2: Float64Array;
  posteriorVariance: Float64Array;
  /** log σ², clamped at 1e−20 before the log (σ²_0 = 0). */
  posteriorLogVarianceClipped: Float64Array;
}

export function diffusionCoefficients(kind: BetaSchedule, T: number, scale = 1): DiffusionCoefficients {
  const betas = betaSchedule(kind, T, scale);
  const n = betas.length;
  const make = () => new Float64Array(n);
  const c: DiffusionCoefficients = {
    T: n,
    betas,
    alphas: make(),
    alphasCumprod: make(),
    alphasCumprodPrev: make(),
    sqrtAlphasCumprod: make(),
    sqrtOneMinusAlphasCumprod: make(),
    sqrtRecipAlphasCumprod: make(),
    sqrtRecipm1AlphasCumprod: make(),
    posteriorMeanCoef1: make(),
    posteriorMeanCoef2: make(),
    posteriorVariance: make(),
    posteriorLogVarianceClipped: make(),
  };
  let cum = 1;
  for (let i = 0; i < n; i++) {
    const alpha = 1 - betas[i];
    const prev = cum;
    cum *= alpha;
    c.alphas[i] = alpha;
    c.alphasCumprod[i] = cum;
    c.alphasCumprodPrev[i] = prev;
    c.sqrtAlphasCumprod[i] = Math.sqrt(cum);
    c.sqrtOneMinusAlphasCumprod[i] = Math.sqrt(1 - cum);
    c.sqrtRecipAlphasCumprod[i] = Math.sqrt(1 / cum);
    c.sqrtRecipm1AlphasCumprod[i] = Math.sqrt(1 / cum - 1);
    c.posteriorVariance[i] = (betas[i] * (1 - prev)) / (1 - cum);
    c.posteriorLogVarianceClipped[i] = Math.log(Math.max(c.posteriorVariance[i], 1e-20));
    c.posteriorMeanCoef1[i] = (betas[i] * Math.sqrt(prev)) / (1 - cum);
    c.posteriorMeanCoef2[i] = ((1 - prev) * Math.sqrt(alpha)) / (1 - cum);
  }
  return c;
}
