/**
 * measureStepCost (lib/agents/qvpo/step-cost.ts): how its figures combine, that it leaves no
 * tensors behind (also when the setup hook fails), and its errors for bad options.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { AgentSpec } from '../../lib/agents/qvpo/agent';
import { QvpoConfig, qvpoSchema } from '../../lib/agents/qvpo/config';
import { measureStepCost } from '../../lib/agents/qvpo/step-cost';
import { initBackend } from '../../lib/backend';

const SPEC: AgentSpec = { obsDim: 3, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };
const TINY: Partial<QvpoConfig> = {
  hiddenWidth: 8,
  hiddenLayers: 2,
  batchSize: 4,
  trainSamples: 3,
  diffusionSteps: 3,
  targetSamples: 2,
  behaviourSamples: 2,
  evalSamples: 3,
  entropySamples: 2,
  warmupSteps: 10,
};

test('a training env step costs updatesPerStep updates and one behaviour action; no tensor is left', async () => {
  await initBackend('cpu');
  const before = tf.memory().numTensors;
  const config = qvpoSchema.make({ ...TINY, updatesPerStep: 2 }) as QvpoConfig;
  const cost = await measureStepCost(SPEC, config, { iterations: 2, warmup: 1, actions: 2 });
  assert.equal(tf.memory().numTensors, before);
  for (const key of ['updateMs', 'behaviourActMs', 'evalActMs'] as const) assert.ok(cost[key] > 0, `${key} = ${cost[key]}`);
  assert.ok(Math.abs(cost.msPerEnvStep - (2 * cost.updateMs + cost.behaviourActMs)) < 1e-9);
  assert.ok(Math.abs(cost.envStepsPerSecond * cost.msPerEnvStep - 1000) < 1e-6);
  for (const phase of ['critic', 'sampling', 'actor']) assert.ok((cost.phases[phase] ?? 0) > 0, `phase ${phase}: ${JSON.stringify(cost.phases)}`);
  const phaseSum = Object.values(cost.phases).reduce((a, b) => a + b, 0);
  assert.ok(phaseSum <= cost.updateMs + 1e-9, `phases ${phaseSum} ms exceed the update ${cost.updateMs} ms`);
});

test('the agent is disposed when the setup hook throws', async () => {
  await initBackend('cpu');
  const before = tf.memory().numTensors;
  const config = qvpoSchema.make(TINY) as QvpoConfig;
  await assert.rejects(
    measureStepCost(SPEC, config, {
      iterations: 1,
      warmup: 0,
      actions: 1,
      prepare: () => {
        throw new Error('no pool');
      },
    }),
    /no pool/,
  );
  assert.equal(tf.memory().numTensors, before);
});

test('bad counts are named with what was expected', async () => {
  const config = qvpoSchema.make(TINY) as QvpoConfig;
  await assert.rejects(measureStepCost(SPEC, config, { iterations: 0, warmup: 0, actions: 1 }), /iterations must be a whole number ≥ 1, got 0/);
  await assert.rejects(measureStepCost(SPEC, config, { iterations: 1, warmup: 0, actions: 2.5 }), /actions must be a whole number ≥ 1, got 2.5/);
  await assert.rejects(measureStepCost(SPEC, config, { iterations: 1, warmup: -1, actions: 1 }), /warmup must be a whole number ≥ 0, got -1/);
});
