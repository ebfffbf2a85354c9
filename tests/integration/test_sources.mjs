// test_sources.mjs - log sources and output capture, decoded by the official
// OpenTelemetry code: platform / gateway / app / captured records with their
// attributes, every edge case of the capture line splitter on a real child,
// TRACEPARENT reaching the child and stamping its lines, a child that never
// exits, descriptors (a pipe, the process's own stderr).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../receiver/receiver.mjs';
import { run, scratchDir, capturedemo, endpointEnv, skipUnder } from './harness.mjs';

const receiver = await startReceiver();
after(() => receiver.close());

async function demo(scenario, args = [], env = {}) {
  receiver.clear();
  receiver.setScript([]);
  const r = await run(capturedemo, [scenario, ...args], { dir: scratchDir('otel'), env: { ...endpointEnv(receiver), ...env } });
  assert.equal(r.code, 0, `capturedemo ${scenario} failed: ${r.stderr}`);
  assert.equal(r.init, 0);
  return r;
}

const byBody = (recs, body) => {
  const found = recs.filter((x) => x.body === body);
  assert.equal(found.length, 1, `expected one record "${body}", got ${found.length}`);
  return found[0];
};
const line = (r, key) => r.lines.find((o) => key in o);

test('each source is classified and carries its attributes', async () => {
  const r = await demo('sources');
  const recs = receiver.records();

  const plat = byBody(recs, 'platform entry');
  assert.equal(plat.attributes['log.source'], 'platform');
  assert.equal(plat.attributes['app.name'], undefined);
  for (const b of ['gateway entry', 'gateway conn entry']) assert.equal(byBody(recs, b).attributes['log.source'], 'gateway');

  const direct = byBody(recs, 'direct app entry');
  assert.equal(direct.scope, 'app.direct.sub');
  assert.equal(direct.attributes['log.source'], 'app');
  assert.equal(direct.attributes['app.name'], 'direct');

  // the app API: category app.<name>, message taken literally, typed attributes,
  // and a caller's attribute cannot override app.name; duplicate keys are dropped
  assert.equal(line(r, 'app_log').app_log, 0);
  const app = byBody(recs, 'app says %s literally');
  assert.equal(app.scope, 'app.mail');
  assert.equal(app.severityText, 'WARN');
  assert.equal(app.attributes['log.source'], 'app');
  assert.equal(app.attributes['app.name'], 'mail');
  assert.equal(app.attributes['app.instance'], 'inst-7');
  assert.equal(app.attributes.user, 'bob');
  assert.equal(app.attributes.count, '3');
  assert.equal(app.attributeTypes.count, 'intValue');
  assert.equal(app.attributes.ratio, 0.5);
  assert.equal(app.attributes.ok, true);
  assert.match(app.attributes['thread.id'], /^\d+$/);
  assert.equal(app.attributes['code.file.path'], undefined, 'an app entry has no C location');

  const dotted = byBody(recs, 'dotted');
  assert.equal(dotted.scope, 'app.my_dotted_app', 'a dotted name must stay one category level');
  assert.equal(dotted.attributes['app.name'], 'my.dotted.app');
  assert.equal(dotted.attributes['app.instance'], undefined);
  assert.deepEqual(line(r, 'app_log_einval').app_log_einval, [-6, -6, -6]);

  const pid = String(line(r, 'pid_child').pid_child);
  const out = byBody(recs, 'hello from child');
  const err = byBody(recs, 'oops from child');
  for (const [rec, stream, sev] of [[out, 'stdout', 'INFO'], [err, 'stderr', 'ERROR']]) {
    assert.equal(rec.scope, 'captured.worker');
    assert.equal(rec.severityText, sev);
    assert.equal(rec.attributes['log.source'], 'captured');
    assert.equal(rec.attributes['log.iostream'], stream);
    assert.equal(rec.attributes['process.pid'], pid);
    assert.equal(rec.attributeTypes['process.pid'], 'intValue');
    assert.equal(rec.attributes['app.name'], 'worker');
    assert.equal(rec.attributes['app.instance'], 'w-1');
  }
  const exit = byBody(recs, `process ${pid} exited with status 0`);
  assert.equal(exit.severityText, 'INFO');
  assert.equal(exit.attributes['process.exit.code'], '0');
  assert.equal(exit.attributes['log.iostream'], undefined);
  // no duplicate keys anywhere (the receiver flags them as issues)
  for (const q of receiver.requests) assert.deepEqual(q.issues, []);
  assert.equal(r.stats.exported, recs.length);
});

