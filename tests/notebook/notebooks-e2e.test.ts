/**
 * End to end: fixture notebooks executed headlessly by scripts/notebook/run-notebooks.js with
 * the qvpo-kit tslab kernel, exported to HTML. Needs `jupyter nbconvert` (make jupyter); the
 * tests are skipped, loudly, when it is missing, unless QVPO_REQUIRE_JUPYTER=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNNER = path.join(ROOT, 'scripts', 'notebook', 'run-notebooks.js');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'notebooks');

function jupyterAvailable(): boolean {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'notebook', 'ensure-jupyter.sh'), '--check'], {
    encoding: 'utf8',
  });
  return r.status === 0;
}

const HAVE_JUPYTER = jupyterAvailable();
const skip =
  HAVE_JUPYTER || process.env.QVPO_REQUIRE_JUPYTER === '1'
    ? false
    : 'jupyter nbconvert not available: run `make jupyter` (SKIPPED end-to-end notebook tests)';
if (skip) console.warn(`WARNING: ${skip}`);

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [RUNNER, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? -1, output, ms: Date.now() - t0 }));
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-nb-e2e-'));

test('report + WASM notebooks run headlessly; HTML has the chart images, the table and the profile', { skip, timeout: 240_000 }, async () => {
  const params = path.join(tmp, 'params.json');
  fs.writeFileSync(params, JSON.stringify({ label: 'from-params-file' }));
  const out = path.join(tmp, 'reports');
  const keep = path.join(tmp, 'executed');
  const r = await run([
    '--profile', 'smoke',
    '--params', params,
    '--out', out,
    '--keep-ipynb', keep,
    '--timeout', '120',
    path.join(FIXTURES, 'report-smoke.ipynb'),
    path.join(FIXTURES, 'wasm-survives.ipynb'),
  ]);
  console.log(r.output.trim().replace(/^/gm, '    | '));
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /report-smoke: executed in \d+\.\d s/);
  // Live progress: which notebook and cell runs, and how long each cell took.
  assert.match(r.output, /\[qvpo-notebook\] report-smoke: code cell 1\/4 \(#\d+\) running: \S/);
  assert.match(r.output, /\[qvpo-notebook\] report-smoke: code cell 4\/4 done in \d+\.\d s \(notebook \d+ s so far\)/);
  assert.match(r.output, /\[qvpo-notebook\] wasm-survives: code cell \d+\/\d+ error in/, 'a failing (tagged) cell says so');
  assert.match(r.output, /2\/2 ok/);

  const html = fs.readFileSync(path.join(out, 'report-smoke.html'), 'utf8');
  assert.match(html, /<img src="data:image\/png;base64,iVBORw0KGgo/, 'PNG chart embedded');
  assert.match(html, /<img src="data:image\/svg\+xml;base64,PHN2Zy/, 'SVG chart embedded as <img>');
  assert.ok(html.includes('<caption>Fixture table</caption>'), 'table caption');
  assert.ok(html.includes('<td style="text-align:right">3456.8</td>'), 'table cell with digits');
  assert.ok(html.includes('&lt;b&gt;best&lt;/b&gt;'), 'table text escaped');
  assert.ok(html.includes('<div id="fixture-html">raw html output</div>'), 'text/html output kept');
  assert.ok(html.includes('PROFILE=smoke BARS=3 LABEL=from-params-file'), 'profile + params file reached the kernel');
  assert.ok(html.includes('env:QVPO_PROFILE') || html.includes('from QVPO_PROFILE'), 'params stamp');
  assert.ok(!html.includes('interactive view'), 'interactive copy left out of the report');

  // The executed notebook keeps the interactive Vega-Lite output for JupyterLab.
  const nb = JSON.parse(fs.readFileSync(path.join(keep, 'report-smoke.ipynb'), 'utf8'));
  const outputs = nb.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []) as {
    data?: Record<string, unknown>;
    metadata?: Record<string, unknown>;
  }[];
  const vl = outputs.find((o) => o.data && 'application/vnd.vegalite.v5+json' in o.data);
  assert.ok(vl, 'interactive output present');
  assert.equal((vl.data!['application/vnd.vegalite.v5+json'] as { $schema: string }).$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
  assert.equal(vl.metadata?.qvpo_interactive_copy, true);
  const counts = nb.cells.filter((c: { cell_type: string }) => c.cell_type === 'code').map((c: { execution_count: number }) => c.execution_count);
  assert.deepEqual(counts, [1, 2, 3, 4], 'execution counts come from execute_input');

  // WASM backend: errors after initialisation are reported and the kernel keeps running.
  const wasm = fs.readFileSync(path.join(out, 'wasm-survives.html'), 'utf8');
  assert.ok(wasm.includes('sync failure after wasm init'), 'error of the tagged cell shown');
  assert.ok(wasm.includes('async uncaught after wasm init'), 'uncaught async error reported');
  assert.ok(wasm.includes('unhandled rejection after wasm init'), 'unhandled rejection reported');
  assert.ok(wasm.includes('survived async errors'));
  assert.ok(wasm.includes('KERNEL ALIVE wasm 6'), 'cells after the errors ran on the WASM backend');
});

test('a failing cell fails the command and its message is in the output', { skip, timeout: 120_000 }, async () => {
  const out = path.join(tmp, 'failing');
  const r = await run(['--profile', 'smoke', '--out', out, '--timeout', '120', path.join(FIXTURES, 'failing-cell.ipynb')]);
  console.log(r.output.trim().replace(/^/gm, '    | '));
  assert.equal(r.code, 1);
  assert.ok(r.output.includes('fixture failure: expected message 42'), 'thrown message visible');
  assert.match(r.output, /Error: fixture failure: expected message 42/);
  assert.ok(r.output.includes("throw new Error('fixture failure: expected message 42')"), 'failing cell source shown');
  assert.match(r.output, /failing-cell: FAILED/);
  assert.ok(!r.output.includes('MUST NOT RUN'));
  assert.ok(!fs.existsSync(path.join(out, 'failing-cell.html')));
});

test('--allow-errors writes the report with the error and still fails', { skip, timeout: 120_000 }, async () => {
  const out = path.join(tmp, 'allow');
  const r = await run(['--allow-errors', '--out', out, path.join(FIXTURES, 'failing-cell.ipynb')]);
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /cell #1: Error: fixture failure: expected message 42/);
  const html = fs.readFileSync(path.join(out, 'failing-cell.html'), 'utf8');
  assert.ok(html.includes('fixture failure: expected message 42'));
  assert.ok(html.includes('MUST NOT RUN'), 'later cells ran (stop_on_error=false is honoured)');
});
