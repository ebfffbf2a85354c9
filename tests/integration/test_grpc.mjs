// test_grpc.mjs - OTLP/gRPC export (OTEL_EXPORTER_OTLP_PROTOCOL=grpc, or the JSON
// configuration's "protocol": "grpc") against a
// real gRPC server (@grpc/grpc-js, tests/receiver/grpc-receiver.mjs) decoding with
// the official OTLP code: plaintext and TLS, gzip on and off, the gRPC retry rules
// (UNAVAILABLE retried; RESOURCE_EXHAUSTED only with RetryInfo, after its delay),
// a server that never answers, partial_success, headers as metadata, and a burst
// of 100k records compared record by record.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import zlib from 'node:zlib';
import path from 'node:path';
import { startGrpcReceiver, grpc, EXPORT_PATH } from '../receiver/grpc-receiver.mjs';
import { decodeProtobufChecked, normalizeRequest } from '../receiver/receiver.mjs';
import { builddir, freePort, run, scratchDir, logdemo } from './harness.mjs';

// configure says whether libcurl has HTTP/2; without it grpc is refused (checked here too)
const noHttp2 = process.env.LOG4C_OTEL_TEST_CURL_HTTP2 === 'no';
const receiver = await startGrpcReceiver();
after(() => receiver.close());

