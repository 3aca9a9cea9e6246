/**
 * The point-mass mazes (lib/envs/point-maze.ts): registry ids and options, the Gymnasium-style
 * API (lifecycle errors, action checks, seeding, truncation ≠ termination), walls that block,
 * goals that terminate with the right index, and the left/right symmetry that makes the goals
 * (routes) equally good.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envSpec, listEnvIds, makeEnv } from '../../lib/envs/registry';
import { GOAL_REWARD, MAZE_LAYOUTS, PointMazeEnv, mazeLayout, mazeSvg } from '../../lib/envs/point-maze';
import { Rng } from '../../lib/util/rng';
import { assertArrayEqual, randomAction } from './helpers';

const MULTI = 'PointMaze-MultiGoal-v0';
const ROUTES = 'PointMaze-TwoRoutes-v0';

async function maze(id: string, options?: Record<string, unknown>): Promise<PointMazeEnv> {
  const env = await makeEnv(id, options);
  assert.ok(env instanceof PointMazeEnv, `${id} should be a PointMazeEnv`);
  return env as PointMazeEnv;
}

/** Runs fixed actions until the episode ends; returns positions (after each step), return, last step. */
function runScript(env: PointMazeEnv, actions: readonly (readonly number[])[]) {
  const start = env.reset({ seed: 0 });
  const xs = [start.obs[0]];
  const ys = [start.obs[1]];
  let ret = 0;
  for (const a of actions) {
    const r = env.step(a);
    xs.push(r.obs[0]);
    ys.push(r.obs[1]);
    ret += r.reward;
    if (r.terminated || r.truncated) return { xs, ys, ret, last: r };
  }
  throw new Error('script ended before the episode');
}

const repeat = (a: readonly number[], n: number) => Array.from({ length: n }, () => a);

test('registry: both ids are listed, specs match the created envs, options are validated', async () => {
  for (const id of [MULTI, ROUTES]) {
    assert.ok(listEnvIds().includes(id), id);
    const s = envSpec(id);
    assert.deepEqual([s.obsDim, s.actDim, s.maxEpisodeSteps, s.rewardThreshold], [2, 2, 100, GOAL_REWARD]);
    assert.deepEqual(s.actionLow, [-1, -1]);
    assert.deepEqual(s.actionHigh, [1, 1]);
    const env = await maze(id);
    assert.equal(env.id, id);
    assert.equal(env.maxEpisodeSteps, 100);
    assert.deepEqual(Array.from(env.observationSpace.low), [-1, -1]);
    assert.deepEqual(Array.from(env.observationSpace.high), [1, 1]);
    env.close();
  }
  assert.equal(envSpec(MULTI, { maxEpisodeSteps: 50 }).maxEpisodeSteps, 50);
  assert.equal((await maze(MULTI, { maxEpisodeSteps: null })).maxEpisodeSteps, null);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ stepSize: 1 }, /PointMaze-MultiGoal-v0: unknown option 'stepSize'; known options: maxEpisodeSteps, startNoise/],
    [{ maxEpisodeSteps: 0 }, /option 'maxEpisodeSteps' expected a positive integer or null \(no limit\), got 0/],
    [{ startNoise: -0.1 }, /option 'startNoise' expected a finite number >= 0, got -0.1/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => envSpec(MULTI, options), message);
    await assert.rejects(() => makeEnv(MULTI, options), message);
  }
});

test('lifecycle and bad actions give clear errors; rejected actions do not advance the episode', async () => {
  const env = await maze(MULTI);
  assert.throws(() => env.step([0, 0]), /PointMaze-MultiGoal-v0: step\(\) called before reset\(\)/);
  env.reset({ seed: 1 });
  const bad: [unknown, RegExp][] = [
    [[0], /action must have 2 components, got 1/],
    [[0, 0, 0], /action must have 2 components, got 3/],
    [[0, NaN], /action\[1\] must be a finite number, got NaN/],
    [[Infinity, 0], /action\[0\] must be a finite number, got Infinity/],
    [undefined, /action must be an array of 2 numbers, got undefined/],
    [0.5, /action must be an array of 2 numbers, got 0.5/],
  ];
  for (const [action, message] of bad) assert.throws(() => env.step(action as number[]), message, String(action));
  assert.equal(env.elapsedSteps, 0);
  assert.equal(env.step(new Float32Array(2)).obs.length, 2);
  assert.throws(() => env.reset({ seed: -1 }), /reset seed must be an integer in \[0, 2\^32\), got -1/);
  assert.throws(() => env.reset({ seed: 0.5 }), /got 0.5/);
  env.close();
  assert.equal(env.isClosed, true);
  assert.throws(() => env.step([0, 0]), /step\(\) called after close\(\)/);
  assert.throws(() => env.reset(), /reset\(\) called after close\(\)/);
});

