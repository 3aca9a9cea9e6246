/** The Figure 4 / Figure 5 sweep manifests: exactly the paper's arms, nothing else changed between them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ablationManifest, ablationNamed } from '../../lib/runner/ablations';
import { planManifest } from '../../lib/runner/sweep';
import { ArmFinal, entropyClaim, selectionSummary } from '../../lib/results/ablation';

/** The arms' configs with the varied keys removed must be identical. */
function assertOnlyKeysDiffer(configs: Record<string, unknown>[], keys: string[]) {
  const strip = (c: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(c).filter(([k]) => !keys.includes(k))));
  const first = strip(configs[0]);
  for (const c of configs) assert.equal(strip(c), first);
}

test('Figure 4: Ant-v3, T ∈ {20, 100} × ω_ent ∈ {0.02, 0}, 3 seeds in quick, 5 in paper', () => {
  const m = ablationManifest('entropy', 'quick');
  assert.equal(m.length, 12);
  assert.ok(m.every((e) => e.env === 'Ant-v3' && e.algo === 'qvpo' && e.profile === 'quick'));
  const arms = [...new Set(m.map((e) => JSON.stringify(e.overrides)))].map((s) => JSON.parse(s));
  assert.deepEqual(
    arms.map((o) => [o.diffusionSteps, o.entropyAlpha]).sort(),
    [
      [100, 0],
      [100, 0.02],
      [20, 0],
      [20, 0.02],
    ],
  );
  assert.deepEqual([...new Set(m.map((e) => e.seed))], [0, 1, 2]);
  assert.equal(ablationManifest('entropy', 'paper').length, 20);
  const plans = planManifest(m, '/tmp/qvpo-ablation-plan');
  assert.equal(new Set(plans.map((p) => p.dir)).size, 12, 'every arm and seed has its own directory');
  assertOnlyKeysDiffer(plans.map((p) => p.config as unknown as Record<string, unknown>), ['diffusionSteps', 'entropyAlpha']);
  const noEntropy = plans.find((p) => p.variant === 'fig4-T100-noent');
  assert.ok(noEntropy && noEntropy.paperDiff.some((d) => d.key === 'entropyAlpha' && d.value === 0 && d.paper === 0.02));
});

test('Figure 5: Hopper-v3, (Kb, Kt) ∈ {(1,1), (4,1), (4,4), (4,2), (20,2)}', () => {
  const m = ablationManifest('action-selection', 'quick');
  assert.equal(m.length, 15);
  assert.ok(m.every((e) => e.env === 'Hopper-v3'));
  const pairs = [...new Set(m.map((e) => `${e.overrides?.behaviourSamples},${e.overrides?.targetSamples}`))];
  assert.deepEqual(pairs, ['1,1', '4,1', '4,4', '4,2', '20,2']);
  const plans = planManifest(m, '/tmp/qvpo-ablation-plan');
  assertOnlyKeysDiffer(plans.map((p) => p.config as unknown as Record<string, unknown>), ['behaviourSamples', 'targetSamples']);
  assert.equal(ablationManifest('action-selection', 'smoke').length, 5);
  assert.deepEqual(ablationManifest('action-selection', 'quick', [7]).map((e) => e.seed), [7, 7, 7, 7, 7]);
});

test('unknown ablation or profile: clear errors', () => {
  assert.throws(() => ablationNamed('entropyy'), /unknown ablation "entropyy": expected one of entropy, action-selection/);
  assert.throws(() => ablationManifest('entropy', 'fast'), /unknown profile "fast"/);
});

const final = (arm: string, mean: number | null, std: number | null, seeds = 3): ArmFinal => ({ arm, label: arm, seeds, mean, std, stepsPerSecond: 10, wallSeconds: 100 });

test('the entropy claim in words follows the numbers', () => {
  const holds = entropyClaim([final('fig4-T20-ent', 900, 50), final('fig4-T20-noent', 600, 40), final('fig4-T100-ent', 950, 30), final('fig4-T100-noent', 880, 60)]);
  assert.match(holds, /did at least as well as T=100 without it \(900\.0 vs 880\.0\): the claim holds/);
  assert.match(holds, /At T=20 the entropy term changed the final return by 300\.0 \(600\.0 → 900\.0\); at T=100 by 70\.0/);
  const close = entropyClaim([final('fig4-T20-ent', 850, 50), final('fig4-T100-noent', 880, 60)]);
  assert.match(close, /within the seed spread .* gap 30\.0 ≤ std 60\.0\): consistent with the claim/);
  const fails = entropyClaim([final('fig4-T20-ent', 500, 20), final('fig4-T100-noent', 880, 60)]);
  assert.match(fails, /gap 380\.0 > std 60\.0\): the claim does not hold/);
  assert.match(entropyClaim([final('fig4-T20-ent', null, null, 0)]), /cannot be checked/);
});

test('Figure 5 summary ranks arms by final return and shows their cost', () => {
  const text = selectionSummary([final('Kb=1, Kt=1', 100, 5), final('Kb=20, Kt=2', 300, 10), final('Kb=4, Kt=4', null, null, 0)]);
  assert.equal(text, '1. Kb=20, Kt=2: 300.0 ± 10.0 over 3 seed(s), 10.0 steps/s\n2. Kb=1, Kt=1: 100.0 ± 5.0 over 3 seed(s), 10.0 steps/s');
});
