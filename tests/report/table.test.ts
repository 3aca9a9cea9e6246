import { test } from 'node:test';
import assert from 'node:assert/strict';

import { formatValue, parseCsv, toCsv, toMarkdownTable } from '../../lib/report/table';

test('CSV round trip keeps values and types, with quoting where needed', () => {
  const rows = [
    { name: 'plain', value: 1.5, n: 3, ok: true, note: 'comma, inside' },
    { name: 'quote "q"', value: -0.25, n: 0, ok: false, note: 'line1\nline2' },
    { name: '  padded  ', value: 1e-12, n: 42, ok: true, note: '' },
    { name: '123', value: NaN, n: -7, ok: false, note: 'true' },
    { name: 'null-ish', value: Infinity, n: 1, ok: true, note: null },
    { name: 'crlf\r\nhere', value: -Infinity, n: 2, ok: false, note: 'ünïcödé ✓' },
  ];
  const columns = ['name', 'value', 'n', 'ok', 'note'];
  const csv = toCsv(rows, columns);
  assert.equal(csv.split('\n')[0], 'name,value,n,ok,note');
  assert.ok(csv.includes('"comma, inside"'));
  assert.ok(csv.includes('"quote ""q"""'));
  assert.ok(csv.includes('"line1\nline2"'));
  assert.ok(csv.includes('"123"'), 'numeric-looking strings stay quoted');
  assert.ok(csv.includes('"true"'), 'boolean-looking strings stay quoted');
  assert.ok(csv.endsWith('\n'));

  const parsed = parseCsv(csv);
  assert.deepEqual(parsed.columns, columns);
  assert.equal(parsed.rows.length, rows.length);
  parsed.rows.forEach((row, i) => {
    const want = rows[i];
    assert.equal(row.name, want.name);
    assert.ok(Object.is(row.value, want.value), `row ${i} value ${row.value} vs ${want.value}`);
    assert.equal(row.n, want.n);
    assert.equal(row.ok, want.ok);
    // '' (empty string) is written quoted and read back as ''; null is written empty -> null
    assert.equal(row.note, want.note);
  });
});

test('parseCsv: CRLF, BOM, blank lines, no inference', () => {
  const text = '\ufeffa,b\r\n1,"x"\r\n\r\n2,y\r\n';
  assert.deepEqual(parseCsv(text).rows, [
    { a: 1, b: 'x' },
    { a: 2, b: 'y' },
  ]);
  assert.deepEqual(parseCsv(text, { infer: false }).rows, [
    { a: '1', b: 'x' },
    { a: '2', b: 'y' },
  ]);
  assert.deepEqual(parseCsv('a\n1\n\n2\n').rows, [{ a: 1 }, { a: null }, { a: 2 }], 'one column: blank line = empty value');
  assert.deepEqual(parseCsv(''), { columns: [], rows: [] });
  assert.deepEqual(parseCsv('x,y').rows, []);
});

test('parseCsv errors name the line', () => {
  assert.throws(() => parseCsv('a,b\n1,2\n3\n'), /CSV line 3: 1 fields, but the header has 2/);
  assert.throws(() => parseCsv('a,b\n1,"open\n'), /CSV line 2: unterminated quoted field/);
  assert.throws(() => parseCsv('a\nab"c\n'), /CSV line 2: a quote inside an unquoted field/);
  assert.throws(() => parseCsv('a\n"x"y\n'), /CSV line 2: unexpected character "y" after a closing quote/);
});

test('toCsv: default columns are the union of row keys; arrays as JSON', () => {
  const csv = toCsv([{ a: 1 }, { b: [1, 2] }]);
  assert.equal(csv, 'a,b\n1,\n,"[1,2]"\n');
});

test('markdown table: alignment, digits, escaping', () => {
  const md = toMarkdownTable(
    [
      { algo: 'QVPO', ret: 3456.789, seeds: 5 },
      { algo: 'a|b', ret: 12, seeds: 3 },
      { algo: 'multi\nline', ret: null, seeds: 1 },
    ],
    ['algo', { key: 'ret', label: 'Return' }, 'seeds'],
    { digits: 1 },
  );
  assert.equal(
    md,
    [
      '| algo | Return | seeds |',
      '| --- | ---: | ---: |',
      '| QVPO | 3456.8 | 5 |',
      '| a\\|b | 12 | 3 |',
      '| multi<br>line |  | 1 |',
    ].join('\n'),
  );
  assert.equal(toMarkdownTable([], []), '');
  assert.match(toMarkdownTable([{ x: 0.123456 }]), /\| 0\.123 \|/);
  assert.match(toMarkdownTable([{ x: 0.123456 }], [{ key: 'x', digits: 5 }]), /\| 0\.12346 \|/);
});

test('formatValue', () => {
  assert.equal(formatValue(2), '2');
  assert.equal(formatValue(2.5, 2), '2.50');
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(-Infinity), '−∞');
  assert.equal(formatValue([1, 2.25], 1), '1, 2.3');
  assert.equal(formatValue(undefined), '');
  assert.equal(formatValue({ a: 1 }), '{"a":1}');
});
