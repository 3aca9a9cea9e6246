/**
 * The algorithms the runner knows: each has one typed config schema, its per-task and
 * per-profile settings, the stat names it logs, and a constructor of its Learner.
 */
import { Fields, Schema } from '../config/schema';
import type { Env } from '../envs/types';
import { ProfileName } from '../notebook/params';
import type { Learner } from './learner';
import type { OffPolicyAgent, ReplaySettings } from './off-policy';
import type { AgentSpec } from './qvpo/agent';
import { QvpoConfig, qvpoSchema } from './qvpo/config';
import { QVPO_HPARAMS, QVPO_PROFILE_OVERRIDES } from './qvpo/tasks';
import { DIPO_VARIANTS, DipoConfig, NamedVariant, dipoSchema } from './dipo/config';
import { DIPO_HPARAMS } from './dipo/tasks';
import { QsmConfig, qsmSchema } from './qsm/config';
import { QSM_HPARAMS } from './qsm/tasks';
import { PpoConfig, ppoSchema, spoSchema } from './ppo/config';
import { PPO_HPARAMS, SPO_HPARAMS } from './ppo/tasks';
import { SacConfig, sacSchema } from './sac/config';
import { SAC_HPARAMS } from './sac/tasks';
import { Td3Config, td3Schema } from './td3/config';
import { TD3_HPARAMS } from './td3/tasks';
import { DPMD_VARIANTS, RsmConfig, dpmdSchema, sdacSchema } from './dpmd/config';
import { DPMD_HPARAMS, RSM_PROFILE_OVERRIDES, SDAC_HPARAMS } from './dpmd/tasks';
import { DiffusionQlConfig, diffusionQlSchema } from './diffusion-ql/config';
import { DIFFUSION_QL_HPARAMS, DIFFUSION_QL_PROFILE_OVERRIDES, d4rlSettings } from './diffusion-ql/tasks';
import { HparamTable, renderHparams, taskOverridesOf } from './hparams';

// The agents' code (TensorFlow.js, ONNX Runtime) is required only when a learner is created, so
// reading settings (the CLI's help, planning runs, tables) does not load it.
function offPolicy(agent: OffPolicyAgent, settings: ReplaySettings): Learner {
  const { OffPolicyLearner } = require('./off-policy') as typeof import('./off-policy');
  return new OffPolicyLearner(agent, settings);
}

type AnyTable = HparamTable<Record<string, unknown>>;
const table = <C>(t: HparamTable<C>) => ({ hparams: t as unknown as AnyTable, taskOverrides: taskOverridesOf(t) as Record<string, Record<string, unknown>> });

/** What an agent needs to know of a task: its observation and action sizes and the action box. */
export function agentSpecOf(env: Env): AgentSpec {
  return { obsDim: env.observationSpace.size, actDim: env.actionSpace.size, actionLow: env.actionSpace.low, actionHigh: env.actionSpace.high };
}

export interface AlgorithmEntry {
  /** Lower-case id used on the command line and in result paths. */
  id: string;
  /** Name as the paper prints it. */
  paperName: string;
  schema: Schema<Fields>;
  /** Columns of train.csv after the common ones, in order. */
  statNames: readonly string[];
  /** Every setting's default and per-task value with its source (lib/agents/hparams.ts). */
  hparams: HparamTable<Record<string, unknown>>;
  /** The per-task values of `hparams`, as the runner layers them over the defaults. */
  taskOverrides: Readonly<Record<string, Record<string, unknown>>>;
  profileOverrides: Readonly<Record<ProfileName, Record<string, unknown>>>;
  /**
   * Named settings (`--variant NAME` on the command line applies them on every task, over the
   * task's and the profile's values, under any explicit flag).
   */
  variants?: Readonly<Record<string, NamedVariant<Record<string, unknown>>>>;
  create(spec: AgentSpec, config: Record<string, unknown>, seed: number): Learner;
  /**
   * Offline runs: the settings its authors tuned per dataset kind on a task, over the task's row
   * (Diffusion-QL: main.py's D4RL rows); they are the paper's values for such a run.
   */
  datasetOverrides?(env: string, kind: string): Record<string, unknown>;
}

const qvpo: AlgorithmEntry = {
  id: 'qvpo',
  paperName: 'QVPO',
  schema: qvpoSchema as unknown as Schema<Fields>,
  statNames: [
    'criticLoss',
    'actorLoss',
    'qBest',
    'qMean',
    'weightMean',
    'weightPositive',
    'sampleStd',
    'entropyAlpha',
    'criticGradNorm',
    'actorGradNorm',
  ],
  ...table(QVPO_HPARAMS),
  profileOverrides: QVPO_PROFILE_OVERRIDES,
  create(spec, config, seed) {
    const c = qvpoSchema.make(config) as QvpoConfig;
    const { QvpoAgent } = require('./qvpo/agent') as typeof import('./qvpo/agent');
    return offPolicy(new QvpoAgent(spec, c, seed), c);
  },
};

