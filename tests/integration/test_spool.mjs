// test_spool.mjs - the outage soak with the disk spool.
// (1) the collector is down for 20 s (harness.mjs soakSeconds:
//     LOG4C_OTEL_TEST_SOAK_SECONDS shortens it; at
//     50,000 records/s that is 1,000,000 records, ~87 MB of spool; the
//     no-spool soak in test_outage.mjs already runs 60 s) and comes back
//     before shutdown: every id delivered exactly once, nothing dropped.
// (2) SIGKILL during the outage, a second run on the same spool directory
//     logs a second id range, then the collector comes back: every id the
//     first run reported as spooled, and every id of the second run, is
//     delivered. What we guarantee: at-least-once for spooled records, and
//     a duplicate only for the one entry in flight when a replay is killed;
//     here the kill comes before any replay, so no id may arrive twice.
// (3) SIGKILL during a replay: the one entry in flight is delivered twice,
//     nothing else; the restart resumes there (the .pos progress).
// (4) Entries spooled at the shutdown deadline hold at most a batch too.
// (5) Records still in the lanes at the shutdown deadline are spooled too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { normalizeRequest, otlp, startReceiver, waitFor } from '../receiver/receiver.mjs';
import { freePort, logdemo, run, scratchDir, skipUnder, soakSeconds } from './harness.mjs';
import { runSoak } from './soak.mjs';

const OUTAGE_S = soakSeconds(20);
const RATE = Number(process.env.SOAK_RATE || 50000);
const SECOND_RANGE = 10_000_000; // the second run's first id

const baseEnv = (port, spool) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
  // the default; an answer later than this is a possible duplicate (below)
  OTEL_EXPORTER_OTLP_TIMEOUT: '10000',
  OTEL_BLRP_MAX_QUEUE_SIZE: '1000000',
  LOG4C_OTEL_MAX_QUEUE_BYTES: String(8 * 1024 * 1024),
  LOG4C_OTEL_SHUTDOWN_TIMEOUT: '120000',
  LOG4C_OTEL_SPOOL_DIR: spool,
  LOG4C_OTEL_SPOOL_MAX_BYTES: '1G',
});

// A receiver that keeps only a delivery count per id (the spooled volume
// would not fit in memory as decoded requests).
async function countingReceiver(port) {
  const counts = new Map();
  let bad = null;
  const receiver = await startReceiver({
    port,
    onRequest: (rec) => {
      if (rec.status >= 200 && rec.status < 300 && rec.decoded) {
        for (const rl of rec.decoded.resourceLogs) for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) {
          const m = /^soak (\d+)$/.exec(lr.body);
          if (!m) bad ??= `unexpected body ${lr.body}`;
          else counts.set(Number(m[1]), (counts.get(Number(m[1])) || 0) + 1);
        }
      }
      rec.rawBody = rec.plainBody = rec.decoded = null;
    },
  });
  return { receiver, counts, bad: () => bad };
}

const zeroDrops = (s, what) => {
  for (const k of ['dropped_queue_full', 'dropped_export_failed', 'dropped_rejected', 'dropped_http_error',
    'dropped_shutdown', 'dropped_config', 'dropped_spool_full', 'replay_dropped']) assert.equal(s[k], 0, `${what}: ${k}`);
};
// Exactly once, except what the library cannot know: a request sent in full
// that got no answer in time (a collector stalled past the timeout, e.g. on
// a loaded machine) is sent again, and export_unanswered counts its records.
// Every extra copy must be one of those.
const assertCopiesBounded = (counts, fin) => {
  let extra = 0;
  for (const c of counts.values()) extra += c - 1;
  assert.ok(extra <= fin.export_unanswered,
    `${extra} extra copies, but only ${fin.export_unanswered} records went unanswered: ${JSON.stringify(fin)}`);
};
const finalStats = (r) => r.lines.filter((o) => 'accepted' in o && !('tick' in o));
const spoolFiles = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
// After a SIGKILL: the spool's files, leaving out a '.new-' file that the
// kill left while a file was being created (named so until it holds its
// header: docs/OPERATIONS.md), after checking it holds no entry.
function filesAfterKill(dir) {
  return spoolFiles(dir).filter((f) => {
    if (!f.startsWith('.new-')) return true;
    const size = fs.statSync(path.join(dir, f)).size;
    assert.ok(size <= 16, `${f}: a file being created holds ${size} bytes, more than a header`);
    return false;
  });
}

