/**
 * Environment registry: `makeEnv(id, options)`, `envSpec(id)`, `listEnvIds()`, `registerEnv()`.
 *
 * Built in: the MuJoCo locomotion tasks `Hopper`, `Walker2d`, `HalfCheetah`, `Ant`, `Humanoid`,
 * each as `-v3` (gym 0.21 / mujoco-py 2.1 semantics, what QVPO ran) and `-v4` (gym ≥ 0.24 /
 * Gymnasium v4 semantics: real contact forces; Ant-v4 drops them from the observation unless
 * `useContactForces`; Humanoid-v4 has no contact cost). See docs/envs.md. Also built in: the
 * kinematic point-mass mazes `PointMaze-MultiGoal-v0` and `PointMaze-TwoRoutes-v0` (DDiffPG's
 * multi-goal tasks, lib/envs/point-maze.ts).
 *
 * Specs are static: reading them never loads MuJoCo. Other envs (toy problems) can be added with
 * `registerEnv(id, factory, spec)`.
 */

import { Env } from './types';
import { MujocoEnvConfig } from './mujoco/base';
import { loadMujoco, MujocoModule } from './mujoco/loader';
import {
  MUJOCO_TASKS,
  MUJOCO_VERSIONS,
  MujocoTask,
  MujocoVersion,
  OptionSchema,
  TASKS,
  defaultOptions,
  observationSize,
  optionSchema,
  resolveMujocoOptions,
} from './mujoco/specs';
import { HopperEnv } from './mujoco/hopper';
import { Walker2dEnv } from './mujoco/walker2d';
import { HalfCheetahEnv } from './mujoco/half-cheetah';
import { AntEnv } from './mujoco/ant';
import { HumanoidEnv } from './mujoco/humanoid';
import { GOAL_REWARD, MazeLayoutName, POINT_MAZE_IDS, PointMazeEnv, mazeLayout, resolvePointMazeOptions } from './point-maze';

/** What other code can know about an env without creating it. */
export interface EnvSpec {
  id: string;
  obsDim: number;
  actDim: number;
  actionLow: readonly number[];
  actionHigh: readonly number[];
  /** Time limit (reported as `truncated`); null for none. */
  maxEpisodeSteps: number | null;
  /** Return regarded as solving the task (gym's reward_threshold); null if none. */
  rewardThreshold: number | null;
  /** Seconds of simulated time per env step, where meaningful. */
  dt?: number;
  /** Option names and their kinds, for envs that document them. */
  options?: OptionSchema;
  description?: string;
}

/** Options for `makeEnv`. Which names are valid depends on the id (see `envSpec(id).options`). */
export type MakeEnvOptions = Readonly<Record<string, unknown>>;

export type EnvFactory = (options: MakeEnvOptions) => Env | Promise<Env>;

interface Entry {
  factory: EnvFactory;
  /** Static spec, or one that depends on the options (validated there). */
  spec: (options: MakeEnvOptions | undefined) => EnvSpec;
  builtin: boolean;
}

const entries = new Map<string, Entry>();

function knownIdsText(): string {
  return listEnvIds().join(', ');
}

function entryFor(id: string): Entry {
  if (typeof id !== 'string') {
    throw new Error(`env id must be a string, got ${String(id)}; known ids: ${knownIdsText()}`);
  }
  const entry = entries.get(id);
  if (entry === undefined) throw new Error(`unknown env id '${id}'; known ids: ${knownIdsText()}`);
  return entry;
}

/** All registered ids, sorted. */
export function listEnvIds(): string[] {
  return Array.from(entries.keys()).sort();
}

/**
 * The spec of an id. For MuJoCo ids, `options` (validated like in `makeEnv`) can change
 * `obsDim` (Ant-v4 `useContactForces`) and `maxEpisodeSteps`.
 */
export function envSpec(id: string, options?: MakeEnvOptions): EnvSpec {
  return entryFor(id).spec(options);
}

/** Creates an env. Unknown ids and bad options throw an Error saying what is expected. */
export async function makeEnv(id: string, options?: MakeEnvOptions): Promise<Env> {
  const entry = entryFor(id);
  const spec = entry.spec(options); // validates options before any heavy work
  const env = await entry.factory(options ?? {});
  const problems: string[] = [];
  if (env.observationSpace.size !== spec.obsDim) problems.push(`observation size ${env.observationSpace.size} ≠ spec ${spec.obsDim}`);
  if (env.actionSpace.size !== spec.actDim) problems.push(`action size ${env.actionSpace.size} ≠ spec ${spec.actDim}`);
  if (entry.builtin && env.maxEpisodeSteps !== spec.maxEpisodeSteps) problems.push(`maxEpisodeSteps ${env.maxEpisodeSteps} ≠ spec ${spec.maxEpisodeSteps}`);
  if (problems.length > 0) {
    env.close();
    throw new Error(`${id}: the created env does not match its registered spec: ${problems.join('; ')}`);
  }
  return env;
}

