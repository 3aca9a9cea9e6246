/**
 * Command-line pieces the benchmark scripts share: option lookup, whole-number options, the
 * load-average stamp, and the split between a bench's own options and algorithm settings.
 */
import * as os from 'node:os';

/** The value after `name` in `args`, else `fallback`. */
export function arg(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

/** A whole-number option ≥ `min`, or an error naming the option and the value given. */
export function wholeNumber(args: readonly string[], name: string, fallback: number, min: number): number {
  const raw = arg(args, name, String(fallback));
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return v;
}

/** The 1, 5 and 15 minute load averages, for stamping timings taken on shared machines. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

/** `args` without the bench's own options (each with its value): the algorithm settings left. */
export function settingFlags(args: readonly string[], own: readonly string[]): string[] {
  const known = new Set(own);
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (known.has(args[i])) i++;
    else flags.push(args[i]);
  }
  return flags;
}
