/**
 * SamplerPool (lib/diffusion/sampler-pool): sampling split across worker threads gives the
 * same actions as one thread for any number of workers, a policy with a pool samples what it
 * samples without, and misuse gets clear errors.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { drawChainNoise, sampleActionsWithNoise } from '../../lib/diffusion/ddpm';
import { NoiseNet } from '../../lib/diffusion/noise-net';
import { DiffusionPolicy } from '../../lib/diffusion/policy';
import { SamplerPool, samplerWorkersFromEnv } from '../../lib/diffusion/sampler-pool';
import { diffusionCoefficients } from '../../lib/diffusion/schedule';
import { Rng } from '../../lib/util/rng';
import { values } from '../helpers/numeric';

const [OBS, ACT, T] = [5, 3, 6];
const SPEC = { obsDim: OBS, actDim: ACT, T, net: { hidden: [32, 32], timeHidden: 32 } };
const OPTIONS = { noiseRatio: 1, clipDenoised: true };
let pools: SamplerPool[] = [];

before(async () => {
  await initBackend('wasm');
  pools = [await SamplerPool.create(1, SPEC, 'wasm', 0), await SamplerPool.create(3, SPEC, 'wasm', 0)];
});
after(async () => {
  await Promise.all(pools.map((p) => p.dispose()));
});

test('split across 1 or 3 workers, the samples equal the single-thread chain', () => {
  const net = new NoiseNet(OBS, ACT, T, new Rng(1), SPEC.net);
  const coef = diffusionCoefficients('cosine', T);
  const rng = new Rng(2);
  for (const [b, k] of [[7, 4], [2, 5], [1, 3]]) {
    const states = tf.tensor2d(rng.uniforms(b * OBS, -1, 1), [b, OBS]);
    const noise = drawChainNoise(T, b * k, ACT, rng);
    const plain = sampleActionsWithNoise(net, coef, states, k, noise, OPTIONS);
    const expected = values(plain);
    for (const pool of pools) {
      const split = pool.sample(net, coef, states, k, noise, OPTIONS);
      assert.deepEqual(split.shape, [b * k, ACT]);
      const got = values(split);
      const worst = Math.max(...got.map((v, i) => Math.abs(v - expected[i])));
      assert.ok(worst <= 1e-6, `${pool.size} workers, B=${b}, k=${k}: max |Δ| ${worst}`);
      split.dispose();
    }
    tf.dispose([states, plain]);
  }
  net.dispose();
});

test('a policy with a pool draws the same samples from the same seed, current and target nets', () => {
  const options = { diffusionSteps: T, betaSchedule: 'cosine' as const, hidden: [32, 32], lr: 1e-3, adamEps: 1e-5, gradClipNorm: 0, noiseRatio: 1, clipDenoised: true };
  const policy = new DiffusionPolicy(OBS, ACT, new Rng(3), options);
  assert.deepEqual(policy.netSpec, SPEC, 'the pool builds the net the policy describes (time MLP 32 wide as the layers)');
  // make the target differ from the net so using the wrong weights would show
  policy.target.variables.forEach((v) => v.assign(tf.mul(v, 0.5)));
  const states = tf.tensor2d(new Rng(4).uniforms(9 * OBS, -1, 1), [9, OBS]);
  for (const which of ['current', 'target'] as const) {
    policy.useSampler(null);
    const alone = values(policy.sample(states, 4, new Rng(5), which));
    policy.useSampler(pools[1]);
    const shared = values(policy.sample(states, 4, new Rng(5), which));
    const worst = Math.max(...shared.map((v, i) => Math.abs(v - alone[i])));
    assert.ok(worst <= 1e-6, `${which}: max |Δ| ${worst}`);
  }
  const other = new DiffusionPolicy(OBS + 1, ACT, new Rng(3), options);
  assert.throws(() => other.useSampler(pools[0]), /the pool was built for 5\/3\/T=6, this policy is 6\/3\/T=6/);
  tf.dispose([states]);
  policy.dispose();
  other.dispose();
});

test('bad settings: worker count, backend, QVPO_SAMPLER_WORKERS', async () => {
  await assert.rejects(SamplerPool.create(0, SPEC, 'wasm'), /workers must be an integer ≥ 1, got 0/);
  await assert.rejects(SamplerPool.create(1, SPEC, 'webgpu'), /run on the wasm or cpu backend, not "webgpu"/);
  const saved = process.env.QVPO_SAMPLER_WORKERS;
  try {
    process.env.QVPO_SAMPLER_WORKERS = 'two';
    assert.throws(() => samplerWorkersFromEnv(), /QVPO_SAMPLER_WORKERS must be a whole number ≥ 0, got "two"/);
    process.env.QVPO_SAMPLER_WORKERS = '0x2';
    assert.throws(() => samplerWorkersFromEnv(), /QVPO_SAMPLER_WORKERS must be a whole number ≥ 0, got "0x2"/);
    process.env.QVPO_SAMPLER_WORKERS = '1';
    assert.equal(samplerWorkersFromEnv(), 1);
    process.env.QVPO_SAMPLER_WORKERS = '4096';
    assert.throws(() => samplerWorkersFromEnv(), /from 0 to \d+, got "4096" \(this machine has \d+ cores; QVPO_FORCE_WORKERS=1/);
    process.env.QVPO_FORCE_WORKERS = '1';
    process.env.QVPO_SAMPLER_WORKERS = '1000';
    assert.equal(samplerWorkersFromEnv(), 1000, 'forced');
    delete process.env.QVPO_FORCE_WORKERS;
    delete process.env.QVPO_SAMPLER_WORKERS;
    assert.equal(samplerWorkersFromEnv(), 0);
  } finally {
    if (saved === undefined) delete process.env.QVPO_SAMPLER_WORKERS;
    else process.env.QVPO_SAMPLER_WORKERS = saved;
  }
});
