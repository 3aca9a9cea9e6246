/**
 * Learning on Diffusion-QL's 2-D offline bandit (lib/bandit/corners.ts; diffusion-ql-spec §7),
 * at a CPU budget (≈ 15 + 40 s of one core): a diffusion policy cloning the four-corner
 * behaviour data recovers all four modes where a Gaussian cannot, and with the Q term
 * (Diffusion-QL) it leans to the best corner. Measured on 1,000 plain policy samples: the share
 * within 0.2 of each corner (the data's support) and the share nearer to each corner than to any
 * other. Whether Diffusion-QL's samples also stay inside the support takes a longer run
 * (notebook 05, quick profile).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { BEST_CORNER, CornerSettings, cornerDataset, cornerSummary, runCornerArm } from '../../lib/bandit/corners';
import { Rng } from '../../lib/util/rng';

const BASE: CornerSettings = {
  seed: 0,
  steps: 3000,
  batchSize: 64,
  datasetSize: 10_000,
  hiddenWidth: 32,
  hiddenLayers: 2,
  diffusionSteps: 10,
  eta: 2.5,
  actorLr: 3e-3,
  criticLr: 3e-3,
  chainGradient: 'all',
  samples: 1000,
  measureEvery: 3000,
  measureSamples: 100,
};

test('the behaviour data: 2,500 pulls per corner, (almost all) within 0.2 of it, rewards around each corner\'s mean', () => {
  const data = cornerDataset(10_000, new Rng(1));
  for (let k = 0; k < 4; k++) assert.equal(data.corner.filter((c) => c === k).length, 2500);
  const s = cornerSummary(data.actions);
  // 0.2 is 4σ of the action noise: a handful of 10,000 fall outside
  s.perCorner.forEach((f) => assert.ok(f > 0.248 && f <= 0.25, `share ${f}`));
  assert.ok(s.outOfSupport < 0.002);
  s.nearest.forEach((f) => assert.equal(f, 0.25));
  const best = Array.from(data.rewards).filter((_, i) => data.corner[i] === BEST_CORNER);
  const mean = best.reduce((a, b) => a + b, 0) / best.length;
  assert.ok(Math.abs(mean - 5) < 0.05, `best corner's mean reward ${mean}`);
  assert.throws(() => cornerDataset(10, new Rng(1)), /n must be a positive multiple of 4, got 10/);
});

test('BC-Diffusion recovers all four modes; a Gaussian fitted to the same data puts most samples between them', { timeout: 300_000 }, async () => {
  await initBackend('wasm');
  const before = tf.memory().numTensors;
  const diffusion = runCornerArm('bc-diffusion', BASE).summary;
  diffusion.perCorner.forEach((f, k) => assert.ok(f >= 0.1, `corner ${k}: ${f} of the samples (want ≥ 0.1)`));
  assert.ok(diffusion.outOfSupport <= 0.4, `out of support: ${diffusion.outOfSupport} (want ≤ 0.4)`);
  const gaussian = runCornerArm('bc-gaussian', BASE).summary;
  assert.ok(gaussian.outOfSupport >= 0.6, `Gaussian out of support: ${gaussian.outOfSupport} (want ≥ 0.6)`);
  assert.ok(tf.memory().numTensors <= before, 'no tensors left behind');
});

test('Diffusion-QL (η = 2.5) leans to the best corner; BC-Diffusion does not', { timeout: 300_000 }, async () => {
  await initBackend('wasm');
  const ql = runCornerArm('diffusion-ql', { ...BASE, diffusionSteps: 5 }).summary;
  assert.ok(ql.nearest[BEST_CORNER] >= 0.8, `Diffusion-QL: ${ql.nearest[BEST_CORNER]} of samples nearest the best corner (want ≥ 0.8)`);
  const bc = runCornerArm('bc-diffusion', { ...BASE, diffusionSteps: 5, steps: 1000 }).summary;
  assert.ok(bc.nearest[BEST_CORNER] <= 0.5, `BC-Diffusion: ${bc.nearest[BEST_CORNER]} nearest the best corner (want ≤ 0.5)`);
});
