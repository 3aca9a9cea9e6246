/**
 * Typed configs with documented defaults, validation and a generated CLI.
 *
 * A config is declared once as a table of fields; the TypeScript type, the defaults,
 * the `--help` text and the argv parser all come from that table, so a new field is one
 * line and cannot drift out of the CLI or the docs.
 */

interface FieldBase<T> {
  default: T;
  doc: string;
}
export interface NumberField extends FieldBase<number> {
  kind: 'number';
  min?: number;
  max?: number;
  /** Whether min is excluded (e.g. a learning rate must be > 0). */
  minExclusive?: boolean;
}
export interface IntField extends FieldBase<number> {
  kind: 'int';
  min?: number;
  max?: number;
}
export interface BoolField extends FieldBase<boolean> {
  kind: 'boolean';
}
export interface EnumField<C extends string = string> extends FieldBase<C> {
  kind: 'enum';
  choices: readonly C[];
}
export interface StringField extends FieldBase<string> {
  kind: 'string';
}
export type Field = NumberField | IntField | BoolField | EnumField<string> | StringField;
export type Fields = Record<string, Field>;

type ValueOf<F> = F extends EnumField<infer C> ? C : F extends FieldBase<infer T> ? T : never;
export type ConfigOf<S extends Fields> = { [K in keyof S]: ValueOf<S[K]> };

export const num = (def: number, doc: string, bounds: { min?: number; max?: number; minExclusive?: boolean } = {}): NumberField => ({
  kind: 'number',
  default: def,
  doc,
  ...bounds,
});
export const int = (def: number, doc: string, bounds: { min?: number; max?: number } = {}): IntField => ({
  kind: 'int',
  default: def,
  doc,
  ...bounds,
});
export const bool = (def: boolean, doc: string): BoolField => ({ kind: 'boolean', default: def, doc });
export const oneOf = <C extends string>(choices: readonly C[], def: C, doc: string): EnumField<C> => ({
  kind: 'enum',
  choices,
  default: def,
  doc,
});
export const str = (def: string, doc: string): StringField => ({ kind: 'string', default: def, doc });

/** camelCase field name → --kebab-case flag. */
export function flagName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

