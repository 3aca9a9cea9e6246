/**
 * Every notebook in notebooks/ executes headlessly under its `smoke` profile (nbconvert +
 * the kit's tslab kernel) and exports to HTML with its charts as images. One test per notebook.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNNER = path.join(ROOT, 'scripts', 'notebook', 'run-notebooks.js');
const NOTEBOOKS = fs
  .readdirSync(path.join(ROOT, 'notebooks'))
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

const haveJupyter = spawnSync('bash', [path.join(ROOT, 'scripts', 'notebook', 'ensure-jupyter.sh'), '--check']).status === 0;
const skip = haveJupyter || process.env.QVPO_REQUIRE_JUPYTER === '1' ? false : 'jupyter nbconvert not available: run `make jupyter`';
if (skip) console.warn(`WARNING: ${skip} (SKIPPED notebook smoke runs)`);

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-notebooks-'));

test('there are notebooks to run', () => {
  assert.ok(NOTEBOOKS.includes('01-bandit-toy.ipynb'), `notebooks/ holds ${NOTEBOOKS.join(', ') || 'nothing'}`);
});

for (const name of NOTEBOOKS) {
  test(`notebook ${name} runs under the smoke profile`, { skip, timeout: 600_000 }, async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      const child = spawn(process.execPath, [RUNNER, '--profile', 'smoke', '--out', out, '--timeout', '500', path.join('notebooks', name)], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('close', (c) => resolve({ code: c ?? -1, output: text }));
    });
    assert.equal(code, 0, `run-notebooks failed for ${name}:\n${output.slice(-4000)}`);
    const html = fs.readFileSync(path.join(out, name.replace(/\.ipynb$/, '.html')), 'utf8');
    assert.match(html, /<img[^>]+src="data:image\/(png|svg\+xml)/, 'the report shows at least one chart image');
    // Embedded pages (the rollout replay's srcdoc carries three.js, whose source names errors) and
    // scripts are not output text; the cells' own outputs must hold no error.
    const outputText = html.replace(/srcdoc="[^"]*"/g, 'srcdoc=""').replace(/<script\b[\s\S]*?<\/script>/g, '');
    assert.doesNotMatch(outputText, /Traceback|Error:/, 'the report holds no error output');
    assert.match(html, /smoke/, 'the report is stamped with its profile');
  });
}
