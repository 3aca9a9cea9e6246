/**
 * Rollouts of a finished run (lib/rollout): the recorded episode is the run's evaluation
 * episode (same return and length), every frame has every body's pose and the reward terms,
 * the replay page is self-contained (three.js and the data inlined, nothing fetched), the
 * filmstrip has its panels, and the CLI writes both files or refuses bad flags first.
 * The page itself runs in a browser in tests/browser/rollout-page.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planRun } from '../../lib/runner/plan';
import { trainRun } from '../../lib/runner/train';
import { readPolicyFile } from '../../lib/runner/policy-file';
import { evaluatePolicy } from '../../lib/runner/policy-eval';
import { filmstripSvg, notebookRollout, recordRollout, rolloutHtml, RolloutRecording } from '../../lib/rollout';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-rollout-'));
const plan = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 0, profile: 'smoke', root: tmp });
let ready: Promise<void> | null = null;
/** One smoke run shared by the tests of this file. */
function completeRun(): Promise<void> {
  ready ??= trainRun(plan, { quiet: true, log: () => {} }).then((outcome) => assert.equal(outcome, 'complete'));
  return ready;
}

function dataOf(html: string): { recording: RolloutRecording; colours: string[] } {
  const m = /<script type="application\/json" id="rollout-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'the page holds its data');
  return JSON.parse(m[1]);
}

test('the recorded episode is the final evaluation\'s first, with every body\'s pose and the reward terms per frame', { timeout: 120_000 }, async () => {
  await completeRun();
  const final = readPolicyFile(path.join(plan.dir, 'policy.bin')).finalEvaluation;
  const rec = await recordRollout(plan.dir);
  assert.equal(rec.frames, final.lengths[0]);
  assert.equal(rec.return, final.returns[0], 'same return as the run\'s evaluation episode');
  assert.equal(rec.episode.replaysFinalEvaluation, true);
  assert.deepEqual(rec.bodies.map((b) => b.name), ['world', 'torso', 'thigh', 'leg', 'foot']);
  assert.equal(rec.torso, 1);
  assert.deepEqual(rec.geoms.map((g) => g.type), ['plane', 'capsule', 'capsule', 'capsule', 'capsule']);
  assert.deepEqual(rec.geoms[4].quat.map((v) => Math.round(v * 1e4) / 1e4), [0.7071, 0, -0.7071, 0], 'the foot capsule keeps its model quaternion');
  assert.equal(rec.xpos.length, rec.frames * 5 * 3);
  assert.equal(rec.xquat.length, rec.frames * 5 * 4);
  for (let i = 0; i < rec.xquat.length; i += 4) {
    const norm = Math.hypot(rec.xquat[i], rec.xquat[i + 1], rec.xquat[i + 2], rec.xquat[i + 3]);
    assert.ok(Math.abs(norm - 1) < 1e-4, `unit quaternion at ${i}: ${norm}`);
  }
  assert.equal(rec.actions.length, rec.frames);
  assert.equal(rec.actions[0].length, 3);
  const { forward_reward, healthy_reward, ctrl_cost, contact_cost } = rec.terms;
  rec.rewards.forEach((r, f) => assert.ok(Math.abs(r - (forward_reward[f] + healthy_reward[f] - ctrl_cost[f] - contact_cost[f])) < 1e-9));
  // The torso moves: frames are not copies of the first.
  assert.notEqual(rec.xpos[3 * (5 * (rec.frames - 1) + 1)], rec.xpos[3 * 1]);

  const cut = await recordRollout(plan.dir, { maxSteps: 10 });
  assert.equal(cut.frames, 10);
  assert.equal(cut.cut, true);
  assert.deepEqual(cut.rewards, rec.rewards.slice(0, 10));

  const seeded = await recordRollout(plan.dir, { seed: 4 });
  const evalSeeded = await evaluatePolicy(plan.dir, { seed: 4, episodes: 1 });
  assert.equal(seeded.return, evalSeeded.returns[0], 'with a seed, the same episode as `eval --seed`');
  await assert.rejects(recordRollout(plan.dir, { maxSteps: 0 }), /maxSteps must be a whole number from 1 to 100000, got 0/);
});

test('the replay page is self-contained; the filmstrip has one panel per sampled frame', { timeout: 120_000 }, async () => {
  await completeRun();
  const rec = await recordRollout(plan.dir);
  const html = rolloutHtml(rec);
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(!/\b(src|href)=["']?(https?:)?\/\//i.test(html), 'nothing is loaded from elsewhere');
  assert.ok(!/<script[^>]+src=/i.test(html), 'every script is inline');
  assert.match(html, /var THREE=/, 'three.js is inlined');
  assert.ok(html.length < 800_000, `page size ${html.length}`);
  const data = dataOf(html);
  assert.deepEqual(data.recording, JSON.parse(JSON.stringify(rec)));
  assert.equal(data.colours.length, rec.geoms.length);
  assert.match(html, new RegExp(`id="frame-counter" data-frames="${rec.frames}"`));

  const svg = filmstripSvg(rec);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<g class="panel"/g) ?? []).length, Math.min(8, rec.frames));
  assert.equal((svg.match(/stroke-linecap="round"/g) ?? []).length, 4 * Math.min(8, rec.frames), 'four capsules in each panel');
  assert.equal((filmstripSvg(rec, { panels: 3 }).match(/<g class="panel"/g) ?? []).length, 3);
  assert.throws(() => filmstripSvg(rec, { panels: 0 }), /panels must be a whole number from 1 to 24, got 0/);

  const bundle = await notebookRollout(plan.dir);
  const shown = bundle['text/html'] as string;
  assert.match(shown, /^<iframe [^>]*srcdoc="/);
  const srcdoc = /srcdoc="([^"]*)"/.exec(shown)?.[1] ?? '';
  const page = srcdoc.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  assert.equal(page, html, 'the iframe holds the whole page');
  assert.match(shown, /<img alt="rollout filmstrip" [^>]*src="data:image\/svg\+xml;base64,/);
});

test('qvpo-kit rollout writes the page and the filmstrip; bad flags are refused before anything is written', { timeout: 120_000 }, async () => {
  await completeRun();
  const out = path.join(tmp, 'hopper.html');
  const cli = (...argv: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'qvpo-kit.js'), 'rollout', ...argv], { cwd: ROOT, encoding: 'utf8' });
  const ok = cli('--run', plan.dir, '--out', out, '--max-steps', '20');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /20 steps \(cut by --max-steps\)/);
  assert.equal(dataOf(fs.readFileSync(out, 'utf8')).recording.frames, 20);
  assert.match(fs.readFileSync(path.join(tmp, 'hopper.svg'), 'utf8'), /<g class="panel"/);

  const bad = cli('--run', plan.dir, '--out', path.join(tmp, 'other.html'), '--max-steps', '0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--max-steps must be a whole number from 1 to 100000, got "0"/);
  assert.ok(!fs.existsSync(path.join(tmp, 'other.html')) && !fs.existsSync(path.join(tmp, 'other.svg')), 'nothing written');
});
