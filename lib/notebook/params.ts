/**
 * The parameters cell of a notebook.
 *
 *   const run = loadParams(
 *     { env: 'Hopper-v4', iterations: 1000, hidden: [256, 256], evalEpisodes: 10 },
 *     { smoke: { iterations: 3, evalEpisodes: 1 }, quick: { iterations: 100 }, paper: {} },
 *   );
 *   const P = run.params;            // frozen, typed: P.iterations is a number
 *   showMarkdown(run.toMarkdown());  // stamp the report with the values and their origin
 *
 * Resolution, later steps overriding earlier ones:
 *   1. `defaults`
 *   2. `profiles[profile]`; the profile is $QVPO_PROFILE, else `options.defaultProfile` ('quick')
 *   3. the JSON object in the file named by $QVPO_PARAMS (relative paths: from the working
 *      directory, which is the repository root inside the qvpo-kit kernel)
 *   4. $QVPO_PARAM_<key> for single keys (e.g. QVPO_PARAM_iterations=5; arrays as JSON or
 *      comma-separated numbers)
 * Every override is checked against the type of the default value; errors name the source, the
 * key, the bad value and what was expected.
 */

import * as fs from 'fs';
import * as path from 'path';

export type ParamValue = number | string | boolean | readonly number[];
export type ParamDefaults = { readonly [key: string]: ParamValue };

