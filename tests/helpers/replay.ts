/** Replay buffers of random transitions for agent tests (not a test file itself). */
import { ReplayBuffer } from '../../lib/replay/buffer';
import { Rng } from '../../lib/util/rng';

/** `n` transitions with uniform observations, actions in [−1, 1] and rewards; `done(i)` marks ends. */
export function randomBuffer(n: number, seed: number, done: (i: number) => boolean, obsDim = 3, actDim = 2): ReplayBuffer {
  const rng = new Rng(seed);
  const buffer = new ReplayBuffer(1000, obsDim, actDim);
  for (let i = 0; i < n; i++) buffer.add(rng.uniforms(obsDim, -1, 1), rng.uniforms(actDim, -1, 1), rng.uniformIn(-1, 1), rng.uniforms(obsDim, -1, 1), done(i));
  return buffer;
}
