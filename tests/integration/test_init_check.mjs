// test_init_check.mjs - the log4crc check at log4c_init(): when no category
// reaches an appender of the "otel" type, exactly one stderr line says what
// to add (the log4crc line, or LOG4C_APPENDER=otel), through the masked
// diagnostics; nothing when a category reaches one, under LOG4C_OTEL_QUIET=1
// or with LOG4C_APPENDER=otel; once per process even when log4c_init() runs
// twice. A program linked -llog4c-otel -llog4c (initdemo) and one that never
// heard of log4c-otel, under LD_PRELOAD (plain_log4c); log4c-otel-run, which
// routes its category to otel in code, gets no line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { run, builddir, plainLog4c, sharedLib, scratchDir, otelRun } from './harness.mjs';

const initdemo = path.join(builddir, 'tests/integration/initdemo');
const LINE =
  'log4c-otel: no log4c category reaches the "otel" appender, so nothing is exported: add ' +
  '<category name="root" priority="info" appender="otel"/> to log4crc, or set LOG4C_APPENDER=otel ' +
  '(LOG4C_OTEL_QUIET=1 silences this line)';

/** A scratch directory whose log4crc holds body (appenders and categories). */
function rcDir(body) {
  const dir = scratchDir(null);
  if (body !== null)
    fs.writeFileSync(path.join(dir, 'log4crc'), `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE log4c SYSTEM "">
<log4c version="1.2.4">
  <config><bufsize>0</bufsize><debug level="0"/><nocleanup>0</nocleanup></config>
  ${body}
</log4c>
`);
  return dir;
}

/** initdemo (or prog) in dir, records to dir/records.jsonl; its stderr's check lines and the bodies exported. */
async function initRun(dir, { args = [], env = {}, prog = initdemo } = {}) {
  const file = path.join(dir, 'records.jsonl');
  const r = await run(prog, args, { dir, env: { LOG4C_OTEL_FILE: file, ...env } });
  assert.equal(r.code, 0, r.stderr);
  const checks = r.stderr.split('\n').filter((l) => l.includes('category reaches'));
  const bodies = fs.existsSync(file) ? [...fs.readFileSync(file, 'utf8').matchAll(/"stringValue":"(init demo|plain \d+|run line)"/g)].map((m) => m[1]) : [];
  return { r, checks, bodies };
}

const STDERR_ONLY = '<appender name="err" type="stream" layout="basic"/><category name="root" priority="info" appender="err"/>';

test('no otel appender anywhere: exactly one line naming the log4crc line and LOG4C_APPENDER=otel', async () => {
  for (const body of [null, STDERR_ONLY, '<appender name="lines.log" type="otel_file"/><category name="root" priority="info" appender="lines.log"/>']) {
    const { r, checks, bodies } = await initRun(rcDir(body));
    assert.deepEqual(checks, [LINE], `log4crc ${body}: ${r.stderr}`);
    assert.deepEqual(bodies, []);
    assert.match(r.stdout, /^log4c_init: 0$/m);
  }
});

test('a category reaching otel (root, a branch, an appender of type otel), or LOG4C_APPENDER=otel: no line, the record arrives', async () => {
  const cases = [
    ['<category name="root" priority="info" appender="otel"/>', {}, ['init demo']],
    // a branch only: the demo's category is elsewhere, nothing of it arrives, but a category does reach otel
    ['<category name="gw" priority="info" appender="otel"/>', {}, []],
    ['<appender name="exp" type="otel"/><category name="init" priority="info" appender="exp"/>', {}, ['init demo']],
    [STDERR_ONLY, { LOG4C_APPENDER: 'otel' }, ['init demo']],
  ];
  for (const [body, env, expected] of cases) {
    const { r, checks, bodies } = await initRun(rcDir(body), { env });
    assert.deepEqual(checks, [], `log4crc ${body} ${JSON.stringify(env)}: ${r.stderr}`);
    assert.deepEqual(bodies, expected, `log4crc ${body}`);
  }
});

test('LOG4C_OTEL_QUIET=1: no line', async () => {
  const { r, checks } = await initRun(rcDir(null), { env: { LOG4C_OTEL_QUIET: '1' } });
  assert.deepEqual(checks, [], r.stderr);
});

test('log4c_init() twice: both run log4c, the line is printed once', async () => {
  const { r, checks } = await initRun(rcDir(null), { args: ['2'] });
  assert.deepEqual(r.stdout.match(/^log4c_init: 0$/gm), ['log4c_init: 0', 'log4c_init: 0']);
  assert.deepEqual(checks, [LINE], r.stderr);
  // and the first call checks even when a later one would see the appender: still once
  const again = await initRun(rcDir('<category name="root" priority="info" appender="otel"/>'), { args: ['3'] });
  assert.deepEqual(again.checks, [], again.r.stderr);
  assert.deepEqual(again.bodies, ['init demo']);
});

test('the line goes through the diagnostics masking (defaults.hideRegex)', async () => {
  const dir = rcDir(null);
  const cfg = path.join(dir, 'log4c-otel.json');
  fs.writeFileSync(cfg, JSON.stringify({ logs: { defaults: { hideRegex: 'LOG4C_APPENDER=otel' } } }));
  const { r, checks } = await initRun(dir, { env: { LOG4C_OTEL_CONFIG: cfg } });
  assert.deepEqual(checks, [LINE.replace('LOG4C_APPENDER=otel', '*'.repeat('LOG4C_APPENDER=otel'.length))], r.stderr);
});

test('printed whatever the rate limit: after more than 10 diagnostics (unknown keys) in the same 10 s', async () => {
  const dir = rcDir(null);
  const cfg = path.join(dir, 'log4c-otel.json');
  fs.writeFileSync(cfg, JSON.stringify({ logs: Object.fromEntries([...Array(12).keys()].map((i) => [`k${i}`, 1])) }));
  const { r, checks } = await initRun(dir, { env: { LOG4C_OTEL_CONFIG: cfg } });
  assert.match(r.stderr, /similar lines suppressed/); // the limit was reached before log4c_init()
  assert.deepEqual(checks, [LINE], r.stderr);
});

test('zero-code (LD_PRELOAD): the line without LOG4C_APPENDER=otel, none with it', async () => {
  const without = await initRun(rcDir(null), { prog: plainLog4c, args: ['2'], env: { LD_PRELOAD: sharedLib } });
  assert.deepEqual(without.checks, [LINE], without.r.stderr);
  assert.deepEqual(without.bodies, []);
  const withIt = await initRun(rcDir(null), { prog: plainLog4c, args: ['2'], env: { LD_PRELOAD: sharedLib, LOG4C_APPENDER: 'otel' } });
  assert.deepEqual(withIt.checks, [], withIt.r.stderr);
  assert.deepEqual(withIt.bodies, ['plain 0', 'plain 1']);
});

test('log4c-otel-run routes its category before log4c_init(): no line, each line exported once', async () => {
  for (const body of [null, '<category name="root" priority="info" appender="otel"/>', STDERR_ONLY]) {
    const { r, checks, bodies } = await initRun(rcDir(body), { prog: otelRun, args: ['--', 'sh', '-c', 'echo run line'] });
    assert.deepEqual(checks, [], `log4crc ${body}: ${r.stderr}`);
    assert.deepEqual(bodies, ['run line'], `log4crc ${body}`);
  }
});
