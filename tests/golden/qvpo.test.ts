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
import { CLIPPED_TOLERANCES, Comparison, QVPO_TOLERANCES, QvpoTolerances, VARIANTS, compareNetworks, qvpoConfigOf } from './harness';
import { ScriptedRng } from './scripted-rng';

const mean = (a: readonly number[]) => a.reduce((s, x) => s + x, 0) / a.length;

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
      const cmp = new Comparison();
      const tol = c.tolerances;
      try {
        fixture.iterations.forEach((it, k) => {
          const rng = new ScriptedRng(it.draws, `${c.file} iteration ${k + 1}`);
          const got = subject.step(it.env_step, rng);
          rng.finish();
          const e = it.expected;
          const at = `it${k + 1}`;
          cmp.check(`${at} y`, got.y, e.y, tol.y);
          cmp.check(`${at} critic loss`, got.criticLoss, e.critic_loss, tol.criticLoss);
          cmp.check(`${at} critic grad norm`, got.criticGradNorm, e.critic_grad_norm, tol.criticGradNorm);
          cmp.check(`${at} mean q_best`, got.qBestMean, mean(e.q_best), tol.qBestMean);
          cmp.check(`${at} mean V`, got.vMean, mean(e.v), tol.vMean);
          cmp.check(`${at} best actions`, got.bestActions, e.best_actions, tol.bestActions);
          cmp.check(`${at} weights (best rows)`, got.weights.slice(0, fixture.config.batch_size), e.weights.slice(0, fixture.config.batch_size), tol.weights);
          cmp.check(`${at} weights (entropy rows)`, got.weights.slice(fixture.config.batch_size), e.weights.slice(fixture.config.batch_size), tol.weights);
          cmp.check(`${at} actor loss`, got.actorLoss, e.actor_loss, tol.actorLoss);
          cmp.check(`${at} actor grad norm`, got.actorGradNorm, e.actor_grad_norm, tol.actorGradNorm);
          cmp.check(`${at} ω_ent used`, got.entropyAlphaUsed, it.entropy_alpha as number, tol.entropyAlpha, false);
          cmp.check(`${at} ω_ent after`, got.entropyAlphaAfter, e.entropy_alpha_after, tol.entropyAlpha, false);
          if (c.clipped) {
            // keeps the fixture testing the clip: the gradient norm before clipping exceeds the cap
            cmp.require(`${at} actor clip active`, got.actorGradNorm > fixture.config.grad_clip_norm, `‖g‖ ${got.actorGradNorm} > ${fixture.config.grad_clip_norm}`);
          }
        });
        compareNetworks(cmp, 'final', subject.networks(), fixture.final, tol.params);
      } finally {
        subject.dispose();
      }
      for (const line of cmp.lines()) t.diagnostic(line);
      cmp.assertAll(`${c.file} [${variant.name}]`);
    });
  }
}
