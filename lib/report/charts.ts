/**
 * Static charts from Vega-Lite specs, rendered in Node without a browser or canvas:
 * Vega-Lite -> Vega -> SVG (vega's headless View with renderer 'none'), SVG -> PNG with resvg.
 *
 * vega 6 and vega-lite 6 are ESM-only with top-level await, so they cannot be `require`d and
 * TypeScript (module commonjs, and tslab's cell compiler) would turn a plain `import()` into a
 * `require`. They are loaded with a real dynamic import created by `new Function`, from an
 * absolute file URL, once per process.
 */

import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { PAPER_ALGORITHMS, PAPER_ENVS, beyondPaperName, paperAlgorithmName } from '../results/paper-table1';

/** A Vega-Lite specification as plain JSON (inline `data.values`, no URLs needed). */
export type VegaLiteSpec = { [key: string]: unknown };

// ---------------------------------------------------------------------------------------------
// Conventions of the kit's charts: task order, one colour per algorithm, QVPO emphasised,
// axis titles with their units, the warm-up marked
// ---------------------------------------------------------------------------------------------

/** Facet panels follow the paper's task order (Table 1, Figure 3), not the alphabet. */
export const TASK_ORDER: readonly string[] = PAPER_ENVS;

const taskBase = (task: string) => task.replace(/-v\d+$/i, '').toLowerCase();

/**
 * Tasks in the paper's order, each version of a paper task next to it (Hopper-v3, Hopper-v4,
 * Walker2d-v3, …), then tasks the paper does not have, alphabetically; duplicates dropped.
 */
export function orderTasks(tasks: Iterable<string>): string[] {
  const rank = (task: string) => {
    const i = TASK_ORDER.findIndex((t) => taskBase(t) === taskBase(task));
    return i < 0 ? TASK_ORDER.length : i;
  };
  return [...new Set(tasks)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The series every results chart draws on top, thicker and opaque (when it is present). */
export const EMPHASISED_SERIES = 'QVPO';

/** One colour per algorithm, the same in every chart; QVPO's is the strongest. */
export const ALGORITHM_COLOURS: Readonly<Record<string, string>> = {
  QVPO: '#d62728',
  PPO: '#2ca02c',
  SPO: '#9467bd',
  TD3: '#1f77b4',
  SAC: '#ff7f0e',
  DIPO: '#8c564b',
  QSM: '#17becf',
  // beyond the paper
  DPMD: '#e377c2',
  SDAC: '#7f7f7f',
  'Diffusion-QL': '#bcbd22',
};

/** Colours, in order, for series that are not algorithms (ablation arms, bandit arms). */
export const SERIES_COLOURS: readonly string[] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#d62728'];

/** An algorithm id in the paper's (or the kit's, beyond the paper) spelling ('qvpo' → 'QVPO', 'dpmd' → 'DPMD'); any other series name as it is. */
export function seriesLabel(name: string): string {
  return paperAlgorithmName(name) ?? beyondPaperName(name) ?? name;
}

/** Legend order: QVPO, then the paper's baselines in its table order, then other series as given. */
export function orderSeries(series: Iterable<string>): string[] {
  const algorithms = [EMPHASISED_SERIES, ...PAPER_ALGORITHMS.filter((a) => a !== EMPHASISED_SERIES), 'DPMD', 'SDAC', 'Diffusion-QL'];
  const unique = [...new Set(series)];
  return [...algorithms.filter((a) => unique.includes(a)), ...unique.filter((s) => !algorithms.includes(s as (typeof algorithms)[number]))];
}

/**
 * A Vega-Lite colour scale over `series` (in legend order): algorithms get their fixed colour,
 * other series the next SERIES_COLOURS entry not already in use.
 */
export function colourScale(series: readonly string[]): { domain: string[]; range: string[] } {
  const used = new Set(series.map((s) => ALGORITHM_COLOURS[s]).filter(Boolean));
  const spare = SERIES_COLOURS.filter((c) => !used.has(c));
  let next = 0;
  const range = series.map((s) => ALGORITHM_COLOURS[s] ?? spare[next++ % spare.length]);
  return { domain: [...series], range };
}

// Axis titles say what is measured and in which unit; y titles take two lines, since a title
// longer than the panel pushes the facet's shared x axis away from its panels.
export const STEPS_TITLE = 'environment steps';
export const EVAL_RETURN_TITLE: readonly string[] = ['evaluation return', '(mean over episodes)'];
export const trainingReturnTitle = (window: number): string[] => ['training episode return', `(trailing mean, ${window} steps)`];
export const WARMUP_LABEL = 'warm-up (random actions)';

export interface SvgOptions {
  /** Multiplies the chart's pixel size (default 1). */
  scale?: number;
}

export interface PngOptions {
  /** Device pixels per CSS pixel (default 2: sharp on high-DPI screens). */
  scale?: number;
  /** Background colour for transparent charts (default white). */
  background?: string;
}

export interface RenderedPng {
  png: Buffer;
  /** Size of the PNG in pixels. */
  width: number;
  height: number;
  /** Size of the chart in CSS pixels (PNG size / scale). */
  cssWidth: number;
  cssHeight: number;
}

// ---------------------------------------------------------------------------------------------
// Loading the ESM-only packages (minimal typings: exported, because tslab emits declarations
// for cell variables and needs to name every type they use)
// ---------------------------------------------------------------------------------------------

export interface VegaView {
  toSVG(scaleFactor?: number): Promise<string>;
  finalize(): void;
}
export interface VegaModule {
  parse(spec: unknown, config?: unknown, options?: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: string; logLevel?: number }) => VegaView;
  Warn: number;
  Error: number;
}
export interface VegaLiteModule {
  compile(spec: unknown, options?: unknown): { spec: unknown };
  version: string;
}

// `import()` that neither TypeScript nor tslab rewrites into `require()`.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

async function importPackage(name: string): Promise<unknown> {
  // require.resolve works for these packages (their "exports" have a "default" condition); an
  // absolute file URL makes the import independent of the caller's location.
  const file = require.resolve(name);
  return importEsm(pathToFileURL(file).href);
}

let librariesPromise: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | null = null;

/** vega + vega-lite, loaded once per process. */
export function loadVegaLibraries(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  if (!librariesPromise) {
    librariesPromise = Promise.all([importPackage('vega'), importPackage('vega-lite')]).then(
      ([vega, vl]) => ({ vega: vega as VegaModule, vl: vl as VegaLiteModule }),
    );
    librariesPromise.catch(() => {
      librariesPromise = null; // allow a retry after e.g. an install fix
    });
  }
  return librariesPromise;
}

// ---------------------------------------------------------------------------------------------
// Vega-Lite -> SVG
// ---------------------------------------------------------------------------------------------

function checkSpec(spec: unknown): asserts spec is VegaLiteSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new TypeError('expected a Vega-Lite spec object');
  }
}

