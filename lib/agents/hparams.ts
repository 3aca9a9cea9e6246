/**
 * Per-task hyperparameter tables with sources, one per algorithm, in the spirit of RL Zoo's
 * hyperparams files: every setting's default, and what each task changes, each number with
 * where it comes from:
 *
 *   paper  the algorithm's paper or its authors' README
 *   code   the official (or reference) code's defaults or flags
 *   kit    this kit's choice (no published value, or a deliberate change; `ref` says why)
 *
 * A table is checked against its algorithm's config schema when it is defined: the defaults
 * must cover every field with the schema's own default, and task entries may only name fields
 * the schema has and must pass its validation. The registry takes each algorithm's per-task
 * overrides from here; `renderHparams` prints a table as markdown for reports.
 */
import { ConfigOf, Fields, Schema } from '../config/schema';

export type Origin = 'paper' | 'code' | 'kit';

export interface Sourced<T = unknown> {
  value: T;
  origin: Origin;
  /** Where exactly (table, file, flag) or, for the kit's choices, why. */
  ref: string;
}

export const paper = <T>(value: T, ref: string): Sourced<T> => ({ value, origin: 'paper', ref });
export const code = <T>(value: T, ref: string): Sourced<T> => ({ value, origin: 'code', ref });
export const kit = <T>(value: T, ref: string): Sourced<T> => ({ value, origin: 'kit', ref });

export type SourcedSettings<C> = { [K in keyof C]?: Sourced<C[K]> };

export interface HparamTable<C> {
  /** Algorithm id (as in the registry). */
  algo: string;
  /** What the defaults reproduce, in one or two sentences. */
  summary: string;
  /** Every setting's default with its source. */
  defaults: { [K in keyof C]: Sourced<C[K]> };
  /** Per task, the settings that differ from the defaults, each with its source. */
  tasks: Readonly<Record<string, SourcedSettings<C>>>;
}

/**
 * Declares an algorithm's table and checks it against the schema (throws on any mismatch, so
 * a table cannot drift from the config the runs use).
 */
export function defineHparams<S extends Fields>(schema: Schema<S>, table: HparamTable<ConfigOf<S>>): HparamTable<ConfigOf<S>> {
  const where = `${table.algo} hyperparameter table`;
  const fields = Object.keys(schema.fields);
  const listed = Object.keys(table.defaults);
  const missing = fields.filter((k) => !listed.includes(k));
  const unknown = listed.filter((k) => !fields.includes(k));
  if (missing.length || unknown.length) {
    throw new Error(`${where}: defaults must list every ${schema.name} field once (missing: ${missing.join(', ') || 'none'}; unknown: ${unknown.join(', ') || 'none'})`);
  }
  for (const [key, s] of Object.entries(table.defaults) as [string, Sourced][]) {
    const expected = (schema.defaults as Record<string, unknown>)[key];
    if (s.value !== expected) throw new Error(`${where}: ${key} is ${JSON.stringify(s.value)} here, ${JSON.stringify(expected)} in the ${schema.name} schema`);
  }
  for (const [task, settings] of Object.entries(table.tasks)) {
    schema.make(valuesOf(settings) as Record<string, unknown>, `${where}, ${task}`);
  }
  return table;
}

function valuesOf<C>(settings: SourcedSettings<C>): Partial<C> {
  return Object.fromEntries(Object.entries(settings).map(([k, s]) => [k, (s as Sourced).value])) as Partial<C>;
}

/** The plain per-task overrides the runner layers over the defaults. */
export function taskOverridesOf<C>(table: HparamTable<C>): Record<string, Partial<C>> {
  return Object.fromEntries(Object.entries(table.tasks).map(([task, s]) => [task, valuesOf(s)]));
}

/** A task's effective settings, each with its source; `changes` (e.g. a profile's) are the kit's, cited by `changesRef`. */
export function effectiveSettings<C>(table: HparamTable<C>, task: string, changes: Partial<C> = {}, changesRef = 'kit setting'): { [K in keyof C]: Sourced<C[K]> } {
  const out = { ...table.defaults, ...(table.tasks[task] ?? {}) } as { [K in keyof C]: Sourced<C[K]> };
  for (const [k, v] of Object.entries(changes) as [keyof C, C[keyof C]][]) {
    if (v !== undefined && v !== out[k].value) out[k] = kit(v, changesRef);
  }
  return out;
}

function formatValue(v: unknown): string {
  if (typeof v === 'number') {
    if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential().replace('e+', 'e');
    return String(v);
  }
  return String(v);
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export interface RenderOptions<C> {
  /** Columns of the per-task table (default: the table's tasks, or every task named in `tasks`). */
  tasks?: readonly string[];
  /** Settings changed on top of the tasks' (a profile's), shown as the kit's with `changesRef`. */
  changes?: Partial<C>;
  changesRef?: string;
  /** Heading level prefix, e.g. '###' (default: none, a bold title line). */
  heading?: string;
}

/**
 * Markdown: one table of the settings every task shares (value, source, reference), then one
 * of the settings that differ between tasks (value and source per task), then the references of
 * those per-task values.
 */
export function renderHparams<C>(table: HparamTable<C>, options: RenderOptions<C> = {}): string {
  const tasks = options.tasks ?? Object.keys(table.tasks);
  const perTask = tasks.map((t) => effectiveSettings(table, t, options.changes, options.changesRef));
  const keys = Object.keys(table.defaults) as (keyof C)[];
  const same = (k: keyof C) => perTask.every((s) => s[k].value === perTask[0]?.[k].value && s[k].origin === perTask[0]?.[k].origin && s[k].ref === perTask[0]?.[k].ref);
  const shared = tasks.length === 0 ? keys : keys.filter(same);
  const varying = keys.filter((k) => !shared.includes(k));
  const one = tasks.length === 0 ? effectiveSettings(table, '', options.changes, options.changesRef) : perTask[0];
  const title = `${table.algo.toUpperCase()} settings${tasks.length ? ` (${tasks.join(', ')})` : ''}`;
  const lines = [options.heading ? `${options.heading} ${title}` : `**${title}**`, '', cell(table.summary), ''];
  lines.push(`| setting | value | from | reference |`, `|---|---|---|---|`);
  for (const k of shared) lines.push(`| ${String(k)} | ${cell(formatValue(one[k].value))} | ${one[k].origin} | ${cell(one[k].ref)} |`);
  if (varying.length) {
    lines.push('', `Per task:`, '', `| setting | ${tasks.join(' | ')} |`, `|---|${tasks.map(() => '---|').join('')}`);
    const refs: string[] = [];
    for (const k of varying) {
      const cells = perTask.map((s) => {
        const note = `${s[k].origin}: ${s[k].ref}`;
        if (!refs.includes(note)) refs.push(note);
        return `${cell(formatValue(s[k].value))} (${s[k].origin} [${refs.indexOf(note) + 1}])`;
      });
      lines.push(`| ${String(k)} | ${cells.join(' | ')} |`);
    }
    lines.push('', ...refs.map((r, i) => `[${i + 1}] ${cell(r)}  `));
  }
  return lines.join('\n') + '\n';
}