/**
 * Registers a new env id, e.g. a toy bandit:
 *
 *   registerEnv('Bandit-v0', (opts) => new BanditEnv(opts), {
 *     obsDim: 1, actDim: 1, actionLow: [-1], actionHigh: [1], maxEpisodeSteps: 1, rewardThreshold: null,
 *   });
 *
 * The factory receives the options given to `makeEnv` (validating them is its job) and may be
 * async. `makeEnv` checks the created env's observation/action sizes against the spec.
 * Registering an id twice throws unless `{ replace: true }` (built-in ids cannot be replaced).
 */
export function registerEnv(
  id: string,
  factory: EnvFactory,
  spec: Omit<EnvSpec, 'id'> & { id?: string },
  opts: { replace?: boolean } = {},
): void {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_./:-]+$/.test(id)) {
    throw new Error(`registerEnv: id must be a non-empty string of letters, digits and _ . / : - (e.g. 'Bandit-v0'), got ${JSON.stringify(id)}`);
  }
  if (typeof factory !== 'function') throw new Error(`registerEnv(${id}): factory must be a function, got ${typeof factory}`);
  const existing = entries.get(id);
  if (existing !== undefined) {
    if (existing.builtin) throw new Error(`registerEnv: '${id}' is a built-in env and cannot be replaced`);
    if (!opts.replace) throw new Error(`registerEnv: '${id}' is already registered (pass { replace: true } to replace it)`);
  }
  const checked = checkSpec(id, spec);
  entries.set(id, { factory, spec: () => checked, builtin: false });
}

/** Removes an id added with registerEnv (returns whether it was there). Built-ins stay. */
export function unregisterEnv(id: string): boolean {
  const existing = entries.get(id);
  if (existing === undefined || existing.builtin) return false;
  return entries.delete(id);
}

function checkSpec(id: string, spec: Omit<EnvSpec, 'id'> & { id?: string }): EnvSpec {
  const bad = (what: string, value: unknown) => new Error(`registerEnv(${id}): spec.${what} ${value}`);
  if (spec === null || typeof spec !== 'object') throw new Error(`registerEnv(${id}): spec must be an object, got ${String(spec)}`);
  if (spec.id !== undefined && spec.id !== id) throw bad('id', `is '${spec.id}', but the id registered is '${id}'`);
  const posInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (!posInt(spec.obsDim)) throw bad('obsDim', `must be a positive integer, got ${String(spec.obsDim)}`);
  if (!posInt(spec.actDim)) throw bad('actDim', `must be a positive integer, got ${String(spec.actDim)}`);
  for (const key of ['actionLow', 'actionHigh'] as const) {
    const arr = spec[key];
    if (!Array.isArray(arr) || arr.length !== spec.actDim || arr.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
      throw bad(key, `must be an array of ${spec.actDim} numbers, got ${JSON.stringify(arr)}`);
    }
  }
  for (let i = 0; i < spec.actDim; i++) {
    if (!(spec.actionLow[i] <= spec.actionHigh[i])) {
      throw bad('actionLow', `[${i}] = ${spec.actionLow[i]} exceeds actionHigh[${i}] = ${spec.actionHigh[i]}`);
    }
  }
  if (spec.maxEpisodeSteps !== null && !posInt(spec.maxEpisodeSteps)) {
    throw bad('maxEpisodeSteps', `must be a positive integer or null, got ${String(spec.maxEpisodeSteps)}`);
  }
  if (spec.rewardThreshold !== null && typeof spec.rewardThreshold !== 'number') {
    throw bad('rewardThreshold', `must be a number or null, got ${String(spec.rewardThreshold)}`);
  }
  return Object.freeze({
    ...spec,
    id,
    actionLow: Object.freeze([...spec.actionLow]),
    actionHigh: Object.freeze([...spec.actionHigh]),
  });
}

// ---------------------------------------------------------------------------------------------
// Built-in MuJoCo envs.

