#!/usr/bin/env node
// Execute notebooks headlessly with the qvpo-kit tslab kernel and export HTML reports.
//
//   node scripts/notebook/run-notebooks.js [options] [notebook.ipynb ...]
//
// Options:
//   --profile P         smoke | quick | paper; exported to the kernel as QVPO_PROFILE
//                       (default: $QVPO_PROFILE, else quick)
//   --params FILE       JSON file with parameter overrides; exported as QVPO_PARAMS (absolute path)
//                       (default: $QVPO_PARAMS if set). QVPO_PARAM_<key> variables pass through.
//   --out DIR           where <name>.html goes (default: reports/<profile>, so that no profile
//                       overwrites another's reports; reports/smoke/ is git-ignored)
//   --keep-ipynb DIR    also keep the executed notebooks as DIR/<name>.ipynb
//   --timeout SEC       per-cell timeout in seconds (default 1800; 0 = no limit)
//   --allow-errors      run every cell even after an error and still write the report;
//                       the command fails at the end if any cell failed (cells tagged
//                       "raises-exception" are expected to fail and do not count)
//   --fail-fast         stop at the first failing notebook
//   --jupyter PATH      jupyter executable (default: $JUPYTER, else found by ensure-jupyter.sh)
//   --kernel NAME       kernelspec name (default tslab)
//   --kernel-dir DIR    Jupyter data dir the kernelspec is (re)written to before running and put
//                       first on JUPYTER_PATH (default build/jupyter)
//   --quiet             do not echo the kernel's log lines, the cell progress lines, nor the
//                       training progress of notebooks
// Notebooks default to notebooks/*.ipynb.
//
// Each notebook is executed once (nbconvert --to notebook --execute) and the executed notebook is
// then exported with the qvpo-report template (SVG as <img> data URIs; PNG/HTML outputs as is).
// While it runs, a line per code cell says which cell runs and how long each took
// (nbconvert/progress_config.py), and training inside a notebook echoes its progress lines
// here too (QVPO_NOTEBOOK_LOG, lib/notebook/progress.ts).
// Exit status: 0 when every notebook ran without errors, 1 otherwise, 2 for bad arguments.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const { installKernel, REPO_ROOT } = require('./install-kernel.js');

const PROFILES = ['smoke', 'quick', 'medium', 'paper'];
const KERNEL_DATA_DIR = path.join(REPO_ROOT, 'build', 'jupyter');
const TEMPLATE_BASEDIR = path.join(__dirname, 'nbconvert');
const TEMPLATE_NAME = 'qvpo-report';
const PROGRESS_CONFIG = path.join(__dirname, 'nbconvert', 'progress_config.py');

function usage() {
  const text = fs.readFileSync(__filename, 'utf8').split('\n');
  const end = text.findIndex((l) => l.startsWith("'use strict'"));
  return text
    .slice(1, end)
    .map((l) => l.replace(/^\/\/ ?/, ''))
    .join('\n');
}

class UsageError extends Error {}