test('same seed → same start and trajectory; another seed → another start; unseeded reset continues the stream', async () => {
  for (const id of [MULTI, ROUTES]) {
    const a = await maze(id);
    const b = await maze(id);
    const rng = new Rng(7);
    const actions = Array.from({ length: 100 }, () => randomAction(rng, a.actionSpace.low, a.actionSpace.high));
    const ra = a.reset({ seed: 42 });
    const rb = b.reset({ seed: 42 });
    assertArrayEqual(ra.obs, rb.obs, 'first obs');
    const start = a.layout.start;
    assert.ok(Math.abs(ra.obs[0] - start.x) <= 0.02 && Math.abs(ra.obs[1] - start.y) <= 0.02, 'start within the reset noise');
    assert.ok(a.reset({ seed: 43 }).obs.some((v, i) => v !== ra.obs[i]), 'another seed, another start');
    a.reset({ seed: 42 });
    for (const act of actions) {
      const sa = a.step(act);
      const sb = b.step(act);
      assertArrayEqual(sa.obs, sb.obs, 'obs');
      assert.equal(sa.reward, sb.reward);
      assert.deepEqual(sa.info, sb.info);
      if (sa.terminated || sa.truncated) break;
    }
    const na = a.reset().obs;
    assertArrayEqual(na, b.reset().obs, 'unseeded reset after identical histories');
    assert.ok(na.some((v, i) => v !== ra.obs[i]), 'unseeded reset draws new noise');
    a.close();
    b.close();
  }
  const quiet = await maze(MULTI, { startNoise: 0 });
  assertArrayEqual(quiet.reset({ seed: 3 }).obs, [0, -0.7], 'no noise: the layout start');
});

test('walls block: straight up hits the divider, sideways into it stops at its face, the room clamps', async () => {
  const env = await maze(MULTI, { startNoise: 0 });
  env.reset({ seed: 0 });
  let r = env.step([0, 1]);
  for (let i = 0; i < 20; i++) r = env.step([0, 1]);
  assertArrayEqual(r.obs, [0, -0.2], 'stopped under the divider (its bottom face y = −0.2)');
  assert.equal(r.info.goal, -1);
  // Left of the divider, push right: stops at its left face x = −0.05 and can slide along it.
  env.reset({ seed: 0 });
  env.step([-1, 0]);
  for (let i = 0; i < 10; i++) env.step([0, 1]); // up to y ≈ 0.3, beside the divider
  r = env.step([1, 0]);
  assert.equal(r.obs[0], -0.05, 'x at the divider face');
  const yBefore = r.obs[1];
  r = env.step([1, 0.5]);
  assert.equal(r.obs[0], -0.05, 'still at the face');
  assert.ok(Math.abs(r.obs[1] - (yBefore + 0.05)) < 1e-12, 'slides along the face');
  // Out-of-range actions are clipped to [−1, 1]; the room's walls clamp.
  env.reset({ seed: 0 });
  r = env.step([-5, 0]);
  assert.ok(Math.abs(r.obs[0] + 0.1) < 1e-12, 'action −5 moves like −1');
  for (let i = 0; i < 20; i++) r = env.step([-1, -1]);
  assertArrayEqual(r.obs, [-1, -1], 'clamped in the corner');
});

test('random walks never enter a wall (both layouts)', async () => {
  for (const id of [MULTI, ROUTES]) {
    const env = await maze(id, { maxEpisodeSteps: null });
    const rng = new Rng(11);
    env.reset({ seed: 5 });
    for (let t = 0; t < 5000; t++) {
      const r = env.step(randomAction(rng, env.actionSpace.low, env.actionSpace.high));
      for (const w of env.layout.walls) {
        const inside = r.obs[0] > w.x0 && r.obs[0] < w.x1 && r.obs[1] > w.y0 && r.obs[1] < w.y1;
        assert.ok(!inside, `${id}: (${r.obs[0]}, ${r.obs[1]}) inside a wall at step ${t}`);
      }
      if (r.terminated) env.reset();
    }
    env.close();
  }
});

