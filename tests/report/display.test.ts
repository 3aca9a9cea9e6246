import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  describeChart,
  inNotebook,
  showChart,
  showMarkdown,
  showTable,
  tableHtml,
} from '../../lib/report/display';

/** Capture console.log output of fn. */
async function captureLog(fn: () => unknown): Promise<string> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  try {
    await fn();
  } finally {
    console.log = orig;
  }
  return lines.join('\n');
}

test('outside tslab: not a notebook, text fallbacks instead of errors', async () => {
  assert.equal(inNotebook(), false);
  const chart = await captureLog(() =>
    showChart({ title: 'Returns', mark: 'line', data: { values: [{ x: 1 }, { x: 2 }] } }, { interactive: true }),
  );
  assert.equal(chart, '[line chart: Returns, 2 data rows]');
  const table = await captureLog(() => showTable([{ a: 1, b: 'x' }], { caption: 'Cap' }));
  assert.equal(table, 'Cap\n\n| a | b |\n| ---: | --- |\n| 1 | x |');
  const md = await captureLog(() => showMarkdown('**bold**'));
  assert.equal(md, '**bold**');
});

test('describeChart', () => {
  assert.equal(describeChart({ mark: { type: 'bar' }, title: { text: 'T' } }), '[bar chart: T]');
  assert.equal(describeChart({ layer: [] }), '[layered chart]');
  assert.equal(describeChart({ hconcat: [] }), '[composite chart]');
});

test('tableHtml escapes, aligns numbers right, has the caption, limits rows', () => {
  const html = tableHtml(
    [
      { algo: '<b>QVPO</b>', ret: 1.23456 },
      { algo: 'SAC & co', ret: 2 },
      { algo: 'TD3', ret: 3 },
    ],
    { caption: 'Returns <final>', digits: 2, maxRows: 2 },
  );
  assert.ok(html.includes('<caption>Returns &lt;final&gt;</caption>'));
  assert.ok(html.includes('&lt;b&gt;QVPO&lt;/b&gt;'));
  assert.ok(html.includes('SAC &amp; co'));
  assert.ok(html.includes('<td style="text-align:right">1.23</td>'));
  assert.ok(html.includes('<th style="text-align:left">algo</th>'));
  assert.ok(!html.includes('TD3'));
  assert.ok(html.includes('1 more rows not shown'));
});
