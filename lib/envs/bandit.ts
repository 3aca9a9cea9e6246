/**
 * The toy continuous bandit of Figure 2 — a stand-in. The paper shows a 2-D single-step
 * bandit whose reward is "an arbitrarily selected function with 3 peaks" but gives no formula,
 * so the kit defines one: a sum of three Gaussian bumps on [−1, 1]²,
 *
 *   r(a) = Σ_k h_k · exp(−‖a − μ_k‖² / (2 σ_k²)),
 *
 * laid out as in the paper's picture (peaks upper-left, upper-right and lower-centre-left).
 * Every pull is one step: the observation is a constant [0] and every step terminates.
 */
import { Env, EnvInfo, ResetResult, StepResult, boxSpace, checkAction } from './types';

export interface Peak {
  x: number;
  y: number;
  height: number;
  width: number;
}

/** The kit's default stand-in reward: the highest peak is the one farthest from the lower-right. */
export const DEFAULT_PEAKS: readonly Peak[] = [
  { x: -0.55, y: 0.55, height: 1.0, width: 0.35 },
  { x: 0.55, y: 0.5, height: 0.7, width: 0.35 },
  { x: -0.3, y: -0.55, height: 0.5, width: 0.35 },
];

export function checkPeaks(peaks: readonly Peak[]): void {
  if (!Array.isArray(peaks) || peaks.length === 0) throw new Error('bandit: peaks must be a non-empty array of {x, y, height, width}');
  peaks.forEach((p, i) => {
    for (const key of ['x', 'y', 'height', 'width'] as const) {
      const v = p?.[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`bandit: peaks[${i}].${key} must be a finite number, got ${JSON.stringify(v)}`);
      }
    }
    if (p.width <= 0) throw new Error(`bandit: peaks[${i}].width must be > 0, got ${p.width}`);
  });
}

export function banditReward(peaks: readonly Peak[], ax: number, ay: number): number {
  let r = 0;
  for (const p of peaks) {
    const dx = ax - p.x;
    const dy = ay - p.y;
    r += p.height * Math.exp(-(dx * dx + dy * dy) / (2 * p.width * p.width));
  }
  return r;
}

/** The reward's maximum over [−1, 1]² (grid search refined around the best cell). */
export function banditMaxReward(peaks: readonly Peak[]): { value: number; x: number; y: number } {
  let best = { value: -Infinity, x: 0, y: 0 };
  const scan = (cx: number, cy: number, half: number, n: number) => {
    for (let i = 0; i <= n; i++) {
      for (let j = 0; j <= n; j++) {
        const x = Math.min(1, Math.max(-1, cx - half + (2 * half * i) / n));
        const y = Math.min(1, Math.max(-1, cy - half + (2 * half * j) / n));
        const v = banditReward(peaks, x, y);
        if (v > best.value) best = { value: v, x, y };
      }
    }
  };
  scan(0, 0, 1, 200);
  scan(best.x, best.y, 0.02, 40);
  return best;
}

export class ThreePeakBandit implements Env {
  readonly id = 'ThreePeakBandit-v0';
  readonly observationSpace = boxSpace([0], [0]);
  readonly actionSpace = boxSpace([-1, -1], [1, 1]);
  readonly maxEpisodeSteps = 1;
  readonly peaks: readonly Peak[];

  constructor(peaks: readonly Peak[] = DEFAULT_PEAKS) {
    checkPeaks(peaks);
    this.peaks = peaks.map((p) => ({ ...p }));
  }

  reset(): ResetResult {
    return { obs: new Float64Array(1), info: {} };
  }

  step(action: ArrayLike<number>): StepResult {
    checkAction(this.id, this.actionSpace, action);
    // Pulls outside the square are clipped to it, like the policy's own actions.
    const x = Math.min(1, Math.max(-1, action[0]));
    const y = Math.min(1, Math.max(-1, action[1]));
    const info: EnvInfo = { x, y };
    return { obs: new Float64Array(1), reward: banditReward(this.peaks, x, y), terminated: true, truncated: false, info };
  }

  close(): void {}
}
