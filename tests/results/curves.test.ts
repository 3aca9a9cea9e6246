/** lib/results/curves: Figure 3's per-step training returns, trailing-window smoothing, seed bands. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { columnCurves, evalCurves, figure3Spec, scaledWindow, smoothAt, stepReturns, trainingCurves } from '../../lib/results/curves';
import { RunRecord } from '../../lib/results/runs';
import { vegaLiteToSvg } from '../../lib/report/charts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function fakeRun(seed: number, evalReturns: number[], trainCsv: string, totalSteps: number, warmupSteps?: number): RunRecord {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-curves-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'train.csv'), trainCsv);
  const config = path.join(dir, 'config.json');
  if (warmupSteps !== undefined) fs.writeFileSync(config, JSON.stringify({ algo: 'qvpo', config: { warmupSteps } }));
  return {
    root: dir,
    dir,
    id: `quick/qvpo/Hopper-v3/seed-${seed}`,
    profile: 'quick',
    algo: 'qvpo',
    env: 'Hopper-v3',
    seed,
    files: { status: '', config, environment: '', eval: '', train: path.join(dir, 'train.csv') },
    state: 'complete',
    status: { state: 'complete', algo: 'qvpo', env: 'Hopper-v3', seed, profile: 'quick', step: totalSteps, totalSteps, startedAt: '', updatedAt: '', paperDiff: [] },
    evalRows: evalReturns.map((r, i) => ({ step: (i + 1) * 10, return_mean: r, return_std: 0, episodes: 1, wall_seconds: 1 })),
    errors: [],
    warnings: [],
  } as RunRecord;
}

test('the paper window (5000 at 1M steps) scales with the budget', () => {
  assert.equal(scaledWindow(1_000_000), 5000);
  assert.equal(scaledWindow(20_000), 100);
  assert.equal(scaledWindow(100), 1);
});

test('every step carries the return of its episode; an unfinished episode is unknown', () => {
  // episodes end at steps 3 (length 3, return 10) and 5 (length 2, return 4); steps 6–7 unfinished
  const s = stepReturns(
    [
      { step: 3, episode_return: 10, episode_length: 3 },
      { step: 5, episode_return: 4, episode_length: 2 },
    ],
    7,
  );
  assert.deepEqual([...s.slice(0, 5)], [10, 10, 10, 4, 4]);
  assert.ok(Number.isNaN(s[5]) && Number.isNaN(s[6]));
});

test('trailing-window mean by hand, skipping unknown steps', () => {
  const series = Float64Array.from([10, 10, 10, 4, 4, NaN, NaN]);
  // window 2 at steps 2, 4, 6: mean(10,10)=10, mean(10,4)=7, mean(4,NaN)=4
  assert.deepEqual(smoothAt(series, 2, 2), [
    { step: 2, value: 10 },
    { step: 4, value: 7 },
    { step: 6, value: 4 },
  ]);
  // window 5 at step 5: (30 + 8)/5
  assert.equal(smoothAt(series, 5, 5)[0].value, 38 / 5);
  assert.ok(Number.isNaN(smoothAt(Float64Array.from([NaN, NaN]), 1, 1)[1].value));
  assert.throws(() => smoothAt(series, 0, 1), /window and every must be ≥ 1, got 0 and 1/);
});

test('curves across seeds: mean and population std per step', () => {
  const header = 'step,episode,episode_return,episode_length\n';
  const a = fakeRun(0, [100, 300], header + '4,1,10,4\n', 4, 3);
  const b = fakeRun(1, [200, 500], header + '2,1,2,2\n4,2,6,2\n', 4);
  const ev = evalCurves([a, b]);
  assert.deepEqual(ev.map((p) => p.warmupSteps), [3, 3], "the longest warm-up of the seeds (run b's config.json is missing: none)");
  assert.deepEqual(
    ev.map((p) => [p.step, p.mean, p.std, p.n]),
    [
      [10, 150, 50, 2],
      [20, 400, 100, 2],
    ],
  );
  // window 2 every 2 steps: run a → 10, 10; run b → 2, 6
  const tr = trainingCurves([a, b], { window: 2, points: 2 });
  assert.deepEqual(
    tr.map((p) => [p.step, p.mean, p.std]),
    [
      [2, 6, 4],
      [4, 8, 2],
    ],
  );
  // any column the same way: episode lengths 4 (run a) and 2, 2 (run b) → mean 3, std 1
  assert.deepEqual(
    columnCurves([a, b], 'episode_length', { window: 2, points: 2 }).map((p) => [p.step, p.mean, p.std]),
    [
      [2, 3, 1],
      [4, 3, 1],
    ],
  );
  const spec = figure3Spec(ev, { title: 'Figure 3' }) as { data: { values: { lo: number; hi: number }[] } };
  assert.deepEqual([spec.data.values[0].lo, spec.data.values[0].hi], [100, 200]);
  type Layered = { spec: { width: number; layer: { encoding?: { color?: { scale: { domain: string[] } } } }[] } };
  const domains = (spec: Layered) => spec.spec.layer.flatMap((l) => (l.encoding?.color ? [l.encoding.color.scale.domain] : []));
  const plain = figure3Spec(ev) as unknown as Layered;
  assert.equal(plain.spec.width, 240);
  assert.deepEqual(domains(plain)[0], ['QVPO'], 'run ids shown in the paper\'s spelling');
  const arms = ['Kb=20, Kt=2', 'Kb=1, Kt=1'].flatMap((algo) => ev.map((p) => ({ ...p, algo })));
  const ordered = figure3Spec(arms, { seriesOrder: ['Kb=1, Kt=1', 'Kb=4, Kt=4', 'Kb=20, Kt=2'], width: 420 }) as unknown as Layered;
  assert.equal(ordered.spec.width, 420);
  for (const domain of domains(ordered)) assert.deepEqual(domain, ['Kb=1, Kt=1', 'Kb=20, Kt=2'], 'the given order, series without points left out');
});

test('curve charts print long series labels whole in the legend', async () => {
  const label = 'T=100, without entropy (ω_ent = 0)';
  const points = [0, 1].map((i) => ({ algo: label, env: 'Ant-v3', step: 1000 * (i + 1), mean: 10 * i, std: 1, n: 2 }));
  const svg = await vegaLiteToSvg(figure3Spec(points));
  assert.ok(svg.includes(label), `legend label cut short: ${svg.match(/T=100[^<]*/)?.[0]}`);
  assert.doesNotMatch(svg, /T=100[^<]*…/);
});
