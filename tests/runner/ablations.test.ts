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
import { ArmFinal, armColumnCurves, armColumnEnds, armRuns, entropyClaim, formatStepCost, selectionClaim, selectionSummary, slowRuns, slowRunsText, trainingStepsPerSecond } from '../../lib/results/ablation';
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

const final = (arm: string, mean: number | null, std: number | null, seeds = 3): ArmFinal => ({ arm, label: arm, seeds, mean, std, scores: [], stepsPerSecond: 10, wallSeconds: 100 });

/** An arm whose seeds ended at `scores` (mean and population std computed from them). */
const finalOf = (arm: string, scores: number[]): ArmFinal => {
  const m = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - m) ** 2, 0) / scores.length);
  return { arm, label: arm, seeds: scores.length, mean: m, std: sd, scores, stepsPerSecond: 10, wallSeconds: 100 };
};

// With two seeds per arm, [m − 5, m + 5], each arm's resampled mean is m − 5, m or m + 5 and a
// difference d of two arms ranges over d ± 10, each end with probability 1/16 > 2.5%: the 95%
// bootstrap interval is exactly [d − 10, d + 10].
test('the entropy claim in words follows the runs, with intervals', () => {
  const holds = entropyClaim([finalOf('fig4-T20-ent', [900, 910]), finalOf('fig4-T20-noent', [600, 610]), finalOf('fig4-T100-ent', [915, 925]), finalOf('fig4-T100-noent', [880, 890])]);
  assert.match(holds, /^\*\*The claim\*\* \(T=20 with the entropy term comes close to T=100 without it\): T20-ent − T100-noent: \+20\.0 \[\+10\.0, \+30\.0\] \(95% bootstrap CI\), P\(T20-ent > T100-noent\) = 1\.00 \[1\.00, 1\.00\]: holds\. T=20 with the term ended above/);
  assert.match(holds, /with against without: T20-ent − T20-noent: \+300\.0 \[\+290\.0, \+310\.0\] .*: holds; T100-ent − T100-noent: \+35\.0 \[\+25\.0, \+45\.0\] .*: holds\./);
  assert.match(holds, /Seeds per arm: 2 \(fig4-T20-ent\), 2 \(fig4-T20-noent\), 2 \(fig4-T100-ent\), 2 \(fig4-T100-noent\)\.$/);
  assert.doesNotMatch(holds, /sample spread/, 'no spread sentence without spreads');

  const fails = entropyClaim([finalOf('fig4-T20-ent', [500, 510]), finalOf('fig4-T100-noent', [880, 890])]);
  assert.match(fails, /T20-ent − T100-noent: −380\.0 \[−390\.0, −370\.0\] .*P\(T20-ent > T100-noent\) = 0\.00 \[0\.00, 0\.00\]: does not hold\. T=20 with the term ended below/);
  const close = entropyClaim([finalOf('fig4-T20-ent', [850, 900]), finalOf('fig4-T100-noent', [880, 890])]);
  // X's means 850, 875, 900; Y's 880, 885, 890: the difference runs from −40 to +20
  assert.match(close, /T20-ent − T100-noent: −10\.0 \[−40\.0, \+20\.0\] .*: inconclusive at 2 seeds\. The interval contains 0/);
  assert.match(entropyClaim([final('fig4-T20-ent', null, null, 0)]), /cannot be checked/);
  const oneSeed = entropyClaim([finalOf('fig4-T20-ent', [900]), finalOf('fig4-T100-noent', [880])]);
  assert.match(oneSeed, /\+20\.0 \[\+20\.0, \+20\.0\] .*: inconclusive at 1 seed\./, 'one seed: no verdict, however the means lie');

  const spreads = [
    { arm: 'fig4-T20-ent', label: 'a', value: 0.1, values: [0.095, 0.105] },
    { arm: 'fig4-T20-noent', label: 'b', value: 0.06, values: [0.055, 0.065] },
    { arm: 'fig4-T100-ent', label: 'c', value: 0.149, values: [0.149] },
  ];
  assert.match(
    entropyClaim([finalOf('fig4-T20-ent', [900, 910]), finalOf('fig4-T100-noent', [880, 890])], [], spreads),
    /sample spread at the end of training\*\* \(mean per-dimension std of the Nd samples\): T20-ent − T20-noent: \+0\.040 \[\+0\.030, \+0\.050\] .*: holds\./,
    'a T whose arms lack a spread is left out',
  );
  const priced = entropyClaim([finalOf('fig4-T20-ent', [900, 910]), finalOf('fig4-T100-noent', [880, 890])], [armCost('fig4-T20-ent', 20), armCost('fig4-T100-noent', 80)]);
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

test('Figure 5 claim: one setting changed at a time, with intervals, with its cost', () => {
  const two = (arm: string, m: number) => finalOf(arm, [m - 5, m + 5]);
  const arms = (kb1: number, kb4: number, kb4kt2: number, kb20: number, kb4kt4: number) => [
    two('fig5-Kb1-Kt1', kb1),
    two('fig5-Kb4-Kt1', kb4),
    two('fig5-Kb4-Kt4', kb4kt4),
    two('fig5-Kb4-Kt2', kb4kt2),
    two('fig5-Kb20-Kt2', kb20),
  ];
  const costs = [armCost('fig5-Kb1-Kt1', 10), armCost('fig5-Kb4-Kt1', 12), armCost('fig5-Kb4-Kt2', 13), armCost('fig5-Kb20-Kt2', 26), armCost('fig5-Kb4-Kt4', 15)];
  const holds = selectionClaim(arms(100, 150, 160, 200, 150), costs);
  assert.match(holds, /- Kb 1 → 4 at Kt = 1: Kb4-Kt1 − Kb1-Kt1: \+50\.0 \[\+40\.0, \+60\.0\] \(95% bootstrap CI\), P\(Kb4-Kt1 > Kb1-Kt1\) = 1\.00 \[1\.00, 1\.00\]: holds; cost per training step ×1\.20 \(10\.0 → 12\.0 ms\)\./);
  assert.match(holds, /- Kb 4 → 20 at Kt = 2: Kb20-Kt2 − Kb4-Kt2: \+40\.0 \[\+30\.0, \+50\.0\] .*: holds; cost per training step ×2\.00/);
  assert.match(holds, /- Kt 1 → 2 at Kb = 4: Kb4-Kt2 − Kb4-Kt1: \+10\.0 \[0\.0, \+20\.0\] .*: inconclusive at 2 seeds; cost per training step ×1\.08 \(12\.0 → 13\.0 ms, within the timing noise: the rounds' ranges overlap\)/);
  assert.match(holds, /- Kt 2 → 4 at Kb = 4: Kb4-Kt4 − Kb4-Kt2: −10\.0 \[−20\.0, 0\.0\] .*: inconclusive at 2 seeds/);
  assert.match(holds, /reading holds in these runs/);
  assert.match(selectionClaim(arms(100, 105, 160, 170, 150)), /neither show nor contradict/);
  assert.match(selectionClaim(arms(100, 150, 160, 170, 150)), /only partly shown/);
  assert.match(selectionClaim(arms(100, 50, 160, 200, 150)), /Kb4-Kt1 − Kb1-Kt1: −50\.0 \[−60\.0, −40\.0\] .*: does not hold[\s\S]*reading does not hold in these runs/);
  assert.doesNotMatch(selectionClaim(arms(100, 150, 160, 200, 150)), /cost per training step/);
  const oneSeed = selectionClaim(['fig5-Kb1-Kt1', 'fig5-Kb4-Kt1', 'fig5-Kb4-Kt2', 'fig5-Kb20-Kt2'].map((a, i) => finalOf(a, [100 + 50 * i])));
  assert.match(oneSeed, /Kb 1 → 4 at Kt = 1: Kb4-Kt1 − Kb1-Kt1: \+50\.0 \[\+50\.0, \+50\.0\] .*: inconclusive at 1 seed/);
  assert.match(oneSeed, /cannot be judged from one seed per arm/);
  assert.match(selectionClaim([two('fig5-Kb1-Kt1', 100)]), /Kb 1 → 4 at Kt = 1: not comparable[\s\S]*cannot be checked/);
});

test('a run far slower than the others: where its time went, on the clock', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-ablation-slow-'));
  try {
    const header = 'step,episode,episode_return,episode_length,wall_seconds,steps_per_second\n';
    const rows = (walls: number[]) => header + walls.map((w, i) => `${100 * (i + 1)},${i},1,100,${w},10`).join('\n') + '\n';
    const write = (seed: number, walls: number[]) =>
      writeRun(root, {
        profile: 'quick-fig5-Kb1-Kt1',
        seed,
        totalSteps: 1000,
        evalReturns: [10],
        evalInterval: 1000,
        trainText: rows(walls),
        status: { startedAt: '2026-01-01T00:00:00.000Z', starts: [{ at: '2026-01-01T00:00:00.000Z', fromStep: 0 }] },
      });
    write(0, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    write(1, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    // episodes 300→400 and 400→500 took 150 s each (0.67 steps/s); the rest 10 steps/s
    write(2, [10, 20, 30, 180, 330, 340, 350, 360, 370, 380]);
    const arms = armRuns(root, 'quick', ablationNamed('action-selection'), [0, 1, 2]);
    const slow = slowRuns(arms);
    assert.equal(slow.length, 1, 'only the run beyond 1.5 × the median wall time (100 s)');
    assert.deepEqual({ ...slow[0], slowRate: Math.round(slow[0].slowRate * 1000) / 1000 }, {
      label: 'Kb=1, Kt=1',
      seed: 2,
      wallSeconds: 380,
      typicalRate: 10,
      slowSeconds: 300,
      slowRate: 0.667,
      fromStep: 300,
      toStep: 500,
      clock: { from: '2026-01-01T00:00:30.000Z', to: '2026-01-01T00:05:30.000Z' },
    });
    assert.equal(
      slowRunsText(slow),
      '- Kb=1, Kt=1, seed 2: 6.3 min in all, 5.0 min of it in episodes at under a quarter of its typical 10.0 steps/s (median 0.7 steps/s there), between steps 300 and 500, 00:00–00:05 UTC on 2026-01-01.',
    );
    assert.deepEqual(slowRuns(arms, 4), [], 'nothing beyond 4 × the median');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
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
    assert.deepEqual(ends[0].values, [], 'per-run values only when the column and window are given');
    const perRun = armColumnEnds(arms, armColumnCurves(arms, 'sampleStd', 100), 'sampleStd', 100);
    assert.deepEqual(perRun[0].values.map((v) => Math.round(v * 1e12) / 1e12), [0.2, 0.4], 'each seed at the same step, averaging to the curve');
    const wide = armColumnEnds(arms, armColumnCurves(arms, 'sampleStd', 200));
    assert.ok(Math.abs(wide[0].value - (0.5 + 0.3) / 2) < 1e-12, `a 200-step window averages the last two episodes: got ${wide[0].value}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
