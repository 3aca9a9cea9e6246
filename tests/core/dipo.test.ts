/**
 * DIPO (lib/agents/dipo): the original code's defaults and per-task settings, the QVPO
 * repository's path as the named variant, the action-gradient improvement of stored actions
 * with and without write-back, the buffer's improvable action copy (ring reset, checkpoint),
 * the evaluation chain, the actor target's update period, and full updates with no tensor leak.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { DipoAgent } from '../../lib/agents/dipo/agent';
import { DIPO_VARIANTS, dipoSchema } from '../../lib/agents/dipo/config';
import { OffPolicyLearner } from '../../lib/agents/off-policy';
import { variantOverrides } from '../../lib/agents/registry';
import { planRun } from '../../lib/runner/plan';
import { ENGINE_NAMES, engine, setEngine } from '../../lib/engine';
import { ReplayBuffer } from '../../lib/replay/buffer';
import { Rng } from '../../lib/util/rng';
import { values } from '../helpers/numeric';
import { checkRoundTripAndLeaks } from '../helpers/off-policy';

const SPEC = { obsDim: 3, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };
const SMALL = { hiddenWidth: 16, hiddenLayers: 2, batchSize: 8, diffusionSteps: 5, targetSamples: 2, behaviourSamples: 2, evalSamples: 3 };

function filled(n: number, seed: number, improvedActions = true): ReplayBuffer {
  const rng = new Rng(seed);
  const b = new ReplayBuffer(100, 3, 2, { improvedActions });
  for (let i = 0; i < n; i++) b.add(rng.uniforms(3, -1, 1), rng.uniforms(2, -0.5, 0.5), rng.uniformIn(-1, 1), rng.uniforms(3, -1, 1), i % 9 === 0);
  return b;
}

test('DIPO defaults are the original code\'s (dipo-spec §7.1): T 100, actor lr 3e-4, one sample everywhere, noiseless evaluation chain, no write-back', () => {
  const d = dipoSchema.defaults;
  assert.deepEqual(
    [d.diffusionSteps, d.actorLr, d.criticLr, d.behaviourSamples, d.targetSamples, d.evalSamples, d.noiseRatio, d.evalNoiseRatio],
    [100, 3e-4, 3e-4, 1, 1, 1, 1, 0],
  );
  assert.deepEqual([d.actionGradientSteps, d.actionLr, d.actionGradNormPerDim, d.gradClipNorm, d.actorTargetEvery, d.writeBackImproved], [20, 0.03, 0.1, 2, 1, false]);
  assert.deepEqual([d.batchSize, d.hiddenWidth, d.hiddenLayers, d.adamEps, d.gamma, d.tau, d.warmupSteps, d.replaySize], [256, 256, 3, 1e-5, 0.99, 0.005, 10_000, 1_000_000]);
});

test('per-task settings of the DIPO README (dipo-spec §7.2) reach the run plan', () => {
  const expected: Record<string, [number, number, number, number]> = {
    // gradClipNorm, actionGradNormPerDim, actionGradientSteps, actorTargetEvery
    'Hopper-v3': [1, 0.3, 20, 1],
    'Walker2d-v3': [2, 0.08, 20, 1],
    'Ant-v3': [0.8, 0.1, 20, 1],
    'HalfCheetah-v3': [2, 0.08, 40, 2],
    'Humanoid-v3': [2, 0.1, 20, 1],
  };
  for (const [env, want] of Object.entries(expected)) {
    const c = planRun({ algo: 'dipo', env, seed: 0, profile: 'paper' }).config;
    assert.deepEqual([c.gradClipNorm, c.actionGradNormPerDim, c.actionGradientSteps, c.actorTargetEvery], want, env);
    assert.equal(c.diffusionSteps, 100, env);
  }
});

test('the QVPO repository\'s DIPO path is the named variant qvpo-repo (dipo-spec §6), the same on every task', () => {
  const v = variantOverrides('dipo', 'qvpo-repo');
  assert.ok(v);
  for (const env of ['Hopper-v3', 'HalfCheetah-v3']) {
    const task = planRun({ algo: 'dipo', env, seed: 0, profile: 'paper' }).config;
    const c = dipoSchema.make({ ...task, ...v });
    assert.deepEqual(
      [c.diffusionSteps, c.actorLr, c.behaviourSamples, c.targetSamples, c.evalSamples, c.evalNoiseRatio, c.writeBackImproved],
      [20, 1e-4, 4, 4, 32, 1, false],
    );
    assert.deepEqual([c.gradClipNorm, c.actionGradNormPerDim, c.actionGradientSteps, c.actorTargetEvery], [2, 0.1, 20, 1], env);
  }
  assert.deepEqual(variantOverrides('dipo', 'writeback'), { writeBackImproved: true });
  assert.equal(variantOverrides('dipo', 'nope'), null);
  assert.ok(Object.keys(DIPO_VARIANTS).every((name) => /^[a-z0-9-]+$/.test(name)), 'variant names are directory-safe');
});

test('one action step is Adam\'s first step up the gradient of min(Q1, Q2): lr·g/(|g| + eps) per coordinate; without write-back the buffer is untouched', async () => {
  await initBackend('cpu');
  for (const writeBackImproved of [false, true]) {
    const agent = new DipoAgent(SPEC, { ...SMALL, actionGradientSteps: 1, actionLr: 0.03, actionGradNormPerDim: 0, writeBackImproved }, 0);
    assert.equal(agent.improvesStoredActions, writeBackImproved);
    const buffer = filled(20, 1);
    const idx = Int32Array.from([0, 3, 7]);
    const batch = buffer.gather(idx);
    const s = tf.tensor2d(batch.obs, [3, 3]);
    const g = values(tf.grad((a: tf.Tensor) => tf.sum(agent.critic.min(s, a as tf.Tensor2D)))(tf.tensor2d(batch.act, [3, 2])));
    const out = agent.improveActions(buffer, idx);
    out.actions.forEach((a, k) => {
      // Adam's first step: m̂ = g, v̂ = g², so Δa = lr·g/(|g| + eps) with eps = 1e-5
      const expected = Math.min(1, Math.max(-1, batch.act[k] + (0.03 * g[k]) / (Math.abs(g[k]) + 1e-5)));
      assert.ok(Math.abs(a - expected) < 1e-6, `coordinate ${k}: ${a} vs ${expected}`);
    });
    const gNorm = Math.hypot(...g);
    assert.equal(out.gradNorms.length, 1);
    assert.ok(Math.abs(out.gradNorms[0] - gNorm) < 1e-4 * gNorm, `gradient norm ${out.gradNorms[0]} vs ${gNorm}`);
    const stored = Array.from(buffer.gatherImproved(idx));
    if (writeBackImproved) assert.deepEqual(stored, Array.from(out.actions), 'written back');
    else assert.deepEqual(stored, Array.from(batch.act), 'not written back');
    assert.deepEqual(Array.from(buffer.gather(idx).act), Array.from(batch.act), 'the actions taken stay for the critic');
    s.dispose();
    agent.dispose();
  }
});

test('without write-back every draw starts from the action taken; with it, from the last improved action', async () => {
  await initBackend('cpu');
  const idx = Int32Array.from([2, 5]);
  for (const writeBackImproved of [false, true]) {
    const agent = new DipoAgent(SPEC, { ...SMALL, actionGradientSteps: 2, writeBackImproved }, 1);
    const buffer = filled(20, 4);
    const first = agent.improveActions(buffer, idx);
    const second = agent.improveActions(buffer, idx);
    if (writeBackImproved) assert.notDeepEqual(Array.from(second.actions), Array.from(first.actions), 'the improvement compounds');
    else assert.deepEqual(Array.from(second.actions), Array.from(first.actions), 'the same start gives the same improvement');
    agent.dispose();
  }
});

test('20 steps raise the critic value of the stored actions and report 20 gradient norms', async () => {
  await initBackend('cpu');
  const agent = new DipoAgent(SPEC, SMALL, 2);
  const out = agent.improveActions(filled(30, 3), Int32Array.from([1, 2, 4, 8, 16]));
  assert.ok(out.qAfter > out.qBefore, `mean min-Q ${out.qBefore} → ${out.qAfter}`);
  assert.ok(out.actions.every((a) => a >= -1 && a <= 1));
  assert.equal(out.gradNorms.length, 20);
  agent.dispose();
});

test('evaluation: evalSamples chains with the evaluation noise ratio (0 by default), behaviour with the training one', async () => {
  await initBackend('cpu');
  const calls: { k: number; noiseRatio: number | undefined }[] = [];
  const agent = new DipoAgent(SPEC, { hiddenWidth: 16, hiddenLayers: 2, diffusionSteps: 5 }, 3);
  const sample = agent.policy.sample.bind(agent.policy);
  agent.policy.sample = (states, k, rng, which, noiseRatio) => {
    calls.push({ k, noiseRatio });
    return sample(states, k, rng, which, noiseRatio);
  };
  // Behaviour actions come from propose (chains + scoring in one engine call), always with
  // the training noise ratio: recorded as "no ratio given".
  const propose = agent.policy.propose.bind(agent.policy);
  agent.policy.propose = (states, k, rng, which, critic, keepSamples) => {
    calls.push({ k, noiseRatio: undefined });
    return propose(states, k, rng, which, critic, keepSamples);
  };
  const a = agent.act([0.1, 0.2, 0.3], 'eval');
  agent.act([0.1, 0.2, 0.3], 'behaviour');
  assert.deepEqual(calls, [{ k: 1, noiseRatio: 0 }, { k: 1, noiseRatio: undefined }]);
  assert.ok(a.every((x) => x >= -1 && x <= 1));
  agent.dispose();
});

/** Normals whose first array of each chain (x_T) is fixed and the rest drawn from `seed`. */
class FixedStart extends Rng {
  private calls = 0;
  constructor(seed: number, private readonly T: number) {
    super(seed);
  }
  override normals(n: number, out?: Float32Array): Float32Array {
    const first = this.calls++ % this.T === 0;
    return first ? (out ?? new Float32Array(n)).fill(0.3) : super.normals(n, out);
  }
}

