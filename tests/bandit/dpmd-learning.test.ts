/**
 * Learning that must happen: on the three-peak bandit, DPMD's and SDAC's denoising losses alone
 * move the policy onto high reward. To test the losses and not best-of-N selection, the agents
 * run with one particle (each action is one chain of the policy, no choice by the critic) and
 * are scored by the mean reward of 64 evaluation actions.
 *
 * Criterion: after 1000 pulls the mean evaluation reward beats a uniform random policy's mean
 * (≈ 0.35) by 0.3 in at least 2 of 3 seeds; the untrained policy must not (so the test cannot
 * pass without learning). Measured here: DPMD ≈ 0.99, SDAC ≈ 0.75–0.77 in every seed, from
 * 0.21–0.25 untrained; the whole file ≈ 44 s of CPU (SDAC's 32 reverse samples per state make
 * it ≈ 2.5× DPMD's), 74 s wall under a load average of 8 on 2 cores.
 *
 * Bandit settings (the official MuJoCo ones would need far longer): T = 5; one update per pull
 * and a policy step at every update; α starts at 5 and moves every update at lr 0.02 (the
 * exploration noise shrinks from 0.5 to ≈ 0.1 within ≈ 80 pulls); rewards × 10 so that Q spans
 * 0–10 as MuJoCo Q-values span tens, which SDAC's softmax over Q·5/α needs to be selective
 * (DPMD normalises Q and does not care); Q statistics at rate 0.01 to follow a short run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../lib/backend';
import { RsmAgent } from '../../lib/agents/dpmd/agent';
import { RsmObjective, dpmdSchema } from '../../lib/agents/dpmd/config';
import { OffPolicyLearner } from '../../lib/agents/off-policy';
import { DEFAULT_PEAKS, ThreePeakBandit, banditReward } from '../../lib/envs/bandit';
import { BANDIT_SPEC, randomPolicyMean } from '../helpers/bandit-learning';

const PULLS = 1000;
const EVAL_ACTIONS = 64;
const MARGIN = 0.3;

function banditLearner(objective: RsmObjective, seed: number): OffPolicyLearner {
  const config = dpmdSchema.make({
    objective,
    hiddenWidth: 64,
    batchSize: 128,
    diffusionSteps: 5,
    particles: 1,
    reverseSamples: 32,
    actorLr: 3e-3,
    criticLr: 3e-3,
    rewardScale: 10,
    alphaLr: 0.02,
    alphaUpdateEvery: 1,
    qStatsRate: 0.01,
    policyDelay: 1,
    updateEvery: 1,
    warmupSteps: 200,
    replaySize: 10_000,
  });
  return new OffPolicyLearner(new RsmAgent(BANDIT_SPEC, config, seed), config);
}

/** Mean true reward of `EVAL_ACTIONS` evaluation actions. */
function evalReward(learner: OffPolicyLearner, env: ThreePeakBandit): number {
  let total = 0;
  for (let i = 0; i < EVAL_ACTIONS; i++) {
    const a = learner.act(env.reset().obs, 'eval', PULLS);
    total += banditReward(DEFAULT_PEAKS, a[0], a[1]);
  }
  return total / EVAL_ACTIONS;
}

for (const objective of ['dpmd', 'sdac'] as const) {
  test(`${objective.toUpperCase()} with one particle moves its policy onto high reward on the bandit in most seeds`, { timeout: 300_000 }, async (t) => {
    await initBackend('wasm');
    const randomMean = randomPolicyMean();
    const finals: number[] = [];
    for (const seed of [0, 1, 2]) {
      const learner = banditLearner(objective, seed);
      const env = new ThreePeakBandit();
      const before = evalReward(learner, env);
      const started = performance.now();
      for (let step = 0; step < PULLS; step++) {
        const { obs } = env.reset();
        const action = learner.act(obs, 'explore', step);
        const r = env.step(action);
        learner.observe({ obs, action, reward: r.reward, nextObs: r.obs, terminated: true, truncated: false }, step + 1, false);
      }
      const after = evalReward(learner, env);
      learner.dispose();
      finals.push(after);
      t.diagnostic(`seed ${seed}: mean eval reward ${before.toFixed(3)} → ${after.toFixed(3)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      assert.ok(before < randomMean + MARGIN, `seed ${seed}: the untrained policy already scores ${before.toFixed(3)} (test would not be informative)`);
    }
    t.diagnostic(`uniform random policy: mean reward ${randomMean.toFixed(3)}`);
    const beat = finals.filter((f) => f >= randomMean + MARGIN).length;
    assert.ok(beat >= 2, `expected ≥ 2 of 3 seeds ≥ ${randomMean.toFixed(3)} + ${MARGIN}, got ${finals.map((f) => f.toFixed(3)).join(', ')}`);
  });
}
