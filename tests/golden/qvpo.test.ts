/**
 * Golden: the kit's QVPO update reproduces 3 consecutive iterations of the official code
 * (tests/fixtures/golden: base, actor clip active, qcut) on every variant of harness.ts,
 * within the fixtures' tolerances: TD targets, critic loss and gradient norm, best actions,
 * Q-weights with the entropy rows, actor loss and gradient norm, ω_ent, and all four networks
 * after the last iteration. Every random draw comes from the fixture, checked draw by draw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QvpoFixture, loadFixture } from './fixture';
import { CLIPPED_TOLERANCES, QVPO_TOLERANCES, QvpoTolerances, VARIANTS, compareQvpoFixture, qvpoConfigOf } from './harness';

const CASES: { file: string; tolerances: QvpoTolerances; clipped?: boolean }[] = [
  { file: 'qvpo-iteration.json', tolerances: QVPO_TOLERANCES },
  { file: 'qvpo-iteration-clipped.json', tolerances: CLIPPED_TOLERANCES, clipped: true },
  { file: 'qvpo-iteration-qcut.json', tolerances: QVPO_TOLERANCES },
];

for (const c of CASES) {
  const fixture = loadFixture<QvpoFixture>(c.file);

  test(`${c.file}: the fixture is what the kit's settings describe`, () => {
    const cfg = fixture.config;
    assert.equal(fixture.generator.official_commit, '40a197473ecf68517b880cfc2c2ca4209f65c5ff');
    assert.equal(fixture.iterations.length, 3);
    // what the kit builds without being told: Mish, time embedding 32 with a time MLP as wide
    // as the layers, x̂0 clipping, one best sample, PyTorch's Adam betas
    assert.deepEqual([cfg.activation, cfg.time_embed_dim, cfg.time_hidden, cfg.clip_denoised, cfg.chosen, cfg.adam_betas], ['mish', 32, cfg.hidden_width, true, 1, [0.9, 0.999]]);
    assert.ok(cfg.weighted && cfg.aug, 'the QVPO path (--weighted --aug)');
    assert.equal(qvpoConfigOf(fixture).qTransform, c.file.includes('qcut') ? 'qcut' : 'qadv');
  });

  for (const variant of VARIANTS) {
    test(`${c.file}: 3 official QVPO iterations [${variant.name}]`, async (t) => {
      await variant.setup();
      const subject = variant.qvpo(fixture);
      const cmp = compareQvpoFixture(fixture, variant.qvpo(fixture), c.file, c.tolerances, c.clipped ?? false);
      for (const line of cmp.lines()) t.diagnostic(line);
      cmp.assertAll(`${c.file} [${variant.name}]`);
    });
  }
}
