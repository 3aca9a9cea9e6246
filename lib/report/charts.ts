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

/** A Vega-Lite specification as plain JSON (inline `data.values`, no URLs needed). */
export type VegaLiteSpec = { [key: string]: unknown };

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
