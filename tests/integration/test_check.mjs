// test_check.mjs - log4c-otel-check as a user runs it: --help, --version and
// the exit codes; every error of a file with its position; --strict; the
// destinations the library resolves (the default OTLP/JSON file when no
// endpoint is configured); a searched file named, and refused when others
// can write it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { run, scratchDir, builddir } from './harness.mjs';

const checkTool = path.join(builddir, 'tools/log4c-otel-check');
const check = (args, { dir = scratchDir(null), env = {} } = {}) => run(checkTool, args, { dir, env });

test('--help exits 0, --version prints the version, a bad option is a usage error', async () => {
  let r = await check(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /usage: log4c-otel-check/);
  r = await check(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^log4c-otel-check \d+\.\d+\.\d+\n$/);
  r = await check(['--bogus']);
  assert.equal(r.code, 2);
  r = await check(['a.json', 'b.json']);
  assert.equal(r.code, 2);
});

test('every error of a file is reported with its position; exit 1', async () => {
  const dir = scratchDir(null);
  fs.writeFileSync(path.join(dir, 'bad.json'), [
    '{',
    '  "logs": {',
    '    "defaults": {"hiddeRegex": "x"},',
    '    "filters": [{"severity": "LOUD"}, {"hideRegex": "(a"}],',
    '    "timeoutMillis": -1',
    '  },',
    '  "traces": {"filters": [{"source": ""}]}',
    '}',
  ].join('\n'));
  const r = await check(['bad.json'], { dir });
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(': ').slice(0, 3).join(': ')), [
    'log4c-otel-check: bad.json:3:32: logs.defaults.hiddeRegex',
    'log4c-otel-check: bad.json:4:30: logs.filters[0].severity',
    'log4c-otel-check: bad.json:4:53: logs.filters[1].hideRegex',
    'log4c-otel-check: bad.json:5:22: logs.timeoutMillis',
    'log4c-otel-check: bad.json:7:37: traces.filters[0].source',
  ], r.stderr);
  assert.match(lines[0], /logs\.defaults\.hiddeRegex: unknown key; did you mean hideRegex\?/);
  assert.match(lines[4], /traces\.filters\[0\]\.source: expected a non-empty string/);
  assert.doesNotMatch(r.stdout, /configuration valid/);
});

test('an unknown key: a warning, an error with --strict', async () => {
  const dir = scratchDir(null);
  fs.writeFileSync(path.join(dir, 'u.json'), '{"logs": {"colour": 1}}');
  let r = await check(['u.json'], { dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /logs\.colour: unknown key, ignored/);
  r = await check(['--strict', 'u.json'], { dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /u\.json:1:21: logs\.colour: unknown key, ignored \(an error with --strict\)/);
});

test('the destinations as the library resolves them; a searched file named, or refused', async () => {
  const dir = scratchDir(null);
  fs.writeFileSync(path.join(dir, 't.json'), '{"traces": {"enabled": true}}');
  let r = await check(['t.json'], { dir, env: { XDG_STATE_HOME: path.join(dir, 'state') } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`destination: OTLP/JSON file ${path.join(dir, 'state')}/log4c-otel/log4c-otel-check.jsonl`), r.stdout);
  assert.doesNotMatch(r.stdout, /OTLP over HTTP/);
  assert.match(r.stdout, /enabled: true/); // a traces-only file leaves logs on
  r = await check(['t.json'], { dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } });
  assert.match(r.stdout, /destination: OTLP over HTTP to http:\/\/127\.0\.0\.1:9\/v1\/logs/);
  assert.doesNotMatch(r.stdout, /OTLP\/JSON file/);

  const file = path.join(dir, 'log4c-otel.json');
  fs.writeFileSync(file, '{"logs": {"url": "http://127.0.0.1:7/v1/logs"}}');
  r = await check([], { dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`searched file: ${file}`), r.stdout);
  assert.match(r.stdout, /destination: OTLP over HTTP to http:\/\/127\.0\.0\.1:9\/v1\/logs/); // the set variable wins
  fs.chmodSync(file, 0o666);
  r = await check([], { dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /would be refused: .*writable by group or others/);
});