const DESCRIPTIONS: Record<MujocoTask, string> = {
  Hopper: 'one-legged planar hopper; hop forward without falling',
  Walker2d: 'two-legged planar walker; walk forward without falling',
  HalfCheetah: 'planar cheetah; run forward (never terminates)',
  Ant: 'four-legged 3-D ant; walk forward in +x',
  Humanoid: '3-D humanoid; walk forward in +x without falling',
};

function mujocoSpec(id: string, task: MujocoTask, version: MujocoVersion, options: MakeEnvOptions | undefined): EnvSpec {
  const resolved = options === undefined ? defaultOptions(task, version) : resolveMujocoOptions(id, task, version, options);
  const c = TASKS[task];
  return {
    id,
    obsDim: observationSize(task, version, resolved.params as { useContactForces?: boolean }),
    actDim: c.nu,
    actionLow: new Array<number>(c.nu).fill(c.actionLow),
    actionHigh: new Array<number>(c.nu).fill(c.actionHigh),
    maxEpisodeSteps: resolved.common.maxEpisodeSteps,
    rewardThreshold: c.rewardThreshold,
    dt: c.timestep * c.frameSkip,
    options: optionSchema(task, version),
    description: `${DESCRIPTIONS[task]} (MuJoCo ${c.modelFile}, gym ${version} semantics)`,
  };
}

function createMujocoEnv(mj: MujocoModule, id: string, task: MujocoTask, version: MujocoVersion, options: MakeEnvOptions): Env {
  switch (task) {
    case 'Hopper': {
      const r = resolveMujocoOptions(id, task, version, options);
      const config: MujocoEnvConfig<'Hopper'> = { id, task, version, ...r };
      return new HopperEnv(mj, config);
    }
    case 'Walker2d': {
      const r = resolveMujocoOptions(id, task, version, options);
      const config: MujocoEnvConfig<'Walker2d'> = { id, task, version, ...r };
      return new Walker2dEnv(mj, config);
    }
    case 'HalfCheetah': {
      const r = resolveMujocoOptions(id, task, version, options);
      const config: MujocoEnvConfig<'HalfCheetah'> = { id, task, version, ...r };
      return new HalfCheetahEnv(mj, config);
    }
    case 'Ant': {
      const r = resolveMujocoOptions(id, task, version, options);
      const config: MujocoEnvConfig<'Ant'> = { id, task, version, ...r };
      return new AntEnv(mj, config);
    }
    case 'Humanoid': {
      const r = resolveMujocoOptions(id, task, version, options);
      const config: MujocoEnvConfig<'Humanoid'> = { id, task, version, ...r };
      return new HumanoidEnv(mj, config);
    }
  }
}

for (const task of MUJOCO_TASKS) {
  for (const version of MUJOCO_VERSIONS) {
    const id = `${task}-${version}`;
    entries.set(id, {
      builtin: true,
      spec: (options) => mujocoSpec(id, task, version, options),
      factory: async (options) => createMujocoEnv(await loadMujoco(), id, task, version, options),
    });
  }
}

/** The MuJoCo ids QVPO's experiments use (gym v3). */
export const QVPO_ENV_IDS: readonly string[] = MUJOCO_TASKS.map((t) => `${t}-v3`);

// ---------------------------------------------------------------------------------------------
// Built-in point-mass mazes (DDiffPG's multi-goal task; see lib/envs/point-maze.ts).

for (const [name, id] of Object.entries(POINT_MAZE_IDS) as [MazeLayoutName, string][]) {
  entries.set(id, {
    builtin: true,
    spec: (options) => {
      const layout = mazeLayout(name);
      const resolved = resolvePointMazeOptions(id, layout, options ?? {});
      return {
        id,
        obsDim: 2,
        actDim: 2,
        actionLow: [-1, -1],
        actionHigh: [1, 1],
        maxEpisodeSteps: resolved.maxEpisodeSteps,
        rewardThreshold: GOAL_REWARD,
        options: { maxEpisodeSteps: 'steps', startNoise: 'nonnegative' },
        description:
          name === 'two-goals'
            ? 'kinematic point mass; two mirrored goals either side of a divider wall, sparse reward 10 (DDiffPG multi-goal task)'
            : 'kinematic point mass; one goal reached left or right round a central block, sparse reward 10 (DDiffPG two-route task)',
      };
    },
    factory: (options) => new PointMazeEnv(mazeLayout(name), options as { maxEpisodeSteps?: number | null; startNoise?: number }, id),
  });
}
