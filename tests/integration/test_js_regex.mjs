// test_js_regex.mjs - configured regexes are JavaScript regexes: every
// pattern of tests/data/js-secret-patterns.json masks every input (and
// variants of it) exactly as node's RegExp does with String.replace (one
// '*' per code point of each match), through the library's own compile and
// mask functions (tests/integration/js_regex_table); patterns valid in
// JavaScript but refused by plain PCRE2 now compile; invalid JavaScript is
// a configuration error naming the position; 3000 random patterns of a
// small grammar mask alike or are refused alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { builddir, srcdir, command, baseEnv } from './harness.mjs';

const table = path.join(builddir, 'tests/integration/js_regex_table');
const data = JSON.parse(fs.readFileSync(path.join(srcdir, 'tests/data/js-secret-patterns.json'), 'utf8'));

/** What the configuration holds for a pattern: /pattern/flags when flags is a string. */
const valueOf = (p) => (typeof p.flags === 'string' ? `/${p.pattern}/${p.flags}` : p.pattern);

/** node's masking: every match (global) becomes one '*' per code point. */
function nodeMask(p, s) {
  const flags = (p.flags || '').replace('g', '') + 'g';
  return s.replace(new RegExp(p.pattern, flags), (m) => '*'.repeat([...m].length));
}

function nodeSearch(p, s) {
  return new RegExp(p.pattern, (p.flags || '').replace('g', '')).test(s);
}

/** Each input, and the same in other surroundings: multi-byte UTF-8, CR/LF, U+2028, long. */
function variants(s) {
  return [
    s,
    `\u00e9\u20ac\u{1F600} ${s} \u2028`,
    `${s}\r\n${s}\n`,
    `${'x'.repeat(5000)} ${s} ${'\u00fc'.repeat(3000)}`,
  ];
}