/** Compile a Vega-Lite spec to a Vega spec. */
export async function vegaLiteToVega(spec: VegaLiteSpec): Promise<unknown> {
  checkSpec(spec);
  const { vl } = await loadVegaLibraries();
  return vl.compile(spec).spec;
}

/** Render a Vega-Lite spec to an SVG document (a string starting with `<svg`). */
export async function vegaLiteToSvg(spec: VegaLiteSpec, options: SvgOptions = {}): Promise<string> {
  checkSpec(spec);
  const { vega, vl } = await loadVegaLibraries();
  const vgSpec = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG(options.scale ?? 1);
  } finally {
    view.finalize();
  }
}

// ---------------------------------------------------------------------------------------------
// SVG -> PNG
// ---------------------------------------------------------------------------------------------

export interface ResvgModule {
  renderAsync(
    svg: string | Buffer,
    options?: Record<string, unknown> | null,
  ): Promise<{ asPng(): Buffer; width: number; height: number }>;
}

let resvgModule: ResvgModule | null = null;
function resvg(): ResvgModule {
  // A native module with a prebuilt binary (npm optional dependency); loaded on first use.
  if (!resvgModule) resvgModule = require('@resvg/resvg-js') as ResvgModule;
  return resvgModule;
}

const FONT_DIR_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu', // Debian / Ubuntu (fonts-dejavu-core)
  '/usr/share/fonts/dejavu-sans-fonts', // Fedora
  '/usr/share/fonts/TTF', // Arch
  '/usr/share/fonts/dejavu',
];

let fontOptionsCache: Record<string, unknown> | null = null;

/**
 * Font setup for resvg. With DejaVu installed (Debian: fonts-dejavu-core) only that directory is
 * loaded (fast, and identical output on every machine); otherwise all system fonts are scanned.
 * $QVPO_CHART_FONT_DIR points at another directory of .ttf files.
 */
export function chartFontOptions(): Record<string, unknown> {
  if (fontOptionsCache) return fontOptionsCache;
  const custom = process.env.QVPO_CHART_FONT_DIR;
  const dejavu = FONT_DIR_CANDIDATES.find((d) => fs.existsSync(path.join(d, 'DejaVuSans.ttf')));
  if (custom) {
    fontOptionsCache = { loadSystemFonts: false, fontDirs: [custom] };
  } else if (dejavu) {
    fontOptionsCache = {
      loadSystemFonts: false,
      fontDirs: [dejavu],
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
      serifFamily: 'DejaVu Serif',
      monospaceFamily: 'DejaVu Sans Mono',
    };
  } else {
    fontOptionsCache = { loadSystemFonts: true };
  }
  return fontOptionsCache;
}

/** Rasterize an SVG document to PNG. */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<RenderedPng> {
  const scale = options.scale ?? 2;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be > 0, got ${scale}`);
  const image = await resvg().renderAsync(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: options.background ?? 'white',
    font: chartFontOptions(),
    logLevel: 'off',
  });
  const png = image.asPng();
  return {
    png,
    width: image.width,
    height: image.height,
    cssWidth: Math.round(image.width / scale),
    cssHeight: Math.round(image.height / scale),
  };
}

/** Render a Vega-Lite spec to PNG bytes (default scale 2). */
export async function vegaLiteToPng(spec: VegaLiteSpec, options: PngOptions = {}): Promise<Buffer> {
  return (await vegaLiteToImage(spec, options)).png;
}

/** Render a Vega-Lite spec to PNG, with the SVG and the sizes. */
export async function vegaLiteToImage(
  spec: VegaLiteSpec,
  options: PngOptions = {},
): Promise<RenderedPng & { svg: string }> {
  const svg = await vegaLiteToSvg(spec);
  return { ...(await svgToPng(svg, options)), svg };
}

/** Width and height from a PNG's IHDR chunk. */
export function pngDimensions(png: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || !sig.every((b, i) => png[i] === b)) throw new Error('not a PNG');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
