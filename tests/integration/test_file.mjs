// test_file.mjs - the file exporter, read back through the official
// decoder's OTLP/JSON path: the no-endpoint default (where, mode 0600), the
// same records as over HTTP when both run, rotation keeping every record
// exactly once (plain and gzip backups).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startReceiver, normalizeRequest } from '../receiver/receiver.mjs';
import { decodeLogsJson } from '../receiver/otlp-json.mjs';
import { run, scratchDir, logdemo, endpointEnv } from './harness.mjs';

const receiver = await startReceiver();
after(() => receiver.close());

/** The records of an OTLP/JSON lines file (gzipped or not), flattened like receiver.records(). */
function fileRecords(file) {
  let text = fs.readFileSync(file);
  if (file.endsWith('.gz')) text = zlib.gunzipSync(text);
  text = text.toString('utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${file}: last line incomplete`);
  const out = [];
  for (const l of text.split('\n').filter((x) => x !== '')) {
    const { message, issues } = decodeLogsJson(l);
    assert.deepEqual(issues, [], `${file}: not OTLP/JSON as the spec says`);
    const norm = normalizeRequest(message, issues);
    assert.deepEqual(issues, []);
    for (const rl of norm.resourceLogs)
      for (const sl of rl.scopeLogs)
        for (const lr of sl.logRecords)
          out.push({ ...lr, scope: sl.scope.name, scopeVersion: sl.scope.version, resource: rl.resource.attributes });
  }
  return out;
}

const LEVELS = ['FATAL', 'ALERT', 'CRIT', 'ERROR', 'WARN', 'NOTICE', 'INFO', 'DEBUG', 'TRACE'];

test('no endpoint configured: OTLP/JSON lines in the default file (mode 0600), where is said once', async () => {
  const dir = scratchDir('otel');
  const r = await run(logdemo, ['priorities'], { dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.init, 0);
  const file = path.join(dir, '.local/state/log4c-otel/logdemo.jsonl'); // the harness sets HOME=dir
  assert.match(r.stderr, new RegExp(`no OTLP endpoint configured: writing OTLP/JSON lines to ${file.replace(/[.]/g, '\\.')}`));
  assert.equal(r.stderr.split('writing OTLP/JSON lines').length, 2, 'said more than once');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  const recs = fileRecords(file);
  assert.deepEqual(recs.map((x) => [x.severityText, x.body]), LEVELS.map((n) => [n, `priority ${n}`]));
  assert.equal(recs[0].resource['service.name'], 'logdemo');
  assert.equal(r.stats.exported, 9);

  // XDG_STATE_HOME wins; OTEL_SERVICE_NAME names the file
  const dir2 = scratchDir('otel');
  const r2 = await run(logdemo, ['count', '2'], { dir: dir2, env: { XDG_STATE_HOME: path.join(dir2, 'st'), OTEL_SERVICE_NAME: 'orders' } });
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(fileRecords(path.join(dir2, 'st/log4c-otel/orders.jsonl')).map((x) => x.body), ['record 0', 'record 1']);
});

test('HTTP and file together: the file holds exactly what the collector got', async () => {
  receiver.clear();
  receiver.setScript([]);
  const dir = scratchDir('otel');
  const file = path.join(dir, 'copy.jsonl');
  const r = await run(logdemo, ['bodies'], { dir, env: { ...endpointEnv(receiver), LOG4C_OTEL_JSON_FILE: file } });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /no OTLP endpoint/);
  const http = receiver.records().map(({ requestIndex, ...rest }) => rest);
  const fromFile = fileRecords(file);
  assert.equal(fromFile.length, 6);
  assert.deepEqual(fromFile, http);
  assert.equal(r.stats.exported, 6);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

test('the collector down: the file still gets everything; counters follow HTTP', async () => {
  const dir = scratchDir('otel');
  const file = path.join(dir, 'copy.jsonl');
  const r = await run(logdemo, ['count', '5'], {
    dir,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', LOG4C_OTEL_JSON_FILE: file, LOG4C_OTEL_SHUTDOWN_TIMEOUT: '500' },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fileRecords(file).map((x) => x.body), ['record 0', 'record 1', 'record 2', 'record 3', 'record 4']);
  assert.equal(r.stats.exported, 0);
});

test('LOG4C_OTEL_JSON_FILE=none with no endpoint: HTTP to localhost:4318, no file', async () => {
  const dir = scratchDir('otel');
  const r = await run(logdemo, ['count', '1'], { dir, env: { LOG4C_OTEL_JSON_FILE: 'none', LOG4C_OTEL_SHUTDOWN_TIMEOUT: '300' } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!fs.existsSync(path.join(dir, '.local')));
});

for (const gzip of [false, true]) {
  test(`rotation keeps every record exactly once${gzip ? ' (gzip backups)' : ''}`, async () => {
    const dir = scratchDir('otel');
    const file = path.join(dir, 'rot.jsonl');
    const n = 600;
    const r = await run(logdemo, ['count', String(n)], {
      dir,
      env: {
        LOG4C_OTEL_JSON_FILE: file,
        LOG4C_OTEL_JSON_FILE_MAX_SIZE: '8K',
        LOG4C_OTEL_JSON_FILE_BACKUPS: '1000',
        LOG4C_OTEL_JSON_FILE_GZIP: gzip ? 'true' : 'false',
        OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '7',
      },
    });
    assert.equal(r.code, 0, r.stderr);
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('rot.jsonl'));
    assert.ok(files.length > 5, `only ${files.length} files: no rotation`);
    for (const f of files) {
      const st = fs.statSync(path.join(dir, f));
      assert.equal(st.mode & 0o777, 0o600, f);
      if (f === 'rot.jsonl' || !gzip) assert.ok(st.size <= 8192, `${f} is ${st.size} bytes`);
      if (f !== 'rot.jsonl') assert.equal(f.endsWith('.gz'), gzip, f);
    }
    const seen = new Map();
    for (const f of files) for (const rec of fileRecords(path.join(dir, f))) seen.set(rec.body, (seen.get(rec.body) ?? 0) + 1);
    for (let i = 0; i < n; i++) assert.equal(seen.get(`record ${i}`), 1, `record ${i}`);
    assert.equal(seen.size, n);
    assert.equal(r.stats.exported, n);
  });
}

// with the older spellings of the LOG4C_OTEL_JSON_FILE* variables, which still work
test('backups are bounded: the oldest files go, the newest records stay', async () => {
  const dir = scratchDir('otel');
  const file = path.join(dir, 'b.jsonl');
  const r = await run(logdemo, ['count', '400'], {
    dir,
    env: { LOG4C_OTEL_FILE: file, LOG4C_OTEL_FILE_MAX_SIZE: '4096', LOG4C_OTEL_FILE_BACKUPS: '2', OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '5' },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('b.jsonl')).sort(), ['b.jsonl', 'b.jsonl.1', 'b.jsonl.2']);
  const bodies = ['b.jsonl.2', 'b.jsonl.1', 'b.jsonl'].flatMap((f) => fileRecords(path.join(dir, f)).map((x) => x.body));
  const idx = bodies.map((b) => Number(b.split(' ')[1]));
  assert.equal(idx.at(-1), 399);
  idx.forEach((v, i) => i && assert.equal(v, idx[i - 1] + 1, 'a gap or a repeat in the kept records'));
});
