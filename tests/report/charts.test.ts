import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  ALGORITHM_COLOURS,
  seriesLabel,
  colourScale,
  orderSeries,
  orderTasks,
  pngDimensions,
  svgToPng,
  vegaLiteToImage,
  vegaLiteToPng,
  vegaLiteToSvg,
  vegaLiteToVega,
  type VegaLiteSpec,
} from '../../lib/report/charts';
import { CurvePoint, figure3Spec } from '../../lib/results/curves';

const BARS: VegaLiteSpec = {
  title: 'Tiny bars',
  width: 200,
  height: 100,
  data: {
    values: [
      { algo: 'QVPO', ret: 3 },
      { algo: 'SAC', ret: 5 },
      { algo: 'TD3', ret: 2 },
    ],
  },
  mark: 'bar',
  encoding: {
    x: { field: 'algo', type: 'nominal' },
    y: { field: 'ret', type: 'quantitative' },
  },
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

test('SVG of a tiny bar chart has the marks and the text', async () => {
  const svg = await vegaLiteToSvg(BARS);
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.includes('mark-rect'), 'bar marks');
  // one <path> per bar inside the rect mark group
  const group = svg.slice(svg.indexOf('mark-rect'));
  const bars = group.slice(0, group.indexOf('</g>')).match(/<path /g) ?? [];
  assert.equal(bars.length, 3);
  for (const text of ['Tiny bars', 'QVPO', 'SAC', 'TD3', 'algo', 'ret']) {
    assert.ok(svg.includes(`>${text}</text>`), `text ${text}`);
  }
  const width = Number(/<svg[^>]* width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
  assert.ok(width > 200 && width < 320, `svg width ${width}`);
});

test('vegaLiteToVega compiles to a Vega spec', async () => {
  const vg = (await vegaLiteToVega(BARS)) as { marks?: unknown[]; $schema?: string };
  assert.match(String(vg.$schema), /vega\/v\d/);
  assert.ok(Array.isArray(vg.marks));
});

test('PNG has the signature and the size of the SVG times the scale', async () => {
  const svg = await vegaLiteToSvg(BARS);
  const w = Number(/<svg[^>]* width="(\d+)"/.exec(svg)?.[1]);
  const h = Number(/<svg[^>]* height="(\d+)"/.exec(svg)?.[1]);

  const png1 = await vegaLiteToPng(BARS, { scale: 1 });
  assert.deepEqual([...png1.subarray(0, 8)], PNG_SIGNATURE);
  assert.deepEqual(pngDimensions(png1), { width: w, height: h });

  const img = await vegaLiteToImage(BARS, { scale: 2 });
  assert.deepEqual([...img.png.subarray(0, 8)], PNG_SIGNATURE);
  assert.deepEqual(pngDimensions(img.png), { width: 2 * w, height: 2 * h });
  assert.equal(img.width, 2 * w);
  assert.equal(img.cssWidth, w);
  assert.equal(img.cssHeight, h);
  assert.ok(img.svg.startsWith('<svg'));
});

test('text is rasterized (font found): the PNG with text differs from one without', async () => {
  const noText = '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"></svg>';
  const withText =
    '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20">' +
    '<text x="2" y="15" font-family="sans-serif" font-size="14">Hi</text></svg>';
  const a = await svgToPng(noText, { scale: 1 });
  const b = await svgToPng(withText, { scale: 1 });
  assert.equal(a.width, 60);
  assert.ok(b.png.length > a.png.length, 'glyphs drawn');
});

test('bad input is rejected', async () => {
  await assert.rejects(vegaLiteToSvg([] as unknown as VegaLiteSpec), /Vega-Lite spec object/);
  await assert.rejects(svgToPng('<svg/>', { scale: 0 }), /scale must be > 0/);
  assert.throws(() => pngDimensions(new Uint8Array([1, 2, 3])), /not a PNG/);
});

// ---------------------------------------------------------------------------------------------
// The results charts' conventions (figure3Spec draws every learning-curve chart)
// ---------------------------------------------------------------------------------------------

/** Curves of `algos` on `envs`: evaluations every 4000 steps up to 20k, off-policy warm-up 5000. */
function curves(envs: string[], algos: string[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const env of envs) {
    for (const [k, algo] of algos.entries()) {
      for (let step = 4000; step <= 20000; step += 4000) {
        out.push({ algo, env, step, mean: step / 100 + 10 * k, std: 5, n: 3, warmupSteps: algo === 'ppo' ? 0 : 5000 });
      }
    }
  }
  return out;
}

/** stroke colour and width of each series' line in an SVG (from the marks' aria labels). */
function lineStrokes(svg: string): Map<string, { stroke: string; width: number }> {
  const out = new Map<string, { stroke: string; width: number }>();
  for (const m of svg.matchAll(/aria-label="[^"]*algo: ([^"]+)" role="graphics-symbol" aria-roledescription="line mark" d="[^"]*" stroke="(#[0-9a-f]{6})" stroke-width="([\d.]+)"/g)) {
    out.set(m[1], { stroke: m[2], width: Number(m[3]) });
  }
  return out;
}

test('tasks in the paper\'s order, a v4 next to its v3, unknown tasks last', () => {
  assert.deepEqual(orderTasks(['HalfCheetah-v3', 'Zoo-v0', 'Hopper-v4', 'Ant-v3', 'Hopper-v3', 'Ant-v3', 'Humanoid-v3', 'Walker2d-v3']), [
    'Hopper-v3',
    'Hopper-v4',
    'Walker2d-v3',
    'Ant-v3',
    'HalfCheetah-v3',
    'Humanoid-v3',
    'Zoo-v0',
  ]);
});

test('one colour per algorithm whatever else is in the chart; other series take unused colours', () => {
  const a = colourScale(orderSeries(['SAC', 'QVPO', 'PPO']));
  const b = colourScale(orderSeries(['TD3', 'SAC']));
  assert.deepEqual(a.domain, ['QVPO', 'PPO', 'SAC'], 'QVPO first, then the paper\'s table order');
  assert.equal(a.range[a.domain.indexOf('SAC')], b.range[b.domain.indexOf('SAC')]);
  assert.equal(a.range[0], ALGORITHM_COLOURS.QVPO);
  const algorithms = Object.values(ALGORITHM_COLOURS);
  assert.equal(new Set(algorithms).size, algorithms.length, 'distinct colours: the paper\'s seven and DPMD, SDAC');
  assert.equal(seriesLabel('dpmd'), 'DPMD', 'beyond-the-paper algorithms in the kit\'s spelling');
  const mixed = colourScale(['TD3', 'arm A', 'arm B']);
  assert.equal(new Set(mixed.range).size, 3);
  assert.ok(!mixed.range.slice(1).includes(ALGORITHM_COLOURS.TD3), 'an arm never takes a colour already used');
});

test('learning curves: panels in the paper\'s order, only tasks with data, columns ≤ panels', () => {
  type Faceted = { facet: { sort: string[] }; columns: number };
  const two = figure3Spec(curves(['HalfCheetah-v3', 'Hopper-v3'], ['qvpo', 'sac'])) as unknown as Faceted;
  assert.deepEqual(two.facet.sort, ['Hopper-v3', 'HalfCheetah-v3']);
  assert.equal(two.columns, 2);
  assert.equal((figure3Spec(curves(['Ant-v3'], ['qvpo'])) as unknown as Faceted).columns, 1);
  const five = figure3Spec(curves(['Humanoid-v3', 'Ant-v3', 'HalfCheetah-v3', 'Walker2d-v3', 'Hopper-v3'], ['qvpo'])) as unknown as Faceted;
  assert.deepEqual(five.facet.sort, ['Hopper-v3', 'Walker2d-v3', 'Ant-v3', 'HalfCheetah-v3', 'Humanoid-v3']);
  assert.equal(five.columns, 3);
});

test('learning curves SVG: legend swatches in the line colours, QVPO thick on top, units on the axes', async () => {
  const svg = await vegaLiteToSvg(figure3Spec(curves(['HalfCheetah-v3', 'Hopper-v3'], ['sac', 'qvpo', 'ppo', 'td3'])));
  const lines = lineStrokes(svg);
  assert.deepEqual([...lines.keys()].sort(), ['PPO', 'QVPO', 'SAC', 'TD3'], 'series named as in the paper');
  for (const [algo, line] of lines) {
    assert.equal(line.stroke, ALGORITHM_COLOURS[algo], `${algo} in its fixed colour`);
    assert.equal(line.width, algo === 'QVPO' ? 3 : 1.5, `${algo} line width`);
  }
  // In every panel the QVPO line is a later layer than the other lines (drawn on top).
  const layerOf = (algo: string) =>
    new Set([...svg.matchAll(/child_layer_(\d+)_marks" role="graphics-object" aria-roledescription="line mark container"><path aria-label="[^"]*algo: (\w+)"/g)].filter((m) => m[2] === algo).map((m) => Number(m[1])));
  assert.equal(layerOf('QVPO').size, 1);
  for (const other of ['PPO', 'SAC', 'TD3']) assert.ok([...layerOf(other)].every((l) => l < [...layerOf('QVPO')][0]), `${other} below QVPO`);

  const legend = svg.slice(svg.indexOf('role-legend"'));
  const swatches = [...legend.matchAll(/role-legend-symbol[^>]*><path [^>]*fill="(#[0-9a-f]{6})" stroke="(#[0-9a-f]{6})"[^>]*opacity="([\d.]+)"/g)];
  const labels = [...legend.matchAll(/role-legend-label[^>]*><text[^>]*>([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(labels, ['QVPO', 'PPO', 'TD3', 'SAC']);
  swatches.forEach((m, i) => {
    assert.equal(m[2], lines.get(labels[i])?.stroke, `${labels[i]}: swatch = line colour`);
    assert.equal(Number(m[3]), 1, `${labels[i]}: swatch opaque, not the pale band`);
  });

  // Panels left to right in the paper's order, each with its axes' titles and units.
  assert.ok(svg.indexOf('>Hopper-v3</text>') < svg.indexOf('>HalfCheetah-v3</text>'), 'Hopper-v3 first');
  assert.equal(svg.match(/>environment steps<\/text>/g)?.length, 2);
  assert.equal(svg.match(/>evaluation return<\/tspan>/g)?.length, 2);
  assert.equal(svg.match(/>\(mean over episodes\)<\/tspan>/g)?.length, 2);
});

test('learning curves SVG: the warm-up is shaded from step 0 and labelled, naming series without one', async () => {
  const svg = await vegaLiteToSvg(figure3Spec(curves(['Hopper-v3'], ['qvpo', 'ppo']), { width: 240 }));
  // x runs 0..20,000 over 240 px, so the 5000-step warm-up is a 60 px band from the left edge
  const bands = [...svg.matchAll(/aria-label="warmupStart: 0; warmupEnd: 5000"[^>]* d="M0,0h([\d.]+)v170h-[\d.]+Z"/g)];
  assert.equal(bands.length, 1);
  assert.equal(Number(bands[0][1]), 60);
  assert.match(svg, /<tspan[^>]*>warm-up \(random actions\)<\/tspan><tspan[^>]*>none for PPO<\/tspan>/);
  const none = await vegaLiteToSvg(figure3Spec(curves(['Hopper-v3'], ['qvpo']), { warmupSteps: 0 }));
  assert.doesNotMatch(none, /warm-up/);
  const only = await vegaLiteToSvg(figure3Spec(curves(['Hopper-v3'], ['qvpo'])));
  assert.match(only, />warm-up \(random actions\)<\/text>/, 'one line when every series has the warm-up');
});

test('five tasks in three columns: five panels, five x axes, nothing under the empty cell', async () => {
  const svg = await vegaLiteToSvg(figure3Spec(curves(['Hopper-v3', 'Walker2d-v3', 'Ant-v3', 'HalfCheetah-v3', 'Humanoid-v3'], ['qvpo'])));
  assert.equal(svg.match(/>environment steps<\/text>/g)?.length, 5);
  assert.equal(svg.match(/aria-roledescription="line mark"/g)?.length, 5);
});
