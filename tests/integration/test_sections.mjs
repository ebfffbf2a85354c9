// test_sections.mjs - the configuration sections that other parts of the
// library own, read from one JSON file through the real loader: "traces"
// (span filters), "appenders" (otel_file settings by appender name),
// logs.sources (log source rules), logs.file (the file exporter), and the
// hideRegex that masks span attribute values in the traces-as-logs lines.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startReceiver } from '../receiver/receiver.mjs';
import { run, builddir, endpointEnv, scratchDir, TRACES_LINE } from './harness.mjs';

const spandemo = path.join(builddir, 'tests/integration/spandemo');
const receiver = await startReceiver();
after(() => receiver.close());

const LINE = TRACES_LINE;

/** root -> otel, traces -> otel_file "traces.log" (and on to otel), plus a JSON config. */
function dirWith(config) {
  const dir = scratchDir(null);
  fs.writeFileSync(path.join(dir, 'log4crc'), `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE log4c SYSTEM "">
<log4c version="1.2.4">
  <config><bufsize>0</bufsize><debug level="0"/><nocleanup>0</nocleanup></config>
  <appender name="traces.log" type="otel_file"/>
  <category name="root" priority="trace" appender="otel"/>
  <category name="traces" priority="info" appender="traces.log"/>
</log4c>
`);
  fs.writeFileSync(path.join(dir, 'log4c-otel.json'), JSON.stringify(config));
  return dir;
}

test('traces filters, logs.sources and hideRegex on span attributes, all from the JSON file', async () => {
  receiver.clear();
  const dir = dirWith({
    otel: {
      enabled: true,
      logs: {
        defaults: { hideRegex: 'alice|select' },
        sources: { default: 'core', rules: [{ categoryName: 'test', source: 'testing' }] },
      },
      traces: { filters: [{ source: 'checkout', log: false }] },
    },
  });
  const r = await run(spandemo, ['nested'], { dir, env: { ...endpointEnv(receiver), LOG4C_OTEL_CONFIG: path.join(dir, 'log4c-otel.json') } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.init, 0, r.stderr);

  const lines = fs.readFileSync(path.join(dir, 'traces.log'), 'utf8').trim().split('\n');
  const names = lines.map((l) => LINE.exec(l)?.[4]);
  assert.ok(names.includes('db_query'), `no db_query line in ${JSON.stringify(names)}`);
  assert.ok(!names.includes('checkout'), 'traces.filters[0] (log: false) did not hold');
  const inner = JSON.parse(LINE.exec(lines[names.indexOf('db_query')])[7]);
  assert.equal(inner.sql, '****** "x" from t\n', 'hideRegex did not mask the span attribute');
  assert.ok(!fs.readFileSync(path.join(dir, 'traces.log'), 'utf8').includes('alice'));

  const recs = receiver.records();
  const inOuter = recs.find((x) => x.body === 'in outer');
  assert.ok(inOuter, 'no "in outer" record');
  assert.equal(inOuter.attributes['log.source'], 'testing', 'logs.sources rule not applied');
  const traceRecs = recs.filter((x) => x.scope === 'traces');
  assert.ok(traceRecs.length >= 1);
  for (const t of traceRecs) {
    assert.equal(t.attributes['log.source'], 'core', 'logs.sources default not applied');
    assert.ok(!t.body.includes('alice') && !t.body.includes('select'), `unmasked: ${t.body}`);
  }
});

test('"appenders" sets maxLogSize/backups of an otel_file appender by its name', async () => {
  const dir = dirWith({ appenders: { 'traces.log': { maxLogSize: '4K', backups: 2 } }, logs: {} });
  const r = await run(spandemo, ['spans', '2', '300'], {
    dir,
    env: { LOG4C_OTEL_CONFIG: path.join(dir, 'log4c-otel.json'), LOG4C_OTEL_JSON_FILE: 'none' },
  });
  assert.equal(r.code, 0, r.stderr);
  const files = fs.readdirSync(dir).filter((f) => f.startsWith('traces.log')).sort();
  assert.deepEqual(files, ['traces.log', 'traces.log.1', 'traces.log.2']);
  for (const f of files) assert.ok(fs.statSync(path.join(dir, f)).size <= 4096, `${f} exceeds maxLogSize`);
});

test('logs.file writes the OTLP/JSON file where the JSON says', async () => {
  const dir = dirWith({ logs: { file: { path: 'out/records.jsonl' } } });
  fs.mkdirSync(path.join(dir, 'out'));
  const r = await run(spandemo, ['nested'], { dir, env: { LOG4C_OTEL_CONFIG: path.join(dir, 'log4c-otel.json') } });
  assert.equal(r.code, 0, r.stderr);
  const text = fs.readFileSync(path.join(dir, 'out/records.jsonl'), 'utf8');
  assert.ok(text.includes('"in outer"'), 'the record is not in the configured file');
});

test('an invalid section is a configuration error naming the key; nothing is exported', async () => {
  receiver.clear();
  const dir = dirWith({ logs: {}, traces: { filters: [{ source: 'x', minDurationMs: -5 }] } });
  const r = await run(spandemo, ['nested'], { dir, env: { ...endpointEnv(receiver), LOG4C_OTEL_CONFIG: path.join(dir, 'log4c-otel.json') } });
  assert.equal(r.init, -2, r.stderr); // LOG4C_OTEL_ECONFIG
  assert.match(r.stderr, /log4c-otel\.json:\d+:\d+: traces/);
  assert.match(r.stderr, /minDurationMs/);
  assert.equal(receiver.records().length, 0);
});
