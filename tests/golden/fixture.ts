/**
 * Reading the golden fixtures (tests/fixtures/golden, format in its README): tensors are
 * base64 little-endian float32, row-major; weights are in PyTorch's [out, in] layout.
 * Not a test file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FIXTURE_DIR = path.join(__dirname, '..', 'fixtures', 'golden');

export interface EncodedTensor {
  shape: number[];
  f32: string;
}

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** A network's parameters by PyTorch state-dict key (`layer.0.weight`, ...). */
export type StateDict = Record<string, Tensor>;

export interface Networks {
  actor: StateDict;
  actor_target: StateDict;
  critic: StateDict;
  critic_target: StateDict;
}

export const NETWORK_NAMES = ['actor', 'actor_target', 'critic', 'critic_target'] as const;

export type Draw =
  | { name: string; kind: 'int'; bound: number; count: number; values: number[] }
  | { name: string; kind: 'normals'; arrays: number; length: number; values: Tensor }
  | { name: string; kind: 'uniforms'; low: number; high: number; arrays: number; length: number; values: Tensor };

export interface Replay {
  size: number;
  obs: Tensor;
  act: Tensor;
  reward: Tensor;
  next_obs: Tensor;
  done: number[];
}

/** The settings both iteration files share (official argparse defaults and flags). */
export interface FixtureConfig {
  obs_dim: number;
  act_dim: number;
  hidden_width: number;
  hidden_layers: number;
  time_embed_dim: number;
  time_hidden: number;
  activation: string;
  diffusion_steps: number;
  beta_schedule: string;
  noise_ratio: number;
  clip_denoised: boolean;
  batch_size: number;
  target_samples: number;
  gamma: number;
  tau: number;
  actor_lr: number;
  critic_lr: number;
  adam_eps: number;
  adam_betas: [number, number];
  grad_clip_norm: number;
  weighted: boolean;
  aug: boolean;
  [more: string]: unknown;
}

export interface QvpoExpected {
  y: number[];
  critic_loss: number;
  critic_grad_norm: number;
  q_best: number[];
  v: number[];
  best_actions: number[];
  weights: number[];
  actor_loss: number;
  actor_grad_norm: number;
  entropy_alpha_after: number;
}

export interface DipoExpected {
  y: number[];
  critic_loss: number;
  critic_grad_norm: number;
  q_mean_before: number;
  q_mean_after: number;
  improved_actions: number[];
  action_grad_norms: number[];
  actor_loss: number;
  actor_grad_norm: number;
  stored_actions_after: Tensor;
}

export interface Iteration<E> {
  env_step: number;
  entropy_alpha?: number;
  draws: Draw[];
  expected: E;
  diagnostics: Record<string, unknown>;
}

export interface IterationFixture<E> {
  format: string;
  what: string;
  generator: { official_commit: string; [k: string]: unknown };
  config: FixtureConfig;
  replay: Replay;
  init: Networks;
  iterations: Iteration<E>[];
  final: Networks;
}

export type QvpoFixture = IterationFixture<QvpoExpected>;
export type DipoFixture = IterationFixture<DipoExpected>;

export const SCHEDULE_BUFFERS = [
  'betas',
  'alphas_cumprod',
  'alphas_cumprod_prev',
  'sqrt_alphas_cumprod',
  'sqrt_one_minus_alphas_cumprod',
  'log_one_minus_alphas_cumprod',
  'sqrt_recip_alphas_cumprod',
  'sqrt_recipm1_alphas_cumprod',
  'posterior_variance',
  'posterior_log_variance_clipped',
  'posterior_mean_coef1',
  'posterior_mean_coef2',
] as const;
export type ScheduleBuffer = (typeof SCHEDULE_BUFFERS)[number];

export interface ScheduleFixture {
  format: string;
  schedule: string;
  s: number;
  max_beta: number;
  [T: string]: unknown;
}

export function decodeTensor(t: EncodedTensor): Tensor {
  // the copy gives a 4-byte-aligned buffer
  const bytes = Uint8Array.from(Buffer.from(t.f32, 'base64'));
  const data = new Float32Array(bytes.buffer);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`fixture tensor: ${data.length} values for shape [${t.shape}]`);
  return { shape: t.shape, data };
}

/** Replaces every {shape, f32} object in a parsed fixture by a decoded Tensor. */
function decodeAll(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(decodeAll);
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o.f32 === 'string' && Array.isArray(o.shape)) return decodeTensor(o as unknown as EncodedTensor);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeAll(v)]));
  }
  return x;
}

/** Reads a fixture from tests/fixtures/golden (or `dir`: the GPU bundle carries its own copy). */
export function loadFixture<T>(file: string, dir = FIXTURE_DIR): T {
  return decodeAll(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) as T;
}
