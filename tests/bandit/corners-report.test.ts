/** Notebook 05's tables and findings (lib/bandit/corners-report.ts) from hand-made runs: the words follow the numbers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CornerRun, cornerSummary } from '../../lib/bandit/corners';
import { cornerCurvesSpec, cornerFindings, cornerScatterSpec, cornerTableMarkdown, summariseArms } from '../../lib/bandit/corners-report';
import { cornerDataset } from '../../lib/bandit/corners';
import { Rng } from '../../lib/util/rng';

/** Samples: `counts[k]` at corner k (exactly on it), plus `outside` at the origin. */
function samplesAt(counts: number[], outside: number): Float32Array {
  const xy: number[] = [];
  const corners = [[-0.8, 0.8], [-0.8, -0.8], [0.8, 0.8], [0.8, -0.8]];
  counts.forEach((n, k) => { for (let i = 0; i < n; i++) xy.push(corners[k][0], corners[k][1]); });
  for (let i = 0; i < outside; i++) xy.push(0.5, -0.5); // nearest the lower right, out of support
  return Float32Array.from(xy);
}

function run(arm: CornerRun['arm'], seed: number, counts: number[], outside: number): CornerRun {
  const samples = samplesAt(counts, outside);
  const summary = cornerSummary(samples);
  return { arm, seed, samples, summary, curve: [{ step: 10, best: summary.best, outOfSupport: summary.outOfSupport }], seconds: 2 };
}

test('summaries, table and findings are computed from the runs', () => {
  const runs = [
    run('bc-diffusion', 0, [25, 25, 25, 25], 0),
    run('bc-diffusion', 1, [30, 20, 25, 15], 10),
    run('diffusion-ql', 0, [0, 0, 0, 90], 10),
    run('diffusion-ql', 1, [0, 0, 0, 0], 100),
  ];
  const [bc, ql] = summariseArms(runs);
  assert.equal(bc.seedsCoveringAll, 2);
  assert.equal(bc.seedsPickingBest, 0);
  assert.equal(ql.seedsCoveringAll, 0);
  assert.equal(ql.seedsPickingBest, 1, 'a seed with nothing in support picks no corner');
  assert.equal(ql.outOfSupport.mean, 0.55);
  assert.equal(ql.nearestBest.mean, 1);
  const table = cornerTableMarkdown([bc, ql]);
  assert.match(table, /\| Diffusion-QL \| 2 \| 0 ± 0% \| 0 ± 0% \| 0 ± 0% \| 45 ± 64% \| 55 ± 64% \| 100 ± 0% \| 4 \|/);
  const text = cornerFindings([bc, ql]);
  assert.match(text, /\*\*BC-Diffusion \(η = 0\)\*\* covers all four corners \(each ≥ 10% of samples\) in 2 of 2 seeds/);
  assert.match(text, /\*\*Diffusion-QL\*\* covers all four corners \(each ≥ 10% of samples\) in 0 of 2 seeds; puts most in-support samples on the best corner \(lower right, μ 5\) in 1 of 2 seeds/);
});

test('the scatter figure shows the data and one panel per arm of the seed, three to a row; the curves carry every run', () => {
  const runs = [run('bc-diffusion', 0, [1, 1, 1, 1], 0), run('diffusion-ql', 0, [0, 0, 0, 4], 0), run('qvpo', 0, [4, 0, 0, 0], 0), run('qvpo', 1, [4, 0, 0, 0], 0)];
  const spec = cornerScatterSpec(cornerDataset(400, new Rng(1)), runs, 0, 0.2, 50) as { vconcat: { hconcat: { title: string }[] }[] };
  const titles = spec.vconcat.flatMap((r) => r.hconcat.map((p) => p.title));
  assert.deepEqual(titles, ['behaviour dataset', 'BC-Diffusion (η = 0) (seed 0)', 'Diffusion-QL (seed 0)', 'QVPO (offline) (seed 0)']);
  assert.deepEqual(spec.vconcat.map((r) => r.hconcat.length), [3, 1]);
  const curves = cornerCurvesSpec(runs) as { data: { values: unknown[] } };
  assert.equal(curves.data.values.length, 2 * runs.length);
});
