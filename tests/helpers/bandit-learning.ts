/** The baselines' learning check on the three-peak bandit (not a test file itself). */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Learner } from '../../lib/agents/learner';
import { DEFAULT_PEAKS, ThreePeakBandit, banditReward } from '../../lib/envs/bandit';
import { Rng } from '../../lib/util/rng';

/** The bandit's action spec: a constant 1-number observation, actions in [−1, 1]². */
export const BANDIT_SPEC = { obsDim: 1, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };

/** Mean reward of a uniform random policy (Monte Carlo, 20 000 pulls, fixed seed). */
export function randomPolicyMean(): number {
  const rng = new Rng(123);
  let total = 0;
  for (let i = 0; i < 20000; i++) total += banditReward(DEFAULT_PEAKS, rng.uniformIn(-1, 1), rng.uniformIn(-1, 1));
  return total / 20000;
}

/** Trains `learner` for `steps` single-pull episodes, then returns its evaluation action and reward. */
export function trainOnBandit(learner: Learner, steps: number): { action: Float32Array; reward: number } {
  const env = new ThreePeakBandit();
  for (let step = 0; step < steps; step++) {
    const { obs } = env.reset();
    const action = learner.act(obs, 'explore', step);
    const r = env.step(action);
    learner.observe({ obs, action, reward: r.reward, nextObs: r.obs, terminated: true, truncated: false }, step + 1, false);
  }
  const action = learner.act(env.reset().obs, 'eval', steps);
  learner.dispose();
  return { action, reward: banditReward(DEFAULT_PEAKS, action[0], action[1]) };
}

/**
 * Trains a fresh learner for each of seeds 0, 1, 2 for `steps` pulls and asserts that at least
 * two of the three evaluation rewards beat the uniform random policy's mean by `margin`.
 */
export function assertLearnsBandit(t: TestContext, make: (seed: number) => Learner, steps: number, margin: number): void {
  const randomMean = randomPolicyMean();
  const finals = [0, 1, 2].map((seed) => {
    const { action, reward } = trainOnBandit(make(seed), steps);
    t.diagnostic(`seed ${seed}: eval action (${action[0].toFixed(2)}, ${action[1].toFixed(2)}) → reward ${reward.toFixed(3)}`);
    return reward;
  });
  t.diagnostic(`uniform random policy: mean reward ${randomMean.toFixed(3)}`);
  const beat = finals.filter((f) => f >= randomMean + margin).length;
  assert.ok(beat >= 2, `expected ≥ 2 of 3 seeds ≥ random mean ${randomMean.toFixed(3)} + ${margin}, got ${finals.map((f) => f.toFixed(3)).join(', ')}`);
}