// TD3 and SAC: quick and medium reduce networks, batch and warm-up exactly as QVPO's profiles do.
const OFF_POLICY_BASELINE_PROFILES = {
  smoke: { hiddenWidth: 32, batchSize: 16, warmupSteps: 100 },
  quick: { hiddenWidth: 64, batchSize: 64, warmupSteps: 5_000 },
  medium: { hiddenWidth: 64, batchSize: 64, warmupSteps: 5_000 },
  paper: {},
};

const td3: AlgorithmEntry = {
  id: 'td3',
  paperName: 'TD3',
  schema: td3Schema as unknown as Schema<Fields>,
  statNames: ['criticLoss', 'actorLoss'],
  ...table(TD3_HPARAMS),
  profileOverrides: OFF_POLICY_BASELINE_PROFILES,
  create(spec, config, seed) {
    const c = td3Schema.make(config) as Td3Config;
    const { Td3Agent } = require('./td3/agent') as typeof import('./td3/agent');
    return offPolicy(new Td3Agent(spec, c, seed), c);
  },
};

const sac: AlgorithmEntry = {
  id: 'sac',
  paperName: 'SAC',
  schema: sacSchema as unknown as Schema<Fields>,
  statNames: ['criticLoss', 'actorLoss', 'alphaLoss', 'alpha', 'entropy'],
  ...table(SAC_HPARAMS),
  profileOverrides: OFF_POLICY_BASELINE_PROFILES,
  create(spec, config, seed) {
    const c = sacSchema.make(config) as SacConfig;
    const { SacAgent } = require('./sac/agent') as typeof import('./sac/agent');
    return offPolicy(new SacAgent(spec, c, seed), c);
  },
};

const ON_POLICY_STATS = ['policyLoss', 'valueLoss', 'approxKl', 'clipFraction', 'policyStd', 'lr'];
// The learning rate anneals over the run's budget, so each profile sets annealSteps to it.
const onPolicyProfiles = {
  smoke: { rolloutSteps: 128, minibatchSize: 32, epochs: 2, annealSteps: 300 },
  quick: { annealSteps: 20_000 },
  medium: { annealSteps: 100_000 },
  paper: {},
};

/** PPO and SPO: one learner, the objective is the schema's default. */
function onPolicyEntry(id: string, paperName: string, schema: typeof ppoSchema, hparams: HparamTable<PpoConfig>): AlgorithmEntry {
  return {
    id,
    paperName,
    schema: schema as unknown as Schema<Fields>,
    statNames: ON_POLICY_STATS,
    ...table(hparams),
    profileOverrides: onPolicyProfiles,
    create(spec, config, seed) {
      const { PpoLearner } = require('./ppo/agent') as typeof import('./ppo/agent');
      return new PpoLearner(spec, schema.make(config) as PpoConfig, seed);
    },
  };
}

const ppo = onPolicyEntry('ppo', 'PPO', ppoSchema, PPO_HPARAMS);
const spo = onPolicyEntry('spo', 'SPO', spoSchema, SPO_HPARAMS);

// DIPO and QSM: the same reductions as QVPO's profiles, for the settings they have.
const DIFFUSION_BASELINE_PROFILES = {
  smoke: { hiddenWidth: 32, hiddenLayers: 2, batchSize: 16, warmupSteps: 100 },
  quick: { hiddenWidth: 64, batchSize: 64, warmupSteps: 5_000 },
  medium: { hiddenWidth: 64, batchSize: 64, warmupSteps: 5_000 },
  paper: {},
};

const dipo: AlgorithmEntry = {
  id: 'dipo',
  paperName: 'DIPO',
  schema: dipoSchema as unknown as Schema<Fields>,
  statNames: ['criticLoss', 'actorLoss', 'qBest', 'qMean', 'criticGradNorm', 'actorGradNorm'],
  ...table(DIPO_HPARAMS),
  // smoke only proves the pipeline: QVPO's T = 20 keeps its 100-step chains out of CI
  profileOverrides: { ...DIFFUSION_BASELINE_PROFILES, smoke: { ...DIFFUSION_BASELINE_PROFILES.smoke, diffusionSteps: 20 } },
  variants: DIPO_VARIANTS as Readonly<Record<string, NamedVariant<Record<string, unknown>>>>,
  create(spec, config, seed) {
    const c = dipoSchema.make(config) as DipoConfig;
    const { DipoAgent } = require('./dipo/agent') as typeof import('./dipo/agent');
    return offPolicy(new DipoAgent(spec, c, seed), c);
  },
};

const qsm: AlgorithmEntry = {
  id: 'qsm',
  paperName: 'QSM',
  schema: qsmSchema as unknown as Schema<Fields>,
  statNames: ['criticLoss', 'actorLoss', 'qBest', 'qMean', 'qGradScale', 'criticGradNorm', 'actorGradNorm'],
  ...table(QSM_HPARAMS),
  profileOverrides: DIFFUSION_BASELINE_PROFILES,
  create(spec, config, seed) {
    const c = qsmSchema.make(config) as QsmConfig;
    const { QsmAgent } = require('./qsm/agent') as typeof import('./qsm/agent');
    return offPolicy(new QsmAgent(spec, c, seed), c);
  },
};

