/**
 * `qvpo-kit dataset`: makes one offline dataset (lib/datasets/make.ts). Every flag is checked,
 * and the output folder too, before anything is trained, rolled out or written; the heavy
 * modules (MuJoCo, TensorFlow.js) load only then.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASET_DEFAULTS, DATASET_KINDS, DatasetKind, MANIFEST_FILE, readDatasetManifest } from '../lib/datasets/format';
import type { DatasetRequest } from '../lib/datasets/make';
import { envSpec } from '../lib/envs/registry';
import { POLICY_FILE, readPolicyFile } from '../lib/runner/policy-file';
import { profileNamed } from '../lib/runner/profiles';
import { parseWholeNumber } from '../lib/util/parse';
import { REPO_ROOT } from '../lib/util/paths';

/** The part of the CLI's argument reader this command uses. */
export interface DatasetArgs {
  take(name: string): string | undefined;
  flag(name: string): boolean;
  readonly rest: string[];
}

const MAX_SEED = 2 ** 31 - 1;
const MAX_STEPS = 10_000_000;

/** A plain decimal number within bounds ("0.1", "1"; not "1e-1", ".5", "-0"). */
export function parseDecimal(raw: string, what: string, min: number, max: number): number {
  const text = raw.trim();
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n) || n < min || n > max) {
    throw new Error(`${what} must be a decimal number from ${min} to ${max} (e.g. 0.1), got "${raw}"`);
  }
  return n;
}

/** What the command will do, fully checked: makeDataset's request with the CLI's defaults filled in. */
export interface DatasetPlan extends Omit<DatasetRequest, 'log'> {
  maxEpisodeSteps: number;
  overwrite: boolean;
  quiet: boolean;
}

