// A compact reporter for node's test runner (`node --test --test-reporter=./scripts/test-reporter.mjs`):
// one line per test file with its counts and time, every failure in full (with the file's output
// when it failed), skip reasons, and a last line `N passed, N failed, N skipped`. The runner
// itself sets the exit code (non-zero on any failure); this file only formats.
//
// Counts are of leaf tests: a test with subtests is counted through them, unless its own code
// failed. A file that fails without a failing test (a crash, a non-zero exit) counts as one failure.
import * as path from 'node:path';
import { inspect } from 'node:util';

/** Lines of a failed file's stdout/stderr shown (its last ones). */
const OUTPUT_TAIL = 100;

const rel = (file) => (file ? path.relative(process.cwd(), file) || file : '(no file)');
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function describeError(error) {
  // A test file that crashed or exited: the runner says only how it ended (its output says why).
  if (error && (error.exitCode !== undefined || error.signal !== undefined) && typeof error.cause === 'string') {
    return `${error.cause} (exit code ${error.exitCode}${error.signal ? `, signal ${error.signal}` : ''})`;
  }
  // The runner wraps the thrown error (ERR_TEST_FAILURE); its cause is what the test threw.
  const cause = error && error.cause !== undefined ? error.cause : error;
  if (!(cause instanceof Error)) return typeof cause === 'string' ? cause : inspect(cause, { depth: 3 });
  // The stack without node's own frames; then any properties the error carries.
  const stack = String(cause.stack ?? cause.message).split('\n').filter((l) => !/^\s+at (.*\()?node:/.test(l)).join('\n');
  const extra = Object.keys(cause).filter((k) => !['generatedMessage', 'code', 'actual', 'expected', 'operator'].includes(k));
  return stack + (extra.length ? '\n' + inspect(Object.fromEntries(extra.map((k) => [k, cause[k]])), { depth: 3 }) : '');
}

const indent = (text, pad) => String(text).replace(/^/gm, pad);

class FileReport {
  constructor(file) {
    this.file = file;
    this.passed = 0;
    this.failed = 0;
    this.skipped = 0;
    this.failures = [];
    this.skips = [];
    this.output = [];
    this.started = Date.now();
    this.durationMs = null;
    this.printed = false;
    // hadChild[n]: a test at nesting n was reported since the last one at nesting n - 1.
    this.hadChild = [];
    // Names of the tests being run, by nesting, for the full name of a failure.
    this.names = [];
  }
}

export default async function* compactReporter(source) {
  const files = new Map();
  const pending = new Set(); // files that completed but whose line is not printed yet
  const totals = { passed: 0, failed: 0, skipped: 0, files: 0 };
  const t0 = Date.now();

  const report = (file) => {
    if (!files.has(file)) files.set(file, new FileReport(file));
    return files.get(file);
  };

  function* flush(except) {
    for (const file of [...pending]) {
      if (file === except) continue;
      pending.delete(file);
      yield fileLine(files.get(file));
    }
  }

  function fileLine(r) {
    if (!r.printed) totals.files++;
    r.printed = true;
    const counts = [`${r.passed} passed`, r.failed ? `${r.failed} failed` : '', r.skipped ? `${r.skipped} skipped` : ''].filter(Boolean).join(', ');
    const time = r.durationMs ?? Date.now() - r.started;
    let out = `${r.failed ? '✖' : '✔'} ${rel(r.file)}  ${counts}  ${seconds(time)}\n`;
    for (const s of r.skips) out += `    skipped: ${s}\n`;
    for (const f of r.failures) out += `\n  ✖ ${f.name}\n${indent(f.error, '      ')}\n`;
    if (r.failed && r.output.length) {
      const lines = r.output.join('').trimEnd().split('\n');
      const shown = lines.slice(-OUTPUT_TAIL);
      const omitted = lines.length - shown.length;
      out += `\n  output of ${rel(r.file)}${omitted > 0 ? ` (last ${shown.length} lines of ${lines.length})` : ''}:\n${indent(shown.join('\n'), '    ')}\n`;
    }
    if (r.failed) out += '\n';
    return out;
  }

  for await (const event of source) {
    const d = event.data ?? {};
    const file = d.file;
    if (file && event.type !== 'test:enqueue' && event.type !== 'test:dequeue') yield* flush(file);
    switch (event.type) {
      case 'test:start':
        if (file && d.name !== file) report(file).names[d.nesting] = d.name;
        break;
      case 'test:stdout':
      case 'test:stderr':
        if (file) report(file).output.push(d.message);
        break;
      case 'test:complete':
        // The test file itself: its duration (node 20 reports no pass for a file).
        if (file && d.name === file && d.nesting === 0) {
          report(file).durationMs = d.details?.duration_ms ?? null;
          pending.add(file);
        }
        break;
      case 'test:pass':
      case 'test:fail': {
        if (!file) break;
        const r = report(file);
        if (d.name === file && d.nesting === 0) {
          // The file itself failed: counted when none of its tests did (a crash, a non-zero exit).
          const crashed = event.type === 'test:fail' && r.failed === 0;
          if (crashed) {
            r.failed++;
            totals.failed++;
            r.failures.push({ name: `${rel(file)} (the file failed: it crashed or exited non-zero)`, error: describeError(d.details?.error) });
          }
          if (!r.printed) pending.add(file);
          else if (crashed) yield fileLine(r); // its line went out before the failure came in
          break;
        }
        if (d.details?.type === 'suite') {
          r.hadChild[d.nesting + 1] = false;
          break;
        }
        const isParent = Boolean(r.hadChild[d.nesting + 1]);
        r.hadChild[d.nesting + 1] = false;
        r.hadChild[d.nesting] = true;
        const fullName = [...r.names.slice(0, d.nesting), d.name].filter(Boolean).join(' › ');
        if (d.skip !== undefined || d.todo !== undefined) {
          if (isParent) break;
          r.skipped++;
          totals.skipped++;
          const reason = typeof d.skip === 'string' ? d.skip : typeof d.todo === 'string' ? `todo: ${d.todo}` : d.todo ? 'todo' : '';
          r.skips.push(reason ? `${fullName} (${reason})` : fullName);
        } else if (event.type === 'test:pass') {
          if (isParent) break;
          r.passed++;
          totals.passed++;
        } else {
          // A parent whose only fault is a failed subtest is counted through that subtest.
          if (isParent && d.details?.error?.failureType === 'subtestsFailed') break;
          r.failed++;
          totals.failed++;
          r.failures.push({ name: fullName, error: describeError(d.details?.error) });
        }
        break;
      }
      default:
        break;
    }
  }
  yield* flush(null);
  yield `\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped (${totals.files} file${totals.files === 1 ? '' : 's'}, ${seconds(Date.now() - t0)})\n`;
}
