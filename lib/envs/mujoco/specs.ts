/**
 * Static facts about the MuJoCo locomotion tasks and their options, readable without loading
 * MuJoCo: model constants, frame skip, observation sizes, action bounds, and the task parameters
 * (gym's constructor arguments, camelCased) with their v3 defaults.
 *
 * The numbers follow the gym v3 environments (gym 0.21 / mujoco-py 2.1) as documented in
 * docs/envs.md; the compiled models are checked against tests/fixtures/mujoco-model-fingerprints.json.
 */

export type MujocoTask = 'Hopper' | 'Walker2d' | 'HalfCheetah' | 'Ant' | 'Humanoid';
export type MujocoVersion = 'v3' | 'v4';

export const MUJOCO_TASKS: readonly MujocoTask[] = ['Hopper', 'Walker2d', 'HalfCheetah', 'Ant', 'Humanoid'];
export const MUJOCO_VERSIONS: readonly MujocoVersion[] = ['v3', 'v4'];

/** An interval [low, high]; whether its ends are open is fixed by the task (see docs/envs.md). */
export type Range = readonly [number, number];

export interface TaskConstants {
  task: MujocoTask;
  /** File under lib/envs/mujoco/models/. */
  modelFile: string;
  /** MuJoCo sub-steps per env step. */
  frameSkip: number;
  /** Model timestep (s); env dt = timestep × frameSkip. */
  timestep: number;
  nq: number;
  nv: number;
  nu: number;
  nbody: number;
  /** Per-component action bounds (= actuator ctrlrange; all components share it). */
  actionLow: number;
  actionHigh: number;
  /** gym's registered reward_threshold; null where gym registers none. */
  rewardThreshold: number | null;
}

export const TASKS: Readonly<Record<MujocoTask, TaskConstants>> = {
  Hopper: {
    task: 'Hopper', modelFile: 'hopper.xml', frameSkip: 4, timestep: 0.002,
    nq: 6, nv: 6, nu: 3, nbody: 5, actionLow: -1, actionHigh: 1, rewardThreshold: 3800,
  },
  Walker2d: {
    task: 'Walker2d', modelFile: 'walker2d.xml', frameSkip: 4, timestep: 0.002,
    nq: 9, nv: 9, nu: 6, nbody: 8, actionLow: -1, actionHigh: 1, rewardThreshold: null,
  },
  HalfCheetah: {
    task: 'HalfCheetah', modelFile: 'half_cheetah.xml', frameSkip: 5, timestep: 0.01,
    nq: 9, nv: 9, nu: 6, nbody: 8, actionLow: -1, actionHigh: 1, rewardThreshold: 4800,
  },
  Ant: {
    task: 'Ant', modelFile: 'ant.xml', frameSkip: 5, timestep: 0.01,
    nq: 15, nv: 14, nu: 8, nbody: 14, actionLow: -1, actionHigh: 1, rewardThreshold: 6000,
  },
  Humanoid: {
    task: 'Humanoid', modelFile: 'humanoid.xml', frameSkip: 5, timestep: 0.003,
    nq: 24, nv: 23, nu: 17, nbody: 14, actionLow: -0.4, actionHigh: 0.4, rewardThreshold: null,
  },
};

// ---------------------------------------------------------------------------------------------
// Task parameters (gym's constructor arguments). Defaults are gym's v3 values.

export interface HopperParams {
  forwardRewardWeight: number;
  ctrlCostWeight: number;
  healthyReward: number;
  terminateWhenUnhealthy: boolean;
  /** Open interval every element of (qpos[2:], qvel) must lie in. */
  healthyStateRange: Range;
  /** Open interval for the torso height qpos[1]. */
  healthyZRange: Range;
  /** Open interval for the torso angle qpos[2]. */
  healthyAngleRange: Range;
  resetNoiseScale: number;
}

export interface Walker2dParams {
  forwardRewardWeight: number;
  ctrlCostWeight: number;
  healthyReward: number;
  terminateWhenUnhealthy: boolean;
  /** Open interval for the torso height qpos[1]. */
  healthyZRange: Range;
  /** Open interval for the torso angle qpos[2]. */
  healthyAngleRange: Range;
  resetNoiseScale: number;
}

export interface HalfCheetahParams {
  forwardRewardWeight: number;
  ctrlCostWeight: number;
  resetNoiseScale: number;
}

export interface AntParams {
  ctrlCostWeight: number;
  contactCostWeight: number;
  healthyReward: number;
  terminateWhenUnhealthy: boolean;
  /** Closed interval for the torso height qpos[2]. */
  healthyZRange: Range;
  /** Contact forces are clipped to this range in the observation and the contact cost. */
  contactForceRange: Range;
  resetNoiseScale: number;
  /**
   * Include the 84 clipped contact-force entries in the observation and the contact cost in the
   * reward. Always true for v3 (111-dim observation); Ant-v4's `use_contact_forces`, default false
   * (27-dim observation, no contact cost).
   */
  useContactForces: boolean;
}

