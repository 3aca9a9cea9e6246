/**
 * Chooses the TensorFlow.js backend and says which one runs.
 *
 * Order under `auto`: the native TensorFlow bindings when the user installed them
 * (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`; both download libtensorflow
 * at install time, so the kit never depends on them), then WebGPU in Node (npm `webgpu` +
 * `@tensorflow/tfjs-backend-webgpu`, when both are installed and a GPU adapter exists),
 * then WebAssembly (always installed), then the pure-JS CPU backend.
 *
 * `QVPO_BACKEND` (or the `backend` option) forces one; forcing one that cannot load is an
 * error, never a silent fallback.
 */
import * as tf from '@tensorflow/tfjs';

export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';

export interface BackendInfo {
  /** The kit's name for it. */
  name: BackendName;
  /** tfjs's registry name (tensorflow, webgpu, wasm, cpu). */
  tfjsBackend: string;
  tfjsVersion: string;
  /** Whether tensors live on a GPU. */
  gpu: boolean;
  /** Free-form facts (SIMD, threads, adapter, CUDA...). */
  details: Record<string, string | number | boolean>;
  /** Why each backend tried before this one was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /** Whether the choice was forced (option or QVPO_BACKEND) or automatic. */
  forced: boolean;
}

// A real dynamic import that TypeScript's CommonJS output does not turn into require():
// needed for ESM-only packages.
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<unknown>;

/** True when `pkg` resolves to a package of that exact name (an npm alias does not count). */
export function isInstalled(pkg: string): boolean {
  try {
    const manifestPath = require.resolve(`${pkg}/package.json`);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const manifest = require(manifestPath) as { name?: string };
    return manifest.name === pkg;
  } catch {
    return false;
  }
}

// A loader returns what it found, or a string saying why the backend is unavailable. (A plain
// union rather than an `ok` discriminant: the notebook kernel type-checks lib/ without
// strictNullChecks, where boolean discriminants do not narrow.)
type Loaded = { details: BackendInfo['details']; gpu: boolean };
type Loader = () => Promise<Loaded | string>;

async function activate(tfjsName: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(tfjsName);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === tfjsName;
  } catch {
    return false;
  }
}

const loaders: Record<BackendName, Loader> = {
  'tfjs-node-gpu': async () => {
    if (!isInstalled('@tensorflow/tfjs-node-gpu')) {
      return 'not installed (npm install @tensorflow/tfjs-node-gpu; needs CUDA 11.2 + cuDNN 8.1)';
    }
    try {
      require('@tensorflow/tfjs-node-gpu');
    } catch (e) {
      return `failed to load: ${(e as Error).message.split('\n')[0]}`;
    }
    if (!(await activate('tensorflow'))) return 'tensorflow backend did not initialise';
    const be = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
    if (!be.isUsingGpuDevice) return 'libtensorflow found no usable GPU (CUDA/cuDNN missing?)';
    return { gpu: true, details: { package: '@tensorflow/tfjs-node-gpu' } };
  },
  'tfjs-node': async () => {
    if (!isInstalled('@tensorflow/tfjs-node')) {
      return 'not installed (npm install @tensorflow/tfjs-node; downloads libtensorflow)';
    }
    try {
      require('@tensorflow/tfjs-node');
    } catch (e) {
      return `failed to load: ${(e as Error).message.split('\n')[0]}`;
    }
    if (!(await activate('tensorflow'))) return 'tensorflow backend did not initialise';
    return { gpu: false, details: { package: '@tensorflow/tfjs-node' } };
  },
  webgpu: async () => {
    if (!isInstalled('webgpu') || !isInstalled('@tensorflow/tfjs-backend-webgpu')) {
      return 'not installed (npm install webgpu @tensorflow/tfjs-backend-webgpu)';
    }
    try {
      const dawn = (await importEsm('webgpu')) as {
        create?: (flags: string[]) => unknown;
        globals?: Record<string, unknown>;
        default?: { create?: (flags: string[]) => unknown; globals?: Record<string, unknown> };
      };
      const api = dawn.create ? dawn : dawn.default ?? dawn;
      if (api.globals) Object.assign(globalThis, api.globals);
      const gpu = api.create?.([]);
      if (!gpu) return 'the webgpu package exposes no create()';
      Object.defineProperty(globalThis.navigator ?? ((globalThis as { navigator?: object }).navigator = {}), 'gpu', {
        value: gpu,
        configurable: true,
      });
      const adapter = await (gpu as { requestAdapter(): Promise<unknown> }).requestAdapter();
      if (!adapter) return 'no WebGPU adapter (needs libvulkan1 and a GPU driver)';
      require('@tensorflow/tfjs-backend-webgpu');
    } catch (e) {
      return `failed to load: ${(e as Error).message.split('\n')[0]}`;
    }
    if (!(await activate('webgpu'))) return 'webgpu backend did not initialise';
    return { gpu: true, details: { package: '@tensorflow/tfjs-backend-webgpu' } };
  },
  wasm: async () => {
    try {
      require('@tensorflow/tfjs-backend-wasm');
    } catch (e) {
      return `failed to load: ${(e as Error).message.split('\n')[0]}`;
    }
    if (!(await activate('wasm'))) return 'wasm backend did not initialise';
    return {
      gpu: false,
      details: {
        simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
        threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
      },
    };
  },
  cpu: async () => {
    if (!(await activate('cpu'))) return 'cpu backend did not initialise';
    // We report the backend ourselves; silence tfjs's one-time "install tfjs-node" banner.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    return { gpu: false, details: {} };
  },
};

export function parseBackendChoice(value: string | undefined, source = 'backend'): BackendChoice {
  const v = (value ?? 'auto').trim();
  if (v === '' || v === 'auto') return 'auto';
  if ((BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendName;
  throw new Error(`unknown ${source} "${v}": expected one of auto, ${BACKEND_NAMES.join(', ')}`);
}

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;

/**
 * Initialises the backend once per process and returns what was chosen.
 * `choice` defaults to `QVPO_BACKEND`, then `auto`. A second call with a different
 * forced choice switches backends (tensors made before must not be reused).
 */
export async function initBackend(choice?: BackendChoice | string): Promise<BackendInfo> {
  const fromEnv = choice === undefined;
  const wanted = parseBackendChoice(choice ?? process.env.QVPO_BACKEND, fromEnv ? 'QVPO_BACKEND' : 'backend');
  if (current && (wanted === 'auto' || wanted === current.name)) return current;
  if (pending && wanted === 'auto') return pending;
  pending = (async () => {
    const order: BackendName[] = wanted === 'auto' ? [...BACKEND_NAMES] : [wanted];
    const skipped: BackendInfo['skipped'] = [];
    for (const name of order) {
      const res = await loaders[name]();
      if (typeof res !== 'string') {
        current = {
          name,
          tfjsBackend: tf.getBackend(),
          tfjsVersion: tf.version.tfjs,
          gpu: res.gpu,
          details: res.details,
          skipped,
          forced: wanted !== 'auto',
        };
        return current;
      }
      skipped.push({ name, reason: res });
    }
    const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new Error(
      wanted === 'auto' ? `no TensorFlow.js backend could start (${why})` : `backend "${wanted}" is not available: ${why}`,
    );
  })();
  try {
    return await pending;
  } finally {
    pending = null;
  }
}

/** The backend chosen so far, or null before `initBackend`. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/** One line for logs and report stamps. */
export function describeBackend(info: BackendInfo): string {
  const facts = Object.entries(info.details)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${info.name} (tfjs ${info.tfjsVersion}${facts ? ', ' + facts : ''}${info.forced ? ', forced' : ''})`;
}
