/**
 * Learning that must happen: on the three-peak bandit, QVPO with the entropy term finds the
 * highest peak. Budget: 3 seeds × 300 updates (≈ 12 s per seed on one core here).
 * Criterion: the evaluation policy (best of 32 candidates under the critic) ends with a mean
 * reward of at least 80% of the maximum in at least 2 of the 3 seeds. The initial policy sits
 * on the lower right, where the reward is ≈ 0, so this cannot pass without exploring.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../lib/backend';
import { BanditSettings, runBandit } from '../../lib/bandit/experiment';
import { DEFAULT_PEAKS } from '../../lib/envs/bandit';

function toySettings(seed: number, entropyAlpha: number, iterations: number): BanditSettings {
  const pulls = 8;
  const warmup = 64;
  return {
    seed,
    iterations,
    pullsPerIteration: pulls,
    warmupPulls: warmup,
    pretrainSteps: 300,
    initMean: [0.6, -0.6],
    initStd: 0.1,
    peaks: DEFAULT_PEAKS.map((p) => ({ ...p })),
    agent: {
      hiddenWidth: 64,
      batchSize: 16,
      trainSamples: 16,
      actorLr: 1e-3,
      criticLr: 3e-3,
      entropyAlpha,
      entropyDecaySteps: warmup + iterations * pulls,
    },
    snapshotAt: [],
    snapshotSamples: 0,
    measureEvery: iterations,
    measureSamples: 512,
    evalPulls: 64,
    visitRadius: 0.3,
    coverageCells: 10,
  };
}

test('QVPO with the entropy term reaches the highest peak of the bandit in most seeds', { timeout: 240_000 }, async (t) => {
  await initBackend('wasm');
  const finals: number[] = [];
  for (const seed of [0, 1, 2]) {
    const run = runBandit(toySettings(seed, 0.05, 300));
    const start = run.curve[0];
    const last = run.curve[run.curve.length - 1];
    finals.push(last.evalReward / run.maxReward);
    t.diagnostic(
      `seed ${seed}: eval reward ${start.evalReward.toFixed(3)} → ${last.evalReward.toFixed(3)} of max ${run.maxReward.toFixed(3)}, ` +
        `near best peak ${(100 * last.visit[0]).toFixed(0)}%, coverage ${(100 * last.coverage).toFixed(0)}%, ${run.seconds.toFixed(1)} s`,
    );
    assert.ok(start.evalReward < 0.2 * run.maxReward, `seed ${seed} starts far from the best peak (got ${start.evalReward})`);
  }
  const reached = finals.filter((f) => f >= 0.8).length;
  assert.ok(reached >= 2, `expected ≥ 2 of 3 seeds within 20% of the maximum reward, got ${reached} (final fractions ${finals.map((f) => f.toFixed(2)).join(', ')})`);
});
