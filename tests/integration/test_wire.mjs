// test_wire.mjs - what arrives on the wire, decoded by the official
// OpenTelemetry code: every field of the record, scopes, resource, the
// three ways to configure the appender, gzip and JSON.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { startReceiver } from '../receiver/receiver.mjs';
import path from 'node:path';
import { run, scratchDir, logdemo, plainLog4c, sharedLib, endpointEnv, builddir } from './harness.mjs';

const fixedClock = path.join(builddir, 'tests/integration/.libs/fixed_clock.so');

const receiver = await startReceiver();
after(() => receiver.close());

async function demo(scenario, { env = {}, rc = 'otel', args = [] } = {}) {
  receiver.clear();
  receiver.setScript([]);
  const dir = scratchDir(rc);
  const r = await run(logdemo, [scenario, ...args], { dir, env: { ...endpointEnv(receiver), ...env } });
  assert.equal(r.code, 0, `logdemo ${scenario} failed: ${r.stderr}`);
  return r;
}

const LEVELS = [
  ['FATAL', 21], ['ALERT', 19], ['CRIT', 18], ['ERROR', 17], ['WARN', 13],
  ['NOTICE', 10], ['INFO', 9], ['DEBUG', 5], ['TRACE', 1],
];

test('every log4c priority arrives with its severity, body, scope, time and thread', async () => {
  const before = BigInt(Date.now()) * 1000000n;
  const r = await demo('priorities');
  const after_ = BigInt(Date.now()) * 1000000n;
  assert.equal(r.init, 0);
  const recs = receiver.records();
  assert.equal(recs.length, LEVELS.length);
  LEVELS.forEach(([name, num], i) => {
    const rec = recs[i];
    assert.equal(rec.severityText, name);
    assert.equal(rec.severityNumber, num);
    assert.equal(rec.body, `priority ${name}`);
    assert.equal(rec.bodyType, 'stringValue');
    assert.equal(rec.scope, 'test.demo');
    assert.equal(rec.scopeVersion, '0.1.0');
    const t = BigInt(rec.timeUnixNano);
    const o = BigInt(rec.observedTimeUnixNano);
    assert.ok(t >= before - 1000000000n && t <= after_, `time ${t} outside the run`);
    assert.ok(o >= t - 1000n, 'observed time before event time'); // event time has µs precision
    assert.match(rec.attributes['thread.id'], /^\d+$/);
    assert.equal(rec.attributeTypes['thread.id'], 'intValue');
    assert.equal(rec.attributes['code.file.path'], undefined, 'plain macros must not claim a location');
    assert.equal(rec.traceId, '');
    assert.equal(rec.spanId, '');
  });
  assert.equal(r.stats.exported, LEVELS.length);
  assert.equal(r.stats.accepted, LEVELS.length);
});

test("timeUnixNano is log4c's event time, exactly (a shim fixes the clock log4c reads)", async () => {
  // gettimeofday() starts at BASE µs and moves one µs per call: log4c calls it
  // once per event, so record i carries BASE + (k + i) µs for one small k. The
  // library's own clocks (observed time, conversion) are not that clock.
  const BASE = 1000000000123456n; // 2001-09-09T01:46:40.123456Z, in µs
  const r = await demo('priorities', { env: { LD_PRELOAD: fixedClock, FIXED_CLOCK_USEC: String(BASE) } });
  const recs = receiver.records();
  assert.equal(recs.length, LEVELS.length);
  const first = BigInt(recs[0].timeUnixNano);
  assert.equal(first % 1000n, 0n, 'µs precision');
  const k = first / 1000n - BASE;
  assert.ok(k >= 0n && k < 100n, `first event at BASE + ${k} µs`);
  recs.forEach((rec, i) => {
    assert.equal(rec.timeUnixNano, String((BASE + k + BigInt(i)) * 1000n), `record ${i} (${rec.body})`);
    assert.ok(BigInt(rec.observedTimeUnixNano) > BigInt(Date.now() - 3600000) * 1000000n, 'observed time is the real clock');
  });
  assert.equal(r.stats.exported, LEVELS.length);
});