/** Reads and checks every flag; throws an error naming the bad value and what was expected. */
export function planDataset(args: DatasetArgs): DatasetPlan {
  const env = args.take('--env');
  const kindArg = args.take('--kind');
  const stepsArg = args.take('--steps');
  const seedArg = args.take('--seed');
  const policyRun = args.take('--policy-run');
  const sacStepsArg = args.take('--sac-steps');
  const profileArg = args.take('--profile');
  const noiseArg = args.take('--action-noise');
  const maxStepsArg = args.take('--max-episode-steps');
  const randomDataset = args.take('--random-dataset');
  const outArg = args.take('--out');
  const overwrite = args.flag('--force');
  const quiet = args.flag('--quiet') || process.env.QVPO_QUIET === '1';
  if (args.rest.length) throw new Error(`dataset: unexpected argument(s) ${args.rest.join(' ')} (see \`qvpo-kit dataset --help\`)`);

  if (env === undefined) throw new Error('dataset needs --env (e.g. --env Hopper-v3)');
  envSpec(env); // an unknown task: the registry's error lists the known ones
  if (kindArg === undefined) throw new Error(`dataset needs --kind: one of ${DATASET_KINDS.join(', ')}`);
  if (!(DATASET_KINDS as readonly string[]).includes(kindArg)) throw new Error(`--kind "${kindArg}": expected one of ${DATASET_KINDS.join(', ')}`);
  const kind = kindArg as DatasetKind;
  const seed = parseWholeNumber(seedArg ?? '0', '--seed', 0, MAX_SEED);
  const maxEpisodeSteps = parseWholeNumber(maxStepsArg ?? String(DATASET_DEFAULTS.maxEpisodeSteps), '--max-episode-steps', 1, MAX_STEPS);

  const only = (flag: string, given: boolean, allowed: boolean, why: string) => {
    if (given && !allowed) throw new Error(`${flag}: ${why}`);
  };
  only('--steps', stepsArg !== undefined, kind !== 'medium-replay', 'a medium-replay dataset holds every transition of its SAC run; set its length with --sac-steps');
  only('--policy-run', policyRun !== undefined, kind === 'medium' || kind === 'expert', `only medium and expert datasets roll out a policy (--kind ${kind})`);
  only('--action-noise', noiseArg !== undefined, kind === 'medium' || kind === 'expert', `only medium and expert datasets roll out a policy (--kind ${kind})`);
  only('--random-dataset', randomDataset !== undefined, kind !== 'random', 'a random dataset is its own random reference');
  const trains = kind === 'medium-replay' || ((kind === 'medium' || kind === 'expert') && policyRun === undefined);
  const trainsWhy = policyRun !== undefined ? 'the policy comes from --policy-run, nothing is trained' : `a ${kind} dataset trains nothing`;
  only('--sac-steps', sacStepsArg !== undefined, trains, trainsWhy);
  only('--profile', profileArg !== undefined, trains, trainsWhy);

  const steps = stepsArg === undefined ? undefined : parseWholeNumber(stepsArg, '--steps', 1, MAX_STEPS);
  const sacSteps = sacStepsArg === undefined ? undefined : parseWholeNumber(sacStepsArg, '--sac-steps', 1, MAX_STEPS);
  const profile = profileArg === undefined ? undefined : profileNamed(profileArg).name;
  const actionNoise = noiseArg === undefined ? undefined : parseDecimal(noiseArg, '--action-noise', 0, 1);

  if (policyRun !== undefined) {
    if (!fs.existsSync(policyRun) || !fs.statSync(policyRun).isDirectory()) {
      throw new Error(`--policy-run ${policyRun}: no such directory (expected a complete run's directory holding ${POLICY_FILE})`);
    }
    const file = path.join(policyRun, POLICY_FILE);
    if (!fs.existsSync(file)) throw new Error(`--policy-run ${policyRun}: ${file} does not exist (only complete runs keep a policy.bin)`);
    const p = readPolicyFile(file);
    if (p.env !== env) throw new Error(`--policy-run ${policyRun}: its policy is for ${p.env}, expected ${env} (--env)`);
  }
  if (randomDataset !== undefined) {
    const m = readDatasetManifest(randomDataset, { env });
    if (m.kind !== 'random') throw new Error(`--random-dataset ${randomDataset}: a ${m.kind} dataset, expected a random one`);
  }
  const out = outArg ?? path.join(REPO_ROOT, 'datasets', env, kind);
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new Error(`--out ${out}: exists and is not a directory`);
  if (fs.existsSync(path.join(out, MANIFEST_FILE)) && !overwrite) {
    throw new Error(`--out ${out} already holds a dataset (${MANIFEST_FILE}); choose another --out, or --force to replace it`);
  }

  const parts = ['qvpo-kit dataset', `--env ${env}`, `--kind ${kind}`, `--seed ${seed}`];
  if (kind !== 'medium-replay') parts.push(`--steps ${steps ?? DATASET_DEFAULTS.steps}`);
  if (policyRun !== undefined) parts.push(`--policy-run ${policyRun}`);
  if (trains) parts.push(`--sac-steps ${sacSteps ?? DATASET_DEFAULTS.sacSteps[kind as keyof typeof DATASET_DEFAULTS.sacSteps]}`, `--profile ${profile ?? DATASET_DEFAULTS.profile}`);
  if (kind === 'medium' || kind === 'expert') parts.push(`--action-noise ${actionNoise ?? 0}`);
  if (randomDataset !== undefined) parts.push(`--random-dataset ${randomDataset}`);
  parts.push(`--max-episode-steps ${maxEpisodeSteps}`, `--out ${path.relative(REPO_ROOT, path.resolve(out)).startsWith('..') ? path.resolve(out) : path.relative(REPO_ROOT, path.resolve(out))}`);
  return {
    env,
    kind,
    out,
    seed,
    ...(steps !== undefined ? { steps } : {}),
    ...(policyRun !== undefined ? { policyRun } : {}),
    ...(sacSteps !== undefined ? { sacSteps } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(actionNoise !== undefined ? { actionNoise } : {}),
    maxEpisodeSteps,
    ...(randomDataset !== undefined ? { randomDataset } : {}),
    overwrite,
    quiet,
    command: parts.join(' '),
  };
}

const fmt = (v: number | null, digits = 1) => (v === null ? 'n/a' : v.toFixed(digits));

export async function cmdDataset(args: DatasetArgs): Promise<number> {
  const plan = planDataset(args);
  const { makeDataset } = require('../lib/datasets/make') as typeof import('../lib/datasets/make');
  const log = plan.quiet ? null : (line: string) => console.log(line);
  console.log(`dataset ${plan.env} ${plan.kind} → ${plan.out}: ${plan.command}`);
  const made = await makeDataset({ ...plan, log, quietTraining: plan.quiet });
  const m = made.manifest;
  const r = m.returns;
  console.log(`dataset written: ${made.dir} (data.bin ${(m.data.bytes / 1e6).toFixed(1)} MB, SHA-256 ${m.data.sha256.slice(0, 16)}…)`);
  console.log(`  ${m.size} transitions, ${m.episodes} complete episodes (${m.terminals} terminations, ${m.timeouts} time limits)`);
  console.log(`  episode return ${fmt(r.mean)} ± ${fmt(r.std)} (min ${fmt(r.min)}, max ${fmt(r.max)})`);
  console.log(`  reference returns: random ${fmt(m.reference.randomReturn)}, policy ${fmt(m.reference.policyReturn)}`);
  const training = made.trainingSeconds === null ? '' : ` (SAC training ${made.trainingSeconds.toFixed(1)} s)`;
  console.log(`  took ${made.seconds.toFixed(1)} s${training}`);
  return 0;
}
