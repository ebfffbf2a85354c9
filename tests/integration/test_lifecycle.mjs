// test_lifecycle.mjs - issue 6: the process exits within the shutdown
// deadline whatever the collector or the resolver does (slow answers, a
// collector that does not read, names that fail or hang), and every record
// is accounted for; no feedback loop when root routes to otel; the
// pre-initialisation buffer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { startReceiver } from '../receiver/receiver.mjs';
import { run, scratchDir, logdemo, builddir, endpointEnv } from './harness.mjs';

const slowDns = path.join(builddir, 'tests/integration/.libs/slow_dns.so');
const DEADLINE_MS = 1000;
// generous: the deadline plus start-up and the 50 ms abort check of the exporter
const BOUND_MS = DEADLINE_MS + 2000;

/** Every counter a record can end up in adds up to what was logged. */
function assertBalanced(stats, logged) {
  const dropped = stats.dropped_queue_full + stats.dropped_export_failed + stats.dropped_rejected +
    stats.dropped_http_error + stats.dropped_shutdown + stats.dropped_config;
  assert.equal(stats.exported + dropped + stats.filtered, logged, `counters do not add up: ${JSON.stringify(stats)}`);
  assert.equal(stats.queued, 0);
}

/**
 * A raw TCP "collector": onConnection(socket) decides what it does. Every
 * timer it starts is registered through the returned timers set so close()
 * stops them; sockets are destroyed at close.
 */
async function rawServer(onConnection, opts = {}) {
  const sockets = new Set();
  const timers = new Set();
  const server = net.createServer(opts, (s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConnection(s, timers);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    port: server.address().port,
    connections: 0,
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes text one byte per second (bounded by its length). */
function trickle(socket, text, timers) {
  let i = 0;
  const t = setInterval(() => {
    if (i >= text.length || socket.destroyed) {
      clearInterval(t);
      timers.delete(t);
      return;
    }
    socket.write(text[i++]);
  }, 1000);
  timers.add(t);
}

const RESPONSE_BODY = 'x'.repeat(200);
const RESPONSE = `HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${RESPONSE_BODY.length}\r\n\r\n${RESPONSE_BODY}`;

async function exitsOnTime(what, args, env, logged) {
  const r = await run(logdemo, args, {
    dir: scratchDir('otel'),
    env: { LOG4C_OTEL_SHUTDOWN_TIMEOUT: String(DEADLINE_MS), ...env },
    timeoutMs: 60000,
  });
  console.log(`# ${what}: exit after ${Math.round(r.elapsedMs)} ms (deadline ${DEADLINE_MS} ms); stats ${JSON.stringify(r.stats)}`);
  assert.equal(r.code, 0, `${what}: ${r.signal || ''} ${r.stderr}`);
  assert.ok(r.elapsedMs < BOUND_MS, `${what}: took ${Math.round(r.elapsedMs)} ms`);
  assertBalanced(r.stats, logged);
  return r;
}

test('exit deadline holds with a collector that sends its response headers a byte per second', async () => {
  let requests = 0;
  const srv = await rawServer((s, timers) => {
    s.once('data', () => { requests++; trickle(s, RESPONSE, timers); });
  });
  try {
    const r = await exitsOnTime('slow headers', ['count', '10'], { OTEL_EXPORTER_OTLP_ENDPOINT: srv.url }, 10);
    assert.ok(requests >= 1, 'the collector never got the request');
    // the request was in flight when the deadline passed: nothing exported, all counted
    assert.equal(r.stats.exported, 0);
    assert.equal(r.stats.dropped_shutdown, 10);
  } finally {
    await srv.close();
  }
});

test('exit deadline holds with a collector that sends the body of its answer a byte per second', async () => {
  const srv = await rawServer((s, timers) => {
    s.once('data', () => {
      const head = RESPONSE.slice(0, RESPONSE.indexOf('\r\n\r\n') + 4);
      s.write(head);
      trickle(s, RESPONSE_BODY, timers);
    });
  });
  try {
    const r = await exitsOnTime('slow body', ['count', '10'], { OTEL_EXPORTER_OTLP_ENDPOINT: srv.url }, 10);
    assert.equal(r.stats.exported, 0);
    assert.equal(r.stats.dropped_shutdown, 10);
  } finally {
    await srv.close();
  }
});

test('exit deadline holds with a collector that never reads the request body', async () => {
  // ~3.5 MB in one request: more than loopback's socket buffers take in
  let connected = 0;
  const srv = await rawServer(() => { connected++; }, { pauseOnConnect: true });
  try {
    const r = await exitsOnTime('no reader', ['sized', '35', '100000'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: srv.url,
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '512',
    }, 35);
    assert.ok(connected >= 1);
    assert.equal(r.stats.exported, 0);
    assert.equal(r.stats.dropped_shutdown, 35);
  } finally {
    await srv.close();
  }
});

test('exit deadline holds when the collector name fails to resolve at once (collector.invalid)', async () => {
  const r = await exitsOnTime('collector.invalid', ['count', '10'],
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.invalid:4318' }, 10);
  assert.equal(r.stats.exported, 0);
  // a resolve failure is a connection failure: retried until the deadline, then dropped
  assert.equal(r.stats.dropped_shutdown + r.stats.dropped_export_failed, 10);
});

test('exit deadline holds when the resolver hangs (getaddrinfo sleeps 60 s; LD_PRELOAD shim)', async () => {
  assert.ok(fs.existsSync(slowDns), `${slowDns} not built`);
  const r = await exitsOnTime('hanging resolver', ['count', '10'], {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://hang.dns.test:4318',
    LD_PRELOAD: slowDns,
    SLOW_DNS_HOST: 'hang.dns.test',
    SLOW_DNS_SECONDS: '60',
  }, 10);
  assert.equal(r.stats.exported, 0);
  assert.equal(r.stats.dropped_shutdown, 10);
});

test('exit deadline holds with a hanging resolver and no log4c_fini (atexit path)', async () => {
  const r = await run(logdemo, ['count', '10'], {
    dir: scratchDir('otel'),
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://hang.dns.test:4318',
      LOG4C_OTEL_SHUTDOWN_TIMEOUT: String(DEADLINE_MS),
      LD_PRELOAD: slowDns,
      LOGDEMO_NO_FINI: '1',
    },
    timeoutMs: 60000,
  });
  console.log(`# hanging resolver, atexit: exit after ${Math.round(r.elapsedMs)} ms`);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.elapsedMs < BOUND_MS, `took ${Math.round(r.elapsedMs)} ms`);
});
