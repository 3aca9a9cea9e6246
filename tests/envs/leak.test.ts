/**
 * No WASM memory leaks: thousands of resets and hundreds of env create/close cycles leave the
 * size of the WASM linear memory unchanged. (Memory only grows, never shrinks, so any leak of
 * MjModel/MjData-sized blocks shows up as growth; the last test checks that the probe notices.)
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv } from '../../lib/envs/registry';
import { MjModel, loadModelFile, loadMujoco, wasmHeapBytes } from '../../lib/envs/mujoco/loader';
import { Rng } from '../../lib/util/rng';
import { TASK_IDS, randomAction } from './helpers';

async function warmUp(): Promise<void> {
  for (let k = 0; k < 2; k++) {
    for (const id of TASK_IDS) {
      const env = await makeEnv(id);
      for (let i = 0; i < 20; i++) env.reset({ seed: i });
      env.close();
    }
  }
}

test('thousands of resets and hundreds of create/close cycles do not grow the WASM heap', async () => {
  const mj = await loadMujoco();
  await warmUp();
  const before = wasmHeapBytes(mj);
  const rng = new Rng(0);
  for (const id of ['Hopper-v3', 'Humanoid-v3']) {
    const env = await makeEnv(id);
    for (let i = 0; i < 2000; i++) {
      env.reset(i % 100 === 0 ? { seed: i } : {});
      if (i % 10 === 0) env.step(randomAction(rng, env.actionSpace.low, env.actionSpace.high));
    }
    env.close();
  }
  for (let cycle = 0; cycle < 40; cycle++) {
    for (const id of TASK_IDS) {
      const env = await makeEnv(id, cycle % 2 === 0 ? {} : { computeContactForces: true });
      env.reset({ seed: cycle });
      env.step(randomAction(rng, env.actionSpace.low, env.actionSpace.high));
      env.close();
    }
  }
  assert.equal(wasmHeapBytes(mj), before, 'WASM memory size unchanged');
});

test('the heap probe does notice a leak of the size a forgotten model.delete() would cause', async () => {
  const mj = await loadMujoco();
  await warmUp();
  const before = wasmHeapBytes(mj);
  const leaked: MjModel[] = [];
  try {
    for (let i = 0; i < 200 && wasmHeapBytes(mj) === before; i++) leaked.push(loadModelFile(mj, 'hopper.xml'));
    assert.ok(wasmHeapBytes(mj) > before, `heap grew after ${leaked.length} undeleted models`);
  } finally {
    for (const m of leaked) m.delete();
  }
});
