/**
 * The kit's authored model files compile to gym's models: every quantity in
 * tests/fixtures/mujoco-model-fingerprints.json (counts, options, body masses/inertias/COMs,
 * joint ranges/damping/armature, actuator gears/ctrlranges, geom types/sizes/friction/contact
 * parameters, positions at qpos0) must match to 1e-6 relative.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileXml, loadModelFile, loadMujoco, modelXml, mujocoVersion } from '../../lib/envs/mujoco/loader';
import { modelFingerprint } from '../../lib/envs/mujoco/fingerprint';
import { MUJOCO_TASKS, TASKS } from '../../lib/envs/mujoco/specs';

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'mujoco-model-fingerprints.json'), 'utf8'),
) as { models: Record<string, Record<string, unknown>>; frame_skip: Record<string, number> };

/** Walks expected vs actual; numbers compare with a relative tolerance; returns mismatches. */
function compare(expected: unknown, actual: unknown, where: string, out: string[], rel = 1e-6, abs = 1e-9): void {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || !(Math.abs(actual - expected) <= abs + rel * Math.abs(expected))) {
      out.push(`${where}: expected ${expected}, got ${String(actual)}`);
    }
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(`${where}: expected an array of ${expected.length}, got ${Array.isArray(actual) ? actual.length : String(actual)}`);
      return;
    }
    expected.forEach((e, i) => compare(e, actual[i], `${where}[${i}]`, out, rel, abs));
  } else if (expected !== null && typeof expected === 'object') {
    for (const [k, e] of Object.entries(expected)) {
      compare(e, (actual as Record<string, unknown> | null)?.[k], `${where}.${k}`, out, rel, abs);
    }
  } else if (expected !== actual) {
    out.push(`${where}: expected ${String(expected)}, got ${String(actual)}`);
  }
}

const SKIP_KEYS = new Set(['kit_model_file']);

test('the WASM module is MuJoCo 3.3.8', async () => {
  const mj = await loadMujoco();
  assert.equal(mujocoVersion(mj), '3.3.8');
  assert.equal(await loadMujoco(), mj, 'the module is loaded once and cached');
});

for (const task of MUJOCO_TASKS) {
  test(`${task}: the kit's ${TASKS[task].modelFile} matches gym's compiled model`, async () => {
    const mj = await loadMujoco();
    const expected = fixture.models[task];
    assert.ok(expected, `fixture has ${task}`);
    assert.equal(expected.kit_model_file, TASKS[task].modelFile);
    assert.equal(fixture.frame_skip[task], TASKS[task].frameSkip, 'frame skip');
    const model = loadModelFile(mj, TASKS[task].modelFile);
    try {
      const fp = modelFingerprint(mj, model) as unknown as Record<string, unknown>;
      const mismatches: string[] = [];
      for (const [key, value] of Object.entries(expected)) {
        if (!SKIP_KEYS.has(key)) compare(value, fp[key], key, mismatches);
      }
      assert.deepEqual(mismatches, [], `${task}: ${mismatches.length} mismatches`);
      // The static spec table agrees with the model too.
      assert.equal(model.nq, TASKS[task].nq);
      assert.equal(model.nv, TASKS[task].nv);
      assert.equal(model.nu, TASKS[task].nu);
      assert.equal(model.opt.timestep, TASKS[task].timestep);
    } finally {
      model.delete();
    }
  });
}

test('the comparison notices a changed parameter (e.g. Walker2d-v5 right-foot friction)', async () => {
  const mj = await loadMujoco();
  const xml = modelXml('walker2d.xml');
  const changed = xml.replace(
    /(<geom name="foot_geom"[^>]*?)\/>/,
    (_m, head: string) => `${head} friction="1.9"/>`,
  );
  assert.notEqual(changed, xml, 'the edit applied');
  const model = compileXml(mj, changed, 'walker2d-changed');
  try {
    const fp = modelFingerprint(mj, model) as unknown as Record<string, unknown>;
    const mismatches: string[] = [];
    for (const [key, value] of Object.entries(fixture.models.Walker2d)) {
      if (!SKIP_KEYS.has(key)) compare(value, fp[key], key, mismatches);
    }
    assert.deepEqual(mismatches, ['geoms[4].friction[0]: expected 0.9, got 1.9']);
  } finally {
    model.delete();
  }
});

test('a broken model gives a clear error, not a crash', async () => {
  const mj = await loadMujoco();
  assert.throws(
    () => compileXml(mj, '<mujoco><worldbody><geom type="sphere" size="oops"/></worldbody></mujoco>', 'broken'),
    /MuJoCo failed to compile broken/,
  );
});
