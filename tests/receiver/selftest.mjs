// Self-test of the oracle receiver (run by `make check`): requests are encoded with the
// official generated code and must come back out of the receiver with the same content.
//   node tests/receiver/selftest.mjs
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startReceiver, waitFor } from './receiver.mjs';
import * as otlp from './otlp-schema.mjs';
import { encodeJson } from './otlp-json.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TEST_TIMEOUT_MS = 15000;

// ---------------------------------------------------------------------------
// Helpers

/** POST to 127.0.0.1; resolves {status, headers, body} or rejects (timeout, reset). */
function post(url, { path: p = '/v1/logs', headers = {}, body = Buffer.alloc(0), timeoutMs = 5000, method = 'POST' } = {}) {
  const u = new URL(url);
  assert.equal(u.hostname, '127.0.0.1');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: u.port, path: p, method, agent: false, headers: { ...headers, 'content-length': body.length } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const PB = { 'content-type': 'application/x-protobuf' };
const JS = { 'content-type': 'application/json' };
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const BIG_INT = '9007199254740993'; // 2^53 + 1: not representable as a JS number

const str = (s) => ({ stringValue: s });

// Plain object for the official fromObject(): every value kind once.
function sampleObject() {
  return {
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: str('selftest') }, { key: 'process.pid', value: { intValue: 4242 } }] },
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      scopeLogs: [{
        scope: { name: 'log4c.category.app', version: '1.2.3' },
        logRecords: [
          {
            timeUnixNano: '1700000000123456789',
            observedTimeUnixNano: '1700000000223456789',
            severityNumber: 9,
            severityText: 'INFO',
            body: str('hello, wörld'),
            attributes: [
              { key: 'code.lineno', value: { intValue: BIG_INT } },
              { key: 'ratio', value: { doubleValue: 0.5 } },
              { key: 'ok', value: { boolValue: true } },
              { key: 'list', value: { arrayValue: { values: [str('a'), { intValue: 1 }, { doubleValue: 2.5 }] } } },
              { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: str('v') }] } } },
              { key: 'blob', value: { bytesValue: Buffer.from([0, 255]) } },
              { key: 'negative', value: { intValue: '-7' } },
            ],
            traceId: Buffer.from(TRACE, 'hex'),
            spanId: Buffer.from(SPAN, 'hex'),
            flags: 1,
            eventName: 'app.started',
          },
          { timeUnixNano: '1700000000999999999', severityNumber: 17, severityText: 'ERROR', body: str('second') },
        ],
      }],
    }],
  };
}

// What the receiver must report for sampleObject().
const EXPECTED_RECORDS = [
  {
    timeUnixNano: '1700000000123456789',
    observedTimeUnixNano: '1700000000223456789',
    severityNumber: 9,
    severityText: 'INFO',
    body: 'hello, wörld',
    bodyType: 'stringValue',
    attributes: { 'code.lineno': BIG_INT, ratio: 0.5, ok: true, list: ['a', '1', 2.5], map: { k: 'v' }, blob: '00ff', negative: '-7' },
    attributeTypes: {
      'code.lineno': 'intValue', ratio: 'doubleValue', ok: 'boolValue', list: 'arrayValue', map: 'kvlistValue',
      blob: 'bytesValue', negative: 'intValue',
    },
    droppedAttributesCount: 0,
    traceId: TRACE,
    spanId: SPAN,
    flags: 1,
    eventName: 'app.started',
  },
  {
    timeUnixNano: '1700000000999999999',
    observedTimeUnixNano: '0',
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'second',
    bodyType: 'stringValue',
    attributes: {},
    attributeTypes: {},
    droppedAttributesCount: 0,
    traceId: '',
    spanId: '',
    flags: 0,
    eventName: '',
  },
];

const sampleMessage = () => otlp.ExportLogsServiceRequest.fromObject(sampleObject());
const sampleProtobuf = () => Buffer.from(otlp.ExportLogsServiceRequest.encode(sampleMessage()).finish());
const sampleJson = () => Buffer.from(encodeJson(otlp.ExportLogsServiceRequest, sampleMessage()));

