/** The Figure 4 / Figure 5 sweep manifests: exactly the paper's arms, nothing else changed between them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ArmCost, ablationManifest, ablationNamed, measureArmCosts } from '../../lib/runner/ablations';
import { initBackend } from '../../lib/backend';
import { planManifest } from '../../lib/runner/sweep';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArmFinal, armColumnCurves, armColumnEnds, armRuns, entropyClaim, formatStepCost, selectionClaim, selectionSummary, trainingStepsPerSecond } from '../../lib/results/ablation';
import { loadRun } from '../../lib/results/runs';
import { writeRun } from '../helpers/runs';

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
  assert.deepEqual(
    m.slice(0, 4).map((e) => `${e.variant}/${e.seed}`),
    ['fig4-T20-ent/0', 'fig4-T20-noent/0', 'fig4-T100-ent/0', 'fig4-T100-noent/0'],
    'seed by seed: every arm runs seed 0 before any runs seed 1',
  );
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

const armCost = (arm: string, ms: number): ArmCost => ({
  arm,
  label: arm,
  cost: { updateMs: ms - 1, updateCpuMs: ms - 1, phases: {}, phasesCpu: {}, behaviourActMs: 1, evalActMs: 2, behaviourActCpuMs: 1, evalActCpuMs: 2, msPerEnvStep: ms, envStepsPerSecond: 1000 / ms },
  roundsMs: [ms * 0.95, ms, ms * 1.05],
});

const final = (arm: string, mean: number | null, std: number | null, seeds = 3): ArmFinal => ({ arm, label: arm, seeds, mean, std, stepsPerSecond: 10, wallSeconds: 100 });

test('the entropy claim in words follows the numbers', () => {
  const holds = entropyClaim([final('fig4-T20-ent', 900, 50), final('fig4-T20-noent', 600, 40), final('fig4-T100-ent', 920, 30), final('fig4-T100-noent', 880, 60)]);
  assert.match(holds, /did at least as well as T=100 without it \(900\.0 vs 880\.0\): the claim holds/);
  assert.match(holds, /The entropy term changed the final return at T=20 by \+300\.0 \(600\.0 → 900\.0, beyond the seed spread 50\.0\); at T=100 by \+40\.0 \(880\.0 → 920\.0, within the seed spread 60\.0\)\./);
  assert.match(holds, /Seeds per arm: 3 \(fig4-T20-ent\), 3 \(fig4-T20-noent\), 3 \(fig4-T100-ent\), 3 \(fig4-T100-noent\)\.$/);
  assert.doesNotMatch(holds, /sample spread/, 'no spread sentence without spreads');
  const worse = entropyClaim([final('fig4-T20-ent', 500, 20), final('fig4-T20-noent', 600, 30), final('fig4-T100-noent', 880, 60)]);
  assert.match(worse, /at T=20 by −100\.0 \(600\.0 → 500\.0, beyond the seed spread 30\.0\)\./);
  const spreads = [
    { arm: 'fig4-T20-ent', label: 'a', value: 0.1064 },
    { arm: 'fig4-T20-noent', label: 'b', value: 0.0612 },
    { arm: 'fig4-T100-ent', label: 'c', value: 0.149 },
  ];
  assert.match(
    entropyClaim([final('fig4-T20-ent', 900, 50), final('fig4-T100-noent', 880, 60)], [], spreads),
    /the policy's sample spread \(mean per-dimension std of the Nd samples\) was 0\.106 with the term and 0\.061 without at T=20\./,
    'a T whose arms lack a spread is left out',
  );
  const close = entropyClaim([final('fig4-T20-ent', 850, 50), final('fig4-T100-noent', 880, 60)]);
  assert.match(close, /within the seed spread .* gap 30\.0 ≤ std 60\.0\): consistent with the claim/);
  const fails = entropyClaim([final('fig4-T20-ent', 500, 20), final('fig4-T100-noent', 880, 60)]);
  assert.match(fails, /gap 380\.0 > std 60\.0\): the claim does not hold/);
  assert.match(entropyClaim([final('fig4-T20-ent', null, null, 0)]), /cannot be checked/);
  const oneSeed = entropyClaim([final('fig4-T20-ent', 900, 0, 1), final('fig4-T100-noent', 880, 0, 1)]);
  assert.match(oneSeed, /ended at 900\.0 and T=100 without it at 880\.0; with one seed in an arm there is no spread to judge the claim by/);
  assert.doesNotMatch(oneSeed, /holds/);
  const priced = entropyClaim([final('fig4-T20-ent', 900, 50), final('fig4-T100-noent', 880, 60)], [armCost('fig4-T20-ent', 20), armCost('fig4-T100-noent', 80)]);
  assert.match(priced, /T=20 with the entropy term costs ×0\.25 of T=100 without it \(20\.0 vs 80\.0 ms, measured alone\)/);
  assert.doesNotMatch(holds, /measured alone/);
});

test('Figure 5 summary ranks arms by final return and shows their cost', () => {
  const text = selectionSummary([final('Kb=1, Kt=1', 100, 5), final('Kb=20, Kt=2', 300, 10), final('Kb=4, Kt=4', null, null, 0)]);
  assert.equal(text, '1. Kb=20, Kt=2: 300.0 ± 10.0 over 3 seed(s), 10.0 steps/s as run\n2. Kb=1, Kt=1: 100.0 ± 5.0 over 3 seed(s), 10.0 steps/s as run');
  const withCost = selectionSummary([final('Kb=1, Kt=1', 100, 5)], [armCost('Kb=1, Kt=1', 8)]);
  assert.equal(withCost, '1. Kb=1, Kt=1: 100.0 ± 5.0 over 3 seed(s), 10.0 steps/s as run; 8.0 ms per training step measured alone (125.0 steps/s)');
});

test('an arm cost prints as the median round with the range over rounds', () => {
  assert.equal(formatStepCost(armCost('a', 20)), '20.0 (19.0–21.0)');
  assert.equal(formatStepCost({ ...armCost('a', 20), roundsMs: [20] }), '20.0');
  assert.equal(formatStepCost(undefined), 'n/a');
});

test('Figure 5 claim: one setting changed at a time, against the seed spread, with its cost', () => {
  const arms = (kb1: number, kb4: number, kb4kt2: number, kb20: number, kb4kt4: number) => [
    final('fig5-Kb1-Kt1', kb1, 10),
    final('fig5-Kb4-Kt1', kb4, 10),
    final('fig5-Kb4-Kt4', kb4kt4, 10),
    final('fig5-Kb4-Kt2', kb4kt2, 20),
    final('fig5-Kb20-Kt2', kb20, 5),
  ];
  const costs = [armCost('fig5-Kb1-Kt1', 10), armCost('fig5-Kb4-Kt1', 12), armCost('fig5-Kb4-Kt2', 13), armCost('fig5-Kb20-Kt2', 26), armCost('fig5-Kb4-Kt4', 15)];
  const holds = selectionClaim(arms(100, 150, 160, 200, 150), costs);
  assert.match(holds, /- Kb 1 → 4 at Kt = 1: 100\.0 → 150\.0 \(\+50\.0, higher, beyond the seed spread 10\.0\); cost per training step ×1\.20 \(10\.0 → 12\.0 ms\)\./);
  assert.match(holds, /- Kb 4 → 20 at Kt = 2: 160\.0 → 200\.0 \(\+40\.0, higher, beyond the seed spread 20\.0\); cost per training step ×2\.00/);
  assert.match(holds, /- Kt 1 → 2 at Kb = 4: 150\.0 → 160\.0 \(\+10\.0, within the seed spread 20\.0\); cost per training step ×1\.08 \(12\.0 → 13\.0 ms, within the timing noise: the rounds' ranges overlap\)/);
  assert.match(holds, /- Kt 2 → 4 at Kb = 4: 160\.0 → 150\.0 \(−10\.0, within the seed spread 20\.0\)/);
  assert.match(holds, /reading holds in these runs/);
  assert.match(selectionClaim(arms(100, 105, 160, 170, 150)), /neither show nor contradict/);
  assert.match(selectionClaim(arms(100, 150, 160, 170, 150)), /only partly shown/);
  assert.match(selectionClaim(arms(100, 50, 160, 200, 150)), /does not hold in these runs/);
  assert.doesNotMatch(selectionClaim(arms(100, 150, 160, 200, 150)), /cost per training step/);
  const oneSeed = selectionClaim(arms(100, 150, 160, 200, 150).map((f) => ({ ...f, seeds: 1, std: 0 })));
  assert.match(oneSeed, /Kb 1 → 4 at Kt = 1: 100\.0 → 150\.0 \(\+50\.0, one seed in an arm: no spread to judge it by\)/);
  assert.match(oneSeed, /cannot be judged from one seed per arm/);
  assert.match(selectionClaim([final('fig5-Kb1-Kt1', 100, 10)]), /Kb 1 → 4 at Kt = 1: not comparable[\s\S]*cannot be checked/);
});

test('arm costs are measured for every arm in order, with no tensor left behind', async () => {
  await initBackend('cpu');
  const before = tf.memory().numTensors;
  const costs = await measureArmCosts('action-selection', 'smoke', { iterations: 1, warmup: 0, actions: 1 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(
    costs.map((c) => c.label),
    ['Kb=1, Kt=1', 'Kb=4, Kt=1', 'Kb=4, Kt=4', 'Kb=4, Kt=2', 'Kb=20, Kt=2'],
  );
  assert.ok(costs.every((c) => c.cost.msPerEnvStep > 0 && Number.isFinite(c.cost.envStepsPerSecond)));
  await assert.rejects(measureArmCosts('action-selection', 'smoke', { iterations: 1, warmup: 0, actions: 1, rounds: 0 }), /rounds must be a whole number ≥ 1, got 0/);
});

test('training speed as run: median steps/s of the episodes after warm-up', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-ablation-speed-'));
  try {
    const dir = writeRun(root, {
      profile: 'quick-fig5-Kb1-Kt1',
      seed: 0,
      totalSteps: 400,
      evalReturns: [10],
      evalInterval: 400,
      // warm-up episode at 900 steps/s, an episode that carried an evaluation at 5 steps/s
      trainText: 'step,episode,episode_return,episode_length,wall_seconds,steps_per_second\n50,0,1,50,0.1,900\n150,1,1,100,5,20\n250,2,1,100,10,22\n300,3,1,50,20,5\n400,4,1,100,25,21\n',
      config: { algo: 'qvpo', config: { warmupSteps: 100 } },
    });
    const run = loadRun(root, 'quick-fig5-Kb1-Kt1', 'qvpo', 'Hopper-v3', 0);
    assert.equal(trainingStepsPerSecond(run), 20.5);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ algo: 'qvpo', config: {} }));
    assert.equal(trainingStepsPerSecond(run), 21);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("an arm's train.csv column at the end of training: trailing mean, averaged over seeds", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-ablation-spread-'));
  try {
    // episodes end at 200, 300, 400; a 100-step window at step 400 sees only the last one
    const writeSpreadRun = (seed: number, lastSpread: number) =>
      writeRun(root, {
        profile: 'quick-fig4-T20-ent',
        env: 'Ant-v3',
        seed,
        totalSteps: 400,
        evalReturns: [10],
        evalInterval: 400,
        trainText: `step,episode,episode_return,episode_length,sampleStd\n200,0,1,200,0.9\n300,1,1,100,0.5\n400,2,1,100,${lastSpread}\n`,
      });
    writeSpreadRun(0, 0.2);
    writeSpreadRun(1, 0.4);
    const arms = armRuns(root, 'quick', ablationNamed('entropy'), [0, 1]);
    const ends = armColumnEnds(arms, armColumnCurves(arms, 'sampleStd', 100));
    assert.equal(ends.length, 1, 'arms without runs are left out');
    assert.equal(ends[0].arm, 'fig4-T20-ent');
    assert.ok(Math.abs(ends[0].value - 0.3) < 1e-12, `got ${ends[0].value}`);
    const wide = armColumnEnds(arms, armColumnCurves(arms, 'sampleStd', 200));
    assert.ok(Math.abs(wide[0].value - (0.5 + 0.3) / 2) < 1e-12, `a 200-step window averages the last two episodes: got ${wide[0].value}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