function runTable(cases) {
  const c = command(table, [], baseEnv());
  const r = spawnSync(c.file, c.args, { env: c.env, input: JSON.stringify({ cases }), maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `js_regex_table failed: ${r.stderr}`);
  return JSON.parse(r.stdout.toString('utf8')).results;
}

test(`${data.patterns.length} secret patterns mask exactly as node's RegExp does`, (t) => {
  assert.ok(data.patterns.length >= 40);
  const cases = data.patterns.map((p) => ({ value: valueOf(p), inputs: [...p.secret, ...p.clean, ''].flatMap(variants) }));
  const results = runTable(cases);
  let pairs = 0;
  const diffs = [];
  data.patterns.forEach((p, i) => {
    const r = results[i];
    assert.equal(r.error, null, `${p.name}: ${valueOf(p)} does not compile: ${r.error}`);
    // the table's own sanity: each secret input holds a match, each clean one none
    for (const s of p.secret) assert.ok(nodeSearch(p, s), `${p.name}: no match in ${JSON.stringify(s)}`);
    for (const s of p.clean) assert.ok(!nodeSearch(p, s), `${p.name}: a match in ${JSON.stringify(s)}`);
    cases[i].inputs.forEach((s, k) => {
      pairs++;
      const want = nodeMask(p, s);
      if (r.outputs[k] !== want) diffs.push(`${p.name} ${valueOf(p)} on ${JSON.stringify(s).slice(0, 200)}:\n  node    ${JSON.stringify(want).slice(0, 200)}\n  library ${JSON.stringify(r.outputs[k]).slice(0, 200)}`);
      if (r.search[k] !== nodeSearch(p, s)) diffs.push(`${p.name} ${valueOf(p)} search on ${JSON.stringify(s).slice(0, 200)}: library ${r.search[k]}`);
    });
  });
  t.diagnostic(`${data.patterns.length} patterns, ${pairs} pattern x input pairs`);
  assert.deepEqual(diffs, [], `${diffs.length} of ${pairs} differ`);
  assert.ok(pairs >= 40 * 8);
});

test('case-insensitive #regex category names: the i flag added', () => {
  const cats = ['app.Payments', 'APP.payments.eu', 'gw', 'app.\u017fx'];
  const pats = ['^app\\.payments', '/^APP\\./', '^app\\.s'];
  const results = runTable(pats.map((v) => ({ value: v, caseless: true, inputs: cats })));
  pats.forEach((v, i) => {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(v);
    const re = m ? new RegExp(m[1], m[2] + 'i') : new RegExp(v, 'i');
    assert.deepEqual(results[i].search, cats.map((c) => re.test(c)), v);
  });
});

test('valid JavaScript that plain PCRE2 refused now compiles', () => {
  const values = ['\\u0070assword=\\S+', '[^]', 'a[]b', '\\k', '\\8', 'x\\1', '(?<$tok>x)\\k<$tok>', '/\\u{70}wd/u', '\\c'];
  const results = runTable(values.map((v) => ({ value: v, inputs: ['password=1 k 8 x\u0001 xx pwd \\c'] })));
  values.forEach((v, i) => {
    assert.equal(results[i].raw_pcre2_ok, false, `${v} compiles in plain PCRE2: pick another example`);
    assert.equal(results[i].error, null, `${v}: ${results[i].error}`);
    const m = /^\/(.*)\/([a-z]*)$/s.exec(v);
    const p = m ? { pattern: m[1], flags: m[2] } : { pattern: v };
    assert.equal(results[i].outputs[0], nodeMask(p, 'password=1 k 8 x\u0001 xx pwd \\c'), v);
  });
});

test('invalid JavaScript is a configuration error naming the position', () => {
  const bad = [
    ['a**', 2], ['(abc', 4], ['[b-a]', 3], ['x{2,1}', 1], ['(?<n>a)(?<n>b)', 7], ['\\k<nope>(?<n>a)', 0],
    ['/\\c/u', 1], ['/\\-/u', 1], ['/}/u', 1], ['/[\\d-z]/u', 2], ['(?<=a)*', 6], ['^*', 1], ['abc\\', 3],
    ['a)', 1], ['/x/gg', 4], ['/x/q', 3], ['{1}', 0], ['/a{1/u', 2], ['(?P<n>a)', 0],
  ];
  const results = runTable(bad.map(([v]) => ({ value: v, inputs: [] })));
  bad.forEach(([v, at], i) => {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(v);
    assert.throws(() => (m ? new RegExp(m[1], m[2]) : new RegExp(v)), SyntaxError, `${v} is valid JavaScript`);
    assert.match(String(results[i].error), new RegExp(`^JavaScript: .* at offset ${at}$`), v);
  });
});

test('valid JavaScript that cannot be matched alike is refused, naming the position', () => {
  const refused = [
    ['(?<=a+)b', /^not supported by PCRE2: lookbehind assertion is not fixed length at offset 0$/],
    ['a{0,70000}', /^JavaScript: a \{\} quantifier above 65535 is not supported at offset 1$/],
    ['/\u{1F600}+/', /^JavaScript: a quantifier after a character outside the BMP .* at offset 5$/],
    ['[\u{1F600}]', /^JavaScript: a character outside the BMP in a class .* at offset 1$/],
    ['\\uD83D', /^JavaScript: a lone surrogate escape is not supported .* at offset 0$/],
    ['/x/v', /^JavaScript: flag 'v' \(unicodeSets\) is not supported at offset 3$/],
  ];
  const results = runTable(refused.map(([v]) => ({ value: v, inputs: [] })));
  refused.forEach(([v, want], i) => {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(v);
    new RegExp(m ? m[1] : v, m ? m[2] : ''); // valid JavaScript
    assert.match(String(results[i].error), want, v);
  });
});

// Random patterns from a small grammar (a fixed seed: the same patterns on
// every run), each masked by node and by the library on the same inputs.
// Not generated: a quantified group whose body may match the empty string
// (JavaScript backtracks into it, PCRE2 stops: docs/CONFIGURATION.md) and,
// without u, text outside the BMP (UTF-16 halves).
test('random patterns: valid ones mask alike, invalid ones are refused', (t) => {
  const atoms = ['a', 'b', 'k', 's', 'S', 'K', '\\d', '\\w', '\\s', '\\S', '\\W', '\\D', '.', '[ab]', '[^a]', '[a-z]', '[^]',
    '[]', '\\b', '\\B', '^', '$', '\\x41', '\\u0061', '\\n', '(?:a|b)', '(a)', '\\1', '(?=a)', '(?!b)', '(?<=a)', '(?<!b)',
    '[\\s\\d]', '[\\S]', '[\\w-]', '\\u017f', '\\u212a', '\u00e9', '\\u2028', '\\r', '\\0', '\\cJ', '[\\b]', '\\/', '\\-', '{',
    '}', ']', '\\k', '\\8', '\\p', 'x{2}', 'a{1,3}?', '(?<n>a)', '[^\\u017f]', '[^\\W]', '\\p{L}', '\\u{1F600}', '.{2}'];
  const classes = ['a-c', '\\d', '\\s', 'k', '\\u017f', '\u00e9-\u00fc', '\\W', '-', '\\x00-\\x7f', '\\uD800-\\uDFFF'];
  const quants = ['', '', '', '*', '+', '?', '*?', '+?', '{2}', '{0,2}'];
  const flagsets = ['', 'i', 'm', 's', 'u', 'iu', 'im', 'y', 'is', 'su'];
  let seed = 20261204;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const gen = (d) => {
    let p = '';
    for (let k = 1 + rnd(4); k > 0; k--) {
      const r = rnd(10);
      let a;
      if (r < 2 && d < 3) {
        const body = gen(d + 1);
        a = ['(', '(?:', '(?=', '(?!', `(?<g${d}${k}>`][rnd(5)] + body + ')';
        const mayBeEmpty = /[*?|^$]|\{0|\\[bB]|\(\?[=!<]/.test(body);
        p += a + (mayBeEmpty ? '' : quants[rnd(quants.length)]);
      } else {
        a = r < 3 ? `[${['^', ''][rnd(2)]}${classes[rnd(classes.length)]}${['', 'x', '\\n', 's-z'][rnd(4)]}]` :
          r < 4 ? `\\${1 + rnd(3)}` : atoms[rnd(atoms.length)];
        p += a + quants[rnd(quants.length)];
      }
      if (rnd(6) === 0) p += '|';
    }
    return p;
  };
  const bmp = ['aAbB kK sS \u017f \u212a \u2028\r\n \u00e9 1 2 x_y-z', 'ab\nab\r\nAB', 'aaa bbb', '\ufeff\u00a0 \t a1_', ''];
  const astral = [...bmp, 'a\u{1F600}b \u{1F600}\u{1F601}'];
  const cases = [];
  for (let i = 0; i < 3000; i++) {
    const pattern = gen(0);
    const flags = flagsets[rnd(flagsets.length)];
    let valid = true;
    try {
      new RegExp(pattern, flags);
    } catch {
      valid = false;
    }
    cases.push({ value: `/${pattern}/${flags}`, pattern, flags, valid, inputs: flags.includes('u') ? astral : bmp });
  }
  const results = runTable(cases.map(({ value, inputs }) => ({ value, inputs })));
  const diffs = [];
  let compared = 0;
  cases.forEach((c, i) => {
    const r = results[i];
    if (!c.valid) {
      if (r.error === null) diffs.push(`${c.value}: invalid JavaScript, accepted`);
      else if (!/^JavaScript: .* at offset \d+$/.test(r.error)) diffs.push(`${c.value}: ${r.error}`);
      return;
    }
    if (r.error !== null) {
      // refused valid JavaScript: only the documented cases
      if (!/outside the BMP|surrogate|not fixed length/.test(r.error)) diffs.push(`${c.value}: refused: ${r.error}`);
      return;
    }
    c.inputs.forEach((s, k) => {
      compared++;
      const want = nodeMask(c, s);
      if (r.outputs[k] !== want) diffs.push(`${c.value} on ${JSON.stringify(s)}: node ${JSON.stringify(want)}, library ${JSON.stringify(r.outputs[k])}`);
    });
  });
  const refused = cases.filter((c, i) => c.valid && results[i].error !== null).length;
  t.diagnostic(`${cases.filter((c) => c.valid).length} valid (${refused} refused as documented), ${cases.filter((c) => !c.valid).length} invalid; ${compared} outputs compared`);
  assert.deepEqual(diffs, []);
  assert.ok(compared > 10000, `only ${compared} comparisons`);
});