function parseArgs(argv, env = process.env) {
  const o = {
    profile: env.QVPO_PROFILE || 'quick',
    params: '',
    out: '',
    keepIpynb: '',
    timeout: 1800,
    allowErrors: false,
    failFast: false,
    jupyter: env.JUPYTER || '',
    kernel: 'tslab',
    kernelDir: KERNEL_DATA_DIR,
    quiet: false,
    notebooks: [],
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let name = a;
    let inline;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      name = a.slice(0, eq);
      inline = a.slice(eq + 1);
    }
    const value = () => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--profile': o.profile = value(); break;
      case '--params': o.params = value(); break;
      case '--out': o.out = value(); break;
      case '--keep-ipynb': o.keepIpynb = value(); break;
      case '--timeout': {
        const v = value();
        const n = Number(v);
        if (!Number.isFinite(n)) throw new UsageError(`--timeout: expected seconds, got "${v}"`);
        o.timeout = n;
        break;
      }
      case '--allow-errors': o.allowErrors = true; break;
      case '--fail-fast': o.failFast = true; break;
      case '--jupyter': o.jupyter = value(); break;
      case '--kernel': o.kernel = value(); break;
      case '--kernel-dir': o.kernelDir = path.resolve(value()); break;
      case '--quiet': o.quiet = true; break;
      case '-h': case '--help': o.help = true; break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option: ${a}`);
        o.notebooks.push(a);
    }
  }
  if (!PROFILES.includes(o.profile)) {
    throw new UsageError(`unknown profile "${o.profile}" (expected one of: ${PROFILES.join(', ')})`);
  }
  if (!o.out) o.out = path.join(REPO_ROOT, 'reports', o.profile);
  return o;
}

function defaultNotebooks() {
  const dir = path.join(REPO_ROOT, 'notebooks');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
    .sort()
    .map((f) => path.join(dir, f));
}

function findJupyter(explicit) {
  const script = path.join(__dirname, 'ensure-jupyter.sh');
  const env = { ...process.env };
  if (explicit) env.JUPYTER = explicit;
  const r = spawnSync('bash', [script, '--check', '--print-path'], { env, encoding: 'utf8' });
  const found = (r.stdout || '').trim().split('\n').pop();
  if (r.status !== 0 || !found) {
    process.stderr.write(r.stderr || '');
    throw new Error('no working jupyter nbconvert found (see above; `make jupyter` installs it)');
  }
  return found;
}

/** Run a command, collecting its output; echo lines live when `echo` says so. */
function runCommand(cmd, args, { env, cwd, echo }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (chunk) => {
      const s = chunk.toString();
      out += s;
      if (echo) {
        for (const line of s.split('\n')) if (line && echo(line)) process.stderr.write(line + '\n');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => resolve({ code: 127, output: out + String(e) }));
    child.on('close', (code, signal) => resolve({ code: code === null ? 128 : code, signal, output: out }));
  });
}

/** Error outputs in an executed notebook, except those of cells tagged raises-exception. */
function collectErrors(nb) {
  const errors = [];
  (nb.cells || []).forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const tags = (cell.metadata && cell.metadata.tags) || [];
    if (tags.includes('raises-exception')) return;
    for (const out of cell.outputs || []) {
      if (out.output_type === 'error') {
        errors.push({ index, ename: out.ename, evalue: out.evalue, traceback: out.traceback || [] });
      }
    }
  });
  return errors;
}

function stripAnsi(s) {
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

/** Pull the useful part (the CellExecutionError text) out of nbconvert's output. */
function summarizeFailure(output) {
  const lines = stripAnsi(output).split('\n');
  // nbclient's own messages say what happened and show the cell; the Python traceback above
  // them does not help a notebook author.
  for (const re of [/An error occurred while executing the following cell/, /A cell timed out while it was being executed/]) {
    const start = lines.findIndex((l) => re.test(l));
    if (start >= 0) return lines.slice(start).join('\n').trimEnd();
  }
  const last = lines.map((l, i) => [l, i]).filter(([l]) => /^[\w.]*(Error|Exception)\b/.test(l)).pop();
  if (last) return lines.slice(Math.max(0, last[1] - 2)).join('\n').trimEnd();
  return lines.slice(-40).join('\n').trimEnd();
}

/** Code cells that nbclient executes (non-empty source), for "cell k/N" progress lines. */
function codeCellCount(nbPath) {
  const nb = JSON.parse(fs.readFileSync(nbPath, 'utf8'));
  const text = (src) => (Array.isArray(src) ? src.join('') : String(src || ''));
  return (nb.cells || []).filter((c) => c.cell_type === 'code' && text(c.source).trim()).length;
}

function fmtSeconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function runNotebook(nbPath, o, ctx) {
  const name = path.basename(nbPath).replace(/\.ipynb$/, '');
  const execDir = o.keepIpynb ? path.resolve(o.keepIpynb) : ctx.tmpDir;
  fs.mkdirSync(execDir, { recursive: true });
  const outDir = path.resolve(o.out);
  fs.mkdirSync(outDir, { recursive: true });
  const executed = path.join(execDir, `${name}.ipynb`);
  const report = path.join(outDir, `${name}.html`);
  // No stale results from an earlier run may survive a failure of this one.
  fs.rmSync(executed, { force: true });
  fs.rmSync(report, { force: true });

  const timeout = o.timeout > 0 ? String(Math.round(o.timeout)) : '-1';
  const execArgs = [
    'nbconvert',
    '--to', 'notebook',
    '--execute',
    `--ExecutePreprocessor.kernel_name=${o.kernel}`,
    `--ExecutePreprocessor.timeout=${timeout}`,
    '--ExecutePreprocessor.startup_timeout=180',
    `--output-dir=${execDir}`,
    `--output=${name}`,
    `--config=${PROGRESS_CONFIG}`,
  ];
  if (o.allowErrors) execArgs.push('--allow-errors');
  execArgs.push(nbPath);

  // Kernel log lines ([qvpo-tslab] ...) and progress lines ([qvpo-notebook] ...: cells,
  // training) are worth seeing live; nbconvert's chatter is not.
  const echo = o.quiet ? null : (line) => line.startsWith('[qvpo-tslab]') || line.startsWith('[qvpo-notebook]');
  const env = { ...ctx.env, QVPO_NB_NAME: name, QVPO_NB_CELLS: String(codeCellCount(nbPath)) };
  const t0 = Date.now();
  const ex = await runCommand(ctx.jupyter, execArgs, { env, cwd: REPO_ROOT, echo });
  const execMs = Date.now() - t0;

  if (ex.code !== 0 || !fs.existsSync(executed)) {
    return {
      name,
      ok: false,
      execMs,
      message:
        `notebook ${path.relative(REPO_ROOT, nbPath)} failed (nbconvert exit ${ex.code}` +
        (ex.signal ? `, signal ${ex.signal}` : '') +
        `):\n${summarizeFailure(ex.output)}`,
    };
  }

  const nb = JSON.parse(fs.readFileSync(executed, 'utf8'));
  const cellErrors = collectErrors(nb);

  const htmlArgs = [
    'nbconvert',
    '--to', 'html',
    `--TemplateExporter.extra_template_basedirs=${TEMPLATE_BASEDIR}`,
    `--template=${TEMPLATE_NAME}`,
    `--output-dir=${outDir}`,
    `--output=${name}`,
    executed,
  ];
  const t1 = Date.now();
  const ht = await runCommand(ctx.jupyter, htmlArgs, { env: ctx.env, cwd: REPO_ROOT, echo: null });
  const htmlMs = Date.now() - t1;
  if (ht.code !== 0 || !fs.existsSync(report)) {
    return {
      name,
      ok: false,
      execMs,
      message: `HTML export of ${name} failed (exit ${ht.code}):\n${stripAnsi(ht.output).trimEnd()}`,
    };
  }
  if (cellErrors.length > 0) {
    const details = cellErrors
      .map((e) => `  cell #${e.index}: ${e.ename}: ${e.evalue}\n` +
        e.traceback.map((l) => `      ${stripAnsi(l)}`).join('\n'))
      .join('\n');
    return {
      name,
      ok: false,
      execMs,
      htmlMs,
      report,
      message: `notebook ${name}: ${cellErrors.length} cell(s) failed (report written to ${report}):\n${details}`,
    };
  }
  return { name, ok: true, execMs, htmlMs, report };
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`run-notebooks: ${e.message}\n`);
      console.error(usage());
      process.exit(2);
    }
    throw e;
  }
  if (o.help) {
    console.log(usage());
    return;
  }

  const notebooks = (o.notebooks.length ? o.notebooks : defaultNotebooks()).map((p) => path.resolve(p));
  if (notebooks.length === 0) {
    console.log('run-notebooks: no notebooks to run (notebooks/*.ipynb is empty)');
    return;
  }
  for (const nb of notebooks) {
    if (!fs.existsSync(nb)) {
      console.error(`run-notebooks: no such notebook: ${nb}`);
      process.exit(2);
    }
  }
  let paramsPath = '';
  const paramsArg = o.params || process.env.QVPO_PARAMS || '';
  if (paramsArg) {
    paramsPath = path.resolve(paramsArg);
    if (!fs.existsSync(paramsPath)) {
      console.error(`run-notebooks: parameters file not found: ${paramsPath}`);
      process.exit(2);
    }
  }

  const jupyter = findJupyter(o.jupyter);
  installKernel(o.kernelDir, { name: o.kernel });

  const env = { ...process.env };
  env.JUPYTER_PATH = [o.kernelDir, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  env.QVPO_PROFILE = o.profile;
  if (paramsPath) env.QVPO_PARAMS = paramsPath;
  else delete env.QVPO_PARAMS;
  env.PYTHONUNBUFFERED = '1';
  // Training inside notebooks also writes its progress lines to the kernel's stderr (echoed here).
  if (!o.quiet) env.QVPO_NOTEBOOK_LOG = '1';
  else delete env.QVPO_NOTEBOOK_LOG;

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-notebooks-'));
  const ctx = { jupyter, env, tmpDir };
  console.log(
    `run-notebooks: ${notebooks.length} notebook(s), profile=${o.profile}` +
      (paramsPath ? `, params=${paramsPath}` : '') +
      `, cell timeout=${o.timeout > 0 ? o.timeout + ' s' : 'none'}, jupyter=${jupyter}`,
  );

  const results = [];
  const tAll = Date.now();
  try {
    for (const nb of notebooks) {
      console.log(`▶ ${path.relative(REPO_ROOT, nb)}: ${codeCellCount(nb)} code cells, report into ${path.relative(process.cwd(), path.resolve(o.out)) || '.'}/`);
      const r = await runNotebook(nb, o, ctx);
      results.push(r);
      if (r.ok) {
        console.log(
          `✔ ${r.name}: executed in ${fmtSeconds(r.execMs)}, report ${path.relative(process.cwd(), r.report)} ` +
            `(${fmtSeconds(r.htmlMs)} export)`,
        );
      } else {
        console.error(`✘ ${r.name}: FAILED after ${fmtSeconds(r.execMs)}\n${r.message}`);
        if (o.failFast) break;
      }
    }
  } finally {
    if (!o.keepIpynb) fs.rmSync(tmpDir, { recursive: true, force: true });
  }

  const failed = results.filter((r) => !r.ok);
  console.log(
    `run-notebooks: ${results.length - failed.length}/${notebooks.length} ok in ${fmtSeconds(Date.now() - tAll)}` +
      (failed.length ? `; FAILED: ${failed.map((r) => r.name).join(', ')}` : ''),
  );
  if (failed.length || results.length < notebooks.length) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`run-notebooks: ${e.message}`);
    process.exit(1);
  });
}

module.exports = { parseArgs, collectErrors, summarizeFailure, codeCellCount, PROFILES };