function assertSampleDecoded(rec) {
  assert.deepEqual(rec.issues, []);
  assert.equal(rec.error, null);
  const rl = rec.decoded.resourceLogs;
  assert.equal(rl.length, 1);
  assert.deepEqual(rl[0].resource.attributes, { 'service.name': 'selftest', 'process.pid': '4242' });
  assert.equal(rl[0].schemaUrl, 'https://opentelemetry.io/schemas/1.26.0');
  assert.equal(rl[0].scopeLogs.length, 1);
  assert.equal(rl[0].scopeLogs[0].scope.name, 'log4c.category.app');
  assert.equal(rl[0].scopeLogs[0].scope.version, '1.2.3');
  assert.deepEqual(rl[0].scopeLogs[0].logRecords, EXPECTED_RECORDS);
}

async function withReceiver(opts, fn) {
  const r = await startReceiver(opts);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

async function freePort() {
  const s = net.createServer();
  await new Promise((resolve, reject) => { s.once('error', reject); s.listen(0, '127.0.0.1', resolve); });
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Runs a node script; resolves {code, stdout, stderr}; killed after timeoutMs. */
function runNode(args, { env = process.env, cwd = here, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timeout running ${args.join(' ')}`)); }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(t); resolve({ code, stdout, stderr }); });
  });
}

// ---------------------------------------------------------------------------
// Tests

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('protobuf request decodes to what was sent', () => withReceiver({}, async (r) => {
  const res = await post(r.url, { headers: PB, body: sampleProtobuf() });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/x-protobuf');
  const resp = otlp.ExportLogsServiceResponse.decode(res.body);
  assert.equal(resp.partialSuccess, null);
  assert.equal(r.requests.length, 1);
  const rec = r.requests[0];
  assert.equal(rec.path, '/v1/logs');
  assert.equal(rec.method, 'POST');
  assert.equal(rec.contentType, 'application/x-protobuf');
  assert.equal(rec.encoding, '');
  assert.equal(rec.rawBytes, sampleProtobuf().length);
  assert.equal(rec.status, 200);
  assertSampleDecoded(rec);
  const recs = r.records();
  assert.equal(recs.length, 2);
  assert.equal(recs[0].scope, 'log4c.category.app');
  assert.equal(recs[0].scopeVersion, '1.2.3');
  assert.equal(recs[0].resource['service.name'], 'selftest');
  assert.equal(recs[0].body, 'hello, wörld');
  assert.equal(recs[0].attributes['code.lineno'], BIG_INT);
  assert.equal(recs[1].severityNumber, 17);
}));

test('JSON request (official toObject, hex ids) decodes identically', () => withReceiver({}, async (r) => {
  const text = sampleJson().toString();
  // The encoder under test must itself follow OTLP/JSON.
  const parsed = JSON.parse(text);
  const lr = parsed.resourceLogs[0].scopeLogs[0].logRecords[0];
  assert.equal(lr.traceId, TRACE);
  assert.equal(lr.spanId, SPAN);
  assert.equal(lr.severityNumber, 9);
  assert.equal(lr.timeUnixNano, '1700000000123456789');
  assert.equal(lr.attributes[0].value.intValue, BIG_INT);

  const res = await post(r.url, { headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(text) });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(res.body.toString()), {});
  assert.equal(r.requests[0].contentType, 'application/json');
  assertSampleDecoded(r.requests[0]);
}));

test('gzip protobuf and gzip JSON', () => withReceiver({}, async (r) => {
  const pb = zlib.gzipSync(sampleProtobuf());
  const js = zlib.gzipSync(sampleJson());
  assert.equal((await post(r.url, { headers: { ...PB, 'content-encoding': 'gzip' }, body: pb })).status, 200);
  assert.equal((await post(r.url, { headers: { ...JS, 'content-encoding': 'gzip' }, body: js })).status, 200);
  assert.equal(r.requests[0].encoding, 'gzip');
  assert.equal(r.requests[0].rawBytes, pb.length);
  assert.equal(r.requests[0].bodyBytes, sampleProtobuf().length);
  assertSampleDecoded(r.requests[0]);
  assertSampleDecoded(r.requests[1]);
  assert.equal(r.records().length, 4);
}));

test('any path is accepted and recorded', () => withReceiver({}, async (r) => {
  const res = await post(r.url, { path: '/custom/logs?x=1', headers: PB, body: sampleProtobuf() });
  assert.equal(res.status, 200);
  assert.equal(r.requests[0].path, '/custom/logs?x=1');
}));

test('JSON departures from OTLP/JSON are reported as issues', () => withReceiver({ allowIssues: true }, async (r) => {
  const body = JSON.stringify({
    resourceLogs: [{
      scopeLogs: [{
        logRecords: [{
          timeUnixNano: 1700000000000, // number instead of string
          severityNumber: 'SEVERITY_NUMBER_INFO', // enum name instead of integer
          trace_id: TRACE, // snake_case: fromObject ignores it
          body: { stringValue: 'x', intValue: '1' }, // two oneof members
        }],
      }],
    }],
  });
  const res = await post(r.url, { headers: JS, body: Buffer.from(body) });
  assert.equal(res.status, 200); // tolerated like a collector would, but flagged
  const issues = r.requests[0].issues.join('\n');
  assert.match(issues, /timeUnixNano: 64-bit integer must be a decimal string/);
  assert.match(issues, /severityNumber: enum must be an integer/);
  assert.match(issues, /trace_id: unknown field \(snake_case; OTLP\/JSON wants "traceId"/);
  assert.match(issues, /body: several oneof values set/);
  const [rec] = r.records();
  assert.equal(rec.timeUnixNano, '1700000000000');
  assert.equal(rec.traceId, '');
}));

test('duplicate attribute keys and bad id lengths are reported (protobuf too)', () => withReceiver({ allowIssues: true }, async (r) => {
  const msg = otlp.ExportLogsServiceRequest.fromObject({
    resourceLogs: [{
      scopeLogs: [{
        logRecords: [{
          attributes: [{ key: 'a', value: str('1') }, { key: 'a', value: str('2') }],
          traceId: Buffer.from('0102', 'hex'),
        }],
      }],
    }],
  });
  assert.equal((await post(r.url, { headers: PB, body: Buffer.from(otlp.ExportLogsServiceRequest.encode(msg).finish()) })).status, 200);
  const issues = r.requests[0].issues.join('\n');
  assert.match(issues, /duplicate attribute key "a"/);
  assert.match(issues, /traceId: must be 16 bytes, got 2/);
}));

test('invalid UTF-8 in a protobuf string field or a JSON body is an issue, never repaired silently', () => withReceiver({ allowIssues: true }, async (r) => {
  const msg = otlp.ExportLogsServiceRequest.fromObject({
    resourceLogs: [{ scopeLogs: [{ scope: { name: 'ok-scope' }, logRecords: [{ body: str('caf\u00e9 QQQQ'), attributes: [{ key: 'k', value: str('v') }] }] }] }],
  });
  const pb = Buffer.from(otlp.ExportLogsServiceRequest.encode(msg).finish());
  const at = pb.indexOf('QQQQ');
  assert.ok(at > 0);
  pb[at] = 0xff; // a byte that never occurs in UTF-8
  pb[at + 1] = 0xc3; // a lead byte without its continuation
  assert.equal((await post(r.url, { headers: PB, body: pb })).status, 200);
  const issues = r.requests[0].issues.join('\n');
  assert.match(issues, /string field at byte \d+: invalid UTF-8 \(636166c3a920ffc35151\)/);
  assert.equal(r.requests[0].issues.length, 1, 'only the bad string: the scope name and attribute are clean');

  const json = Buffer.from('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"ZZ"}}]}]}]}');
  json[json.indexOf('ZZ')] = 0xfe;
  assert.equal((await post(r.url, { headers: JS, body: json })).status, 200);
  assert.match(r.requests[1].issues.join('\n'), /JSON body: invalid UTF-8/);
  assert.equal(r.issues.length, 2);
}));

test('close() fails when a request had issues, unless allowIssues', async () => {
  const r = await startReceiver();
  const msg = otlp.ExportLogsServiceRequest.fromObject({
    resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [{ key: 'a', value: str('1') }, { key: 'a', value: str('2') }] }] }] }],
  });
  assert.equal((await post(r.url, { headers: PB, body: Buffer.from(otlp.ExportLogsServiceRequest.encode(msg).finish()) })).status, 200);
  r.clear(); // forgetting the requests does not forget their issues
  await assert.rejects(r.close(), /not clean OTLP:[\s\S]*duplicate attribute key "a"/);
});

test('malformed bodies are answered 400 and not counted', () => withReceiver({}, async (r) => {
  const bad = [
    { headers: JS, body: Buffer.from('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]}') },
    { headers: JS, body: Buffer.from('{not json') },
    { headers: JS, body: Buffer.from('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":"plain"}]}]}]}') },
    { headers: PB, body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]) }, // length far beyond the buffer
    { headers: { ...PB, 'content-encoding': 'gzip' }, body: Buffer.from('not gzip') },
  ];
  for (const b of bad) assert.equal((await post(r.url, b)).status, 400);
  assert.equal(r.requests.length, bad.length);
  assert.ok(r.requests.every((q) => q.status === 400 && q.error));
  assert.equal(r.records().length, 0);
}));

test('wrong content type or encoding: 415, script not consumed', () => withReceiver({ script: [{ status: 503 }] }, async (r) => {
  assert.equal((await post(r.url, { headers: { 'content-type': 'text/plain' }, body: sampleProtobuf() })).status, 415);
  assert.equal((await post(r.url, { body: sampleProtobuf() })).status, 415);
  assert.equal((await post(r.url, { headers: { ...PB, 'content-encoding': 'br' }, body: sampleProtobuf() })).status, 415);
  assert.equal((await post(r.url, { method: 'PUT', headers: PB, body: sampleProtobuf() })).status, 405);
  assert.equal(r.scriptRemaining, 1);
  assert.deepEqual(r.requests.map((q) => q.status), [415, 415, 415, 405]);
}));

test('scripted answers: 503 + Retry-After, 429, 400, partial success, then default 200', () => withReceiver({}, async (r) => {
  r.setScript([
    { status: 503, retryAfter: '1' },
    { status: 429 },
    { status: 400 },
    { status: 200, partialSuccess: { rejectedLogRecords: 2, errorMessage: 'x' } },
    { status: 200, partialSuccess: { rejectedLogRecords: 3, errorMessage: 'json' } },
  ]);
  const body = sampleProtobuf();
  const a = await post(r.url, { headers: PB, body });
  assert.equal(a.status, 503);
  assert.equal(a.headers['retry-after'], '1');
  const b = await post(r.url, { headers: PB, body });
  assert.equal(b.status, 429);
  assert.equal(b.headers['retry-after'], undefined);
  assert.equal((await post(r.url, { headers: PB, body })).status, 400);

  const c = await post(r.url, { headers: PB, body });
  assert.equal(c.status, 200);
  const ps = otlp.ExportLogsServiceResponse.toObject(otlp.ExportLogsServiceResponse.decode(c.body), { longs: String });
  assert.deepEqual(ps, { partialSuccess: { rejectedLogRecords: '2', errorMessage: 'x' } });

  const d = await post(r.url, { headers: JS, body: sampleJson() });
  assert.equal(d.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(d.body.toString()), { partialSuccess: { rejectedLogRecords: '3', errorMessage: 'json' } });

  const e = await post(r.url, { headers: PB, body });
  assert.equal(e.status, 200);
  assert.equal(e.body.length, 0); // empty ExportLogsServiceResponse encodes to zero bytes
  assert.equal(r.scriptRemaining, 0);

  // Non-2xx requests are recorded and decoded, but records() only counts 2xx ones.
  assert.deepEqual(r.requests.map((q) => q.status), [503, 429, 400, 200, 200, 200]);
  assert.ok(r.requests.every((q) => q.decoded !== null));
  assert.equal(r.records().length, 6);
  assert.deepEqual([...new Set(r.records().map((x) => x.requestIndex))], [3, 4, 5]);
}));

test('scripted delay', () => withReceiver({ script: [{ delayMs: 300, status: 200 }] }, async (r) => {
  const t0 = performance.now();
  const res = await post(r.url, { headers: PB, body: sampleProtobuf() });
  assert.equal(res.status, 200);
  assert.ok(performance.now() - t0 >= 280, 'answer came too early');
  assert.ok(r.requests[0].answeredAt - r.requests[0].receivedAt >= 280);
}));

test('scripted hang: client times out, request recorded unanswered', () => withReceiver({ script: [{ hang: true }] }, async (r) => {
  await assert.rejects(post(r.url, { headers: PB, body: sampleProtobuf(), timeoutMs: 300 }), /client timeout/);
  assert.equal(r.requests.length, 1);
  assert.equal(r.requests[0].status, null);
  assert.equal(r.requests[0].answered, false);
  assertSampleDecoded(r.requests[0]);
  assert.equal(r.records().length, 0);
}));

test('scripted connection drop', () => withReceiver({ script: [{ destroy: true }] }, async (r) => {
  await assert.rejects(post(r.url, { headers: PB, body: sampleProtobuf() }), (e) => e.code === 'ECONNRESET' || /socket hang up/.test(e.message));
  assert.equal(r.requests[0].status, null);
}));

test('close() ends hanging requests promptly', async () => {
  const r = await startReceiver({ script: [{ hang: true }] });
  const pending = post(r.url, { headers: PB, body: sampleProtobuf(), timeoutMs: 5000 });
  await r.waitFor((x) => x.requests.length === 1, 2000);
  const t0 = performance.now();
  await r.close();
  assert.ok(performance.now() - t0 < 1000);
  await assert.rejects(pending, (e) => e.message !== 'client timeout');
});

test('waitFor resolves and times out', () => withReceiver({}, async (r) => {
  const p = r.waitFor((x) => x.records().length === 2, 3000);
  await post(r.url, { headers: PB, body: sampleProtobuf() });
  await p;
  const t0 = performance.now();
  await assert.rejects(r.waitFor(() => false, 100), /not met within 100 ms/);
  assert.ok(performance.now() - t0 < 1000);
  await assert.rejects(waitFor(() => false, 50), /not met/);
}));

test('opts.port: receiver can start later on a port chosen earlier', async () => {
  const port = await freePort();
  await assert.rejects(post(`http://127.0.0.1:${port}`, { headers: PB, body: sampleProtobuf() }), /ECONNREFUSED/);
  await withReceiver({ port }, async (r) => {
    assert.equal(r.port, port);
    assert.equal(r.url, `http://127.0.0.1:${port}`);
    assert.equal((await post(r.url, { headers: PB, body: sampleProtobuf() })).status, 200);
  });
});

test('cli.mjs prints LISTENING and one JSON line per request, exits on SIGTERM', async () => {
  const child = spawn(process.execPath, [path.join(here, 'cli.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  try {
    await waitFor(() => /^LISTENING \d+\n/.test(out), 5000).catch(() => { throw new Error(`no LISTENING line; stderr: ${err}`); });
    const port = Number(/^LISTENING (\d+)/.exec(out)[1]);
    assert.equal((await post(`http://127.0.0.1:${port}`, { headers: PB, body: sampleProtobuf() })).status, 200);
    await waitFor(() => out.split('\n').length >= 3, 5000);
    const line = JSON.parse(out.split('\n')[1]);
    assert.equal(line.path, '/v1/logs');
    assert.equal(line.status, 200);
    assert.deepEqual(line.decoded.resourceLogs[0].scopeLogs[0].logRecords, EXPECTED_RECORDS);
    child.kill('SIGTERM');
    const { code } = await exited;
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

test('schema resolution: LOG4C_OTEL_NODE_MODULES, local node_modules, clear error', async () => {
  // The real modules: next to this file, or (make distcheck) where the variable says.
  const modules = process.env.LOG4C_OTEL_NODE_MODULES || path.join(here, 'node_modules');
  // A copy of the receiver without node_modules, as in `make distcheck`.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'log4c-otel-receiver-'));
  try {
    for (const f of ['otlp-schema.mjs', 'otlp-json.mjs', 'receiver.mjs']) fs.copyFileSync(path.join(here, f), path.join(tmp, f));
    const probe = ['--input-type=module', '-e',
      `import('${path.join(tmp, 'receiver.mjs')}').then(async (m) => { const r = await m.startReceiver(); await r.close(); console.log('OK', (await import('${path.join(tmp, 'otlp-schema.mjs')}')).rootJsPath); })`];
    const env = { ...process.env };
    delete env.LOG4C_OTEL_NODE_MODULES;
    const missing = await runNode(probe, { env });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /run tools\/install-deps\.sh \(npm ci in tests\/receiver\)/);
    const ok = await runNode(probe, { env: { ...env, LOG4C_OTEL_NODE_MODULES: modules } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^OK .*build\/src\/generated\/root\.js/);
    // A bogus variable falls back to the node_modules next to the module.
    fs.symlinkSync(modules, path.join(tmp, 'node_modules'));
    const fallback = await runNode(['--input-type=module', '-e', `import('${path.join(tmp, 'otlp-schema.mjs')}').then((m) => console.log(m.rootJsPath))`],
      { env: { ...env, LOG4C_OTEL_NODE_MODULES: '/nonexistent/node_modules' } });
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.equal(fallback.stdout.trim(), path.join(tmp, 'node_modules', '@opentelemetry/otlp-transformer/build/src/generated/root.js'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------

let passed = 0;
let failed = 0;
for (const { name, fn } of tests) {
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS); }),
    ]);
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${name}\n${String(e.stack || e).replace(/^/gm, '    ')}`);
  } finally {
    clearTimeout(timer);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
