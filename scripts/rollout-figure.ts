/**
 * One Hopper-v3 episode under a seeded random policy, drawn as torso height, torso angle (with the
 * healthy bounds that end the episode) and the reward terms per step: the README's rollout figure.
 *
 *   npx tsx scripts/rollout-figure.ts [--seed 0] [--out docs/img/hopper-v3-rollout.svg]
 *
 * Prints the episode's length, return and why it ended, so the figure can be checked against text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeEnv } from '../lib/envs/registry';
import { episodeReturn, rolloutAsync } from '../lib/envs/rollout';
import { vegaLiteToSvg } from '../lib/report/charts';
import { Rng } from '../lib/util/rng';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const envId = 'Hopper-v3';
  const seed = Number(option('seed', '0'));
  const out = option('out', path.join('docs', 'img', `${envId.toLowerCase()}-rollout.svg`));
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${option('seed', '')}`);

  const env = await makeEnv(envId);
  const rng = new Rng(seed);
  const { low, high } = env.actionSpace;
  // Hopper's obs[1] is the torso angle qpos[2]; the policy sees the obs before each step, the
  // angle after the last step is read from the env's state.
  const angles: number[] = [];
  const records = await rolloutAsync(
    env,
    (obs, i) => {
      if (i > 0) angles.push(obs[1]);
      return Array.from(low, (lo, k) => lo + (high[k] - lo) * rng.uniform());
    },
    { seed },
  );
  angles.push((env as unknown as { physics: { data: { qpos: Float64Array } } }).physics.data.qpos[2]);
  env.close();

  const last = records[records.length - 1];
  const ending = last.terminated ? 'terminated (unhealthy)' : last.truncated ? 'truncated (time limit)' : 'running';
  console.log(`${envId} seed ${seed}: ${records.length} steps, return ${episodeReturn(records).toFixed(2)}, ${ending}`);

  const terms = ['reward', 'forward_reward', 'ctrl_cost', 'healthy_reward'] as const;
  const long = records.flatMap((r) => [
    { step: r.step, panel: 'torso height (m)', series: 'torso height', value: r.torso_height },
    { step: r.step, panel: 'torso angle (rad)', series: 'torso angle', value: angles[r.step - 1] },
    { step: r.step, panel: 'torso angle (rad)', series: 'healthy bound +0.2', value: 0.2 },
    { step: r.step, panel: 'torso angle (rad)', series: 'healthy bound −0.2', value: -0.2 },
    ...terms.filter((t) => typeof r[t] === 'number').map((t) => ({ step: r.step, panel: 'reward terms', series: t, value: r[t] })),
  ]);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${envId}, one episode under a uniform random policy (seed ${seed}): ${records.length} steps, ${ending}`,
    data: { values: long },
    facet: { row: { field: 'panel', type: 'nominal', title: null, sort: ['torso height (m)', 'torso angle (rad)', 'reward terms'] } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 560,
      height: 120,
      mark: { type: 'line', point: records.length < 60 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'env step' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, await vegaLiteToSvg(spec));
  console.log(`written ${out}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
