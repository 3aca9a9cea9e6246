/**
 * TD3 (lib/agents/td3): target policy smoothing and its clips, the TD target with done masks,
 * delayed actor and target updates, action bounds, checkpoint round trip, no tensor leak, and
 * learning on the three-peak bandit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { OffPolicyLearner } from '../../lib/agents/off-policy';
import { Td3Agent } from '../../lib/agents/td3/agent';
import { Td3Config, td3Schema } from '../../lib/agents/td3/config';
import { AgentSpec } from '../../lib/agents/qvpo/agent';
import { assertAllClose, assertClose, values } from '../helpers/numeric';
import { BANDIT_SPEC, assertLearnsBandit } from '../helpers/bandit-learning';
import { randomBuffer } from '../helpers/replay';

const SPEC: AgentSpec = { obsDim: 3, actDim: 2, actionLow: [-2, 0], actionHigh: [2, 1] };
const SMALL: Partial<Td3Config> = { hiddenWidth: 16, hiddenLayers: 2, batchSize: 8 };


test('TD3 defaults are the authors\' settings', () => {
  const c = td3Schema.defaults;
  assert.deepEqual(
    [c.policyNoise, c.noiseClip, c.policyDelay, c.explorationNoise, c.hiddenWidth, c.hiddenLayers, c.tau, c.batchSize, c.actorLr],
    [0.2, 0.5, 2, 0.1, 256, 2, 0.005, 256, 3e-4],
  );
});

test('target smoothing: noise σε clipped to ±c, the sum clipped to the box', async () => {
  await initBackend('cpu');
  const agent = new Td3Agent(SPEC, SMALL, 0);
  // Target actor: zero last layer with biases atanh(0.9) and 0 → μ'(s') = (0.9, 0) for every s'
  const last = agent.actorTarget.weights.length - 1;
  agent.actorTarget.weights[last].assign(tf.zerosLike(agent.actorTarget.weights[last]));
  agent.actorTarget.biases[last].assign(tf.tensor1d([Math.atanh(0.9), 0]));
  const s2 = tf.zeros([3, 3]) as tf.Tensor2D;
  // ε rows: (10, 10) → noise (0.5, 0.5): (0.9+0.5 → 1, 0.5); (−1, 1) → (−0.2, 0.2): (0.7, 0.2); (0.5, −10) → (0.1, −0.5): (1.0, −0.5)
  const a = agent.smoothedTargetActions(s2, Float32Array.from([10, 10, -1, 1, 0.5, -10]));
  assertAllClose(values(a), [1, 0.5, 0.7, 0.2, 1, -0.5], 'smoothed target actions', 1e-5, 1e-6);
  tf.dispose([a, s2]);
  agent.dispose();
});

test('TD target: y = r + γ(1 − done)·min(Q1\', Q2\')(s\', ã\'); a terminal row gives y = r', async () => {
  await initBackend('cpu');
  const agent = new Td3Agent(SPEC, SMALL, 1);
  const batch = { size: 2, obs: new Float32Array(6), act: new Float32Array(4), reward: Float32Array.from([0.5, -1]), nextObs: Float32Array.from([0.1, 0.2, 0.3, -0.3, 0.2, 0.1]), done: Float32Array.from([0, 1]) };
  const noise = Float32Array.from([0.3, -0.4, 1, 2]);
  const y = values(agent.tdTarget(batch, noise));
  const s2 = tf.tensor2d(batch.nextObs, [2, 3]);
  const q = values(agent.criticTarget.min(s2, agent.smoothedTargetActions(s2, noise)));
  assertClose(y[0], 0.5 + 0.99 * q[0], 'bootstrapped row', 1e-6, 1e-6);
  assert.equal(y[1], -1, 'terminal row: the reward alone');
  s2.dispose();
  agent.dispose();
});

test('delayed updates: the actor and the targets move only every policyDelay-th update, targets by τ', async () => {
  await initBackend('cpu');
  const agent = new Td3Agent(SPEC, { ...SMALL, policyDelay: 2, tau: 0.1 }, 2);
  const buffer = randomBuffer(64, 3, (i) => i % 5 === 0);
  const snap = (vars: tf.Variable[]) => vars.map((v) => values(v));
  const actor0 = snap(agent.actor.variables);
  const target0 = snap(agent.actorTarget.variables);
  const critic0 = snap(agent.critic.variables);
  agent.update(buffer, 1, false);
  assert.deepEqual(snap(agent.actor.variables), actor0, 'actor unchanged after update 1');
  assert.deepEqual(snap(agent.actorTarget.variables), target0, 'actor target unchanged after update 1');
  assert.notDeepEqual(snap(agent.critic.variables), critic0, 'critic moved after update 1');
  const criticTarget1 = snap(agent.criticTarget.variables);
  agent.update(buffer, 2, false);
  const actor2 = snap(agent.actor.variables);
  assert.notDeepEqual(actor2, actor0, 'actor moved at update 2');
  snap(agent.actorTarget.variables).forEach((t, i) =>
    assertAllClose(t, target0[i].map((old, j) => 0.9 * old + 0.1 * actor2[i][j]), `actor target ${i} = 0.9·old + 0.1·actor`, 1e-5, 1e-6),
  );
  const critic2 = snap(agent.critic.variables);
  snap(agent.criticTarget.variables).forEach((t, i) =>
    assertAllClose(t, criticTarget1[i].map((old, j) => 0.9 * old + 0.1 * critic2[i][j]), `critic target ${i}`, 1e-5, 1e-6),
  );
  agent.dispose();
});

test('actions stay in the env box; evaluation is deterministic; bad bounds are an error', async () => {
  await initBackend('cpu');
  const agent = new Td3Agent(SPEC, { ...SMALL, explorationNoise: 5 }, 4);
  for (let i = 0; i < 50; i++) {
    const a = agent.act([0.1 * i, -0.2, 0.3], 'behaviour');
    assert.ok(a[0] >= -2 && a[0] <= 2 && a[1] >= 0 && a[1] <= 1, `behaviour action ${a} in the box`);
  }
  assert.deepEqual(agent.act([0.1, 0.2, 0.3], 'eval'), agent.act([0.1, 0.2, 0.3], 'eval'));
  agent.dispose();
  assert.throws(() => new Td3Agent({ ...SPEC, actionLow: [-1] }, SMALL, 0), /TD3: action bounds have 1\/2 entries, actDim is 2/);
});

test('checkpoint round trip: a fresh agent given the state continues identically; no tensor leak', async () => {
  await initBackend('cpu');
  const buffer = randomBuffer(64, 5, (i) => i % 7 === 0);
  const a = new Td3Agent(SPEC, SMALL, 6);
  for (let i = 0; i < 3; i++) a.update(buffer, i + 1, false);
  const before = tf.memory().numTensors;
  const b = new Td3Agent(SPEC, SMALL, 99);
  b.setState(JSON.parse(JSON.stringify(a.getState(), (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)), (_k, v) => v));
  const sa = a.update(buffer, 4, true);
  const sb = b.update(buffer, 4, true);
  assert.deepEqual(sb, sa);
  assert.deepEqual(b.act([0.3, 0.2, 0.1], 'behaviour'), a.act([0.3, 0.2, 0.1], 'behaviour'));
  b.dispose();
  for (let i = 0; i < 20; i++) {
    a.update(buffer, 5 + i, i % 3 === 0);
    a.act([0, 0, 0], 'behaviour');
  }
  assert.equal(tf.memory().numTensors, before, 'tensor count after 20 more updates and acts');
  a.dispose();
});

test('learning: on the three-peak bandit TD3 ends well above a uniform random policy', { timeout: 120_000 }, async (t) => {
  await initBackend('wasm');
  const config = td3Schema.make({ hiddenWidth: 64, batchSize: 64, warmupSteps: 200, replaySize: 10_000 });
  assertLearnsBandit(t, (seed) => new OffPolicyLearner(new Td3Agent(BANDIT_SPEC, config, seed), config), 1200, 0.3);
});