export interface HumanoidParams {
  forwardRewardWeight: number;
  ctrlCostWeight: number;
  /** v3 only (Humanoid-v4 has no contact cost). */
  contactCostWeight: number;
  /** v3 only: the contact cost is clipped to this range. */
  contactCostRange: Range;
  healthyReward: number;
  terminateWhenUnhealthy: boolean;
  /** Open interval for the torso height qpos[2]. */
  healthyZRange: Range;
  resetNoiseScale: number;
}

export interface TaskParamsMap {
  Hopper: HopperParams;
  Walker2d: Walker2dParams;
  HalfCheetah: HalfCheetahParams;
  Ant: AntParams;
  Humanoid: HumanoidParams;
}

export const DEFAULT_PARAMS: { readonly [T in MujocoTask]: Readonly<TaskParamsMap[T]> } = {
  Hopper: {
    forwardRewardWeight: 1,
    ctrlCostWeight: 1e-3,
    healthyReward: 1,
    terminateWhenUnhealthy: true,
    healthyStateRange: [-100, 100],
    healthyZRange: [0.7, Infinity],
    healthyAngleRange: [-0.2, 0.2],
    resetNoiseScale: 5e-3,
  },
  Walker2d: {
    forwardRewardWeight: 1,
    ctrlCostWeight: 1e-3,
    healthyReward: 1,
    terminateWhenUnhealthy: true,
    healthyZRange: [0.8, 2],
    healthyAngleRange: [-1, 1],
    resetNoiseScale: 5e-3,
  },
  HalfCheetah: {
    forwardRewardWeight: 1,
    ctrlCostWeight: 0.1,
    resetNoiseScale: 0.1,
  },
  Ant: {
    ctrlCostWeight: 0.5,
    contactCostWeight: 5e-4,
    healthyReward: 1,
    terminateWhenUnhealthy: true,
    healthyZRange: [0.2, 1],
    contactForceRange: [-1, 1],
    resetNoiseScale: 0.1,
    useContactForces: true,
  },
  Humanoid: {
    forwardRewardWeight: 1.25,
    ctrlCostWeight: 0.1,
    contactCostWeight: 5e-7,
    contactCostRange: [-Infinity, 10],
    healthyReward: 5,
    terminateWhenUnhealthy: true,
    healthyZRange: [1, 2],
    resetNoiseScale: 1e-2,
  },
};

// ---------------------------------------------------------------------------------------------
// Option schema and validation.

/**
 * - number: a finite number;  nonnegative: a finite number >= 0;  boolean;
 * - range: [low, high] of numbers (±Infinity allowed) with low < high;
 * - steps: a positive integer, or null for no time limit.
 */
export type OptionKind = 'number' | 'nonnegative' | 'boolean' | 'range' | 'steps';

export type OptionSchema = Readonly<Record<string, OptionKind>>;

const PARAM_KINDS: { readonly [T in MujocoTask]: { readonly [K in keyof TaskParamsMap[T]]: OptionKind } } = {
  Hopper: {
    forwardRewardWeight: 'number', ctrlCostWeight: 'number', healthyReward: 'number',
    terminateWhenUnhealthy: 'boolean', healthyStateRange: 'range', healthyZRange: 'range',
    healthyAngleRange: 'range', resetNoiseScale: 'nonnegative',
  },
  Walker2d: {
    forwardRewardWeight: 'number', ctrlCostWeight: 'number', healthyReward: 'number',
    terminateWhenUnhealthy: 'boolean', healthyZRange: 'range', healthyAngleRange: 'range',
    resetNoiseScale: 'nonnegative',
  },
  HalfCheetah: { forwardRewardWeight: 'number', ctrlCostWeight: 'number', resetNoiseScale: 'nonnegative' },
  Ant: {
    ctrlCostWeight: 'number', contactCostWeight: 'number', healthyReward: 'number',
    terminateWhenUnhealthy: 'boolean', healthyZRange: 'range', contactForceRange: 'range',
    resetNoiseScale: 'nonnegative', useContactForces: 'boolean',
  },
  Humanoid: {
    forwardRewardWeight: 'number', ctrlCostWeight: 'number', contactCostWeight: 'number',
    contactCostRange: 'range', healthyReward: 'number', terminateWhenUnhealthy: 'boolean',
    healthyZRange: 'range', resetNoiseScale: 'nonnegative',
  },
};

/** Options every MuJoCo env id accepts, besides its task parameters. */
export interface CommonMujocoOptions {
  /** Time limit reported as `truncated`; default 1000, null for none. */
  maxEpisodeSteps: number | null;
  /**
   * Call mj_rnePostConstraint once per env step so that cfrc_ext holds real contact forces
   * (gym v4 behaviour). Default false for v3 (mujoco-py 2.x leaves cfrc_ext at zero), true for v4.
   */
  computeContactForces: boolean;
}

