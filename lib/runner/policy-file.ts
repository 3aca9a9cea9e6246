/**
 * policy.bin: what a finished run acts with, kept so it can be evaluated and watched later
 * (`qvpo-kit eval`, `qvpo-kit rollout`, notebooks). A complete run writes it just before it
 * drops its checkpoints. It holds
 *
 *   - the learner's policy state (Learner.getPolicyState: the networks evaluation uses, any
 *     observation normaliser, the generator), taken when the final evaluation began, so that
 *     evaluation can be replayed to the same returns;
 *   - the run's algorithm, task, seed, profile label, variant, algorithm settings and protocol,
 *     and the compute engine it ran on;
 *   - the final evaluation: its step, its index among the run's evaluations, returns, lengths.
 *
 * No replay buffer and no optimiser state: 1.7 MB for QVPO on Hopper at the paper's sizes. The
 * container is the checkpoint format (JSON header, raw arrays, trailing SHA-256, written
 * atomically), so a damaged file is detected, never half-read.
 */
import * as fs from 'node:fs';
import { algorithmIds } from '../agents/registry';
import { PolicyState } from '../agents/learner';
import { CheckpointError, readCheckpoint, writeCheckpoint } from './checkpoint';
import { RunPlan } from './plan';

export const POLICY_FILE = 'policy.bin';
const FORMAT = 'qvpo-kit-policy';
const VERSION = 1;

/** The run's final evaluation and the policy state it started from. */
export interface FinalEvaluation {
  step: number;
  /** 0-based index among the run's evaluations (it decides the episodes' reset seeds). */
  index: number;
  mean: number;
  std: number;
  returns: number[];
  lengths: number[];
  policy: PolicyState;
}

export interface PolicyFileContents {
  format: typeof FORMAT;
  version: typeof VERSION;
  algo: string;
  env: string;
  seed: number;
  profile: string;
  label: string;
  variant: string | null;
  config: RunPlan['config'];
  protocol: RunPlan['protocol'];
  /** The compute engine the run trained and evaluated on (engines agree to float32 rounding). */
  engine: string;
  finalEvaluation: Omit<FinalEvaluation, 'policy'>;
  policy: PolicyState;
  /** Offline runs only: the dataset the policy was trained from. */
  dataset?: RunPlan['dataset'];
}

export function writePolicyFile(file: string, run: { plan: RunPlan; engine: string; finalEvaluation: FinalEvaluation }): void {
  const { plan } = run;
  const { policy, ...finalEvaluation } = run.finalEvaluation;
  const contents: PolicyFileContents = {
    format: FORMAT,
    version: VERSION,
    algo: plan.algo,
    env: plan.env,
    seed: plan.seed,
    profile: plan.profile,
    label: plan.label,
    variant: plan.variant,
    config: plan.config,
    protocol: plan.protocol,
    engine: run.engine,
    finalEvaluation,
    policy,
    ...(plan.dataset ? { dataset: plan.dataset } : {}),
  };
  writeCheckpoint(file, contents);
}

const isWhole = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumberList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number');

/** Reads and checks a policy file; damaged or foreign files are errors that say which and why. */
export function readPolicyFile(file: string): PolicyFileContents {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
  let raw: unknown;
  try {
    raw = readCheckpoint(file);
  } catch (e) {
    if (e instanceof CheckpointError) throw new Error(`damaged policy file: ${e.message}; train the run again with --fresh to get a new one`);
    throw e;
  }
  const p = (raw ?? {}) as Partial<PolicyFileContents>;
  if (p.format !== FORMAT) {
    throw new Error(`${file}: not a policy file (format ${JSON.stringify(p.format ?? null)}, expected "${FORMAT}"; checkpoints are not policy files)`);
  }
  if (p.version !== VERSION) throw new Error(`${file}: policy file version ${JSON.stringify(p.version)}, this qvpo-kit reads version ${VERSION}`);
  const bad: string[] = [];
  if (typeof p.algo !== 'string' || !algorithmIds().includes(p.algo)) bad.push(`algo is ${JSON.stringify(p.algo)}, expected one of ${algorithmIds().join(', ')}`);
  if (typeof p.env !== 'string' || !p.env) bad.push(`env is ${JSON.stringify(p.env)}, expected a task id`);
  if (!isWhole(p.seed)) bad.push(`seed is ${JSON.stringify(p.seed)}, expected a whole number`);
  if (!p.config || typeof p.config !== 'object') bad.push('no algorithm settings (config)');
  const protocol = p.protocol as Partial<RunPlan['protocol']> | undefined;
  if (!protocol || !isWhole(protocol.evalEpisodes) || !isWhole(protocol.maxEpisodeSteps)) bad.push('protocol lacks evalEpisodes / maxEpisodeSteps');
  const f = p.finalEvaluation;
  if (!f || !isWhole(f.step) || !isWhole(f.index) || !isNumberList(f.returns) || !isNumberList(f.lengths)) bad.push('finalEvaluation is incomplete');
  if (!p.policy || typeof p.policy.kind !== 'string' || !p.policy.rng) bad.push('no policy state');
  if (bad.length) throw new Error(`${file}: not a usable policy file: ${bad.join('; ')}`);
  return p as PolicyFileContents;
}
