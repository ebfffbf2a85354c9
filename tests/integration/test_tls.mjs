// test_tls.mjs - the TLS options: a collector with a self-signed certificate
// is trusted through OTEL_EXPORTER_OTLP_CERTIFICATE, refused without it
// (no retry: resending cannot fix a certificate), accepted with _INSECURE=true.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startReceiver } from '../receiver/receiver.mjs';
import { run, scratchDir, logdemo } from './harness.mjs';

const pki = scratchDir(null);
const keyFile = path.join(pki, 'key.pem');
const certFile = path.join(pki, 'cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
  '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
const receiver = await startReceiver({ tls: { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) } });
after(() => receiver.close());

async function demo(env) {
  receiver.clear();
  const r = await run(logdemo, ['count', '3'], { dir: scratchDir('otel'), env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env } });
  assert.equal(r.code, 0, r.stderr);
  return r;
}

test('https with the collector CA from OTEL_EXPORTER_OTLP_CERTIFICATE', async () => {
  const r = await demo({ OTEL_EXPORTER_OTLP_CERTIFICATE: certFile });
  assert.deepEqual(receiver.records().map((x) => x.body), ['record 0', 'record 1', 'record 2']);
  assert.equal(r.stats.exported, 3);
});

test('https with an unknown CA: refused, not retried, counted', async () => {
  const r = await demo({});
  assert.equal(receiver.records().length, 0);
  assert.equal(r.stats.exported, 0);
  assert.equal(r.stats.dropped_http_error, 3);
  assert.equal(r.stats.export_requests, 1);
  assert.match(r.stderr, /certificate|SSL/i);
});

test('https with OTEL_EXPORTER_OTLP_LOGS_INSECURE=true: no verification', async () => {
  const r = await demo({ OTEL_EXPORTER_OTLP_LOGS_INSECURE: 'true' });
  assert.equal(receiver.records().length, 3);
  assert.equal(r.stats.exported, 3);
});
