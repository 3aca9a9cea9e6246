/**
 * DDiffPG learns and keeps both goals of a two-goal maze (lib/agents/ddiffpg, through the
 * notebook's experiment loop, lib/multimodal/experiment.ts).
 *
 * The budget, and why the maze is a coarser variant: on PointMaze-MultiGoal-v0 itself (steps of
 * 0.1, 100-step episodes) the notebook's quick runs need ≈ 165 CPU s per seed (72k env steps),
 * too much for a test. Here the same layout — divider wall, two mirrored goals — is walked in
 * steps of 0.2 with 40-step episodes and goal discs of radius 0.25 (a step must not jump over a
 * goal), so random actions reach each goal in ≈ 4% of episodes (0.8% on MultiGoal) and a
 * policy needs ≈ 6 steps. 8 envs × 600 vector steps (4,800 env steps, the first 1,600 random),
 * smaller networks than the notebook's; measured ≈ 22–27 CPU s per seed on the 2-core VM (ORT
 * engine), three seeds.
 *
 * The claim: in at least two of the three seeds the evaluation episodes of the last three
 * evaluations (20 each) reach both goals, each with ≥ 10% of their successes, and the
 * evaluation policy succeeds in ≥ 30% of those episodes on average (uniform random actions:
 * ≈ 8%). A policy that settles on one goal, or does not learn, fails it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../lib/backend';
import { DDIFFPG_MAZE_SETTINGS } from '../../lib/agents/ddiffpg/tasks';
import { mazeLayout } from '../../lib/envs/point-maze';
import { ArmSpec } from '../../lib/multimodal/arms';
import { runArm } from '../../lib/multimodal/experiment';
import { pooledGoalsReached } from '../../lib/multimodal/report';

const base = mazeLayout('two-goals');
const COARSE = { ...base, name: 'two-goals-coarse', stepSize: 0.2, maxEpisodeSteps: 40, goals: base.goals.map((g) => ({ ...g, r: 0.25 })) };

const BUDGET = { numEnvs: 8, vectorSteps: 600, warmupVectorSteps: 200 };

const ARM: ArmSpec = {
  id: 'ddiffpg',
  label: 'DDiffPG',
  algo: 'ddiffpg',
  why: 'the learning test',
  config: {
    ...DDIFFPG_MAZE_SETTINGS,
    numEnvs: BUDGET.numEnvs,
    warmupVectorSteps: BUDGET.warmupVectorSteps,
    totalVectorSteps: BUDGET.vectorSteps,
    batchSize: 256,
    clusterEvery: 25,
    trajectoryCapacity: 100,
    actorHidden: '64,64,64',
    actorTimeEmbed: 16,
    actorTimeHidden: 32,
    criticHidden: '128,128',
    rndHidden: '64',
    rndFeatureDim: 16,
  },
};

test('DDiffPG reaches both goals of a (coarse) two-goal maze in at least 2 of 3 seeds', { timeout: 900_000 }, async () => {
  await initBackend('wasm');
  const lines: string[] = [];
  let bothGoals = 0;
  let successSum = 0;
  let cpu = 0;
  for (const seed of [0, 1, 2]) {
    const r = runArm(ARM, { layout: COARSE, seed, ...BUDGET, evalEvery: 50, evalEpisodes: 20, minGoalShare: 0.1, gamma: 0.99, progressSeconds: 0 });
    const late = r.points.slice(-3);
    const success = late.reduce((n, p) => n + p.successRate, 0) / late.length;
    const goals = pooledGoalsReached(r, 3);
    if (goals >= 2) bothGoals++;
    successSum += success;
    cpu += r.cpuSeconds;
    lines.push(`seed ${seed}: last 3 evaluations ${late.map((p) => p.goalCounts.join('/')).join(', ')} (goals reached ${goals}), success ${(100 * success).toFixed(0)}%, modes ${r.points[r.points.length - 1].modes}, ${r.cpuSeconds.toFixed(1)} CPU s`);
  }
  const report = lines.join('\n');
  console.log(`${report}\ntotal ${cpu.toFixed(1)} CPU s`);
  assert.ok(bothGoals >= 2, `seeds reaching both goals: ${bothGoals} of 3\n${report}`);
  assert.ok(successSum / 3 >= 0.3, `mean success over the last evaluations ${(100 * successSum / 3).toFixed(0)}% < 30%\n${report}`);
});
