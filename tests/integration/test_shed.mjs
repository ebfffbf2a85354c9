// test_shed.mjs - bursts and shedding (docs/PERFORMANCE.md, "Queue
// defaults"; docs/OPERATIONS.md, "Shedding"): a 100k-record burst at the
// default settings loses nothing; when room runs out the lowest severity
// band goes first and every WARN record of a burst arrives; the drops are
// counted by band; a maxQueueSize the user sets bounds the records waiting.
//
// Room runs out deterministically, not by racing the worker: the collector
// is absent while the program logs (the worker holds its first batch and
// retries), and comes up when the program says the burst is logged.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../receiver/receiver.mjs';
import { run, command, baseEnv, scratchDir, logdemo, freePort, endpointEnv, spawnJsonLines, SANITIZER } from './harness.mjs';

const receiver = await startReceiver();
after(() => receiver.close());

// the exit deadline is not what this tests: on a loaded machine (or under a
// sanitizer) the default 5 s can run out with records still waiting
const SLOW_EXIT = { LOG4C_OTEL_SHUTDOWN_TIMEOUT: '120000' };

/** burst ids by prefix ("b17 xxx" -> 17) of the records the receiver holds */
function ids(records, prefix) {
  const seen = new Map();
  for (const r of records) {
    if (!r.body.startsWith(prefix)) continue;
    const id = Number(r.body.slice(prefix.length, r.body.indexOf(' ')));
    seen.set(id, (seen.get(id) || 0) + 1);
  }
  return seen;
}

/** every record logged is accounted for exactly once, and the band counters sum to the queue_full drops */
function assertAccounted(s, logged) {
  const dropped = s.dropped_queue_full + s.dropped_export_failed + s.dropped_rejected + s.dropped_http_error +
    s.dropped_shutdown + s.dropped_config + s.dropped_preinit + s.dropped_reentrant + s.dropped_spool_full;
  assert.equal(s.accepted, logged, JSON.stringify(s));
  assert.equal(s.exported + dropped + s.queued + s.in_flight + s.spooled, s.accepted, JSON.stringify(s));
  assert.equal(s.shed_debug + s.shed_info + s.shed_warn + s.shed_error, s.dropped_queue_full, JSON.stringify(s));
}

/**
 * Runs logdemo with the collector absent until the program prints its
 * {"burst":…} line; then a receiver starts on that port. Resolves to
 * { code, stderr, burst (the counters then), stats (at exit), records }.
 */
async function burstWhileAbsent(args, env, timeoutMs = 150000) {
  const port = await freePort();
  const dir = scratchDir('otel');
  const c = command(logdemo, args, {
    ...baseEnv(), LOG4C_RCPATH: dir, HOME: dir, LOG4C_OTEL_RETRY_BASE_MS: '50',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    // the batch the worker holds while the collector is absent must not time out
    OTEL_BLRP_EXPORT_TIMEOUT: '120000', ...SLOW_EXIT, ...env,
  });
  let late = null;
  try {
    const out = await spawnJsonLines(c.file, c.args, { cwd: dir, env: c.env }, (o) => {
      if ('burst' in o) return startReceiver({ port }).then((r) => { late = r; });
      return undefined;
    }, timeoutMs);
    assert.equal(out.code, 0, out.stderr);
    const burst = out.lines.find((o) => 'burst' in o)?.burst;
    assert.ok(burst && late, `no burst line: ${JSON.stringify(out.lines)}`);
    return { ...out, burst, stats: out.lines.filter((o) => 'accepted' in o).at(-1), records: late.records() };
  } finally {
    await late?.close();
  }
}

test('a 100k-record burst at the default settings: every record delivered', async () => {
  receiver.clear();
  const N = 100000;
  const r = await run(logdemo, ['burst', String(N), '0', '0'], {
    dir: scratchDir('otel'), env: { ...endpointEnv(receiver), ...SLOW_EXIT }, timeoutMs: 150000,
  });
  assert.equal(r.code, 0, r.stderr);
  const seen = ids(receiver.records(), 'b');
  for (let i = 0; i < N; i++) if (seen.get(i) !== 1) assert.fail(`record b${i} arrived ${seen.get(i) || 0} times`);
  assert.equal(seen.size, N);
  assert.equal(r.stats.dropped_queue_full, 0);
  assert.equal(r.stats.exported, N);
  assertAccounted(r.stats, N);
  // three context attributes on every record
  const one = receiver.records().find((x) => x.body.startsWith('b0 '));
  assert.deepEqual([one.attributes['service.tier'], one.attributes.region], ['web', 'eu-west-1']);
});