const COMMON_KINDS: { readonly [K in keyof CommonMujocoOptions]: OptionKind } = {
  maxEpisodeSteps: 'steps',
  computeContactForces: 'boolean',
};

/** Task parameters an id does not accept (gym has no such argument for that version). */
function excludedParams(task: MujocoTask, version: MujocoVersion): readonly string[] {
  if (task === 'Ant' && version === 'v3') return ['useContactForces'];
  if (task === 'Humanoid' && version === 'v4') return ['contactCostWeight', 'contactCostRange'];
  return [];
}

/** Option names and kinds accepted by a MuJoCo env id. */
export function optionSchema(task: MujocoTask, version: MujocoVersion): OptionSchema {
  const out: Record<string, OptionKind> = { ...COMMON_KINDS };
  const excluded = excludedParams(task, version);
  for (const [name, kind] of Object.entries(PARAM_KINDS[task] as Record<string, OptionKind>)) {
    if (!excluded.includes(name)) out[name] = kind;
  }
  return out;
}

export interface ResolvedMujocoOptions<T extends MujocoTask> {
  common: CommonMujocoOptions;
  params: TaskParamsMap[T];
}

/** Defaults for an id: gym's values for that version. */
export function defaultOptions<T extends MujocoTask>(task: T, version: MujocoVersion): ResolvedMujocoOptions<T> {
  const params = { ...DEFAULT_PARAMS[task] } as TaskParamsMap[T];
  if (task === 'Ant' && version === 'v4') (params as AntParams).useContactForces = false;
  return {
    common: { maxEpisodeSteps: 1000, computeContactForces: version === 'v4' },
    params,
  };
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(describeValue).join(', ')}]`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

const KIND_TEXT: Record<OptionKind, string> = {
  number: 'a finite number',
  nonnegative: 'a finite number >= 0',
  boolean: 'true or false',
  range: '[low, high] with numbers low < high (±Infinity allowed)',
  steps: 'a positive integer or null (no limit)',
};

/** Checks one option value; returns an error text or null. */
export function checkOptionValue(kind: OptionKind, value: unknown): string | null {
  const ok = (() => {
    switch (kind) {
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      case 'nonnegative':
        return typeof value === 'number' && Number.isFinite(value) && value >= 0;
      case 'boolean':
        return typeof value === 'boolean';
      case 'range':
        return (
          Array.isArray(value) && value.length === 2 &&
          typeof value[0] === 'number' && typeof value[1] === 'number' &&
          !Number.isNaN(value[0]) && !Number.isNaN(value[1]) && value[0] < value[1]
        );
      case 'steps':
        return value === null || (typeof value === 'number' && Number.isInteger(value) && value > 0);
    }
  })();
  return ok ? null : `expected ${KIND_TEXT[kind]}, got ${describeValue(value)}`;
}

/**
 * Validates user options against an id's schema and merges them over the defaults.
 * Unknown names and bad values throw an Error naming the option, the value and what is expected.
 */
export function resolveMujocoOptions<T extends MujocoTask>(
  id: string,
  task: T,
  version: MujocoVersion,
  options: Readonly<Record<string, unknown>> | undefined,
): ResolvedMujocoOptions<T> {
  const resolved = defaultOptions(task, version);
  if (options === undefined || options === null) return resolved;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${id}: options must be an object, got ${describeValue(options)}`);
  }
  const schema = optionSchema(task, version);
  const common = resolved.common as unknown as Record<string, unknown>;
  const params = resolved.params as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const kind = schema[name];
    if (kind === undefined) {
      throw new Error(
        `${id}: unknown option '${name}'; known options: ${Object.keys(schema).join(', ')}`,
      );
    }
    const problem = checkOptionValue(kind, value);
    if (problem !== null) throw new Error(`${id}: option '${name}' ${problem}`);
    const stored = kind === 'range' ? ([(value as number[])[0], (value as number[])[1]] as const) : value;
    if (name in common) common[name] = stored;
    else params[name] = stored;
  }
  return resolved;
}

/** Observation size for a task/version/parameters. */
export function observationSize(task: MujocoTask, version: MujocoVersion, params?: Partial<AntParams>): number {
  switch (task) {
    case 'Hopper':
      return 11;
    case 'Walker2d':
    case 'HalfCheetah':
      return 17;
    case 'Ant': {
      const use = params?.useContactForces ?? (version === 'v3');
      return use ? 13 + 14 + 14 * 6 : 13 + 14;
    }
    case 'Humanoid':
      return 22 + 23 + 14 * 10 + 14 * 6 + 23 + 14 * 6;
  }
}