export const PROFILE_NAMES = ['smoke', 'quick', 'medium', 'paper'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Literal types widened (`3` -> number, `true` -> boolean); arrays become readonly. */
export type Widen<T> = {
  readonly [K in keyof T]: T[K] extends number
    ? number
    : T[K] extends string
      ? string
      : T[K] extends boolean
        ? boolean
        : T[K] extends readonly number[]
          ? readonly number[]
          : never;
};

/**
 * Parameter values per profile. smoke, quick and paper are required; `medium` only in notebooks
 * that have a medium setting (running one without it at medium is an error, never a silent default).
 */
export type ParamProfiles<T> = { readonly [P in Exclude<ProfileName, 'medium'>]: Partial<Widen<T>> } & {
  readonly medium?: Partial<Widen<T>>;
};

/** Where a value came from: 'default', 'profile:quick', 'file:/abs/params.json', 'env:QVPO_PARAM_x'. */
export type ParamSource = 'default' | `profile:${ProfileName}` | `file:${string}` | `env:${string}`;

export interface LoadParamsOptions {
  /** Profile used when $QVPO_PROFILE is unset or empty (default 'quick'). */
  defaultProfile?: ProfileName;
  /** Environment to read (default process.env). */
  env?: { readonly [name: string]: string | undefined };
  /** Directory that a relative $QVPO_PARAMS path is resolved against (default process.cwd()). */
  cwd?: string;
}

export interface LoadedParams<T extends ParamDefaults> {
  /** The parameters, frozen (arrays included). */
  readonly params: Widen<T>;
  readonly profile: ProfileName;
  /** Where the profile name came from. */
  readonly profileSource: 'env:QVPO_PROFILE' | 'default';
  /** Absolute path of the $QVPO_PARAMS file, if one was used. */
  readonly paramsFile: string | null;
  readonly sources: { readonly [K in keyof T]: ParamSource };
  /** Keys whose value is not the default. */
  readonly overridden: readonly (keyof T & string)[];
  /** One row per parameter: {parameter, value, source}. */
  rows(): { parameter: string; value: string; source: string }[];
  /** A Markdown block: profile line plus a parameter/value/source table. */
  toMarkdown(): string;
  /** One line, e.g. "profile quick; iterations=5 (env:QVPO_PARAM_iterations)". */
  summary(): string;
}

/** Raised for every invalid parameter input; the message says what was wrong and expected. */
export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

type Kind = 'number' | 'string' | 'boolean' | 'number[]';

function kindOf(value: unknown): Kind | null {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return 'number[]';
  return null;
}

function expected(kind: Kind): string {
  switch (kind) {
    case 'number':
      return 'expected a number';
    case 'string':
      return 'expected a string';
    case 'boolean':
      return 'expected a boolean (true or false)';
    case 'number[]':
      return 'expected an array of numbers';
  }
}

function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'undefined';
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 200 ? s.slice(0, 197) + '...' : s;
  } catch {
    return String(value);
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(
        prev[j] + 1,
        cur[j - 1] + 1,
        prev[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[n];
}

function unknownKeyMessage(where: string, key: string, known: readonly string[]): string {
  let hint = '';
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (best !== null && bestD <= Math.max(1, Math.floor(best.length / 3))) {
    hint = ` Did you mean "${best}"?`;
  }
  return `${where}: unknown parameter "${key}" (known parameters: ${known.join(', ')}).${hint}`;
}

/** Check `value` against the kind of the default; returns a frozen copy. */
function checkValue(where: string, key: string, value: unknown, kind: Kind): ParamValue {
  const bad = (what: string) =>
    new ParamError(`${where}: parameter "${key}" = ${show(value)} (${describeType(value)}): ${what}`);
  switch (kind) {
    case 'number':
      if (typeof value !== 'number') throw bad(expected(kind));
      if (!Number.isFinite(value)) throw bad('expected a finite number');
      return value;
    case 'string':
      if (typeof value !== 'string') throw bad(expected(kind));
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad(expected(kind));
      return value;
    case 'number[]': {
      if (!Array.isArray(value)) throw bad(expected(kind));
      value.forEach((v, i) => {
        if (typeof v !== 'number') {
          throw bad(`expected an array of numbers (element ${i} is ${show(v)})`);
        }
        if (!Number.isFinite(v)) {
          throw bad(`expected an array of finite numbers (element ${i} is ${show(v)})`);
        }
      });
      return Object.freeze(value.slice()) as readonly number[];
    }
  }
}

/** Parse a $QVPO_PARAM_<key> string according to the default's kind. */
function parseEnvValue(where: string, key: string, text: string, kind: Kind): unknown {
  const bad = (what: string) => new ParamError(`${where}: parameter "${key}" = ${show(text)}: ${what}`);
  switch (kind) {
    case 'string':
      return text;
    case 'number': {
      const t = text.trim();
      const n = t === '' ? NaN : Number(t);
      if (Number.isNaN(n)) throw bad(expected(kind));
      if (!Number.isFinite(n)) throw bad('expected a finite number');
      return n;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1' || t === 'yes') return true;
      if (t === 'false' || t === '0' || t === 'no') return false;
      throw bad('expected a boolean (true/false, 1/0, yes/no)');
    }
    case 'number[]': {
      const t = text.trim();
      if (t.startsWith('[')) {
        try {
          return JSON.parse(t);
        } catch (e) {
          throw bad(`expected a JSON array of numbers (${(e as Error).message})`);
        }
      }
      if (t === '') return [];
      return t.split(',').map((part) => {
        const p = part.trim();
        const n = p === '' ? NaN : Number(p);
        if (Number.isNaN(n)) throw bad(`expected comma-separated numbers ("${p}" is not a number)`);
        return n;
      });
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Load the notebook parameters; see the file comment for the resolution order. */
export function loadParams<T extends ParamDefaults>(
  defaults: T,
  profiles: ParamProfiles<T>,
  options: LoadParamsOptions = {},
): LoadedParams<T> {
  const env = options.env ?? process.env;
  const known = Object.keys(defaults);
  const kinds: Record<string, Kind> = {};
  for (const key of known) {
    const kind = kindOf(defaults[key]);
    if (kind === null) {
      throw new ParamError(
        `loadParams defaults: parameter "${key}" = ${show(defaults[key])}: ` +
          'defaults must be numbers, strings, booleans or arrays of numbers',
      );
    }
    if (kind === 'number' || kind === 'number[]') checkValue('loadParams defaults', key, defaults[key], kind);
    kinds[key] = kind;
  }

  const values: Record<string, ParamValue> = {};
  const sources: Record<string, ParamSource> = {};
  for (const key of known) {
    values[key] = kinds[key] === 'number[]' ? Object.freeze((defaults[key] as number[]).slice()) : defaults[key];
    sources[key] = 'default';
  }

  // Every profile is checked (not only the selected one), so that a typo in the paper profile
  // shows up in a smoke run already.
  if (!isPlainObject(profiles)) {
    throw new ParamError('loadParams profiles: expected an object {smoke, quick, medium, paper}');
  }
  for (const name of Object.keys(profiles)) {
    if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
      throw new ParamError(
        `loadParams profiles: unknown profile "${name}" (known profiles: ${PROFILE_NAMES.join(', ')})`,
      );
    }
    const table = (profiles as Record<string, unknown>)[name];
    if (!isPlainObject(table)) {
      throw new ParamError(`loadParams profiles: profile "${name}" must be an object of parameter values`);
    }
    for (const [key, value] of Object.entries(table)) {
      if (!(key in kinds)) throw new ParamError(unknownKeyMessage(`profile "${name}"`, key, known));
      if (value !== undefined) checkValue(`profile "${name}"`, key, value, kinds[key]);
    }
  }

  // 2. profile
  const envProfile = (env.QVPO_PROFILE ?? '').trim();
  const profileSource: 'env:QVPO_PROFILE' | 'default' = envProfile ? 'env:QVPO_PROFILE' : 'default';
  const profile = envProfile || options.defaultProfile || 'quick';
  if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
    const from = envProfile ? 'QVPO_PROFILE' : 'loadParams defaultProfile';
    throw new ParamError(
      `${from}="${profile}" is not a known profile (known profiles: ${PROFILE_NAMES.join(', ')})`,
    );
  }
  const profileName = profile as ProfileName;
  if (!(profileName in (profiles as object))) {
    throw new ParamError(
      `profile "${profileName}" is not set up in this notebook (it has: ${Object.keys(profiles).join(', ')}); ` +
        'run it with another QVPO_PROFILE',
    );
  }
  const selected = ((profiles as Record<string, Record<string, unknown> | undefined>)[profileName] ??
    {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(selected)) {
    if (value === undefined) continue;
    values[key] = checkValue(`profile "${profileName}"`, key, value, kinds[key]);
    sources[key] = `profile:${profileName}`;
  }

  // 3. JSON file
  let paramsFile: string | null = null;
  const fileVar = (env.QVPO_PARAMS ?? '').trim();
  if (fileVar) {
    paramsFile = path.resolve(options.cwd ?? process.cwd(), fileVar);
    let text: string;
    try {
      text = fs.readFileSync(paramsFile, 'utf8');
    } catch (e) {
      throw new ParamError(
        `QVPO_PARAMS file ${paramsFile} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ParamError(`QVPO_PARAMS file ${paramsFile} is not valid JSON: ${(e as Error).message}`);
    }
    if (!isPlainObject(data)) {
      throw new ParamError(
        `QVPO_PARAMS file ${paramsFile}: expected a JSON object of parameter overrides, ` +
          `got ${describeType(data)}`,
      );
    }
    const where = `QVPO_PARAMS file ${paramsFile}`;
    for (const [key, value] of Object.entries(data)) {
      if (!(key in kinds)) throw new ParamError(unknownKeyMessage(where, key, known));
      values[key] = checkValue(where, key, value, kinds[key]);
      sources[key] = `file:${paramsFile}`;
    }
  }

  // 4. single keys from the environment
  const PREFIX = 'QVPO_PARAM_';
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(PREFIX)) continue;
    const text = env[name];
    if (text === undefined) continue;
    const key = name.slice(PREFIX.length);
    if (!(key in kinds)) throw new ParamError(unknownKeyMessage(`environment variable ${name}`, key, known));
    const where = `environment variable ${name}`;
    values[key] = checkValue(where, key, parseEnvValue(where, key, text, kinds[key]), kinds[key]);
    sources[key] = `env:${name}`;
  }

  const params = Object.freeze({ ...values }) as unknown as Widen<T>;
  const frozenSources = Object.freeze({ ...sources }) as { readonly [K in keyof T]: ParamSource };
  const overridden = Object.freeze(known.filter((k) => !sameValue(values[k], defaults[k]))) as readonly (keyof T &
    string)[];

  const rows = () =>
    known.map((k) => ({ parameter: k, value: formatParam(values[k]), source: sources[k] }));

  return Object.freeze({
    params,
    profile: profileName,
    profileSource,
    paramsFile,
    sources: frozenSources,
    overridden,
    rows,
    toMarkdown(): string {
      const head =
        `**Profile:** \`${profileName}\` (${profileSource === 'default' ? 'notebook default' : 'from QVPO_PROFILE'})` +
        (paramsFile ? ` · **QVPO_PARAMS:** \`${paramsFile}\`` : '');
      const lines = ['| parameter | value | source |', '| --- | --- | --- |'];
      for (const r of rows()) {
        lines.push(`| ${mdCell(r.parameter)} | ${mdCell(r.value)} | ${mdCell(r.source)} |`);
      }
      return head + '\n\n' + lines.join('\n');
    },
    summary(): string {
      const changed = known
        .filter((k) => sources[k] !== 'default')
        .map((k) => `${k}=${formatParam(values[k])} (${sources[k]})`);
      return `profile ${profileName}` + (changed.length ? `; ${changed.join(', ')}` : '; all defaults');
    },
  });
}

function sameValue(a: ParamValue, b: ParamValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

function formatParam(v: ParamValue): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? v : String(v);
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