test('evaluation with noise ratio 0: the action depends on x_T only, not on the posterior noise draws', async () => {
  await initBackend('cpu');
  for (const evalNoiseRatio of [0, 1]) {
    const make = (seed: number) => {
      const agent = new DipoAgent(SPEC, { hiddenWidth: 16, hiddenLayers: 2, diffusionSteps: 5, evalNoiseRatio }, 3);
      (agent as unknown as { rng: Rng }).rng = new FixedStart(seed, 5);
      return agent;
    };
    const [a, b] = [make(1), make(2)];
    const [xa, xb] = [Array.from(a.act([0.1, 0.2, 0.3], 'eval')), Array.from(b.act([0.1, 0.2, 0.3], 'eval'))];
    if (evalNoiseRatio === 0) assert.deepEqual(xb, xa);
    else assert.notDeepEqual(xb, xa);
    a.dispose();
    b.dispose();
  }
});

test('actor target period: with actorTargetEvery 2 the actor target moves on updates 0, 2, 4 (the critic target on every one)', async () => {
  await initBackend('cpu');
  const agent = new DipoAgent(SPEC, { ...SMALL, actionGradientSteps: 1, actorTargetEvery: 2 }, 5);
  const buffer = filled(30, 6, false);
  const actorTarget = () => values(agent.policy.target.main.weights[0]);
  const criticTarget = () => values(agent.criticTarget.q1.weights[0]);
  const moved: [boolean, boolean][] = [];
  for (let i = 0; i < 5; i++) {
    const [a0, c0] = [actorTarget(), criticTarget()];
    agent.update(buffer, 10_000 + i);
    moved.push([actorTarget().some((v, j) => v !== a0[j]), criticTarget().some((v, j) => v !== c0[j])]);
  }
  assert.deepEqual(moved, [[true, true], [false, true], [true, true], [false, true], [true, true]]);
  agent.dispose();
});