// DPMD and SDAC (ICML 2025): beyond the QVPO paper, further Table 1 columns without a paper value.
const RSM_STATS = ['criticLoss', 'actorLoss', 'qMean', 'weightMean', 'weightMax', 'alpha', 'actorLr', 'criticGradNorm', 'actorGradNorm'];

function rsmEntry(id: 'dpmd' | 'sdac', schema: typeof dpmdSchema, hparams: HparamTable<RsmConfig>): AlgorithmEntry {
  return {
    id,
    paperName: id.toUpperCase(),
    schema: schema as unknown as Schema<Fields>,
    statNames: id === 'dpmd' ? [...RSM_STATS, 'qRunningMean', 'qRunningStd'] : RSM_STATS,
    ...table(hparams),
    profileOverrides: RSM_PROFILE_OVERRIDES,
    ...(id === 'dpmd' ? { variants: DPMD_VARIANTS as Readonly<Record<string, NamedVariant<Record<string, unknown>>>> } : {}),
    create(spec, config, seed) {
      const c = schema.make(config) as RsmConfig;
      const { RsmAgent } = require('./dpmd/agent') as typeof import('./dpmd/agent');
      return offPolicy(new RsmAgent(spec, c, seed), c);
    },
  };
}

const dpmd = rsmEntry('dpmd', dpmdSchema, DPMD_HPARAMS);
const sdac = rsmEntry('sdac', sdacSchema, SDAC_HPARAMS);

// Diffusion-QL (ICLR 2023): offline on a dataset (qvpo-kit train --dataset), or online as a further Table 1 column.
const diffusionQl: AlgorithmEntry = {
  id: 'diffusion-ql',
  paperName: 'Diffusion-QL',
  schema: diffusionQlSchema as unknown as Schema<Fields>,
  statNames: ['criticLoss', 'actorLoss', 'bcLoss', 'qLoss', 'qNew', 'criticGradNorm', 'actorGradNorm'],
  ...table(DIFFUSION_QL_HPARAMS),
  profileOverrides: DIFFUSION_QL_PROFILE_OVERRIDES,
  datasetOverrides: (env, kind) => d4rlSettings(env, kind),
  create(spec, config, seed) {
    const c = diffusionQlSchema.make(config) as DiffusionQlConfig;
    const { DiffusionQlAgent } = require('./diffusion-ql/agent') as typeof import('./diffusion-ql/agent');
    return offPolicy(new DiffusionQlAgent(spec, c, seed), c);
  },
};

const ALGORITHMS: Record<string, AlgorithmEntry> = { qvpo, td3, sac, ppo, spo, dipo, qsm, dpmd, sdac, 'diffusion-ql': diffusionQl };

export function algorithmIds(): string[] {
  return Object.keys(ALGORITHMS);
}

export function algorithm(id: string): AlgorithmEntry {
  const entry = ALGORITHMS[id.toLowerCase()];
  if (!entry) throw new Error(`unknown algorithm "${id}": expected one of ${algorithmIds().join(', ')}`);
  return entry;
}

/** For the baselines issue: adds an algorithm (ids are unique). */
export function registerAlgorithm(entry: AlgorithmEntry): void {
  if (ALGORITHMS[entry.id]) throw new Error(`algorithm "${entry.id}" is already registered`);
  ALGORITHMS[entry.id] = entry;
}

/** The settings a named variant fixes (`--variant NAME`), or null when `name` is not one of the algorithm's. */
export function variantOverrides(algo: string, name: string): Record<string, unknown> | null {
  const v = algorithm(algo).variants?.[name];
  return v ? { ...v.overrides } : null;
}

export interface SettingsTableOptions {
  /** Show the settings a profile runs with (its reductions marked as the kit's); default: the paper's. */
  profile?: ProfileName;
  /** Columns (default: every task of the algorithm's table). */
  tasks?: readonly string[];
  /** A named variant's settings on top (marked as the kit's, citing the variant). */
  variant?: string;
  /** Markdown heading prefix, e.g. '###'. */
  heading?: string;
}

/**
 * An algorithm's effective settings per task with the source of each number, as markdown:
 * the settings every task shares (value, source, reference), then those that differ per task.
 */
export function settingsMarkdown(algo: string, options: SettingsTableOptions = {}): string {
  const entry = algorithm(algo);
  const profile = options.profile ?? 'paper';
  const variant = options.variant ? variantOverrides(algo, options.variant) : {};
  if (variant === null) throw new Error(`${entry.id} has no variant "${options.variant}"`);
  const changes = { ...entry.profileOverrides[profile], ...variant };
  const why = [profile !== 'paper' ? `the kit's ${profile} profile` : '', options.variant ? `variant ${options.variant}` : ''].filter(Boolean).join(', ');
  return renderHparams(entry.hparams, {
    ...(options.tasks ? { tasks: options.tasks } : {}),
    changes,
    changesRef: why || 'kit setting',
    ...(options.heading ? { heading: options.heading } : {}),
  });
}
