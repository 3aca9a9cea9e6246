/** Runs a test body once per TensorFlow.js backend (not a test file itself). */
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';

export type TestBackend = 'cpu' | 'wasm';
export const BOTH: readonly TestBackend[] = ['cpu', 'wasm'];

/** Registers `name [backend]` for each backend; the body runs after initBackend(backend). */
export function testOnBackends(name: string, backends: readonly TestBackend[], body: (backend: TestBackend) => void | Promise<void>): void {
  for (const be of backends) {
    test(`${name} [${be}]`, async () => {
      await initBackend(be);
      if (tf.getBackend() !== be) throw new Error(`backend ${be} did not start (got ${tf.getBackend()})`);
      await body(be);
    });
  }
}