test('LOG4C_OTEL_BODY_LIMIT cuts every body on the wire to that many bytes, and only then', async () => {
  const full = (i) => `sized ${i} ${'x'.repeat(5000)}`;
  await demo('sized', { args: ['3', '5000'], env: { LOG4C_OTEL_BODY_LIMIT: '1000' } });
  let recs = receiver.records();
  assert.equal(recs.length, 3);
  recs.forEach((rec, i) => assert.equal(rec.body, full(i).slice(0, 1000), `record ${i}: ${rec.body.length} bytes`));
  await demo('sized', { args: ['3', '5000'] }); // the default limit (16 MiB) leaves them whole
  recs = receiver.records();
  assert.equal(recs.length, 3);
  recs.forEach((rec, i) => assert.equal(rec.body, full(i), `record ${i}: ${rec.body.length} bytes`));
});

test('resource attributes: detected, OTEL_RESOURCE_ATTRIBUTES (percent-decoded), OTEL_SERVICE_NAME', async () => {
  await demo('count', {
    args: ['1'],
    env: { OTEL_SERVICE_NAME: 'checkout', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging,team=a%2Cb' },
  });
  const [rec] = receiver.records();
  const res = rec.resource;
  assert.equal(res['service.name'], 'checkout');
  assert.equal(res['deployment.environment'], 'staging');
  assert.equal(res['team'], 'a,b');
  assert.equal(res['host.name'], os.hostname());
  assert.equal(res['process.executable.name'], 'logdemo');
  assert.match(res['process.pid'], /^\d+$/);
  assert.match(res['service.instance.id'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(res['telemetry.sdk.name'], 'log4c-otel');
  assert.equal(res['telemetry.sdk.version'], '0.1.0');
  assert.equal(res['telemetry.sdk.language'], 'c');
});

test('service.name defaults to the program name', async () => {
  await demo('count', { args: ['1'] });
  assert.equal(receiver.records()[0].resource['service.name'], 'logdemo');
});

test('bodies: 1 MiB exact, newlines, invalid UTF-8, empty, escapes; one scope per category', async () => {
  await demo('bodies');
  const recs = receiver.records();
  assert.equal(recs.length, 6);
  const big = recs[0].body;
  assert.equal(big.length, 1 << 20);
  for (let i = 0; i < big.length; i += 4099) assert.equal(big[i], String.fromCharCode(97 + (i % 26)));
  assert.equal(recs[1].body, 'line one\nline two\r\nline three');
  assert.equal(recs[2].body, 'bad \uFFFD\uFFFD utf8 \uFFFD( end \u20AC');
  assert.equal(recs[3].body, '');
  assert.equal(recs[4].body, 'quote " backslash \\ tab \t ctrl \u0001 done');
  assert.equal(recs[5].body, 'from other');
  assert.equal(recs[5].scope, 'other.cat');
  assert.equal(recs[5].severityText, 'WARN');
  // grouped per category: the request has one ScopeLogs per category
  for (const req of receiver.requests) {
    const names = req.decoded.resourceLogs[0].scopeLogs.map((s) => s.scope.name);
    assert.equal(new Set(names).size, names.length, 'a scope appears twice in one request');
  }
});

test('code.* attributes only for log4c_category_log_locinfo', async () => {
  await demo('locinfo');
  const [withLoc, without] = receiver.records();
  assert.equal(withLoc.body, 'with location');
  assert.match(withLoc.attributes['code.file.path'], /logdemo\.c$/);
  assert.match(withLoc.attributes['code.line.number'], /^\d+$/);
  assert.equal(withLoc.attributeTypes['code.line.number'], 'intValue');
  assert.equal(withLoc.attributes['code.function.name'], 'locinfo');
  assert.equal(without.body, 'without location');
  assert.equal(without.attributes['code.file.path'], undefined);
  assert.equal(without.attributes['code.line.number'], undefined);
});

test('no log4crc at all: LOG4C_APPENDER=otel', async () => {
  receiver.clear();
  const dir = scratchDir(null);
  const r = await run(logdemo, ['count', '3'], { dir, env: { ...endpointEnv(receiver), LOG4C_APPENDER: 'otel', LOG4C_PRIORITY: 'trace' } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(receiver.records().map((x) => x.body), ['record 0', 'record 1', 'record 2']);
});

test('zero-code: LD_PRELOAD into a program that never heard of log4c-otel', async () => {
  receiver.clear();
  const dir = scratchDir(null);
  const r = await run(plainLog4c, ['4'], {
    dir,
    env: { ...endpointEnv(receiver), LD_PRELOAD: sharedLib, LOG4C_APPENDER: 'otel' },
  });
  assert.equal(r.code, 0, r.stderr);
  const recs = receiver.records();
  assert.deepEqual(recs.map((x) => x.body), ['plain 0', 'plain 1', 'plain 2', 'plain 3']);
  assert.ok(recs.every((x) => x.scope === 'plain.app' && x.severityText === 'WARN'));
  assert.equal(recs[0].resource['service.name'], 'plain_log4c');
});

test('gzip: Content-Encoding gzip, same content', async () => {
  await demo('priorities', { env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' } });
  assert.ok(receiver.requests.length >= 1);
  for (const req of receiver.requests) assert.equal(req.encoding, 'gzip');
  assert.deepEqual(receiver.records().map((x) => [x.severityText, x.body]), LEVELS.map(([n]) => [n, `priority ${n}`]));
});

test('http/json: application/json, same content', async () => {
  await demo('bodies', { env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
  for (const req of receiver.requests) assert.equal(req.contentType, 'application/json');
  const recs = receiver.records();
  assert.equal(recs.length, 6);
  assert.equal(recs[0].body.length, 1 << 20);
  assert.equal(recs[2].body, 'bad \uFFFD\uFFFD utf8 \uFFFD( end \u20AC');
  assert.equal(recs[4].body, 'quote " backslash \\ tab \t ctrl \u0001 done');
  assert.equal(recs[5].scope, 'other.cat');
  assert.match(recs[1].attributes['thread.id'], /^\d+$/);
  assert.match(recs[1].resource['process.pid'], /^\d+$/);
});

test('headers from OTEL_EXPORTER_OTLP_HEADERS reach the collector; per-signal endpoint used as is', async () => {
  receiver.clear();
  const dir = scratchDir('otel');
  const r = await run(logdemo, ['count', '1'], {
    dir,
    env: {
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${receiver.url}/custom/ingest`,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr3t%21,x-tenant=blue',
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(receiver.requests.length, 1);
  const req = receiver.requests[0];
  assert.equal(req.path, '/custom/ingest');
  assert.equal(req.headers['x-api-key'], 's3cr3t!');
  assert.equal(req.headers['x-tenant'], 'blue');
  assert.match(req.headers['user-agent'], /^log4c-otel\/0\.1\.0/);
  assert.ok(!r.stderr.includes('s3cr3t'), 'a header value was printed');
});

test('a malformed header entry is reported once, by position, never by value; the others are sent', async () => {
  receiver.clear();
  const dir = scratchDir('otel');
  const r = await run(logdemo, ['count', '1'], {
    dir,
    env: {
      ...endpointEnv(receiver),
      // 2: a space in the name, 3: CR/LF in the name, 4: no '=', 5: CR/LF in the value
      OTEL_EXPORTER_OTLP_HEADERS: 'x-good=v4lue1,x bad=s3cr3tA,x-a\r\nx-b=s3cr3tB,s3cr3tC,x-v=s3cr3tD%0D%0AEvil: 1,x-tenant=blue',
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.includes('OTEL_EXPORTER_OTLP_HEADERS'));
  assert.deepEqual(lines.length, 1, r.stderr);
  assert.match(lines[0], /malformed entries 2, 3, 4, 5 of OTEL_EXPORTER_OTLP_HEADERS/);
  assert.ok(!r.stderr.includes('s3cr3t'), 'a header value was printed');
  assert.equal(receiver.requests.length, 1);
  const h = receiver.requests[0].headers;
  assert.equal(h['x-good'], 'v4lue1');
  assert.equal(h['x-tenant'], 'blue');
  assert.ok(!JSON.stringify(h).includes('s3cr3t'), 'a malformed entry was sent');
});

test('an unknown protocol is refused with a clear error and nothing is exported (fail closed)', async () => {
  const r = await demo('count', { args: ['5'], env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc-web' } });
  assert.equal(r.init, -2); // LOG4C_OTEL_ECONFIG
  assert.match(r.stderr, /unknown OTLP protocol "grpc-web"/);
  assert.equal(receiver.requests.length, 0);
  assert.equal(r.stats.dropped_config, 5);
  assert.equal(r.stats.exported, 0);
});