test('line splitter edge cases on a real child: CRLF, long lines, binary, interleaving, no final newline, exit status', async () => {
  const r = await demo('edges');
  const recs = receiver.records().filter((x) => x.scope === 'captured.edges');
  const out = recs.filter((x) => x.attributes['log.iostream'] === 'stdout');
  const err = recs.filter((x) => x.attributes['log.iostream'] === 'stderr');
  assert.deepEqual(out.map((x) => x.body), [
    'crlf line',
    'abcdefghij', 'KLMNOPQRST', 'uv',
    'bin\uFFFDary\uFFFD',
    'out two',
    '',
    'no newline', ' at end',
  ]);
  assert.deepEqual(out.map((x) => x.attributes['log.line.part'] ?? null), [null, '1', '2', '3', null, null, null, '1', '2']);
  assert.deepEqual(out.map((x) => x.attributes['log.line.continued'] ?? null), [null, true, true, null, null, null, null, true, null]);
  assert.deepEqual(err.map((x) => [x.body, x.severityText]), [['err one', 'WARN'], ['err two', 'WARN']]);
  assert.ok(out.every((x) => x.severityText === 'INFO'));
  const exit = recs.find((x) => x.attributes['process.exit.code'] !== undefined);
  assert.equal(exit.attributes['process.exit.code'], '3');
  assert.equal(exit.severityText, 'WARN'); // non-zero: the stderr priority
  assert.match(exit.body, /exited with status 3$/);
  const st = line(r, 'edges');
  assert.deepEqual([st.edges, st.exited, st.code], [0, 1, 3]);
});

test("the child gets the caller's trace context as TRACEPARENT/TRACESTATE, and its lines carry the trace id", async () => {
  await demo('trace');
  const recs = receiver.records().filter((x) => x.scope === 'captured.traced');
  const traceId = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';
  const spanId = '1011121314151617';
  assert.equal(byBody(recs, `tp=00-${traceId}-${spanId}-01`).traceId, traceId);
  byBody(recs, 'ts=vendor=abc');
  byBody(recs, 'keep=kept');
  for (const rec of recs) {
    assert.equal(rec.traceId, traceId);
    assert.equal(rec.spanId, spanId);
    assert.equal(rec.flags, 1);
  }
});

test('a child that closes its output and never exits: wait times out, kill ends it, the signal is recorded', async () => {
  const r = await demo('hang');
  const res = line(r, 'first_wait');
  assert.deepEqual([res.spawn, res.first_wait, res.kill, res.kill_after], [0, -4, 0, -5]); // ETIMEDOUT, OK, ESTATE
  const st = line(r, 'hang');
  assert.deepEqual([st.hang, st.signaled, st.signal], [0, 1, 15]);
  const recs = receiver.records().filter((x) => x.scope === 'captured.hang');
  assert.deepEqual(recs.map((x) => x.body).slice(0, 1), ['before close']);
  const exit = recs.at(-1);
  assert.match(exit.body, /killed by signal 15 \(SIGTERM\)$/);
  assert.equal(exit.attributes['process.exit.signal'], '15');
  assert.equal(exit.severityText, 'ERROR');
});

test('an existing descriptor (a pipe) and the process\'s own stderr are captured', async () => {
  let r = await demo('fd');
  assert.deepEqual([line(r, 'fd').fd, line(r, 'fd').wait, line(r, 'fd').status, line(r, 'fd').pid], [0, 0, -1, 0]);
  let recs = receiver.records();
  assert.deepEqual(recs.map((x) => x.body), ['fd line 1', 'fd line 2', 'partial']);
  assert.ok(recs.every((x) => x.scope === 'captured.pipe' && x.attributes['log.iostream'] === 'custom'));
  assert.ok(recs.every((x) => x.attributes['process.pid'] === undefined));

  r = await demo('stderr');
  assert.equal(line(r, 'stderr_capture').wait, 0);
  assert.match(r.stderr, /written to my stderr/, 'the tee did not reach the original stderr');
  recs = receiver.records();
  const rec = byBody(recs, 'written to my stderr');
  assert.equal(rec.scope, 'captured.self');
  assert.equal(rec.attributes['log.iostream'], 'stderr');
  assert.equal(rec.severityText, 'ERROR');
});

test('a program that does not exist: LOG4C_OTEL_ESPAWN with errno ENOENT, nothing started', { skip: skipUnder('spawn-error') }, async () => {
  const r = await demo('notfound');
  assert.deepEqual(line(r, 'notfound'), { notfound: -10, enoent: 1, null_out: 1 });
});

test('a fast child on both streams: every line once, in order per stream', async () => {
  const n = 3000;
  const r = await demo('many', [String(n)], { OTEL_BLRP_MAX_QUEUE_SIZE: '100000' });
  const recs = receiver.records().filter((x) => x.scope === 'captured.many');
  const out = recs.filter((x) => x.attributes['log.iostream'] === 'stdout').map((x) => x.body);
  const err = recs.filter((x) => x.attributes['log.iostream'] === 'stderr').map((x) => x.body);
  assert.deepEqual(out, Array.from({ length: n }, (_, i) => `out ${i}`));
  assert.deepEqual(err, Array.from({ length: n }, (_, i) => `err ${i}`));
  assert.equal(line(r, 'many').code, 0);
});
