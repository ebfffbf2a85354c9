// test_tracing.mjs - spans through the real log4c and the real receiver:
// records inside nested spans carry the right ids (decoded by the official
// OpenTelemetry code), records after the span ends carry none, the traces
// line routed to otel is correlated with its span; trace filters merged and
// matched on the spans' filtering context; the crash-safe file
// survives SIGKILL at random moments (several processes, load and a full
// disk: test_crash_lines.mjs); rotation under 8 writer threads.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startReceiver } from '../receiver/receiver.mjs';
import { run, builddir, endpointEnv, command, baseEnv, tracingDir, TRACES_LINE } from './harness.mjs';

const spandemo = path.join(builddir, 'tests/integration/spandemo');
const receiver = await startReceiver();
after(() => receiver.close());

const LINE = TRACES_LINE;

test('records inside nested spans carry their ids; the traces lines go to the file and, correlated, to otel', async () => {
  receiver.clear();
  const dir = tracingDir('otel');
  const r = await run(spandemo, ['nested'], { dir, env: endpointEnv(receiver) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.init, 0);
  const ids = r.lines.find((o) => 'outer' in o);
  const [outerTrace, outerSpan] = ids.outer.split('-');
  const [innerTrace, innerSpan] = ids.inner.split('-');
  const [remoteTrace, remoteSpan] = ids.remote.split('-');
  assert.equal(innerTrace, outerTrace);
  assert.notEqual(innerSpan, outerSpan);
  assert.equal(ids.traceparent_in_inner, `00-${innerTrace}-${innerSpan}-01`);
  assert.equal(ids.none, -9); // LOG4C_OTEL_ENOCONTEXT after the last span ended
  assert.equal(remoteTrace, '0af7651916cd43dd8448eb211c80319c');

  const recs = receiver.records();
  const byBody = (b) => {
    const found = recs.filter((x) => x.body === b);
    assert.equal(found.length, 1, `record "${b}"`);
    return found[0];
  };
  const expectCtx = (body, traceId, spanId, flags) => {
    const rec = byBody(body);
    assert.equal(rec.traceId, traceId, `${body}: traceId`);
    assert.equal(rec.spanId, spanId, `${body}: spanId`);
    assert.equal(rec.flags, flags, `${body}: flags`);
  };
  expectCtx('before', '', '', 0);
  expectCtx('in outer', outerTrace, outerSpan, 1);
  expectCtx('in inner', innerTrace, innerSpan, 1);
  expectCtx('back in outer', outerTrace, outerSpan, 1);
  expectCtx('after', '', '', 0);
  expectCtx('in remote child', remoteTrace, remoteSpan, 1);
  expectCtx('attached', '11111111111111111111111111111111', '2222222222222222', 0);
  expectCtx('detached', '', '', 0);

  // the traces lines: in the file, and as records of scope "traces" correlated with their span
  const fileLines = fs.readFileSync(path.join(dir, 'traces.log'), 'utf8').split('\n');
  assert.equal(fileLines.pop(), '');
  assert.equal(fileLines.length, 3);
  const traceRecs = recs.filter((x) => x.scope === 'traces');
  assert.deepEqual(traceRecs.map((x) => x.body).sort(), [...fileLines].sort());
  const expected = [
    [innerTrace, innerSpan, outerSpan, 'db_query', '2',
      { rows: 3, ratio: 0.25, cached: false, sql: 'select "x" from t\n', 'otel.status_description': 'timeout' }],
    [outerTrace, outerSpan, '0000000000000000', 'checkout', '1', { user: 'alice' }],
    [remoteTrace, remoteSpan, 'b7ad6b7169203331', 'remote.child', '0', {}],
  ];
  expected.forEach(([t, s, p, name, status, attrs], i) => {
    const m = LINE.exec(fileLines[i]);
    assert.ok(m, `line ${fileLines[i]}`);
    assert.deepEqual([m[1], m[2], m[3], m[4], m[5]], [t, s, p, name, status]);
    assert.ok(Number(m[6]) >= 0 && Number(m[6]) < 5000);
    assert.deepEqual(JSON.parse(m[7]), attrs);
    const rec = byBody(fileLines[i]);
    assert.equal(rec.severityText, 'INFO');
    assert.equal(rec.traceId, t, 'the traces record belongs to the span that ended');
    assert.equal(rec.spanId, s);
    assert.equal(rec.flags, 1);
  });
});

test('additivity="false" keeps the traces lines out of otel; LOG4C_OTEL_TRACES_CATEGORY renames the category', async () => {
  receiver.clear();
  let dir = tracingDir('otel', { additivity: false });
  let r = await run(spandemo, ['nested'], { dir, env: endpointEnv(receiver) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(receiver.records().filter((x) => x.scope === 'traces').length, 0);
  assert.equal(fs.readFileSync(path.join(dir, 'traces.log'), 'utf8').split('\n').length, 4);

  receiver.clear();
  dir = tracingDir('otel');
  r = await run(spandemo, ['nested'], { dir, env: { ...endpointEnv(receiver), LOG4C_OTEL_TRACES_CATEGORY: 'app.spans' } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!fs.existsSync(path.join(dir, 'traces.log')) || fs.readFileSync(path.join(dir, 'traces.log'), 'utf8') === '');
  const spans = receiver.records().filter((x) => x.scope === 'app.spans');
  assert.equal(spans.length, 3);
  assert.ok(spans.every((x) => LINE.test(x.body)));
});

test('trace filters match the filtering context: the spans of app "other" are suppressed, the others logged', async () => {
  receiver.clear();
  const dir = tracingDir('otel');
  const config = path.join(dir, 'log4c-otel.json');
  fs.writeFileSync(config, JSON.stringify({
    logs: {},
    traces: {
      filters: [
        { source: 'ws', context: { app: 'other' }, log: false },
        { source: 'num', context: { tenant: 7 }, log: false },
        { source: 'svc', context: { 'service.name': 'filter-svc' }, enabled: false },
        { source: 'ws', minDurationMs: 0 },
      ],
    },
  }));
  const r = await run(spandemo, ['filtercontext'], {
    dir,
    env: { ...endpointEnv(receiver), LOG4C_OTEL_CONFIG: config, OTEL_SERVICE_NAME: 'filter-svc' },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.init, 0);
  assert.deepEqual(r.lines.find((o) => 'einval' in o).einval, [-6, -6]);
  const names = fs.readFileSync(path.join(dir, 'traces.log'), 'utf8').split('\n').filter(Boolean)
    .map((l) => LINE.exec(l)[4]);
  // ws.other and ws.inherited (app "other", its own or its parent's), num.seven
  // (7 equals 7, "7" does not) and svc.op (service.name) write no line
  assert.deepEqual(names, ['ws.mine', 'request', 'ws.nocontext', 'num.string']);
});

/** Reads a file and its numbered backups, oldest first. */
function readAll(dir, name) {
  const files = fs.readdirSync(dir).filter((f) => f === name || f.startsWith(`${name}.`));
  const num = (f) => (f === name ? 0 : Number(f.slice(name.length + 1)));
  files.sort((a, b) => num(b) - num(a));
  return files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/** Spawns the crash child, kills it delayMs after it has reported minEnded
 * ended spans, resolves to what it reported. */
function runAndKill(dir, env, delayMs, minEnded = 0) {
  return new Promise((resolve, reject) => {
    const c = command(spandemo, ['crash', '4'], { ...baseEnv(), LOG4C_RCPATH: dir, HOME: dir, ...env });
    const child = spawn(c.file, c.args, { cwd: dir, env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    // start the clock once the child is initialised (it prints {"init":...} first)
    let armed = false;
    child.stdout.on('data', () => {
      if (!armed && out.includes('\n') && (out.match(/^E /gm) || []).length >= minEnded) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

test('crash safety: SIGKILL at random moments never loses an ended span; only a line not yet ended may be cut', async () => {
  const RUNS = 60;
  let reported = 0;
  let sawRotation = false;
  let tornLast = 0;
  const t0 = performance.now();
  for (let run_ = 0; run_ < RUNS; run_++) {
    const dir = tracingDir('stderr', { additivity: false });
    // every other run rotates small files, so that kills also land during rotations
    const rotate = run_ % 2 === 1;
    const env = rotate ? { LOG4C_OTEL_LINE_FILE_MAX_SIZE: '16K', LOG4C_OTEL_LINE_FILE_BACKUPS: '10000' } : {};
    const delay = 2 + Math.floor(Math.random() * 60);
    // a rotating run is killed only after it wrote more than a file's worth
    // (~100 bytes a line), so that it rotates also on a slow, loaded machine
    const r = await runAndKill(dir, env, delay, rotate ? 250 : 0);
    assert.equal(r.signal, 'SIGKILL', `run ${run_}: ${r.err}`);
    const ended = r.out.split('\n').filter((l) => l.startsWith('E ')).map((l) => l.slice(2));
    const contents = readAll(dir, 'traces.log');
    if (contents.length > 1) sawRotation = true;
    const all = contents.join('');
    const lines = all.split('\n');
    const last = lines.pop(); // '' when the file ends with a newline
    const seen = new Set();
    for (const l of lines) {
      const m = LINE.exec(l);
      assert.ok(m, `run ${run_}: torn or malformed line: ${JSON.stringify(l)}`);
      JSON.parse(m[7]);
      const key = `${m[1]}-${m[2]}`;
      assert.ok(!seen.has(key), `run ${run_}: line twice: ${l}`);
      seen.add(key);
    }
    // only the very last line may be incomplete: cut by the kill in the
    // middle of its write(2), so the beginning of a line whose end() had not
    // returned, and nothing glued on (docs/OPERATIONS.md, "Crash-safe lines")
    if (last !== '') {
      tornLast++;
      assert.match(last, /^[0-9a-f]/, `run ${run_}: not the beginning of a line: ${JSON.stringify(last)}`);
      assert.ok(![...last.matchAll(/[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{16} /g)].some((m) => m.index > 0),
        `run ${run_}: a line glued onto a cut one: ${JSON.stringify(last)}`);
      const cutId = /^([0-9a-f]{32})-([0-9a-f]{16})-/.exec(last);
      assert.ok(!cutId || !ended.includes(`${cutId[1]}-${cutId[2]}`), `run ${run_}: span ${cutId?.[1]} ended but its line is cut`);
    }
    for (const id of ended) assert.ok(seen.has(id), `run ${run_} (${delay} ms): span ${id} ended but its line is missing`);
    reported += ended.length;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ms = performance.now() - t0;
  assert.ok(reported > RUNS * 10, `only ${reported} spans ended in ${RUNS} runs: the test proves little`);
  assert.ok(sawRotation, 'no run rotated');
  console.log(`# crash: ${RUNS} runs, ${reported} ended spans checked, ${tornLast} torn last lines, ${Math.round(ms)} ms`);
});

test('rotation under 8 writer threads through log4c: every line exactly once, none split', async () => {
  const dir = tracingDir('stderr', { additivity: false });
  const T = 8;
  const N = 3000;
  const r = await run(spandemo, ['spans', String(T), String(N)], {
    dir,
    // the older spellings of the LOG4C_OTEL_LINE_FILE_* variables still work
    env: { LOG4C_OTEL_FILE_APPENDER_MAX_SIZE: '32K', LOG4C_OTEL_FILE_APPENDER_BACKUPS: '10000' },
  });
  assert.equal(r.code, 0, r.stderr);
  const files = readAll(dir, 'traces.log');
  assert.ok(files.length > 20, `only ${files.length} files: rotation not exercised`);
  const seen = new Set();
  for (const content of files) {
    assert.ok(Buffer.byteLength(content) <= 32 * 1024, 'a file exceeds maxLogSize');
    assert.ok(content.endsWith('\n'));
    for (const l of content.slice(0, -1).split('\n')) {
      const m = LINE.exec(l);
      assert.ok(m, `torn line ${JSON.stringify(l)}`);
      const { t, i } = JSON.parse(m[7]);
      const key = `${t}/${i}`;
      assert.ok(!seen.has(key), `line twice: ${key}`);
      seen.add(key);
    }
  }
  assert.equal(seen.size, T * N);
  fs.rmSync(dir, { recursive: true, force: true });
});
