/** Offline runs as normalised scores (lib/datasets/offline-report.ts), from hand-made run folders. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { offlineCells, offlineFindings, offlineTableMarkdown } from '../../lib/datasets/offline-report';
import { RunRecord } from '../../lib/results/runs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-offline-report-'));

function record(algo: string, dataset: string, seed: number, returns: number[], reference: { randomReturn: number; policyReturn: number | null }, state = 'complete'): RunRecord {
  const dir = path.join(tmp, algo, dataset, String(seed));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ dataset: { reference } }));
  return {
    root: tmp,
    dir,
    id: `quick/${algo}/Hopper-v3/offline-${dataset}/seed-${seed}`,
    dataset,
    profile: 'quick',
    algo,
    env: 'Hopper-v3',
    seed,
    state,
    evalRows: returns.map((r, i) => ({ step: 1000 * (i + 1), return_mean: r, return_std: 0, episodes: 5, wall_seconds: 1 })),
  } as unknown as RunRecord;
}

test('normalised scores: 100·(R − R_random)/(R_policy − R_random), final and best per seed, random datasets scored with the task\'s policy return, incomplete runs left out', () => {
  const ref = { randomReturn: 10, policyReturn: 110 };
  const runs = [
    record('diffusion-ql', 'medium', 0, [60, 110, 90], ref), // final 80, best 100
    record('diffusion-ql', 'medium', 1, [10, 70], ref), // final 60, best 60
    record('td3', 'medium', 0, [30, 0], ref), // final −10, best 20
    record('diffusion-ql', 'random', 0, [35], { randomReturn: 10, policyReturn: null }), // 25, with the medium policy return
    record('diffusion-ql', 'medium-replay', 0, [50], ref, 'running'),
  ];
  const { cells, skipped } = offlineCells(runs);
  assert.deepEqual(skipped, ['quick/diffusion-ql/Hopper-v3/offline-medium-replay/seed-0 (running)']);
  const dql = cells.find((c) => c.algo === 'diffusion-ql' && c.dataset === 'medium')!;
  assert.equal(dql.seeds, 2);
  assert.equal(dql.finalScore.mean, 70);
  assert.ok(Math.abs(dql.finalScore.std - Math.SQRT2 * 10) < 1e-9);
  assert.equal(dql.bestScore.mean, 80);
  assert.equal(dql.steps, 3000);
  assert.equal(cells.find((c) => c.dataset === 'random')!.finalScore.mean, 25);
  assert.deepEqual(cells.map((c) => `${c.dataset}/${c.algo}`), ['random/diffusion-ql', 'medium/diffusion-ql', 'medium/td3']);
  assert.match(offlineTableMarkdown(cells), /\| Hopper-v3 \| medium \| td3 \| 1 \| 2000 \| 0\.0 ± 0\.0 \| -10\.0 ± 0\.0 \| 20\.0 ± 0\.0 \|/);
  assert.match(offlineFindings(cells), /\*\*Hopper-v3 medium\*\*: final normalised score diffusion-ql 70\.0 ± 14\.1 \(best over training 80\.0; 2 seeds\), td3 -10\.0 ± 0\.0 \(best over training 20\.0; 1 seed\)\./);
});
