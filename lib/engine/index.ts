/**
 * Chooses the compute engine, like lib/backend chooses the tfjs backend, and says which runs.
 *
 *   QVPO_ENGINE = auto (default) | ort | tfjs
 *
 * auto picks the fastest available: `ort` (ONNX Runtime: a training iteration 2–3× faster than
 * the tfjs WASM engine on CPU, an action 4–10×, bench/NOTES.md) when onnxruntime-node loads and
 * the tfjs backend is not a GPU one, else `tfjs`. Forcing an engine that cannot load is an error naming why, never a fallback.
 * ORT settings: QVPO_ORT_PROVIDER (cpu | cuda | webgpu), QVPO_ORT_THREADS (intra-op threads).
 */
import { backendInfo } from '../backend';
import { parseWholeNumber } from '../util/parse';
import { ORT_PROVIDERS, OrtEngine, OrtProvider, availableCores } from './ort';
import { TfjsEngine } from './tfjs';
import { ComputeEngine, ENGINE_NAMES, EngineName } from './types';

export type { ComputeEngine, EngineName, Proposal } from './types';
export { ENGINE_NAMES } from './types';

export type EngineChoice = EngineName | 'auto';

export interface EngineInfo {
  name: EngineName;
  details: Record<string, string | number | boolean>;
  forced: boolean;
  /** Why engines tried before this one were skipped. */
  skipped: { name: EngineName; reason: string }[];
}

export function parseEngineChoice(value: string | undefined, source = 'engine'): EngineChoice {
  const v = (value ?? 'auto').trim();
  if (v === '' || v === 'auto') return 'auto';
  if ((ENGINE_NAMES as readonly string[]).includes(v)) return v as EngineName;
  throw new Error(`unknown ${source} "${v}": expected one of auto, ${ENGINE_NAMES.join(', ')}`);
}

/** ORT settings from the environment, validated (a bad value names the variable). */
export function ortOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): { provider: OrtProvider; threads: number } {
  const p = (env.QVPO_ORT_PROVIDER ?? 'cpu').trim() || 'cpu';
  if (!(ORT_PROVIDERS as readonly string[]).includes(p)) {
    throw new Error(`QVPO_ORT_PROVIDER must be one of ${ORT_PROVIDERS.join(', ')}, got "${p}"`);
  }
  const raw = env.QVPO_ORT_THREADS;
  const threads = raw === undefined || raw.trim() === '' ? 1 : parseWholeNumber(raw, 'QVPO_ORT_THREADS', 1, 4 * availableCores());
  return { provider: p as OrtProvider, threads };
}

let active: ComputeEngine | null = null;
let activeInfo: EngineInfo | null = null;

function start(name: EngineName): ComputeEngine | string {
  if (name === 'tfjs') return new TfjsEngine();
  try {
    return new OrtEngine(ortOptionsFromEnv());
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    // A bad setting, or a GPU provider the user asked for, is an error, not a reason to fall back.
    if (/QVPO_ORT_/.test(msg) || ortOptionsFromEnv().provider !== 'cpu') throw e;
    return `onnxruntime-node did not load: ${msg}`;
  }
}

/**
 * Selects the engine (once per process unless a different one is forced). `choice` defaults
 * to QVPO_ENGINE, then auto.
 */
export function initEngine(choice?: EngineChoice | string): EngineInfo {
  const fromEnv = choice === undefined;
  const wanted = parseEngineChoice(choice ?? process.env.QVPO_ENGINE, fromEnv ? 'QVPO_ENGINE' : 'engine');
  if (activeInfo && (wanted === 'auto' || wanted === activeInfo.name)) return activeInfo;
  const skipped: EngineInfo['skipped'] = [];
  let order: EngineName[];
  if (wanted !== 'auto') {
    order = [wanted];
  } else if (backendInfo()?.gpu) {
    skipped.push({ name: 'ort', reason: `the tfjs backend ${backendInfo()?.name} keeps tensors on a GPU; the ORT CPU engine would copy them off at every call` });
    order = ['tfjs'];
  } else {
    order = ['ort', 'tfjs'];
  }
  for (const name of order) {
    const engine = start(name);
    if (typeof engine !== 'string') return use(engine, wanted !== 'auto', skipped);
    skipped.push({ name, reason: engine });
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new Error(wanted === 'auto' ? `no compute engine could start (${why})` : `engine "${wanted}" is not available: ${why}`);
}

/** The engine in use, chosen on first use when nothing chose one yet. */
export function engine(): ComputeEngine {
  if (!active) initEngine();
  return active as ComputeEngine;
}

export function engineInfo(): EngineInfo | null {
  return activeInfo;
}

/** One line for logs and report stamps. */
export function describeEngine(info: EngineInfo): string {
  const facts = Object.entries(info.details)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${info.name}${facts ? ` (${facts}${info.forced ? ', forced' : ''})` : info.forced ? ' (forced)' : ''}`;
}

/** Switches to `name` now (benchmarks and tests that run engines in turn); returns its info. */
export function setEngine(name: EngineName): EngineInfo {
  const e = start(name);
  if (typeof e === 'string') throw new Error(`engine "${name}" is not available: ${e}`);
  return use(e, true, []);
}

/** Makes `e` the engine in use, freeing the previous one. */
function use(e: ComputeEngine, forced: boolean, skipped: EngineInfo['skipped']): EngineInfo {
  active?.dispose();
  active = e;
  activeInfo = { name: e.name, details: e.details, forced, skipped };
  return activeInfo;
}