test(`spool on: collector down ${OUTAGE_S} s at ${RATE} records/s, then back: every id exactly once`, { skip: skipUnder('soak') }, async () => {
  const port = await freePort();
  const dir = scratchDir('otel');
  const spool = path.join(dir, 'spool');
  let rx = null;
  try {
    const r = await runSoak([String(RATE), String(OUTAGE_S)], baseEnv(port, spool), async (o) => {
      if ('outage' in o) rx = await countingReceiver(port);
    }, (OUTAGE_S + 240) * 1000, dir);
    assert.equal(r.code, 0, r.stderr);
    const outage = r.lines.find((o) => 'outage' in o);
    const [during, fin] = finalStats(r);
    const logged = RATE * OUTAGE_S;
    assert.ok(outage && fin, `missing output: ${r.stderr}`);
    assert.equal(outage.unbalanced, 0, 'a snapshot during the outage did not add up');
    assert.equal(during.exported, 0);
    assert.ok(during.spooled > 0, 'nothing was spooled during the outage');
    assert.equal(fin.accepted, logged);
    zeroDrops(fin, 'final');
    assert.equal(fin.queued + fin.in_flight, 0);
    assert.equal(fin.exported + fin.spooled, logged, JSON.stringify(fin));
    assert.equal(fin.replayed, fin.spooled, 'not everything spooled was replayed before exit');
    assert.equal(rx.bad(), null);
    let missing = 0;
    for (let id = 0; id < logged; id++) if (!rx.counts.has(id)) missing++;
    assert.equal(rx.counts.size, logged, 'ids out of range');
    assert.equal(missing, 0, `${missing} ids never delivered`);
    assertCopiesBounded(rx.counts, fin);
    assert.deepEqual(spoolFiles(spool), [], 'spool files left after a full replay');
    console.log(`spool soak: outage ${OUTAGE_S} s, logged ${logged}, spooled ${fin.spooled}, exported directly ${fin.exported}, ` +
      `replayed ${fin.replayed}, requests ${fin.export_requests}; caller latency p50 ${outage.p50_ns} ns p99 ${outage.p99_ns} ns ` +
      `max ${outage.max_ns} ns; RSS growth ${outage.hwm_kb - outage.rss_base_kb} kB`);
  } finally {
    await rx?.receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('spool on: SIGKILL during the outage, restart, collector back: nothing spooled is lost', { skip: skipUnder('soak') }, async () => {
  const port = await freePort();
  const dir = scratchDir('otel');
  const spool = path.join(dir, 'spool');
  let rx = null;
  try {
    // run 1: killed after 150,000 records (3 s) into the outage
    let lastTick = null;
    const r1 = await runSoak([String(RATE), '60'], { ...baseEnv(port, spool), SOAK_KILL_AFTER: '150000' }, (o, child) => {
      if ('tick' in o) lastTick = o;
      if ('kill_me' in o) child.kill('SIGKILL');
    }, 120_000, dir);
    assert.equal(r1.signal, 'SIGKILL', r1.stderr);
    assert.ok(lastTick && lastTick.spooled > 0, `no spooled count reported before the kill: ${JSON.stringify(lastTick)}`);
    const spooledLb = lastTick.spooled;
    assert.ok(filesAfterKill(spool).some((f) => f.endsWith('.l4cs')), 'no spool file survived the kill');

    // run 2: same spool directory, a second id range, collector still down
    // while it logs; the receiver starts when it reads {"outage":...}
    const secs2 = 3;
    const r2 = await runSoak([String(RATE), String(secs2), String(SECOND_RANGE)], baseEnv(port, spool), async (o) => {
      if ('outage' in o) rx = await countingReceiver(port);
    }, 240_000, dir);
    assert.equal(r2.code, 0, r2.stderr);
    const [, fin] = finalStats(r2);
    const logged2 = RATE * secs2;
    assert.ok(fin, r2.stderr);
    zeroDrops(fin, 'second run');
    assert.equal(fin.exported + fin.spooled, logged2);
    assert.ok(fin.replayed >= spooledLb + fin.spooled, `replayed ${fin.replayed} < ${spooledLb} + ${fin.spooled}`);
    assert.equal(rx.bad(), null);

    let first = 0, lostFirst = 0;
    for (const id of rx.counts.keys()) if (id < SECOND_RANGE) first++;
    for (let id = 0; id < spooledLb; id++) if (!rx.counts.has(id)) lostFirst++;
    let lostSecond = 0;
    for (let id = SECOND_RANGE; id < SECOND_RANGE + logged2; id++) if (!rx.counts.has(id)) lostSecond++;
    assert.equal(lostFirst, 0, `${lostFirst} of the ${spooledLb} ids the first run reported spooled were lost`);
    assert.equal(lostSecond, 0, `${lostSecond} ids of the second run were lost`);
    // no replay was in flight at the kill: only unanswered requests of run 2 can repeat
    assertCopiesBounded(rx.counts, fin);
    assert.deepEqual(filesAfterKill(spool), [], 'spool files left after a full replay');
    console.log(`spool kill: run 1 reported ${spooledLb} spooled before the kill, delivered ${first} of its ids; ` +
      `run 2 logged ${logged2}, replayed ${fin.replayed} in all`);
  } finally {
    await rx?.receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// (3) SIGKILL during a replay. Run 1 spools N records (collector down) and
// exits; the test reads the spool files (format: src/spool_file.h) to know
// every entry and its ids. Run 2 replays them to a collector that answers
// the first K requests and reads entry K without ever answering (a
// collector slow to answer): the kill lands while entry K is in flight, by
// construction rather than by timing. Run 3 replays the rest. docs/OPERATIONS.md
// promises at-least-once with a re-send of the one entry in flight: so the
// only ids delivered twice must be exactly entry K's, and the `.pos`
// progress must keep run 3 from re-sending entries 0..K-1.
const KILL_N = 2000;      // run 1's records
const KILL_BATCH = 50;    // maxExportBatchSize: an entry holds at most this many
const RUN2_FIRST = 1_000_000, RUN3_FIRST = 2_000_000;

// The spool files in name (= replay) order, each entry with its offset,
// record count and the ids its payload decodes to.
function readSpool(dir, body = /^soak (\d+)$/) {
  const out = [];
  for (const file of filesAfterKill(dir).filter((f) => f.endsWith('.l4cs')).sort()) {
    const buf = fs.readFileSync(path.join(dir, file));
    assert.equal(buf.subarray(0, 8).toString('latin1'), 'L4COSPL\0', `${file}: magic`);
    const entries = [];
    for (let off = 16; off < buf.length;) {
      assert.ok(off + 12 <= buf.length, `${file}: torn entry header at ${off}`);
      const len = buf.readUInt32LE(off), records = buf.readUInt32LE(off + 4);
      assert.ok(off + 12 + len <= buf.length, `${file}: torn entry at ${off}`);
      const msg = otlp.ExportLogsServiceRequest.decode(buf.subarray(off + 12, off + 12 + len));
      const ids = [];
      for (const rl of normalizeRequest(msg).resourceLogs) for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) {
        ids.push(Number(body.exec(lr.body)[1]));
      }
      assert.equal(ids.length, records, `${file}: entry at ${off}: record count`);
      entries.push({ file, off, ids });
      off += 12 + len;
    }
    out.push({ file, entries });
  }
  return out;
}

// Every id of every decoded request (answered or not: a collector that read
// the body has the records, only its answer may be missing).
function receivedIds(receiver) {
  const ids = [];
  for (const r of receiver.requests) {
    if (!r.decoded) continue;
    for (const rl of r.decoded.resourceLogs) for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) {
      ids.push(Number(/^soak (\d+)$/.exec(lr.body)?.[1] ?? NaN));
    }
  }
  return ids;
}

const countIds = (ids) => ids.reduce((m, id) => m.set(id, (m.get(id) || 0) + 1), new Map());

test('spool on: SIGKILL during a replay re-sends only the entry in flight; .pos skips what was delivered', async () => {
  const dir = scratchDir('otel');
  const spool = path.join(dir, 'spool');
  let rx2 = null, rx3 = null;
  const env = (port, timeoutMs) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: String(timeoutMs),
    OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: String(KILL_BATCH),
    OTEL_BLRP_SCHEDULE_DELAY: '100',
    LOG4C_OTEL_SHUTDOWN_TIMEOUT: '20000',
    LOG4C_OTEL_SPOOL_DIR: spool,
    // segments of maxBytes/4 = 64 KiB: run 1's ~170 KB spread over several files
    LOG4C_OTEL_SPOOL_MAX_BYTES: '256K',
  });
  try {
    // run 1: nobody listens on the port; everything goes to the spool
    const r1 = await runSoak([String(KILL_N), '1'], env(await freePort(), 1000), () => {}, 60_000, dir);
    assert.equal(r1.code, 0, r1.stderr);
    const [, fin1] = finalStats(r1);
    assert.ok(fin1, r1.stderr);
    assert.equal(fin1.accepted, KILL_N);
    assert.equal(fin1.spooled, KILL_N, JSON.stringify(fin1));
    assert.equal(fin1.exported + fin1.replayed, 0);
    zeroDrops(fin1, 'run 1');
    // nothing was delivered, so no progress file: every entry from its file's start is pending
    assert.ok(!spoolFiles(spool).some((f) => f.endsWith('.pos')), `a progress file after run 1: ${spoolFiles(spool)}`);
    const files1 = readSpool(spool);
    const entries = files1.flatMap((f) => f.entries);
    assert.ok(files1.length >= 3, `only ${files1.length} spool files`);
    assert.deepEqual(entries.flatMap((e) => e.ids), [...Array(KILL_N).keys()], 'the spool does not hold ids 0..N-1 in order');
    assert.ok(entries.every((e) => e.ids.length >= 1 && e.ids.length <= KILL_BATCH), 'an entry outside 1..maxExportBatchSize records');

    // run 2: the collector answers K requests, then holds the answer to
    // entry K; K: two entries into the second file, so that run 2 has
    // deleted the first file and written a .pos for the second
    const K = files1[0].entries.length + 2;
    const inFlight = entries[K];
    const port2 = await freePort();
    rx2 = await startReceiver({ port: port2, script: [...Array(K).fill({}), { hang: true }] });
    let child2 = null;
    const p2 = runSoak(['1', '30', String(RUN2_FIRST)], env(port2, 20000), (o, child) => { child2 = child; }, 60_000, dir);
    await waitFor(() => child2 && rx2.requests.length >= K + 1, 15000);
    // the situation: K answered, entry K read and unanswered, nothing more
    assert.equal(rx2.requests.length, K + 1);
    assert.equal(rx2.requests[K].answered, false);
    child2.kill('SIGKILL');
    const r2 = await p2;
    assert.equal(r2.signal, 'SIGKILL', r2.stderr);
    const got2 = receivedIds(rx2);
    assert.ok(got2.length > 0 && got2.length < KILL_N, `run 2 delivered ${got2.length} of ${KILL_N} before the kill`);
    assert.deepEqual(got2, entries.slice(0, K + 1).flatMap((e) => e.ids), 'run 2 did not replay the entries in order');
    await rx2.close();

    const left = filesAfterKill(spool);
    assert.ok(!left.includes(files1[0].file) && !left.includes(`${files1[0].file}.pos`), `the replayed first file is left: ${left}`);
    assert.ok(left.includes(`${files1[1].file}.pos`), `no progress file for ${files1[1].file}: ${left}`);
    // run 2's own record(s), spooled behind run 1's (or lost in memory at the kill)
    const files2 = readSpool(spool);
    const run2Ids = files2.filter((f) => !files1.some((g) => g.file === f.file)).flatMap((f) => f.entries.flatMap((e) => e.ids));
    assert.ok(run2Ids.every((id) => id >= RUN2_FIRST && id < RUN3_FIRST), `unexpected ids in run 2's file: ${run2Ids}`);

    // run 3: a collector that answers at once; replays the rest and exits
    const port3 = await freePort();
    rx3 = await startReceiver({ port: port3 });
    const r3 = await runSoak(['1', '1', String(RUN3_FIRST)], env(port3, 5000), () => {}, 60_000, dir);
    assert.equal(r3.code, 0, r3.stderr);
    const [, fin3] = finalStats(r3);
    assert.ok(fin3, r3.stderr);
    zeroDrops(fin3, 'run 3');
    assert.equal(fin3.accepted, 1);
    assert.equal(fin3.exported + fin3.spooled, 1);
    assert.equal(fin3.queued + fin3.in_flight, 0);
    const got3 = receivedIds(rx3);
    assert.ok(rx3.requests.every((r) => r.status === 200), 'run 3: a request was not answered 200');
    const counts3 = countIds(got3);
    assert.ok([...counts3.values()].every((c) => c === 1), 'run 3 sent an id twice');
    // .pos honoured: run 3 sends entries K.. of run 1, not 0..K-1
    const first3 = got3.filter((id) => id < RUN2_FIRST);
    assert.deepEqual(first3, entries.slice(K).flatMap((e) => e.ids), 'run 3 did not resume at the entry in flight');
    assert.deepEqual(got3.filter((id) => id >= RUN2_FIRST && id < RUN3_FIRST), run2Ids, "run 2's spooled record(s)");
    assert.deepEqual(got3.filter((id) => id >= RUN3_FIRST), [RUN3_FIRST], "run 3's own record");
    assert.equal(fin3.replayed, first3.length + run2Ids.length + fin3.spooled, JSON.stringify(fin3));

    // across runs: every id at least once; twice only the ids of entry K
    const all = countIds([...got2, ...first3]);
    const missing = [...Array(KILL_N).keys()].filter((id) => !all.has(id));
    const twice = [...all].filter(([, c]) => c > 1).map(([id]) => id);
    assert.deepEqual(missing, [], 'ids of run 1 never delivered');
    assert.ok([...all.values()].every((c) => c <= 2), 'an id delivered more than twice');
    assert.ok(twice.length <= KILL_BATCH, `${twice.length} duplicates > maxExportBatchSize`);
    assert.deepEqual(twice, inFlight.ids, 'the duplicates are not exactly the entry in flight');
    assert.deepEqual(filesAfterKill(spool), [], 'spool files left after the replay');
    console.log(`spool kill during replay: ${KILL_N} records in ${entries.length} entries / ${files1.length} files; ` +
      `killed with entry ${K} (${inFlight.ids.length} records, ids ${inFlight.ids[0]}..${inFlight.ids.at(-1)}) in flight; ` +
      `run 2 got ${got2.length}, run 3 replayed ${fin3.replayed} (${first3.length} of run 1, ${run2Ids.length} of run 2, ` +
      `${fin3.spooled} of its own); duplicates ${twice.length}`);
  } finally {
    await rx2?.close();
    await rx3?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// (4) The bound docs/OPERATIONS.md gives for the re-sent entry (<= maxExportBatchSize
// records) holds for every entry, also those written at the shutdown
// deadline: a collector that never answers keeps every record in memory
// (blocking mode: in the queue, not in the logging threads' lanes) until
// the deadline spools them.
test('spool on: what the shutdown deadline spools is in entries of at most maxExportBatchSize records', async () => {
  const dir = scratchDir('otel');
  const spool = path.join(dir, 'spool');
  const rx = await startReceiver({ script: Array(10).fill({ hang: true }) });
  try {
    const r = await run(logdemo, ['count', '500'], { dir, env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
      OTEL_EXPORTER_OTLP_TIMEOUT: '30000',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: String(KILL_BATCH),
      LOG4C_OTEL_BLOCK_TIMEOUT: '5000',
      LOG4C_OTEL_SHUTDOWN_TIMEOUT: '1000',
      LOG4C_OTEL_SPOOL_DIR: spool,
    } });
    assert.equal(r.code, 0, r.stderr);
    // the situation: one request sent (it hangs), all 500 spooled at the deadline
    assert.equal(r.stats.export_requests, 1, JSON.stringify(r.stats));
    assert.equal(r.stats.spooled, 500, JSON.stringify(r.stats));
    const entries = [];
    for (const file of spoolFiles(spool).filter((f) => f.endsWith('.l4cs')).sort()) {
      const buf = fs.readFileSync(path.join(spool, file));
      for (let off = 16; off + 12 <= buf.length; off += 12 + buf.readUInt32LE(off)) entries.push(buf.readUInt32LE(off + 4));
    }
    assert.equal(entries.reduce((a, b) => a + b, 0), 500, `entries ${entries}`);
    assert.ok(entries.every((n) => n >= 1 && n <= KILL_BATCH), `entries of ${entries} records (maxExportBatchSize ${KILL_BATCH})`);
  } finally {
    await rx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// (5) What the logging threads' lanes still hold at the shutdown deadline
// goes to the spool too (the default, non-blocking mode: records wait in
// the lanes, not in the queue, while the one export hangs). It was counted
// dropped_shutdown: 450 of 500 lost with a spool configured.
// under half the queue (2,048 records): the spool's drainer does not spool
// ahead of the stuck sender, so they wait in the lanes until the deadline
const LANE_N = 500;
test('spool on: records still in the lanes at the shutdown deadline are spooled, in order, none dropped', async () => {
  const dir = scratchDir('otel');
  const spool = path.join(dir, 'spool');
  const rx = await startReceiver({ script: Array(10).fill({ hang: true }) });
  try {
    const r = await run(logdemo, ['count', String(LANE_N)], { dir, env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
      OTEL_EXPORTER_OTLP_TIMEOUT: '30000',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: String(KILL_BATCH),
      LOG4C_OTEL_SHUTDOWN_TIMEOUT: '1000',
      LOG4C_OTEL_SPOOL_DIR: spool,
    } });
    assert.equal(r.code, 0, r.stderr);
    // the situation: one request went out and hangs; the rest never left the process
    assert.equal(rx.requests.length, 1, `${rx.requests.length} requests`);
    assert.equal(r.stats.export_requests, 1, JSON.stringify(r.stats));
    assert.equal(r.stats.accepted, LANE_N, JSON.stringify(r.stats));
    assert.equal(r.stats.spooled, LANE_N, JSON.stringify(r.stats));
    zeroDrops(r.stats, 'at the deadline');
    const entries = readSpool(spool, /^record (\d+)$/).flatMap((f) => f.entries);
    assert.deepEqual(entries.flatMap((e) => e.ids), [...Array(LANE_N).keys()], 'the spool does not hold ids 0..N-1 in order');
    assert.ok(entries.every((e) => e.ids.length >= 1 && e.ids.length <= KILL_BATCH), 'an entry outside 1..maxExportBatchSize records');
  } finally {
    await rx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// (6) A spool that is full: what does not fit is counted dropped_spool_full
// (never silently lost), what fits is kept, and the spool stays within its
// bound. Nobody listens; the shutdown deadline spools what the lanes and
// the queue hold, until maxBytes (its minimum, 64K) is reached.
test('spool full: records beyond LOG4C_OTEL_SPOOL_MAX_BYTES are counted dropped_spool_full, the spool keeps its bound', async () => {
  const dir = scratchDir('otel');
  const spool = path.join(dir, 'spool');
  const port = await freePort(); // nobody listening
  const N = 3000; // ~100 bytes a record on the wire: far more than 64K
  const r = await run(logdemo, ['sized', String(N), '100'], { dir, env: {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_BLRP_MAX_QUEUE_SIZE: String(N),
    LOG4C_OTEL_SHUTDOWN_TIMEOUT: '1000',
    LOG4C_OTEL_SPOOL_DIR: spool,
    LOG4C_OTEL_SPOOL_MAX_BYTES: '64K',
  } });
  assert.equal(r.code, 0, r.stderr);
  const s = r.stats;
  assert.ok(s.spooled > 0, `nothing spooled: ${JSON.stringify(s)}`);
  assert.ok(s.dropped_spool_full > 0, `dropped_spool_full not driven: ${JSON.stringify(s)}`);
  assert.equal(s.accepted, N, JSON.stringify(s));
  const dropped = s.dropped_queue_full + s.dropped_export_failed + s.dropped_rejected + s.dropped_http_error +
    s.dropped_shutdown + s.dropped_config + s.dropped_spool_full;
  assert.equal(s.exported + dropped + s.queued + s.in_flight + s.spooled, s.accepted, `counters: ${JSON.stringify(s)}`);
  let bytes = 0;
  for (const f of spoolFiles(spool)) bytes += fs.statSync(path.join(spool, f)).size;
  assert.ok(bytes <= 64 * 1024, `the spool holds ${bytes} bytes, over its 64K bound`);
  const ids = readSpool(spool, /^sized (\d+) x+$/).flatMap((f) => f.entries).flatMap((e) => e.ids);
  assert.equal(ids.length, s.spooled, 'the spool files hold what `spooled` counts');
});
