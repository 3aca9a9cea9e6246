/**
 * Strict number parsing for flags and environment variables: the whole text must be a
 * plain decimal integer ("0x10", "1e3", "" and "3.0" are refused), within bounds, and the
 * error names the setting, the bad value and what was expected.
 */
export function parseWholeNumber(raw: string, what: string, min: number, max: number): number {
  const text = raw.trim();
  if (!/^[+]?\d+$/.test(text)) throw new Error(`${what} must be a whole number from ${min} to ${max}, got "${raw}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${what} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}
