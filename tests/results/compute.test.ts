/** lib/results/compute: a sweep's cost per algorithm from the runs' status.json and eval.csv. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMarkdown, runWallSeconds, summarizeCompute } from '../../lib/results/compute';
import { RunRecord } from '../../lib/results/runs';

function run(algo: string, env: string, seed: number, totalSteps: number, lastEvalWall: number, extra: Record<string, unknown> = {}): RunRecord {
  return {
    root: '/r',
    dir: `/r/quick/${algo}/${env}/seed-${seed}`,
    id: `quick/${algo}/${env}/seed-${seed}`,
    profile: 'quick',
    algo,
    env,
    seed,
    files: { status: '', config: '', environment: '', eval: '', train: '' },
    state: 'complete',
    status: {
      state: 'complete', algo, env, seed, profile: 'quick', step: totalSteps, totalSteps,
      startedAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T01:00:00Z', paperDiff: [], ...extra,
    },
    evalRows: [{ step: totalSteps, return_mean: 1, return_std: 0, episodes: 5, wall_seconds: lastEvalWall }],
    errors: [],
    warnings: [],
  };
}

test('per algorithm: steps, wall and CPU hours summed, steps/s median over runs; CPU-less runs counted apart', () => {
  const runs = [
    // status.wallSeconds wins over the eval row's clock when present
    run('sac', 'Hopper-v3', 0, 20_000, 999, { wallSeconds: 1000, cpuSeconds: 900 }),
    run('sac', 'Hopper-v3', 1, 20_000, 500, { wallSeconds: 500, cpuSeconds: 450 }),
    run('sac', 'Walker2d-v3', 0, 20_000, 2000), // made before CPU time was kept
    run('qvpo', 'Hopper-v3', 0, 10_000, 3600, { wallSeconds: 3600, cpuSeconds: 3600 }),
    run('ppo', 'Hopper-v3', 0, 10_000, 100, { wallSeconds: 100, cpuSeconds: null }), // resumed from an old checkpoint
  ];
  assert.equal(runWallSeconds(runs[0]), 1000);
  assert.equal(runWallSeconds(runs[2]), 2000);
  const s = summarizeCompute(runs, ['PPO', 'qvpo']);
  assert.deepEqual(s.rows.map((r) => r.algorithm), ['PPO', 'qvpo', 'sac'], 'the given order and spelling first, then the rest');
  const sac = s.rows[2];
  assert.equal(sac.runs, 3);
  assert.deepEqual(sac.tasks, ['Hopper-v3', 'Walker2d-v3']);
  assert.equal(sac.envSteps, 60_000);
  assert.equal(sac.wallHours, 3500 / 3600);
  assert.equal(sac.cpuHours, 1350 / 3600);
  assert.equal(sac.cpuRuns, 2);
  // 20k steps in 1000 s, 500 s, 2000 s: 20, 40, 10 steps/s
  assert.deepEqual(sac.stepsPerSecond, { median: 20, min: 10, max: 40 });
  assert.equal(s.rows[0].cpuHours, null);
  assert.equal(s.total.runs, 5);
  assert.equal(s.total.envSteps, 80_000);
  assert.equal(s.total.wallHours, (3500 + 3600 + 100) / 3600);
  assert.equal(s.total.cpuHours, (1350 + 3600) / 3600);
  assert.equal(s.total.cpuRuns, 3);

  const md = computeMarkdown(s);
  assert.match(md, /\| PPO \| 1 \| 10,000 \| 0\.03 \| not recorded \| 100 \[100, 100\] \|/);
  assert.match(md, /\| sac \| 3 \| 60,000 \| 0\.97 \| 0\.38 \(2 of 3 runs\) \| 20\.0 \[10\.0, 40\.0\] \|/);
  assert.match(md, /\| all \| 5 \| 80,000 \| 2\.00 \| 1\.38 \(3 of 5 runs\) \|/);
});

test('an even number of runs takes the middle pair for the median', () => {
  const s = summarizeCompute([run('td3', 'Hopper-v3', 0, 1000, 10), run('td3', 'Hopper-v3', 1, 1000, 20)]);
  assert.equal(s.rows[0].stepsPerSecond.median, 75);
});
