import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  pngDimensions,
  svgToPng,
  vegaLiteToImage,
  vegaLiteToPng,
  vegaLiteToSvg,
  vegaLiteToVega,
  type VegaLiteSpec,
} from '../../lib/report/charts';

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
