/** lib/bandit/report: Figure 2's claim with intervals, and runs that collapse onto a corner of the box. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArmRuns, banditClaim, cornerCollapses } from '../../lib/bandit/report';
import { BanditRun, BanditSettings } from '../../lib/bandit/experiment';

/** A finished run: its curve (coverage per point, the last point's evaluation reward) and its last snapshot's samples. */
function run(seed: number, evalReward: number, coverages: number[], samples: [number, number][]): BanditRun {
  const curve = coverages.map((coverage, i) => ({ iteration: 25 * i, visit: [0, 0, 0], coverage, sampleReward: evalReward / 2, evalReward, entropyAlpha: 0 }));
  return {
    settings: { seed, coverageCells: 10 } as BanditSettings,
    maxReward: 1,
    curve,
    snapshots: [{ iteration: curve[curve.length - 1].iteration, samples: Float32Array.from(samples.flat()) }],
    seconds: 1,
  };
}

const spread: [number, number][] = [
  [0.1, 0.2],
  [-0.5, 0.4],
  [1, -1],
];
const corner: [number, number][] = [
  [1, -1],
  [1, -1],
  [0.995, -1],
];

test('a policy clipped onto a box corner is found, with the iteration it has stayed in one grid cell since', () => {
  const arms: ArmRuns[] = [
    { arm: 'without entropy', runs: [run(0, 0, [0.12, 0.01, 0.01], corner), run(1, 0.5, [0.12, 0.01, 0.05, 0.01], spread)] },
    { arm: 'with entropy', runs: [run(0, 0.9, [0.12, 0.3], spread)] },
  ];
  const found = cornerCollapses(arms);
  assert.equal(found.length, 1, 'one sample of three on a corner is no collapse');
  assert.deepEqual({ ...found[0], sampleReward: 0 }, { arm: 'without entropy', seed: 0, corner: [1, -1], fraction: 1, iteration: 50, oneCellSince: 25, sampleReward: 0, evalReward: 0 });
  assert.deepEqual(cornerCollapses(arms, 0.9, 0.001), [], 'within 0.001 only two of three samples are on the corner');
});

test("Figure 2's claim: evaluation reward and explored area compared with intervals; a collapse explained and left out", () => {
  const arms: ArmRuns[] = [
    { arm: 'without entropy', runs: [run(0, 0, [0.12, 0.01, 0.01], corner), run(1, 0.5, [0.12, 0.1], spread)] },
    { arm: 'with entropy', runs: [run(0, 0.9, [0.12, 0.2], spread), run(1, 1, [0.12, 0.3], spread)] },
  ];
  const text = banditClaim(arms);
  // two seeds per arm: each interval spans the extreme resamples (means 0.9/0.95/1 against 0/0.25/0.5)
  assert.match(text, /with entropy − without entropy on the final evaluation reward: \+0\.700 \[\+0\.400, \+1\.000\] \(95% bootstrap CI\), P\(with entropy > without entropy\) = 1\.00 \[1\.00, 1\.00\]: holds;/);
  // coverage: 0.25 − 0.055, from (0.2 − 0.1) to (0.3 − 0.01)
  assert.match(text, /on the explored area \(fraction of grid cells\): \+0\.195 \[\+0\.100, \+0\.290\] .*: holds\./);
  assert.match(text, /collapsed onto a corner of the action box:\*\*\n\n- without entropy, seed 0 \(the seed Figure 2 shows\): 100% of the policy's samples at iteration 50 lie on \(1, −1\), and from iteration 25 on every curve point has all its samples in one grid cell; /);
  assert.match(text, /Figure 2's "without entropy" row shows such a collapse/);
  assert.match(text, /the Q-weight max\(Q\(best\) − mean Q, 0\) is 0/);
  assert.match(text, /Leaving the collapsed run out: with entropy − without entropy on the final evaluation reward: \+0\.450 \[\+0\.400, \+0\.500\] .*: inconclusive at 1–2 seeds\.$/);
  assert.doesNotMatch(banditClaim(arms, { shownSeed: 1 }), /Figure 2 shows/);
  assert.match(banditClaim([arms[0]]), /cannot be checked/);
});
