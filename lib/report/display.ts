/**
 * Rich output for notebook cells (tslab kernel), with a plain-text fallback elsewhere.
 *
 *   await showChart(spec);                        // static PNG: survives the HTML export
 *   await showChart(spec, { interactive: true }); // + interactive Vega-Lite view in JupyterLab
 *   showTable(rows, { columns: ['algo', 'return'], caption: 'Final returns', digits: 1 });
 *   showMarkdown('**Profile:** quick');
 *
 * Always `await showChart(...)`: rendering is asynchronous, and output that arrives after the
 * cell has finished may be attached to the wrong cell or be lost in headless runs.
 *
 * Interactive charts: JupyterLab 4 renders Vega-Lite from the MIME type
 * `application/vnd.vegalite.v5+json` (its bundled renderer is vega-embed with Vega-Lite 5; it has no
 * v6 renderer). The specs used here are plain Vega-Lite JSON that both versions accept, so the
 * interactive copy is sent under the v5 MIME type with `$schema` set to the v5 schema (to avoid
 * vega-embed's version warning). That output is marked `qvpo_interactive_copy` in its metadata and
 * the report template leaves it out, since the static PNG of the same chart is already there.
 */

import { vegaLiteToImage, vegaLiteToSvg, type VegaLiteSpec } from './charts';
import {
  formatValue,
  isNumericColumn,
  normalizeColumns,
  toMarkdownTable,
  type ColumnSpec,
  type Row,
} from './table';

export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';
export const VEGALITE_V5_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export type MimeBundle = { [mime: string]: unknown };

interface DisplayMessage {
  data: MimeBundle;
  metadata: { [key: string]: unknown };
  transient: { [key: string]: unknown };
}
type WriteDisplayData = (message: DisplayMessage, update: boolean) => void;