test('a 1M-record burst at the default settings, 1 in 100 at WARN: every WARN record delivered', async () => {
  receiver.clear();
  // under a sanitizer (every call several times slower) 200k: the same
  // shedding, as the export thread falls behind as far
  const N = SANITIZER ? 200000 : 1000000;
  const r = await run(logdemo, ['burst', String(N), '100', '0'], {
    dir: scratchDir('otel'), env: { ...endpointEnv(receiver), ...SLOW_EXIT }, timeoutMs: 150000,
  });
  assert.equal(r.code, 0, r.stderr);
  const seen = ids(receiver.records(), 'b');
  let warnMissing = 0;
  let infoMissing = 0;
  for (let i = 0; i < N; i++) {
    const n = seen.get(i) || 0;
    assert.ok(n <= 1, `record b${i} arrived ${n} times`);
    if (n === 0 && i % 100 === 99) warnMissing++;
    else if (n === 0) infoMissing++;
  }
  assert.equal(warnMissing, 0, `${warnMissing} WARN records missing: ${JSON.stringify(r.stats)}`);
  // what is missing was shed, and counted in its band
  assert.equal(r.stats.shed_warn, 0);
  assert.equal(r.stats.shed_info, infoMissing);
  assert.equal(r.stats.dropped_queue_full, infoMissing);
  assert.equal(r.stats.exported, N - infoMissing);
  assertAccounted(r.stats, N);
  console.log(`${N}-record burst at the defaults: ${infoMissing} INFO records shed`);
});

test('room runs out (a small byte bound, the collector absent): INFO is shed, every WARN and ERROR record arrives', async () => {
  // 4 MiB: INFO may fill 3 MiB, WARN another 512 KiB (about 1,300 entries:
  // the burst has 1,000), ERROR the last 512 KiB
  const N = 100000;
  const ERRORS = 200;
  const r = await burstWhileAbsent(['burst', String(N), '100', String(ERRORS)], { LOG4C_OTEL_MAX_QUEUE_BYTES: String(4 << 20) });
  const b = r.burst;
  assert.ok(b.shed_info > N / 2, `room did not run out: ${JSON.stringify(b)}`);
  assert.equal(b.shed_warn, 0, JSON.stringify(b));
  assert.equal(b.shed_error, 0, JSON.stringify(b));
  assert.equal(b.dropped_queue_full, b.shed_info);
  const seen = ids(r.records, 'b');
  const errors = ids(r.records, 'e');
  let infoMissing = 0;
  for (let i = 0; i < N; i++) {
    const n = seen.get(i) || 0;
    assert.ok(n <= 1, `record b${i} arrived ${n} times`);
    if (i % 100 === 99) assert.equal(n, 1, `WARN record b${i} missing`);
    else if (n === 0) infoMissing++;
  }
  for (let i = 0; i < ERRORS; i++) assert.equal(errors.get(i), 1, `ERROR record e${i}`);
  assert.equal(r.stats.shed_info, infoMissing);
  assert.equal(r.stats.dropped_queue_full, infoMissing);
  assert.equal(r.stats.exported, N + ERRORS - infoMissing);
  assertAccounted(r.stats, N + ERRORS);
});

test('a maxQueueSize the user sets bounds the records waiting (lanes and queue together), by band', async () => {
  // 1000 records: INFO may hold 750 of them, WARN up to 875, ERROR all
  const Q = 1000;
  const N = 5000;
  const ERRORS = 100;
  // the burst pauses after its first batch until the export thread holds
  // that batch (it keeps it: the collector is absent), so the export
  // thread takes nothing more while the rest is logged, however late it
  // ran
  const r = await burstWhileAbsent(['burst', String(N), '0', String(ERRORS)],
    { OTEL_BLRP_MAX_QUEUE_SIZE: String(Q), OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '100', LOGDEMO_BURST_HOLD: '100' });
  const b = r.burst;
  // the worker holds its first batch (in flight: all of it, or what the
  // schedule delay found); everything else waits or was refused, and what
  // waits is exactly the bound's INFO share plus the ERROR records (none of
  // which was refused)
  assert.ok(b.in_flight > 0 && b.in_flight <= 100, JSON.stringify(b));
  assert.equal(b.staged + b.queued, Q * 6 / 8 + ERRORS, JSON.stringify(b));
  assert.equal(b.shed_error, 0);
  assert.equal(b.shed_info, N - b.in_flight - Q * 6 / 8);
  const seen = ids(r.records, 'b');
  const errors = ids(r.records, 'e');
  for (let i = 0; i < ERRORS; i++) assert.equal(errors.get(i), 1, `ERROR record e${i}`);
  assert.equal(seen.size, N - b.shed_info);
  assert.equal(r.stats.shed_info, b.shed_info, 'records shed after the burst');
  assert.equal(r.stats.exported, N + ERRORS - b.shed_info);
  assertAccounted(r.stats, N + ERRORS);
});
