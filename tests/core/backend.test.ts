/** Backend choice (lib/backend/index.ts): parsing, cpu and wasm here, tfjs-node absent (the kit's shim). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, backendInfo, describeBackend, initBackend, isInstalled, parseBackendChoice } from '../../lib/backend';

test('parseBackendChoice accepts the names and auto, rejects others naming the value and the valid names', () => {
  assert.equal(parseBackendChoice(undefined), 'auto');
  assert.equal(parseBackendChoice(''), 'auto');
  assert.equal(parseBackendChoice('auto'), 'auto');
  assert.equal(parseBackendChoice(' wasm '), 'wasm');
  for (const n of BACKEND_NAMES) assert.equal(parseBackendChoice(n), n);
  assert.throws(
    () => parseBackendChoice('gpu-magic'),
    /unknown backend "gpu-magic": expected one of auto, tfjs-node-gpu, tfjs-node, webgpu, wasm, cpu/,
  );
  assert.throws(() => parseBackendChoice('CPU', 'QVPO_BACKEND'), /unknown QVPO_BACKEND "CPU"/);
});

test('isInstalled: tfjs-node is the kit\'s shim of @tensorflow/tfjs here and does not count', () => {
  // The directory exists (shims/tfjs-node, for danfojs-node) but re-exports the one @tensorflow/tfjs.
  const manifest = require('@tensorflow/tfjs-node/package.json') as { name: string };
  assert.equal(manifest.name, 'qvpo-kit-tfjs-node-shim', 'precondition: node_modules/@tensorflow/tfjs-node is the shim');
  assert.equal(require('@tensorflow/tfjs-node'), require('@tensorflow/tfjs'), 'the shim is the very TensorFlow.js module the kit uses');
  assert.equal(isInstalled('@tensorflow/tfjs-node'), false);
  assert.equal(isInstalled('@tensorflow/tfjs-node-gpu'), false);
  assert.equal(isInstalled('@tensorflow/tfjs'), true);
  assert.equal(isInstalled('@tensorflow/tfjs-backend-wasm'), true);
  assert.equal(isInstalled('surely-not-a-package-qvpo'), false);
});

test('initBackend("cpu") and ("wasm") report the backend that actually runs', async () => {
  const cpu = await initBackend('cpu');
  assert.equal(cpu.name, 'cpu');
  assert.equal(cpu.tfjsBackend, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(cpu.forced, true);
  assert.equal(cpu.gpu, false);
  assert.equal(cpu.tfjsVersion, tf.version.tfjs);
  assert.equal(backendInfo(), cpu);
  assert.equal(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]), 3);

  const wasm = await initBackend('wasm');
  assert.equal(wasm.name, 'wasm');
  assert.equal(wasm.tfjsBackend, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(typeof wasm.details.simd, 'boolean');
  assert.match(describeBackend(wasm), /^wasm \(tfjs 4\.\d+\.\d+, simd=(true|false), threads=(true|false), forced\)$/);
  assert.equal(tf.tidy(() => tf.mul(tf.scalar(3), tf.scalar(2)).dataSync()[0]), 6);

  // the same forced choice again returns the current record
  assert.equal(await initBackend('wasm'), wasm);
  assert.equal((await initBackend('cpu')).name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
});

test('forcing tfjs-node here is a clear "not available" error and leaves the backend alone', async () => {
  await initBackend('cpu');
  await assert.rejects(initBackend('tfjs-node'), /backend "tfjs-node" is not available: tfjs-node: not installed/);
  await assert.rejects(initBackend('tfjs-node-gpu'), /backend "tfjs-node-gpu" is not available: tfjs-node-gpu: not installed/);
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(backendInfo()?.name, 'cpu');
  await assert.rejects(initBackend('gpu-magic'), /unknown backend "gpu-magic"/);
});

test('QVPO_BACKEND is read when no choice is given, and a bad value names the variable', async () => {
  const saved = process.env.QVPO_BACKEND;
  try {
    process.env.QVPO_BACKEND = 'gpu-magic';
    await assert.rejects(initBackend(), /unknown QVPO_BACKEND "gpu-magic"/);
    process.env.QVPO_BACKEND = 'wasm';
    assert.equal((await initBackend()).name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  } finally {
    if (saved === undefined) delete process.env.QVPO_BACKEND;
    else process.env.QVPO_BACKEND = saved;
  }
});
