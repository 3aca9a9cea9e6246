/** The toy three-peak bandit (lib/envs/bandit.ts; a labelled stand-in for the paper's Fig. 2). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PEAKS, Peak, ThreePeakBandit, banditMaxReward, banditReward, checkPeaks } from '../../lib/envs/bandit';
import { assertClose } from '../helpers/numeric';

/** r(a) = Σ h·exp(−‖a − μ‖²/(2w²)), written out per peak for the default peaks. */
function handReward(x: number, y: number): number {
  const bump = (px: number, py: number, h: number, w: number) => h * Math.exp(-((x - px) ** 2 + (y - py) ** 2) / (2 * w * w));
  return bump(-0.55, 0.55, 1.0, 0.35) + bump(0.55, 0.5, 0.7, 0.35) + bump(-0.3, -0.55, 0.5, 0.35);
}

test('reward at a peak centre and between peaks, by hand', () => {
  // at the highest peak's centre (2w² = 0.245): 1 + 0.7·exp(−(1.1² + 0.05²)/0.245) + 0.5·exp(−(0.25² + 1.1²)/0.245)
  const atPeak = 1 + 0.7 * Math.exp(-(1.21 + 0.0025) / 0.245) + 0.5 * Math.exp(-(0.0625 + 1.21) / 0.245);
  assertClose(banditReward(DEFAULT_PEAKS, -0.55, 0.55), atPeak, 'r at peak 1', 1e-12, 1e-15);
  assertClose(atPeak, 1.0077387, 'r at peak 1 (value)', 0, 1e-7);
  // midway between the two upper peaks (0, 0.525)
  const mid = banditReward(DEFAULT_PEAKS, 0, 0.525);
  assertClose(mid, handReward(0, 0.525), 'r between upper peaks', 1e-12, 1e-15);
  // both upper bumps contribute 1.7·exp(−(0.55² + 0.025²)/0.245) ≈ 0.4933, the lower one ≈ 0.0031
  assert.ok(mid > 0.4963 && mid < 0.4965, `valley ${mid}`);
  for (const [x, y] of [[0.55, 0.5], [-0.3, -0.55], [1, -1], [0.2, 0.1]]) {
    assertClose(banditReward(DEFAULT_PEAKS, x, y), handReward(x, y), `r(${x}, ${y})`, 1e-12, 1e-15);
  }
  // one custom peak: exactly its height at its centre, h·e^{-1/2} one width away
  const one: Peak[] = [{ x: 0.1, y: -0.2, height: 2, width: 0.5 }];
  assert.equal(banditReward(one, 0.1, -0.2), 2);
  assertClose(banditReward(one, 0.6, -0.2), 2 * Math.exp(-0.5), 'one width away', 1e-12, 1e-15);
});

test('banditMaxReward is close to the highest peak for the default peaks', () => {
  const m = banditMaxReward(DEFAULT_PEAKS);
  assert.ok(Math.abs(m.x + 0.55) < 0.02 && Math.abs(m.y - 0.55) < 0.02, `argmax (${m.x}, ${m.y})`);
  assert.ok(m.value >= banditReward(DEFAULT_PEAKS, -0.55, 0.55) - 1e-9, 'at least the value at the centre');
  // the neighbours lift the maximum a little above the centre value 1.00774 (measured 1.00795)
  assert.ok(m.value < 1.0085, `max ${m.value}`);
  // a peak outside the square: the max sits on the boundary
  const out = banditMaxReward([{ x: 1.5, y: 0, height: 1, width: 0.5 }]);
  assert.equal(out.x, 1);
  assertClose(out.value, Math.exp(-0.5), 'boundary max', 1e-6, 1e-6);
});

test('env: one-step episodes, constant observation, pulls clipped to the square', () => {
  const env = new ThreePeakBandit();
  assert.equal(env.actionSpace.size, 2);
  assert.deepEqual(Array.from(env.actionSpace.low), [-1, -1]);
  assert.deepEqual(Array.from(env.reset().obs), [0]);
  const r = env.step([-0.55, 0.55]);
  assert.equal(r.terminated, true);
  assert.equal(r.truncated, false);
  assertClose(r.reward, handReward(-0.55, 0.55), 'step reward', 1e-12, 1e-15);
  const clipped = env.step([5, -7]);
  assert.equal(clipped.info.x, 1);
  assert.equal(clipped.info.y, -1);
  assertClose(clipped.reward, handReward(1, -1), 'clipped pull', 1e-12, 1e-15);
  // the env copies its peaks
  const peaks: Peak[] = [{ x: 0, y: 0, height: 1, width: 0.3 }];
  const e2 = new ThreePeakBandit(peaks);
  peaks[0].height = 100;
  assert.equal(e2.step([0, 0]).reward, 1);
});

test('bad peaks and bad actions are errors naming the problem', () => {
  assert.throws(() => checkPeaks([]), /peaks must be a non-empty array/);
  assert.throws(() => new ThreePeakBandit([{ x: 0, y: 0, height: 1, width: 0 }]), /peaks\[0\]\.width must be > 0, got 0/);
  assert.throws(() => new ThreePeakBandit([{ x: 0, y: 0, height: 1, width: -1 }]), /width must be > 0, got -1/);
  assert.throws(
    () => new ThreePeakBandit([{ x: 0, y: 0, height: 1, width: 1 }, { x: 0, y: NaN, height: 1, width: 1 }]),
    /peaks\[1\]\.y must be a finite number, got null/,
  );
  assert.throws(() => checkPeaks([{ x: 0, y: 0, width: 1 } as Peak]), /peaks\[0\]\.height must be a finite number, got undefined/);
  const env = new ThreePeakBandit();
  assert.throws(() => env.step([0, 0, 0]), /ThreePeakBandit-v0: action must have 2 components, got 3/);
  assert.throws(() => env.step([0, NaN]), /ThreePeakBandit-v0: action\[1\] must be a finite number, got NaN/);
  assert.throws(() => env.step(null as never), /action must be an array of 2 numbers/);
});