/** tslab's current display writer, or null when not running inside the tslab kernel. */
function kernelWriter(): WriteDisplayData | null {
  // tslab's executor defines globalThis.__tslab__ before running any cell.
  if (!(globalThis as { __tslab__?: unknown }).__tslab__) return null;
  try {
    // Same module instance as the kernel's (resolved from the repository's node_modules).
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData: WriteDisplayData | null };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** True inside the tslab kernel (rich output available). */
export function inNotebook(): boolean {
  return kernelWriter() !== null;
}

/**
 * Send one output with several representations (the frontend picks the richest it supports).
 * Outside the kernel, prints the `text/plain` representation (or the Markdown) instead.
 */
export function displayBundle(data: MimeBundle, metadata: { [key: string]: unknown } = {}): void {
  const write = kernelWriter();
  if (write) {
    write({ data, metadata, transient: {} }, false);
    return;
  }
  const text = data['text/plain'] ?? data['text/markdown'];
  console.log(typeof text === 'string' ? text : `[output: ${Object.keys(data).join(', ')}]`);
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A short text description of a chart, used as its text/plain representation. */
export function describeChart(spec: VegaLiteSpec): string {
  const title =
    typeof spec.title === 'string'
      ? spec.title
      : spec.title && typeof (spec.title as { text?: unknown }).text === 'string'
        ? String((spec.title as { text: string }).text)
        : '';
  const mark =
    typeof spec.mark === 'string'
      ? spec.mark
      : spec.mark && typeof (spec.mark as { type?: unknown }).type === 'string'
        ? String((spec.mark as { type: string }).type)
        : Array.isArray(spec.layer)
          ? 'layered'
          : spec.facet || spec.repeat || spec.concat || spec.hconcat || spec.vconcat
            ? 'composite'
            : 'chart';
  const values = (spec.data as { values?: unknown } | undefined)?.values;
  const n = Array.isArray(values) ? `, ${values.length} data rows` : '';
  return `[${mark} chart${title ? `: ${title}` : ''}${n}]`;
}

export interface ShowChartOptions {
  /** Also emit the interactive Vega-Lite view (JupyterLab renders it; reports skip it). */
  interactive?: boolean;
  /** PNG pixels per CSS pixel (default 2). */
  scale?: number;
  /** 'png' (default) or 'svg' for the static image. Both show up in the HTML report. */
  format?: 'png' | 'svg';
}

/** Show a Vega-Lite chart: a static image, plus optionally the interactive view. */
export async function showChart(spec: VegaLiteSpec, options: ShowChartOptions = {}): Promise<void> {
  const text = describeChart(spec);
  if (!inNotebook()) {
    console.log(text);
    return;
  }
  if (options.format === 'svg') {
    displayBundle({ 'image/svg+xml': await vegaLiteToSvg(spec), 'text/plain': text });
  } else {
    const scale = options.scale ?? 2;
    const img = await vegaLiteToImage(spec, { scale });
    displayBundle(
      { 'image/png': img.png.toString('base64'), 'text/plain': text },
      { 'image/png': { width: img.cssWidth, height: img.cssHeight } },
    );
  }
  if (options.interactive) {
    displayBundle(
      {
        [VEGALITE_MIME]: { ...spec, $schema: VEGALITE_V5_SCHEMA },
        'text/plain': `${text} (interactive view; needs JupyterLab's Vega-Lite renderer)`,
      },
      { qvpo_interactive_copy: true },
    );
  }
}

export interface ShowTableOptions {
  columns?: readonly ColumnSpec[];
  caption?: string;
  /** Decimals for non-integer numbers (default 3). */
  digits?: number;
  /** Show at most this many rows (default: all). */
  maxRows?: number;
}

/** An HTML table (text/html) with a Markdown copy as text/plain. */
export function tableHtml(rows: readonly Row[], options: ShowTableOptions = {}): string {
  const cols = normalizeColumns(rows, options.columns);
  const digits = options.digits ?? 3;
  const shown = options.maxRows !== undefined ? rows.slice(0, options.maxRows) : rows;
  const align = cols.map((c) => c.align ?? (isNumericColumn(rows, c.key) ? 'right' : 'left'));
  const out: string[] = ['<table class="qvpo-table">'];
  if (options.caption) out.push(`<caption>${escapeHtml(options.caption)}</caption>`);
  out.push(
    '<thead><tr>' +
      cols.map((c, i) => `<th style="text-align:${align[i]}">${escapeHtml(c.label)}</th>`).join('') +
      '</tr></thead>',
  );
  out.push('<tbody>');
  for (const row of shown) {
    out.push(
      '<tr>' +
        cols
          .map(
            (c, i) =>
              `<td style="text-align:${align[i]}">${escapeHtml(formatValue(row[c.key], c.digits ?? digits))}</td>`,
          )
          .join('') +
        '</tr>',
    );
  }
  out.push('</tbody></table>');
  if (shown.length < rows.length) {
    out.push(`<p><em>${rows.length - shown.length} more rows not shown</em></p>`);
  }
  return out.join('\n');
}

export function showTable(rows: readonly Row[], options: ShowTableOptions = {}): void {
  const shown = options.maxRows !== undefined ? rows.slice(0, options.maxRows) : rows;
  let md = toMarkdownTable(shown, options.columns, { digits: options.digits });
  if (options.caption) md = `${options.caption}\n\n${md}`;
  if (shown.length < rows.length) md += `\n\n(${rows.length - shown.length} more rows not shown)`;
  displayBundle({ 'text/html': tableHtml(rows, options), 'text/plain': md });
}

/** Markdown output (rendered by JupyterLab and in the HTML report). */
export function showMarkdown(markdown: string): void {
  displayBundle({ 'text/markdown': markdown, 'text/plain': markdown });
}

/** Raw HTML output (not sanitized by the qvpo-kit report export). */
export function showHtml(html: string, textFallback = '[HTML output]'): void {
  displayBundle({ 'text/html': html, 'text/plain': textFallback });
}
