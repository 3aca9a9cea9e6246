/**
 * A thin layer over danfojs-node for what the notebooks need: rows -> frame, grouped
 * mean/std/count, frame -> rows (for Vega-Lite `data.values`), plus a trailing rolling mean
 * (danfojs has no rolling window).
 *
 * danfojs-node is loaded on first use only (it takes 1-2 s and pulls in TensorFlow.js), so
 * importing this module is cheap. Its types are deliberately not imported here: the notebook
 * kernel re-typechecks every dependency of a cell, and danfojs' declarations are large. For the
 * full danfojs API, `import * as dfd from 'danfojs-node'` in a cell.
 */

/** The subset of a danfojs DataFrame used here (the object is a real danfojs DataFrame). */
export interface Frame {
  readonly columns: string[];
  readonly shape: number[];
  print(): void;
}

type Danfo = {
  DataFrame: new (data: unknown, options?: unknown) => Frame;
  toJSON(df: Frame, options?: { format?: 'column' | 'row' }): unknown;
};

let danfo: Danfo | null = null;
function dfd(): Danfo {
  if (!danfo) danfo = require('danfojs-node') as Danfo;
  return danfo;
}

export type RowObject = { [key: string]: string | number | boolean | null };

/** A danfojs DataFrame from row objects (all rows should have the same keys). */
export function frameFromRows(rows: readonly RowObject[]): Frame {
  if (rows.length === 0) throw new Error('frameFromRows: no rows');
  return new (dfd().DataFrame)(rows.map((r) => ({ ...r })));
}

/** Row objects from a DataFrame (e.g. for a Vega-Lite `data: {values}`). */
export function frameToRows(df: Frame): RowObject[] {
  // danfojs calls the array-of-objects layout "column".
  return dfd().toJSON(df, { format: 'column' }) as RowObject[];
}

export interface GroupStatsOptions {
  /** Statistics to compute per value column (default all three). */
  stats?: readonly ('mean' | 'std' | 'count')[];
}

/**
 * Group rows by `by` and compute, for each value column `c`: `c_mean`, `c_std` (sample standard
 * deviation, n-1; null for groups of one row, where danfojs would report 0) and `c_count`.
 * Returns row objects sorted by the group keys.
 */
export function groupStats(
  rows: readonly RowObject[] | Frame,
  by: readonly string[],
  values: readonly string[],
  options: GroupStatsOptions = {},
): RowObject[] {
  if (by.length === 0) throw new Error('groupStats: `by` must name at least one column');
  if (values.length === 0) throw new Error('groupStats: `values` must name at least one column');
  const stats = options.stats ?? ['mean', 'std', 'count'];
  const wantCount = stats.includes('count');
  const aggStats = stats.includes('std') && !wantCount ? [...stats, 'count'] : [...stats];
  const df = Array.isArray(rows) ? frameFromRows(rows as readonly RowObject[]) : (rows as Frame);
  for (const c of [...by, ...values]) {
    if (!df.columns.includes(c)) {
      throw new Error(`groupStats: no column "${c}" (columns: ${df.columns.join(', ')})`);
    }
  }
  const spec: { [col: string]: string[] } = {};
  for (const v of values) spec[v] = aggStats;
  const grouped = (df as unknown as {
    groupby(cols: string[]): { agg(spec: { [col: string]: string[] }): Frame };
  })
    .groupby([...by])
    .agg(spec);
  const out = frameToRows(grouped);
  for (const row of out) {
    for (const v of values) {
      if (stats.includes('std')) {
        const n = row[`${v}_count`];
        if (typeof n === 'number' && n < 2) row[`${v}_std`] = null;
      }
      if (!wantCount) delete row[`${v}_count`];
    }
  }
  const keyOf = (r: RowObject) => by.map((k) => r[k]);
  out.sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i];
      const y = kb[i];
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return String(x) < String(y) ? -1 : 1;
    }
    return 0;
  });
  return out;
}

/**
 * Trailing rolling mean: out[i] = mean(values[max(0, i-window+1) .. i]).
 * The first window-1 entries average over the values available so far (no NaN padding).
 * A NaN (or infinity) affects only the windows that contain it.
 */
export function rollingMean(values: readonly number[], window: number): number[] {
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(`rollingMean: window must be a positive integer, got ${window}`);
  }
  const out = new Array<number>(values.length);
  let sum = 0; // of the finite values in the window
  let nonFinite = 0; // how many values in the window are not finite
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) sum += v;
    else nonFinite++;
    if (i >= window) {
      const old = values[i - window];
      if (Number.isFinite(old)) sum -= old;
      else nonFinite--;
    }
    const n = Math.min(i + 1, window);
    if (nonFinite > 0) {
      let s = 0;
      for (let j = i - n + 1; j <= i; j++) s += values[j];
      out[i] = s / n;
    } else {
      out[i] = sum / n;
    }
  }
  return out;
}