function describeExpected(f: Field): string {
  switch (f.kind) {
    case 'number': {
      const lo = f.min === undefined ? '' : `${f.minExclusive ? '>' : '>='} ${f.min}`;
      const hi = f.max === undefined ? '' : `<= ${f.max}`;
      return ['a number', lo, hi].filter(Boolean).join(' ');
    }
    case 'int':
      return ['an integer', f.min === undefined ? '' : `>= ${f.min}`, f.max === undefined ? '' : `<= ${f.max}`]
        .filter(Boolean)
        .join(' ');
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${f.choices.join(', ')}`;
    case 'string':
      return 'a string';
  }
}

/** Converts and checks one value; strings from the command line or JSON are accepted. */
function coerce(where: string, key: string, f: Field, raw: unknown): unknown {
  const bad = () =>
    new Error(`${where}: invalid value ${JSON.stringify(raw)} for "${key}": expected ${describeExpected(f)}`);
  switch (f.kind) {
    case 'number':
    case 'int': {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad();
      if (f.kind === 'int' && !Number.isInteger(v)) throw bad();
      if (f.min !== undefined && (v < f.min || (f.kind === 'number' && f.minExclusive && v === f.min))) throw bad();
      if (f.max !== undefined && v > f.max) throw bad();
      return v;
    }
    case 'boolean':
      if (raw === true || raw === 'true' || raw === '1') return true;
      if (raw === false || raw === 'false' || raw === '0') return false;
      throw bad();
    case 'enum':
      if (typeof raw !== 'string' || !f.choices.includes(raw)) throw bad();
      return raw;
    case 'string':
      if (typeof raw !== 'string') throw bad();
      return raw;
  }
}

export interface Schema<S extends Fields> {
  readonly name: string;
  readonly fields: S;
  readonly defaults: Readonly<ConfigOf<S>>;
  /** Defaults overlaid with `overrides`; every value checked; unknown keys rejected. */
  make(overrides?: Partial<Record<keyof S, unknown>> | Record<string, unknown>, where?: string): ConfigOf<S>;
  /** Parses `--flag value` / `--flag=value` / `--bool-flag` / `--no-bool-flag`; returns the config and leftover args. */
  parseArgs(argv: readonly string[], base?: Partial<ConfigOf<S>>): { config: ConfigOf<S>; rest: string[] };
  /**
   * The `--help` text: every field with its flag, default and doc. With `values` (e.g. what a
   * profile runs with), a value that differs from the default is shown with the default it
   * replaces; `title` replaces the first line.
   */
  help(options?: { values?: Partial<ConfigOf<S>>; title?: string }): string;
  /** Fields whose value differs from the defaults (or from `reference`). */
  diff(config: ConfigOf<S>, reference?: ConfigOf<S>): { key: keyof S; value: unknown; reference: unknown }[];
}

export function defineSchema<S extends Fields>(name: string, fields: S): Schema<S> {
  const defaults = {} as ConfigOf<S>;
  for (const key of Object.keys(fields)) {
    (defaults as Record<string, unknown>)[key] = fields[key].default;
  }
  Object.freeze(defaults);
  const byFlag = new Map<string, string>();
  for (const key of Object.keys(fields)) byFlag.set(flagName(key), key);

  const make = (overrides: Record<string, unknown> = {}, where = name): ConfigOf<S> => {
    if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
      throw new Error(`${where}: overrides must be an object of field values, got ${JSON.stringify(overrides)}`);
    }
    const out = { ...defaults } as Record<string, unknown>;
    for (const [key, raw] of Object.entries(overrides)) {
      if (raw === undefined) continue;
      const f = fields[key];
      if (!f) {
        throw new Error(`${where}: unknown field "${key}"; known fields: ${Object.keys(fields).join(', ')}`);
      }
      out[key] = coerce(where, key, f, raw);
    }
    return out as ConfigOf<S>;
  };

  const parseArgs = (argv: readonly string[], base: Partial<ConfigOf<S>> = {}) => {
    const values: Record<string, unknown> = { ...base };
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (!arg.startsWith('--')) {
        rest.push(arg);
        continue;
      }
      const eq = arg.indexOf('=');
      const flag = eq >= 0 ? arg.slice(0, eq) : arg;
      let key = byFlag.get(flag);
      let negated = false;
      if (!key && flag.startsWith('--no-')) {
        key = byFlag.get('--' + flag.slice(5));
        negated = key !== undefined && fields[key].kind === 'boolean';
        if (!negated) key = undefined;
      }
      if (!key) {
        rest.push(arg);
        continue;
      }
      const f = fields[key];
      if (negated) {
        values[key] = false;
      } else if (eq >= 0) {
        values[key] = arg.slice(eq + 1);
      } else if (f.kind === 'boolean' && (i + 1 >= argv.length || !['true', 'false', '1', '0'].includes(argv[i + 1]))) {
        values[key] = true;
      } else {
        if (i + 1 >= argv.length) throw new Error(`${name}: flag ${flag} needs a value (${describeExpected(f)})`);
        values[key] = argv[++i];
      }
    }
    return { config: make(values, `${name} (command line)`), rest };
  };

  const help = (options: { values?: Partial<ConfigOf<S>>; title?: string } = {}) => {
    const lines = [options.title ?? `${name} options (defaults in brackets):`];
    for (const [key, f] of Object.entries(fields)) {
      const flag = flagName(key) + (f.kind === 'boolean' ? '' : ' <' + (f.kind === 'enum' ? f.choices.join('|') : f.kind) + '>');
      const value = JSON.stringify(options.values?.[key] ?? f.default);
      const shown = value === JSON.stringify(f.default) ? value : `${value}; default ${JSON.stringify(f.default)}`;
      lines.push(`  ${flag}  [${shown}]`);
      lines.push(`      ${f.doc}`);
    }
    return lines.join('\n');
  };

  const diff = (config: ConfigOf<S>, reference: ConfigOf<S> = defaults) =>
    Object.keys(fields)
      .filter((k) => JSON.stringify(config[k]) !== JSON.stringify(reference[k]))
      .map((k) => ({ key: k as keyof S, value: config[k] as unknown, reference: reference[k] as unknown }));

  return { name, fields, defaults, make, parseArgs, help, diff };
}