test('without HTTP/2 in libcurl, grpc is refused with LOG4C_OTEL_EUNSUPPORTED', { skip: !noHttp2 && 'libcurl has HTTP/2' }, async () => {
  const r = await run(logdemo, ['count', '1'], { dir: scratchDir('otel'), env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
  assert.equal(r.init, -3);
  assert.match(r.stderr, /HTTP\/2/);
  assert.equal(receiver.requests.length, 0);
});

async function demo(args, env, url = receiver.url, timeoutMs = 120000) {
  const r = await run(logdemo, args, {
    dir: scratchDir('otel'), timeoutMs,
    env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: url, LOG4C_OTEL_RETRY_BASE_MS: '50', ...env },
  });
  assert.equal(r.code, 0, r.stderr);
  return r;
}

const bodies = (recv) => recv.records().map((x) => x.body);
const expected = (n) => Array.from({ length: n }, (_, i) => `record ${i}`);

const t = noHttp2 ? test.skip : test;

t('plaintext HTTP/2: every record arrives, decoded by the official schema', async () => {
  receiver.clear();
  const r = await demo(['count', '3'], {});
  assert.deepEqual(bodies(receiver), expected(3));
  assert.equal(r.stats.exported, 3);
  assert.equal(r.stats.export_requests, 1);
  assert.deepEqual(receiver.issues, []);
});

// grpc-js takes grpc-encoding out of the metadata it hands over and inflates the
// message itself: the records arriving intact is what it can check; the raw HTTP/2
// test below checks the header and the frame's flag.
t('gzip: the same records', async () => {
  receiver.clear();
  const r = await demo(['count', '5'], { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
  assert.deepEqual(bodies(receiver), expected(5));
  assert.equal(r.stats.exported, 5);
});

t('headers from OTEL_EXPORTER_OTLP_HEADERS arrive as metadata, lower case', async () => {
  receiver.clear();
  await demo(['count', '1'], { OTEL_EXPORTER_OTLP_HEADERS: 'X-Api-Key=s3cret,tenant=blue%20team' });
  const md = receiver.requests[0].metadata;
  assert.equal(md['x-api-key'], 's3cret');
  assert.equal(md.tenant, 'blue team');
});

t('UNAVAILABLE then OK: retried, delivered once', async () => {
  receiver.clear();
  receiver.setScript([{ code: grpc.status.UNAVAILABLE, message: 'busy' }, {}]);
  const r = await demo(['count', '2'], {});
  assert.equal(receiver.requests.length, 2);
  assert.deepEqual(bodies(receiver), expected(2));
  assert.equal(r.stats.exported, 2);
  assert.equal(r.stats.export_requests, 2);
  assert.equal(r.stats.export_retries, 1);
});

t('RESOURCE_EXHAUSTED with RetryInfo: retried after the delay it gives', async () => {
  receiver.clear();
  receiver.setScript([{ code: grpc.status.RESOURCE_EXHAUSTED, message: 'slow down', retryInfoMs: 700 }, {}]);
  const r = await demo(['count', '2'], {});
  assert.equal(receiver.requests.length, 2);
  assert.deepEqual(bodies(receiver), expected(2));
  assert.equal(r.stats.export_retries, 1);
  // the backoff alone would have waited at most 50 ms: the wait is the server's
  const gap = receiver.requests[1].receivedAt - receiver.requests[0].receivedAt;
  assert.ok(gap >= 650, `retried after ${gap} ms, RetryInfo said 700`);
});

t('RESOURCE_EXHAUSTED without RetryInfo: not retried, counted as an error', async () => {
  receiver.clear();
  receiver.setScript([{ code: grpc.status.RESOURCE_EXHAUSTED, message: 'no' }]);
  const r = await demo(['count', '3'], {});
  assert.equal(receiver.requests.length, 1);
  assert.equal(r.stats.exported, 0);
  assert.equal(r.stats.dropped_http_error, 3);
  assert.equal(r.stats.export_requests, 1);
  assert.match(r.stderr, /RESOURCE_EXHAUSTED/);
});

t('INVALID_ARGUMENT: never retried', async () => {
  receiver.clear();
  receiver.setScript([{ code: grpc.status.INVALID_ARGUMENT, message: 'bad' }]);
  const r = await demo(['count', '1'], {});
  assert.equal(receiver.requests.length, 1);
  assert.equal(r.stats.dropped_http_error, 1);
});

t('partial_success: rejected records counted', async () => {
  receiver.clear();
  receiver.setScript([{ partialSuccess: { rejectedLogRecords: 2, errorMessage: 'two too many' } }]);
  const r = await demo(['count', '5'], {});
  assert.equal(r.stats.exported, 3);
  assert.equal(r.stats.dropped_rejected, 2);
});

t('a server that never answers: the shutdown deadline holds', async () => {
  receiver.clear();
  receiver.setScript([{ hang: true }]);
  const r = await demo(['count', '1'], { LOG4C_OTEL_SHUTDOWN_TIMEOUT: '1000', OTEL_EXPORTER_OTLP_TIMEOUT: '60000' });
  assert.equal(receiver.requests.length, 1);
  assert.equal(r.stats.exported, 0);
  assert.equal(r.stats.export_unanswered, 1);
  // generous margin: the deadline is 1 s, the request timeout 60 s
  assert.ok(r.elapsedMs < 30000, `took ${r.elapsedMs} ms`);
  receiver.setScript([]);
});

t('a burst of 100k records: every id exactly once', async () => {
  receiver.clear();
  const n = 100000;
  // the default queue (the byte cap alone) keeps the whole burst
  const r = await demo(['count', String(n)], { LOG4C_OTEL_SHUTDOWN_TIMEOUT: '60000' });
  assert.equal(r.stats.exported, n);
  const seen = new Uint8Array(n);
  for (const b of bodies(receiver)) {
    const m = /^record (\d+)$/.exec(b);
    assert.ok(m, `unexpected body ${b}`);
    const i = Number(m[1]);
    assert.ok(i < n && seen[i] === 0, `record ${i} twice or out of range`);
    seen[i] = 1;
  }
  assert.equal(seen.reduce((a, x) => a + x, 0), n);
});

t('TLS: trusted through OTEL_EXPORTER_OTLP_CERTIFICATE, refused without it', async () => {
  const pki = scratchDir(null);
  const keyFile = path.join(pki, 'key.pem');
  const certFile = path.join(pki, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
    '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const tls = await startGrpcReceiver({ tls: { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) } });
  try {
    const ok = await demo(['count', '3'], { OTEL_EXPORTER_OTLP_CERTIFICATE: certFile, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }, tls.url);
    assert.deepEqual(bodies(tls), expected(3));
    assert.equal(ok.stats.exported, 3);
    tls.clear();
    const refused = await demo(['count', '2'], {}, tls.url);
    assert.equal(tls.requests.length, 0);
    assert.equal(refused.stats.exported, 0);
    assert.equal(refused.stats.dropped_http_error, 2);
    assert.match(refused.stderr, /certificate|SSL/i);
  } finally {
    await tls.close();
  }
});

t('spool: records spooled while the collector is down are replayed over gRPC', async () => {
  const port = await freePort();
  const spool = scratchDir(null);
  const env = { LOG4C_OTEL_SPOOL_DIR: spool, LOG4C_OTEL_SHUTDOWN_TIMEOUT: '1500' };
  const url = `http://127.0.0.1:${port}`;
  const down = await demo(['count', '4'], env, url);
  assert.equal(down.stats.spooled, 4, JSON.stringify(down.stats));
  const back = await startGrpcReceiver({ port });
  try {
    const up = await demo(['count', '0'], env, url);
    assert.equal(up.stats.replayed, 4, JSON.stringify(up.stats));
    assert.deepEqual(bodies(back).sort(), expected(4));
  } finally {
    await back.close();
  }
});

// A bare node:http2 server, to see the call as it is on the wire: the path and
// headers, the frame's compressed flag and length, and a status sent in trailers
// after a framed response.
t('on the wire: the path, gRPC headers, the gzip flag and frame, grpc-status from trailers', async () => {
  const calls = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push({ headers, flag: body[0], length: body.readUInt32BE(1), rest: body.subarray(5) });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0])); // an empty ExportLogsServiceResponse
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}`;
    const r = await demo(['count', '3'], { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_HEADERS: 'X-Team=blue' }, url);
    assert.equal(r.stats.exported, 3);
    assert.equal(r.stats.export_requests, 1);
    assert.equal(calls.length, 1);
    const [c] = calls;
    assert.equal(c.headers[':method'], 'POST');
    assert.equal(c.headers[':path'], EXPORT_PATH);
    assert.equal(c.headers['content-type'], 'application/grpc');
    assert.equal(c.headers.te, 'trailers');
    assert.equal(c.headers['grpc-encoding'], 'gzip');
    assert.equal(c.headers['x-team'], 'blue');
    assert.equal(c.flag, 1);
    assert.equal(c.length, c.rest.length);
    const issues = [];
    const decoded = normalizeRequest(decodeProtobufChecked(zlib.gunzipSync(c.rest), issues), issues);
    assert.deepEqual(issues, []);
    assert.deepEqual(decoded.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((x) => x.body))), expected(3));
  } finally {
    server.close();
  }
});

t('the JSON configuration\'s "protocol": "grpc" selects gRPC: an explicit file over the variable, a searched file when none is set', async () => {
  const dir = scratchDir('otel');
  const file = path.join(dir, 'explicit.json');
  fs.writeFileSync(file, JSON.stringify({ logs: { exporterSettings: { protocol: 'grpc' } } }));
  // explicit (LOG4C_OTEL_CONFIG): wins over OTEL_EXPORTER_OTLP_PROTOCOL
  receiver.clear();
  const env = { LOG4C_OTEL_CONFIG: file, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  let r = await run(logdemo, ['count', '3'], { dir, env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.init, 0);
  assert.deepEqual(bodies(receiver), expected(3));
  assert.equal(r.stats.exported, 3);
  assert.deepEqual(receiver.issues, []);
  const check = await run(path.join(builddir, 'tools/log4c-otel-check'), [file], { dir, env });
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /^protocol: grpc$/m);
  assert.match(check.stdout, new RegExp(`^destination: OTLP over gRPC to ${receiver.url.replace(/[.]/g, '\\.')}$`, 'm'));
  // found by search, no protocol variable set: the file's protocol
  receiver.clear();
  fs.writeFileSync(path.join(dir, 'log4c-otel.json'), JSON.stringify({ logs: { protocol: 'grpc' } }));
  r = await run(logdemo, ['count', '2'], { dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(bodies(receiver), expected(2));
});