test('improvable copy: reset when the ring overwrites a row, kept in checkpoints, clear errors', () => {
  const b = new ReplayBuffer(2, 1, 1, { improvedActions: true });
  b.add([0], [0.1], 0, [0], false);
  b.add([1], [0.2], 0, [1], false);
  b.setImproved(Int32Array.from([0, 1]), [0.9, 0.8]);
  b.add([2], [0.3], 0, [2], false); // overwrites row 0
  assert.deepEqual(Array.from(b.gatherImproved(Int32Array.from([0, 1]))).map((x) => +x.toFixed(3)), [0.3, 0.8]);
  const copy = new ReplayBuffer(2, 1, 1, { improvedActions: true });
  copy.setState(b.getState());
  assert.deepEqual(copy.gatherImproved(Int32Array.from([1])), b.gatherImproved(Int32Array.from([1])));
  const plain = new ReplayBuffer(2, 1, 1);
  assert.throws(() => plain.gatherImproved(Int32Array.from([0])), /keeps no improved actions/);
  assert.throws(() => copy.setState(plain.getState()), /the checkpoint has no improved actions/);
  assert.throws(() => b.setImproved(Int32Array.from([0]), [1, 2]), /2 numbers for 1 rows of 1/);
});

test('full updates through the off-policy learner on each engine, with and without write-back: stats, checkpoint round trip, no tensor leak', async () => {
  await initBackend('cpu');
  const before = engine().name;
  for (const [engineName, writeBackImproved] of ENGINE_NAMES.flatMap((e) => [[e, false], [e, true]] as const)) {
    setEngine(engineName);
    const config = dipoSchema.make({ ...SMALL, actionGradientSteps: 3, warmupSteps: 10, replaySize: 100, actorTargetEvery: 2, writeBackImproved });
    const make = (seed: number) => new OffPolicyLearner(new DipoAgent(SPEC, config, seed), config);
    const probe = make(0);
    assert.equal(Boolean(probe.buffer.getState().improved), writeBackImproved, 'an improvable action copy only with write-back');
    probe.dispose();
    const stats = checkRoundTripAndLeaks(make);
    assert.ok(Number.isFinite(stats.actorLoss) && stats.qBest >= stats.qMean - 1e-6, `${engineName}: stats ${JSON.stringify(stats)}`);
  }
  setEngine(before);
});
