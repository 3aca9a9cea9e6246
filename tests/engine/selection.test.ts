/**
 * Engine selection: QVPO_ENGINE and the ORT settings are validated with errors that name the
 * bad value; auto picks ORT when it loads; a GPU provider that cannot start is a named error,
 * never a silent fallback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEngine, initEngine, ortOptionsFromEnv, parseEngineChoice, setEngine } from '../../lib/engine';
import { OrtEngine } from '../../lib/engine/ort';
import { parseWholeNumber } from '../../lib/util/parse';

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('engine names: auto, ort, tfjs; anything else is refused by name', () => {
  assert.equal(parseEngineChoice(undefined), 'auto');
  assert.equal(parseEngineChoice(' ort '), 'ort');
  assert.equal(parseEngineChoice('tfjs'), 'tfjs');
  assert.throws(() => parseEngineChoice('onnx', 'QVPO_ENGINE'), /unknown QVPO_ENGINE "onnx": expected one of auto, ort, tfjs/);
  assert.throws(() => withEnv({ QVPO_ENGINE: 'torch' }, () => initEngine()), /unknown QVPO_ENGINE "torch"/);
});

test('ORT settings from the environment: strict numbers, known providers', () => {
  assert.deepEqual(withEnv({ QVPO_ORT_PROVIDER: undefined, QVPO_ORT_THREADS: undefined }, () => ortOptionsFromEnv()), { provider: 'cpu', threads: 1 });
  assert.deepEqual(ortOptionsFromEnv({ QVPO_ORT_THREADS: '2', QVPO_ORT_PROVIDER: 'cpu' }), { provider: 'cpu', threads: 2 });
  for (const bad of ['0', '-1', '1.5', '0x2', '1e1', 'two', '100000']) {
    assert.throws(() => ortOptionsFromEnv({ QVPO_ORT_THREADS: bad }), new RegExp(`QVPO_ORT_THREADS must be a whole number from 1 to \\d+, got "${bad.replace('.', '\\.')}"`));
  }
  assert.throws(() => ortOptionsFromEnv({ QVPO_ORT_PROVIDER: 'tensorrt' }), /QVPO_ORT_PROVIDER must be one of cpu, cuda, webgpu, got "tensorrt"/);
  assert.throws(() => parseWholeNumber('', 'X', 1, 4), /X must be a whole number from 1 to 4, got ""/);
});

test('auto picks ORT here; forcing works both ways and is described', () => {
  const info = withEnv({ QVPO_ENGINE: undefined }, () => initEngine());
  assert.ok(['ort', 'tfjs'].includes(info.name));
  assert.equal(setEngine('tfjs').name, 'tfjs');
  const ort = setEngine('ort');
  assert.equal(ort.name, 'ort');
  assert.match(describeEngine(ort), /^ort \(onnxruntime=1\.30\.0, provider=cpu, threads=1, forced\)$/);
  assert.equal(initEngine('auto').name, 'ort', 'auto keeps the engine chosen');
});

test('a GPU provider that cannot start is a named error', () => {
  // No CUDA libraries and no Vulkan adapter on the CI machine: both must fail with a reason.
  for (const provider of ['cuda', 'webgpu'] as const) {
    assert.throws(() => new OrtEngine({ provider, threads: 1 }), new RegExp(`ONNX Runtime provider "${provider}" could not start: .+`));
    assert.throws(() => withEnv({ QVPO_ORT_PROVIDER: provider }, () => setEngine('ort')), new RegExp(`ONNX Runtime provider "${provider}" could not start`));
  }
  assert.throws(() => new OrtEngine({ provider: 'cpu', threads: 0 }), /threads must be a whole number ≥ 1, got 0/);
});
