/**
 * The rollout replay page in a real browser: Debian's chromium, headless, driven by
 * puppeteer-core. From a smoke run's page loaded over file://: no console or page errors, a
 * WebGL canvas with a drawn scene (not one flat colour), the frame count of the recording in
 * window.rollout and in the DOM, a frame counter that advances after Play, a slider that
 * moves the trace cursor; the same page inside a notebook's iframe; the filmstrip SVG parses.
 *
 * WebGL in headless chromium without a GPU comes from SwiftShader through ANGLE
 * (--use-angle=swiftshader --enable-unsafe-swiftshader; --use-gl=swiftshader gives no context
 * in chromium 156). --no-sandbox because CI runs as root.
 *
 * Skips, saying why, when chromium is missing — except with CI=true, where it fails (CI
 * installs chromium). CHROMIUM_PATH overrides where chromium is looked for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { planRun } from '../../lib/runner/plan';
import { trainRun } from '../../lib/runner/train';
import { filmstripSvg, notebookRollout, recordRollout, rolloutHtml } from '../../lib/rollout';

const CANDIDATES = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const chromium = CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
const FLAGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/** Opens `url` and records console errors and uncaught page errors. */
async function open(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${String(e)}`));
  await page.setViewport({ width: 1000, height: 800 });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors };
}

/** Spread of the canvas's pixels: it is drawn into a 2-D canvas and read back in the page. */
function canvasPixelStats(): { width: number; height: number; distinct: number; variance: number } {
  const gl = document.querySelector('#view canvas') as HTMLCanvasElement;
  const copy = document.createElement('canvas');
  copy.width = gl.width;
  copy.height = gl.height;
  const ctx = copy.getContext('2d') as CanvasRenderingContext2D;
  ctx.drawImage(gl, 0, 0);
  const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
  const seen = new Set<number>();
  let sum = 0;
  let sumSq = 0;
  const n = px.length / 4;
  for (let i = 0; i < px.length; i += 4) {
    const grey = (px[i] + px[i + 1] + px[i + 2]) / 3;
    sum += grey;
    sumSq += grey * grey;
    seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
  }
  return { width: copy.width, height: copy.height, distinct: seen.size, variance: sumSq / n - (sum / n) ** 2 };
}

test('rollout page in headless chromium: WebGL scene drawn, frame count, play, scrub, no errors', { timeout: 180_000 }, async (t) => {
  if (!chromium) {
    const why = `chromium not found (looked at ${CANDIDATES.join(', ')}); install it with \`apt-get install chromium\``;
    if (process.env.CI === 'true') assert.fail(`${why}: CI must run the browser test`);
    t.skip(why);
    return;
  }
  const puppeteer = (await import('puppeteer-core')).default;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-rollout-page-'));
  const plan = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 0, profile: 'smoke', root: tmp });
  assert.equal(await trainRun(plan, { quiet: true, log: () => {} }), 'complete');
  const rec = await recordRollout(plan.dir);
  assert.ok(rec.frames > 5, `a smoke episode of ${rec.frames} frames`);
  const pageFile = path.join(tmp, 'rollout.html');
  fs.writeFileSync(pageFile, rolloutHtml(rec));
  const svgFile = path.join(tmp, 'rollout.svg');
  fs.writeFileSync(svgFile, filmstripSvg(rec));
  const notebookFile = path.join(tmp, 'notebook.html');
  fs.writeFileSync(notebookFile, `<!DOCTYPE html><html><body><h1>report</h1>${(await notebookRollout(plan.dir))['text/html']}</body></html>`);

  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: FLAGS });
  try {
    const { page, errors } = await open(browser, pathToFileURL(pageFile).href);
    const state = await page.evaluate(() => {
      const r = (window as unknown as { rollout: { frames: number; frame: number; webgl: boolean } }).rollout;
      const counter = document.getElementById('frame-counter') as HTMLElement;
      return { frames: r.frames, frame: r.frame, webgl: r.webgl, domFrames: counter.dataset.frames, text: counter.textContent };
    });
    assert.deepEqual(state, { frames: rec.frames, frame: 0, webgl: true, domFrames: String(rec.frames), text: `frame 1 / ${rec.frames}` });

    const pixels = await page.evaluate(canvasPixelStats);
    assert.ok(pixels.width > 100 && pixels.height > 100, `canvas ${pixels.width}×${pixels.height}`);
    assert.ok(pixels.distinct > 50 && pixels.variance > 20, `the canvas shows a scene, not one colour: ${JSON.stringify(pixels)}`);

    // Play runs at real time (a smoke episode lasts under a second) and stops at the last frame.
    const label = await page.$eval('#play', (e) => {
      (e as HTMLButtonElement).click();
      return e.textContent;
    });
    assert.equal(label, 'Pause', 'the button turns into Pause while playing');
    await page.waitForFunction(() => Number(document.getElementById('frame-counter')?.getAttribute('data-frame')) > 0, { timeout: 10_000 });
    await page.waitForFunction((last) => Number(document.getElementById('frame-counter')?.getAttribute('data-frame')) === last, { timeout: 20_000 }, rec.frames - 1);
    assert.equal(await page.$eval('#frame-counter', (e) => e.textContent), `frame ${rec.frames} / ${rec.frames}`);
    assert.equal(await page.$eval('#play', (e) => e.textContent), 'Play', 'playback stops at the end');

    // The slider moves the frame and the cursor of the reward trace.
    const cursorAt = () => page.$eval('#trace-cursor', (e) => Number(e.getAttribute('x1')));
    const scrubTo = (frame: number) =>
      page.$eval('#scrub', (e, v) => {
        const slider = e as HTMLInputElement;
        slider.value = String(v);
        slider.dispatchEvent(new Event('input'));
      }, frame);
    await scrubTo(rec.frames - 1);
    const xEnd = await cursorAt();
    await scrubTo(2);
    assert.equal(await page.$eval('#frame-counter', (e) => e.textContent), `frame 3 / ${rec.frames}`);
    assert.ok((await cursorAt()) < xEnd - 100, 'the trace cursor follows the slider');
    assert.deepEqual(errors, [], 'no console or page errors');
    await page.close();

    // Inside a notebook's HTML output: the page runs in its iframe.
    const nb = await open(browser, pathToFileURL(notebookFile).href);
    const frame = await (await nb.page.waitForSelector('iframe.qvpo-rollout'))?.contentFrame();
    assert.ok(frame, 'the iframe has a document');
    await frame.waitForFunction(() => (window as unknown as { rollout?: unknown }).rollout !== undefined, { timeout: 10_000 });
    assert.equal(await frame.evaluate(() => (window as unknown as { rollout: { frames: number } }).rollout.frames), rec.frames);
    assert.equal(await frame.evaluate(() => (window as unknown as { rollout: { webgl: boolean } }).rollout.webgl), true);
    assert.deepEqual(nb.errors, [], 'no errors in the notebook page');
    await nb.page.close();

    // The filmstrip is well-formed SVG (a parse error would show as <parsererror>).
    const svg = await open(browser, pathToFileURL(svgFile).href);
    const root = await svg.page.evaluate(() => ({ tag: document.documentElement.tagName, errors: document.getElementsByTagName('parsererror').length, panels: document.querySelectorAll('g.panel').length }));
    assert.deepEqual(root, { tag: 'svg', errors: 0, panels: Math.min(8, rec.frames) });
  } finally {
    await browser.close();
  }
});
