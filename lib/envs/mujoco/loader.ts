/**
 * Loading the official MuJoCo WebAssembly module (npm `mujoco-js`, MuJoCo 3.3.8) and compiling
 * the kit's model files.
 *
 * - `mujoco-js` is ESM-only, so it is loaded with a real dynamic `import()` that TypeScript does
 *   not rewrite into `require()` (the kit compiles to CommonJS). The module is instantiated once
 *   per process, or once per worker thread (module state is per thread), and the promise is
 *   cached.
 * - Only the small part of the binding the kit uses is typed here, on purpose: the package's own
 *   `.d.ts` needs TypeScript >= 5.7 (`Uint8Array<T>`), while the notebook kernel compiles `lib/`
 *   with TypeScript 5.0.4.
 * - Binding facts this code relies on: every array getter (`data.qpos`, …) returns a *new*
 *   typed-array view into WASM memory; views detach (length 0) when the memory grows; `MjModel`
 *   and `MjData` must be freed with `.delete()`; using them afterwards throws `BindingError`.
 *   Touching a module property that the build did not export (for example `wasmMemory`)
 *   aborts the whole module, so this file only uses the exports listed below.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** `mjOption` as exposed by the binding (a handle into the model: writes persist). */
export interface MjOption {
  timestep: number;
  integrator: number;
  solver: number;
  iterations: number;
  cone: number;
  readonly gravity: Float64Array;
}

/** The `mjModel` fields the kit reads. Array getters return fresh views into WASM memory. */
export interface MjModel {
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly na: number;
  readonly nbody: number;
  readonly njnt: number;
  readonly ngeom: number;
  readonly ntendon: number;
  readonly nkey: number;
  readonly opt: MjOption;
  readonly qpos0: Float64Array;
  readonly body_parentid: Int32Array;
  readonly body_mass: Float64Array;
  readonly body_inertia: Float64Array;
  readonly body_ipos: Float64Array;
  readonly body_pos: Float64Array;
  readonly jnt_type: Int32Array;
  readonly jnt_bodyid: Int32Array;
  readonly jnt_qposadr: Int32Array;
  readonly jnt_dofadr: Int32Array;
  readonly jnt_limited: Uint8Array | Int8Array;
  readonly jnt_range: Float64Array;
  readonly jnt_stiffness: Float64Array;
  readonly dof_damping: Float64Array;
  readonly dof_armature: Float64Array;
  readonly actuator_trnid: Int32Array;
  readonly actuator_gear: Float64Array;
  readonly actuator_ctrllimited: Uint8Array | Int8Array;
  readonly actuator_ctrlrange: Float64Array;
  readonly geom_type: Int32Array;
  readonly geom_bodyid: Int32Array;
  readonly geom_size: Float64Array;
  /** Geom frame in its body's frame: position and quaternion (w, x, y, z); colour (rgba). */
  readonly geom_pos: Float64Array;
  readonly geom_quat: Float64Array;
  readonly geom_rgba: Float32Array;
  readonly geom_friction: Float64Array;
  readonly geom_contype: Int32Array;
  readonly geom_conaffinity: Int32Array;
  readonly geom_condim: Int32Array;
  readonly geom_margin: Float64Array;
  readonly geom_solref: Float64Array;
  readonly geom_solimp: Float64Array;
  readonly names: Int8Array | Uint8Array;
  readonly name_bodyadr: Int32Array;
  readonly name_jntadr: Int32Array;
  readonly name_geomadr: Int32Array;
  readonly name_actuatoradr: Int32Array;
  readonly name_tendonadr: Int32Array;
  delete(): void;
  isDeleted(): boolean;
}

/** The `mjData` fields the kit reads or writes. */
export interface MjData {
  time: number;
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly ctrl: Float64Array;
  readonly xpos: Float64Array;
  /** Body orientations in the world frame, quaternions (w, x, y, z). */
  readonly xquat: Float64Array;
  readonly xipos: Float64Array;
  readonly cinert: Float64Array;
  readonly cvel: Float64Array;
  readonly qfrc_actuator: Float64Array;
  readonly cfrc_ext: Float64Array;
  readonly geom_xpos: Float64Array;
  delete(): void;
  isDeleted(): boolean;
}

/** The emscripten MEMFS calls used to hand XML text to the MuJoCo compiler. */
export interface MujocoFS {
  mkdir(path: string): void;
  writeFile(path: string, data: string): void;
  unlink(path: string): void;
  analyzePath(path: string): { exists: boolean };
}

/** The part of the `mujoco-js` module the kit uses. */
export interface MujocoModule {
  MjModel: { loadFromXML(path: string): MjModel | null };
  MjData: new (model: MjModel) => MjData;
  mj_step(m: MjModel, d: MjData): void;
  mj_forward(m: MjModel, d: MjData): void;
  mj_resetData(m: MjModel, d: MjData): void;
  mj_rnePostConstraint(m: MjModel, d: MjData): void;
  mj_version(): number;
  getExceptionMessage(excPtr: number): [string, string | undefined];
  FS: MujocoFS;
}