test('two goals: mirrored scripted paths reach goal 0 and goal 1 at the same step with the same return', async () => {
  const env = await maze(MULTI, { startNoise: 0 });
  const left = runScript(env, [...repeat([-1, 1], 6), ...repeat([0, 1], 20)]);
  const right = runScript(env, [...repeat([1, 1], 6), ...repeat([0, 1], 20)]);
  assert.equal(left.last.terminated, true);
  assert.equal(left.last.truncated, false);
  assert.equal(left.last.info.goal, 0);
  assert.equal(left.last.info.is_success, true);
  assert.equal(right.last.info.goal, 1);
  assert.equal(left.ret, GOAL_REWARD);
  assert.equal(right.ret, left.ret);
  assert.equal(left.xs.length, right.xs.length, 'same number of steps');
  assertArrayEqual(right.xs, left.xs.map((x) => 0 - x), 'x mirrored exactly');
  assertArrayEqual(right.ys, left.ys, 'y identical');
  assert.throws(() => env.step([0, 0]), /episode is over \(terminated at step \d+\); call reset\(\)/);
  // Only the terminating step is rewarded.
  env.reset({ seed: 0 });
  assert.equal(env.step([-1, 1]).reward, 0);
});

test('two routes: left and right round the block reach the one goal at the same step', async () => {
  const env = await maze(ROUTES, { startNoise: 0 });
  const left = runScript(env, [...repeat([-1, 0], 4), ...repeat([0, 1], 11), ...repeat([1, 0], 10)]);
  const right = runScript(env, [...repeat([1, 0], 4), ...repeat([0, 1], 11), ...repeat([-1, 0], 10)]);
  assert.equal(left.last.info.goal, 0);
  assert.equal(right.last.info.goal, 0);
  assert.equal(left.ret, GOAL_REWARD);
  assert.equal(right.ret, left.ret);
  assert.equal(left.xs.length, right.xs.length);
  assertArrayEqual(right.xs, left.xs.map((x) => 0 - x), 'x mirrored exactly');
  assert.equal(left.xs.length - 1, 18, 'goal reached after 4 + 11 + 3 steps');
  assert.ok(Math.min(...left.xs) < -0.3 && Math.max(...right.xs) > 0.3, 'the routes pass either side of the block');
  // Straight up from the start is blocked by the block's bottom face.
  env.reset({ seed: 0 });
  let r = env.step([0, 1]);
  for (let i = 0; i < 10; i++) r = env.step([0, 1]);
  assertArrayEqual(r.obs, [0, -0.3], 'under the block');
});

test('truncation at the time limit is not termination; a goal on the last step is both', async () => {
  const env = await maze(MULTI);
  env.reset({ seed: 2 });
  for (let t = 1; t <= 100; t++) {
    const r = env.step([0, 0]);
    assert.equal(r.terminated, false);
    assert.equal(r.truncated, t === 100, `truncated at step ${t}`);
  }
  assert.throws(() => env.step([0, 0]), /episode is over \(truncated at step 100\)/);
  // The left script reaches its goal at step 12: with a 12-step limit that step is both.
  const short = await maze(MULTI, { startNoise: 0, maxEpisodeSteps: 12 });
  const run = runScript(short, [...repeat([-1, 1], 6), ...repeat([0, 1], 20)]);
  assert.equal(run.xs.length - 1, 12);
  assert.equal(run.last.terminated, true);
  assert.equal(run.last.truncated, true);
  assert.equal(run.ret, GOAL_REWARD);
  assert.throws(() => short.step([0, 0]), /terminated and truncated at step 12/);
});

test('mazeLayout returns copies; mazeSvg draws room, walls, goals, start and paths', () => {
  const l = mazeLayout('two-goals');
  l.goals[0].x = 5;
  l.walls[0].x0 = 3;
  assert.equal(MAZE_LAYOUTS['two-goals'].goals[0].x, -0.6, 'built-in layout untouched');
  assert.equal(mazeLayout('two-goals').walls[0].x0, -0.05);
  assert.throws(() => mazeLayout('nope' as 'two-goals'), /unknown layout 'nope'; known: two-goals, two-routes/);
  const svg = mazeSvg(mazeLayout('two-routes'), [[{ x: 0, y: -0.7 }, { x: -0.6, y: 0 }, { x: 0, y: 0.7 }]], { size: 200 });
  assert.match(svg, /^<svg [^>]*width="200.00" height="200.00"/);
  assert.equal((svg.match(/<rect /g) ?? []).length, 2, 'room + one wall');
  assert.equal((svg.match(/<title>goal \d<\/title>/g) ?? []).length, 1);
  assert.match(svg, /<polyline points="100.00,170.00 40.00,100.00 100.00,30.00"/);
  assert.throws(() => new PointMazeEnv({ ...mazeLayout('two-goals'), start: { x: 0, y: 0.5 } }), /start \(0, 0.5\) must be in the room and outside every wall/);
});
