/**
 * One SamplerPool worker: its own backend and noise net; for each job it loads the weights,
 * runs the reverse chain on its rows with the given draws, writes the actions into the shared
 * output and flips its status word (1 done, 2 failed with the message in the error buffer).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { BackendName, initBackend } from '../backend';
import { Rng } from '../util/rng';
import { sampleActionsWithNoise } from './ddpm';
import { NoiseNet } from './noise-net';
import type { SamplerJob, SamplerNetSpec } from './sampler-pool';

async function main(): Promise<void> {
  const { spec, backend } = workerData as { spec: SamplerNetSpec; backend: BackendName };
  await initBackend(backend);
  // the initial weights are placeholders: every job brings the current ones
  const net = new NoiseNet(spec.obsDim, spec.actDim, spec.T, new Rng(0), spec.net);
  parentPort!.on('message', (job: SamplerJob) => {
    const words = new Int32Array(job.status);
    try {
      tf.tidy(() => {
        net.variables.forEach((v, i) => v.assign(tf.tensor(job.weights[i], v.shape)));
        const states = tf.tensor2d(job.states, [job.stateRows, spec.obsDim]);
        const actions = sampleActionsWithNoise(net, job.coef, states, job.k, job.noise, job.options);
        new Float32Array(job.out, job.rowOffset * spec.actDim * 4, job.stateRows * job.k * spec.actDim).set(actions.dataSync() as Float32Array);
      });
      Atomics.store(words, job.slot, 1);
    } catch (e) {
      const message = new TextEncoder().encode(String((e as Error)?.message ?? e)).slice(0, job.error.byteLength);
      new Uint8Array(job.error).set(message);
      Atomics.store(words, job.slot, 2);
    }
    Atomics.notify(words, job.slot);
  });
  parentPort!.postMessage('ready');
}

main().catch((e) => parentPort!.postMessage(`failed: ${(e as Error)?.message ?? e}`));