/** A dynamic import that TypeScript leaves alone (it would turn `import()` into `require()`). */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

let modulePromise: Promise<MujocoModule> | null = null;

/**
 * The process-wide (per worker thread) MuJoCo WASM module. The first call instantiates it
 * (~0.1–0.3 s); later calls return the same promise. A failed load is not cached.
 */
export function loadMujoco(): Promise<MujocoModule> {
  if (modulePromise === null) {
    modulePromise = instantiate();
    modulePromise.catch(() => {
      modulePromise = null;
    });
  }
  return modulePromise;
}

async function instantiate(): Promise<MujocoModule> {
  let entry: string;
  try {
    entry = require.resolve('mujoco-js');
  } catch (err) {
    throw new Error(`cannot find the npm package 'mujoco-js' (MuJoCo WASM); run npm install: ${String(err)}`);
  }
  const ns = (await importEsm(pathToFileURL(entry).href)) as { default?: unknown };
  const factory = ns.default;
  if (typeof factory !== 'function') {
    throw new Error(`'mujoco-js' did not export a module factory (got ${typeof factory})`);
  }
  const mj = (await (factory as () => Promise<unknown>)()) as MujocoModule;
  if (typeof mj.mj_step !== 'function' || typeof mj.MjModel?.loadFromXML !== 'function') {
    throw new Error("'mujoco-js' loaded but lacks mj_step / MjModel.loadFromXML; expected mujoco-js 0.0.7");
  }
  return mj;
}

/** Folder holding the kit's authored MJCF files. */
export const MODELS_DIR = path.join(__dirname, 'models');

const VFS_DIR = '/qvpo-kit-models';
const xmlCache = new Map<string, string>();
let vfsCounter = 0;

/** XML text of one of the kit's model files (read once, then cached). */
export function modelXml(file: string): string {
  let xml = xmlCache.get(file);
  if (xml === undefined) {
    const full = path.join(MODELS_DIR, file);
    try {
      xml = fs.readFileSync(full, 'utf8');
    } catch (err) {
      throw new Error(`cannot read MuJoCo model file ${full}: ${String(err)}`);
    }
    xmlCache.set(file, xml);
  }
  return xml;
}

/**
 * Compiles MJCF text into a new MjModel (the caller owns it and must `.delete()` it). The text
 * goes through MuJoCo's in-memory file system and is removed again right after compiling.
 */
export function compileXml(mj: MujocoModule, xml: string, label = 'model'): MjModel {
  if (!mj.FS.analyzePath(VFS_DIR).exists) mj.FS.mkdir(VFS_DIR);
  const safe = label.replace(/[^A-Za-z0-9_.-]/g, '_');
  const vfsPath = `${VFS_DIR}/${vfsCounter++}-${safe}.xml`;
  mj.FS.writeFile(vfsPath, xml);
  let model: MjModel | null;
  try {
    model = mj.MjModel.loadFromXML(vfsPath);
  } catch (err) {
    const ptr = (err as { excPtr?: unknown } | null)?.excPtr;
    let detail = String(err);
    if (typeof ptr === 'number') {
      const [type, message] = mj.getExceptionMessage(ptr);
      detail = message ? `${type}: ${message}` : type;
    }
    throw new Error(`MuJoCo failed to compile ${label} (${detail}); the compiler prints details to stderr`);
  } finally {
    mj.FS.unlink(vfsPath);
  }
  if (!model) {
    throw new Error(`MuJoCo failed to compile ${label}; the compiler's message is on stderr ("Loading error: …")`);
  }
  return model;
}

/** Compiles one of the kit's model files, e.g. `loadModelFile(mj, 'hopper.xml')`. */
export function loadModelFile(mj: MujocoModule, file: string): MjModel {
  return compileXml(mj, modelXml(file), file);
}

const heapProbes = new WeakMap<MujocoModule, MjModel>();

/**
 * Current size in bytes of the module's WASM linear memory (it only grows, never shrinks), read
 * through a tiny probe model kept for the lifetime of the module. Leak tests compare it before and
 * after many allocations and frees.
 */
export function wasmHeapBytes(mj: MujocoModule): number {
  let probe = heapProbes.get(mj);
  if (probe === undefined) {
    probe = compileXml(mj, '<mujoco model="heap-probe"/>', 'heap-probe');
    heapProbes.set(mj, probe);
  }
  return probe.body_mass.buffer.byteLength;
}

/** The MuJoCo version the WASM module was built from, e.g. "3.3.8". */
export function mujocoVersion(mj: MujocoModule): string {
  const v = mj.mj_version();
  return `${Math.floor(v / 100)}.${Math.floor(v / 10) % 10}.${v % 10}`;
}
