/**
 * Golden: the kit's DIPO, as the named variant `qvpo-repo`, reproduces one iteration of the
 * QVPO repository's DIPO path (tests/fixtures/golden/dipo-iteration.json) on every variant of
 * harness.ts: TD targets, critic loss and gradient norm, the 20 action-gradient steps (norms,
 * improved actions, mean Q before and after), the actor's loss and gradient norm, all four
 * networks — and the stored actions are unchanged afterwards, as in the official code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIPO_VARIANTS, dipoSchema } from '../../lib/agents/dipo/config';
import { DipoFixture, loadFixture } from './fixture';
import { Comparison, DIPO_TOLERANCES, VARIANTS, compareNetworks, dipoConfigOf } from './harness';
import { ScriptedRng } from './scripted-rng';

const fixture = loadFixture<DipoFixture>('dipo-iteration.json');

test('dipo-iteration.json is the QVPO repository\'s DIPO path: the kit\'s variant qvpo-repo has its settings', () => {
  const cfg = fixture.config;
  const v = DIPO_VARIANTS['qvpo-repo'].overrides;
  assert.equal(fixture.generator.official_commit, '40a197473ecf68517b880cfc2c2ca4209f65c5ff');
  assert.ok(!cfg.weighted && !cfg.aug, 'the DIPO path: no --weighted, no --aug');
  assert.deepEqual(
    [v.diffusionSteps, v.actorLr, v.targetSamples, v.gradClipNorm, v.actionGradientSteps, v.actionLr, v.actionGradNormPerDim, v.writeBackImproved],
    [cfg.diffusion_steps, cfg.actor_lr, cfg.target_samples, cfg.grad_clip_norm, cfg.action_gradient_steps, cfg.action_lr, cfg.ratio, false],
  );
  assert.ok(Math.abs((cfg.ratio as number) * cfg.act_dim - (cfg.action_grad_norm as number)) < 1e-12, 'the action clip is ratio·d');
  assert.equal(cfg.action_adam_eps, 1e-5);
  // everything else comes from the DIPO schema's defaults: they must be the fixture's too
  const made = dipoSchema.make(dipoConfigOf(fixture));
  assert.deepEqual(
    [made.hiddenWidth, made.hiddenLayers, made.batchSize, made.criticLr, made.tau, made.gamma, made.adamEps, made.noiseRatio, made.betaSchedule],
    [cfg.hidden_width, cfg.hidden_layers, cfg.batch_size, cfg.critic_lr, cfg.tau, cfg.gamma, cfg.adam_eps, cfg.noise_ratio, cfg.beta_schedule],
  );
});

for (const variant of VARIANTS) {
  test(`dipo-iteration.json: one official DIPO iteration (variant qvpo-repo) [${variant.name}]`, async (t) => {
    await variant.setup();
    const subject = variant.dipo(fixture);
    const cmp = new Comparison();
    const tol = DIPO_TOLERANCES;
    try {
      const before = Float32Array.from(subject.storedActions());
      const [it] = fixture.iterations;
      const rng = new ScriptedRng(it.draws, 'dipo-iteration.json');
      const got = subject.step(it.env_step, rng);
      rng.finish();
      const e = it.expected;
      cmp.check('y', got.y, e.y, tol.y);
      cmp.check('critic loss', got.criticLoss, e.critic_loss, tol.criticLoss);
      cmp.check('critic grad norm', got.criticGradNorm, e.critic_grad_norm, tol.criticGradNorm);
      cmp.check('q mean before', got.qMeanBefore, e.q_mean_before, tol.qMeanBefore);
      cmp.check('q mean after', got.qMeanAfter, e.q_mean_after, tol.qMeanAfter);
      cmp.check('action grad norms (20 steps)', got.actionGradNorms, e.action_grad_norms, tol.actionGradNorms);
      cmp.check('improved actions', got.improvedActions, e.improved_actions, tol.improvedActions);
      cmp.check('actor loss', got.actorLoss, e.actor_loss, tol.actorLoss);
      cmp.check('actor grad norm', got.actorGradNorm, e.actor_grad_norm, tol.actorGradNorm);
      compareNetworks(cmp, 'final', subject.networks(), fixture.final, tol.params);
      // the official write-back lands in a temporary copy: the stored actions stay bit for bit
      const after = subject.storedActions();
      cmp.check('stored actions after the step vs before', after, before, { abs: 0 });
      cmp.check('stored actions after the step vs the official memory', after, e.stored_actions_after.data, { abs: 0 });
      cmp.check('stored actions after the step vs the replay fixture', after, fixture.replay.act.data, { abs: 0 });
    } finally {
      subject.dispose();
    }
    for (const line of cmp.lines()) t.diagnostic(line);
    cmp.assertAll(`dipo-iteration.json [${variant.name}]`);
  });
}
