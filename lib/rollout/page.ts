/**
 * The replay page of a recorded rollout: one self-contained HTML file (no network, works from
 * file:// and inside exported reports) with an interactive 3-D view of the model's geoms drawn
 * by three.js, play/pause, a scrub slider, a frame counter, a camera that follows the torso,
 * and the reward trace with a cursor at the current frame.
 *
 * three.js comes from the npm package: the classes the player uses are bundled by esbuild
 * (tree-shaken and minified, about 550 KB instead of 2.1 MB for the package's two module
 * files) into a classic script that sets `window.THREE`, and inlined. The player itself is
 * player.browser.js next to this file; the recording is inlined as JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { escapeXml, geomColour, rewardTraceSvg } from './draw';
import { RolloutRecording } from './record';

/** What player.browser.js uses of three.js. */
const THREE_NAMES = [
  'WebGLRenderer', 'Scene', 'PerspectiveCamera', 'Mesh', 'Group', 'Color',
  'SphereGeometry', 'CapsuleGeometry', 'BoxGeometry', 'PlaneGeometry', 'CylinderGeometry',
  'MeshLambertMaterial', 'HemisphereLight', 'DirectionalLight', 'CanvasTexture', 'RepeatWrapping', 'SRGBColorSpace', 'REVISION',
];

let threeBundle: string | null = null;

/** three.js's classes the player needs, as one classic script defining THREE (built once per process). */
export function threeScript(): string {
  if (threeBundle === null) {
    const result = buildSync({
      stdin: { contents: `export { ${THREE_NAMES.join(', ')} } from 'three';`, resolveDir: __dirname, loader: 'js' },
      bundle: true,
      format: 'iife',
      globalName: 'THREE',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      legalComments: 'inline',
      write: false,
    });
    // Inline <script> text must not close the element or open an HTML comment early.
    threeBundle = result.outputFiles[0].text.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\u0021--');
  }
  return threeBundle;
}

function playerScript(): string {
  return fs.readFileSync(path.join(__dirname, 'player.browser.js'), 'utf8');
}

/** JSON that is safe inside <script type="application/json">: no '<' can end the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export interface PageOptions {
  /** The page's title (default: algorithm, task, seed and profile). */
  title?: string;
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 12px; color: #222; background: #fff; }
  h1 { font-size: 17px; margin: 0 0 4px; }
  .facts { font-size: 13px; color: #555; margin: 0 0 8px; }
  #view { position: relative; width: 100%; max-width: 960px; height: 440px; background: #eef2f6; border: 1px solid #c8ced6; }
  #view canvas { display: block; }
  #view .no-webgl { padding: 20px; color: #a33; }
  .controls { display: flex; align-items: center; gap: 10px; max-width: 960px; margin: 8px 0; font-size: 13px; }
  .controls input[type=range] { flex: 1; }
  .controls button { min-width: 64px; }
  #frame-counter { font-variant-numeric: tabular-nums; min-width: 110px; text-align: right; }
  #readout { font-size: 12px; color: #444; font-variant-numeric: tabular-nums; min-height: 16px; max-width: 960px; }
  #trace svg { max-width: 100%; height: auto; }
`;

/** The self-contained replay page of `recording`. */
export function rolloutHtml(recording: RolloutRecording, options: PageOptions = {}): string {
  const run = recording.run;
  const title = options.title ?? `${run.algo} ${run.env} seed ${run.seed} (${run.label}${run.variant ? `, ${run.variant}` : ''}): rollout`;
  const ending = recording.terminated ? 'terminated' : recording.truncated ? 'time limit' : 'cut short by --max-steps';
  const facts =
    `return ${recording.return.toFixed(2)} over ${recording.frames} steps (${ending}) · policy of step ${run.policyStep} · ` +
    `episode reset seed ${recording.episode.resetSeed}${recording.episode.replaysFinalEvaluation ? " (the run's final evaluation, first episode)" : ` (--seed ${recording.episode.seed})`}`;
  const data = { recording, colours: recording.geoms.map(geomColour) };
  const last = recording.frames - 1;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<p class="facts">${escapeXml(facts)}</p>
<div id="view"></div>
<div class="controls">
  <button id="play" type="button">Play</button>
  <input id="scrub" type="range" min="0" max="${last}" value="0" step="1" aria-label="frame">
  <span id="frame-counter" data-frames="${recording.frames}">frame 1 / ${recording.frames}</span>
</div>
<div id="readout"></div>
<div id="trace">${rewardTraceSvg(recording, { cursorId: 'trace-cursor' })}</div>
<script type="application/json" id="rollout-data">${scriptJson(data)}</script>
<script>${threeScript()}</script>
<script>${playerScript()}</script>
</body>
</html>
`;
}
