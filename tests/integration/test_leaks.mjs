// test_leaks.mjs - the leak matrix: real programs through real log4c, every
// sink the library writes to (OTLP protobuf and JSON on the wire, gzip
// undone; the OTLP/JSON file; the spool files; the traces file and its OTLP
// copy; an otel_file line appender on an ordinary category; a stream
// appender with the otel_redact layout; log4c-otel-run --tee; stderr
// diagnostics) x secret shapes
// (leakdemo.c: password=, Bearer with a tab and a space, a JWT, card digits,
// a key split by invalid UTF-8) x situations (a valid configuration, each
// kind of configuration error, pre-init) x sizes (1 byte to past 1 MiB,
// log4c's layout cut points, the body limit, values over 4096 bytes).
//
// Every cell greps the raw bytes for the secrets and, where the
// configuration is valid, also finds the masked entry, so a sink that
// writes nothing does not pass by accident.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startReceiver } from '../receiver/receiver.mjs';
import { startGrpcReceiver } from '../receiver/grpc-receiver.mjs';
import { run, builddir, scratchDir, freePort, otelRun } from './harness.mjs';

const leakdemo = path.join(builddir, 'tests/integration/leakdemo');
const receiver = await startReceiver();
after(() => receiver.close());

const SHAPES = ['pw', 'tab', 'space', 'jwt', 'card', 'utf8'];
// every secret of leakdemo.c holds SECRET or the card's digits
const SECRET = /SECRET|4929123456781234|92912345|56781234|Pw0|Tk0|Tk1|AK\xff|AK\uFFFD/;
const HIDE = 'password=\\S+|[Bb]earer\\s+\\S+|eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+|\\b\\d{16}\\b|apikey=\\S+';
// resource attributes from the configuration carry secrets in a key and a value
const RESOURCE = { 'deploy password=Pw0SECRETr1': 'x', 'deploy.auth': 'Bearer Tk0SECRETr2' };
const VALID = JSON.stringify({ logs: { defaults: { hideRegex: HIDE }, additionalResourceAttributes: RESOURCE } });

// log4c routes leak.f to an otel_file, its parent leak to a stream with the
// otel_redact layout, root to otel; the traces lines (category traces.raw)
// to a stream with log4c's own basic layout, which masks nothing (so the
// line itself must hold no secret), then (additivity) to an otel_file and otel
const LOG4CRC = `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE log4c SYSTEM "">
<log4c version="1.2.4">
  <config><bufsize>0</bufsize><debug level="0"/><nocleanup>0</nocleanup></config>
  <layout name="otel_redact" type="otel_redact"/>
  <appender name="lines.log" type="otel_file"/>
  <appender name="redact.log" type="stream" layout="otel_redact"/>
  <appender name="traces.log" type="otel_file"/>
  <appender name="traces_raw.log" type="stream" layout="basic"/>
  <category name="root" priority="trace" appender="otel"/>
  <category name="leak" priority="trace" appender="redact.log"/>
  <category name="leak.f" priority="trace" appender="lines.log"/>
  <category name="traces" priority="info" appender="traces.log"/>
  <category name="traces.raw" priority="info" appender="traces_raw.log"/>
</log4c>
`;

function leakDir() {
  const dir = scratchDir(null);
  fs.writeFileSync(path.join(dir, 'log4crc'), LOG4CRC);
  return dir;
}

/** Every file under dir (recursively), but the log4crc and the configuration (app.json): [name, Buffer]. */
function filesOf(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || e.name === 'log4crc' || e.name === 'app.json') continue;
    const p = path.join(e.parentPath ?? e.path, e.name);
    out.push([path.relative(dir, p), fs.readFileSync(p)]);
  }
  return out;
}

/** Asserts no secret in any raw byte of what the run left: files, stdout,
 * stderr and every request the receiver got (gzip undone). */
function assertNoSecret(dir, r, what) {
  const where = [
    ...filesOf(dir),
    ['stdout', Buffer.from(r.stdout)],
    ['stderr (diagnostics)', Buffer.from(r.stderr)],
    ...receiver.requests.map((q, i) => [`request ${i} (${q.encoding || 'identity'})`, q.plainBody ?? q.rawBody ?? Buffer.alloc(0)]),
  ];
  for (const [name, buf] of where) {
    const text = buf.toString('latin1');
    const m = SECRET.exec(text);
    assert.ok(!m, `${what}: a secret in ${name} at ${m?.index}: ${JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 60), (m?.index ?? 0) + 40))}`);
  }
}

const read = (dir, name) => (fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), 'latin1') : '');

/** For a valid configuration: every sink holds each masked entry. */
function assertMaskedPresent(dir, sizes, { wire = true, tag = 'M' } = {}) {
  const lines = read(dir, 'lines.log');
  const redact = read(dir, 'redact.log');
  const traces = read(dir, 'traces.log');
  const bodies = wire ? receiver.records().map((x) => String(x.body)) : [];
  for (const size of sizes) {
    for (const shape of SHAPES) {
      const head = `${tag}${size}-${shape} *`;
      assert.ok(lines.split('\n').some((l) => l.startsWith(head)), `otel_file: no masked "${head}" line`);
      assert.ok(redact.includes(`leak.f - ${head}`), `otel_redact layout: no masked "${head}" line`);
      if (tag === 'M') {
        const span = `S${size}-${shape}_*`;
        assert.ok(traces.split('\n').some((l) => l.includes(` ${span}`)), `traces file: no masked span "${span}"`);
        assert.ok(read(dir, 'traces_raw.log').includes(` ${span}`), `traces line (basic layout): no masked span "${span}"`);
        if (wire) assert.ok(bodies.some((b) => b.includes(` ${span}`)), `OTLP copy of the traces line: no "${span}"`);
      }
      if (wire) assert.ok(bodies.some((b) => b.startsWith(head)), `OTLP: no masked "${head}" record`);
    }
  }
  if (!wire || tag !== 'M') return;
  // the configured resource attributes are masked (key and value)
  const res = receiver.records()[0].resource;
  assert.equal(res['deploy.auth'], '*'.repeat('Bearer Tk0SECRETr2'.length), JSON.stringify(res));
  assert.equal(res[`deploy ${'*'.repeat('password=Pw0SECRETr1'.length)}`], 'x', JSON.stringify(res));
  // attribute keys and values are masked on the wire
  for (const shape of SHAPES) {
    const rec = receiver.records().find((x) => x.body === `R-${shape} attrs`);
    assert.ok(rec, `OTLP: no R-${shape} record`);
    const keys = Object.keys(rec.attributes);
    assert.ok(keys.some((k) => k.startsWith(`k-${shape} *`)), `OTLP: no masked string key: ${keys}`);
    assert.ok(keys.some((k) => k.startsWith(`i-${shape} *`) && rec.attributes[k] === '7'), `OTLP: no masked int key: ${JSON.stringify(rec.attributes)}`);
  }
}

const SIZES_ALL = [1, 40, 511, 512, 1023, 1024, 4095, 4097, 65535, 65537, 1100000];
const SIZES_FEW = [40, 1023, 4097];

async function leakRun(sizes, env) {
  receiver.clear();
  receiver.setScript([]);
  const dir = leakDir();
  const r = await run(leakdemo, sizes.map(String), { dir, env: { LOG4C_OTEL_TRACES_CATEGORY: 'traces.raw', ...env }, timeoutMs: 60000 });
  return { dir, r };
}

test('valid configuration, OTLP/HTTP protobuf: every sink masks every secret at every size', async () => {
  const { dir, r } = await leakRun(SIZES_ALL, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, LEAKDEMO_CONFIG_JSON: VALID, LOG4C_OTEL_BODY_LIMIT: '65536',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.init, 0, r.stderr);
  assertNoSecret(dir, r, 'protobuf');
  assertMaskedPresent(dir, SIZES_ALL);
  assert.equal(r.stats.withheld, 0, JSON.stringify(r.stats));
});

test('valid configuration, OTLP/HTTP JSON with gzip: no secret on the wire', async () => {
  const { dir, r } = await leakRun(SIZES_FEW, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', LEAKDEMO_CONFIG_JSON: VALID,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(receiver.requests.some((q) => q.encoding === 'gzip'), 'nothing was sent gzipped');
  assertNoSecret(dir, r, 'json+gzip');
  assertMaskedPresent(dir, SIZES_FEW);
});

test('valid configuration, no endpoint: the OTLP/JSON file holds no secret', async () => {
  const { dir, r } = await leakRun(SIZES_FEW, { LEAKDEMO_CONFIG_JSON: VALID, LOG4C_OTEL_JSON_FILE: 'otlp.jsonl' });
  assert.equal(r.code, 0, r.stderr);
  const file = read(dir, 'otlp.jsonl');
  assert.ok(file.includes('"M4097-pw *'), 'the OTLP/JSON file holds no masked record');
  assertNoSecret(dir, r, 'OTLP/JSON file');
  assertMaskedPresent(dir, SIZES_FEW, { wire: false });
});

test('valid configuration, collector down: the spool files hold no secret', async () => {
  const port = await freePort();
  const { dir, r } = await leakRun(SIZES_FEW, {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, LEAKDEMO_CONFIG_JSON: VALID,
    LOG4C_OTEL_SPOOL_DIR: 'spool', OTEL_EXPORTER_OTLP_TIMEOUT: '1000', OTEL_BLRP_EXPORT_TIMEOUT: '1000',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stats.spooled > 0, JSON.stringify(r.stats));
  const spool = filesOf(path.join(dir, 'spool')).map(([, b]) => b.toString('latin1')).join('');
  assert.ok(spool.includes('M4097-pw *'), 'the spool holds no masked record');
  assertNoSecret(dir, r, 'spool');
  assertMaskedPresent(dir, SIZES_FEW, { wire: false });
});

test('a collector answer that echoes a record: the diagnostic quoting it is masked', async () => {
  receiver.clear();
  receiver.setScript([{ status: 400, body: 'bad record: password=Pw0SECRETa1 token Bearer Tk0SECRETb1', contentType: 'text/plain' }]);
  const dir = leakDir();
  const r = await run(leakdemo, ['40'], {
    dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, LEAKDEMO_CONFIG_JSON: VALID, LOG4C_OTEL_TRACES_CATEGORY: 'traces.raw' }, timeoutMs: 60000,
  });
  receiver.setScript([]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /HTTP 400, not retried.*bad record: \*{20} token \*{18}/);
  assertNoSecret(dir, r, 'diagnostics');
});

// A collector's text is cut to fit a diagnostic (an excerpt of the body, the
// partial-success message, grpc-message, the line itself): masked first,
// then cut, so no part of a secret a cut ends in shows. The text is cards
// one after another; over three runs each cut falls 9 to 15 digits into
// one of them (phases 0, 6 and 12 of 17), where an unmasked part would
// hold the digits SECRET looks for.
const CARDS = (phase) => `bad record:${'x'.repeat(phase)}${' 4929123456781234'.repeat(40)}`;
const ECHOES = {
  'HTTP 400 body': (t) => ({ http: { status: 400, body: t, contentType: 'text/plain' } }),
  'HTTP partial success': (t) => ({ http: { partialSuccess: { rejectedLogRecords: 1, errorMessage: t } } }),
  'gRPC status message': (t) => ({ grpc: { code: 3, message: t } }),
  'gRPC partial success': (t) => ({ grpc: { partialSuccess: { rejectedLogRecords: 1, errorMessage: t } } }),
};
const grpcReceiver = await startGrpcReceiver();
after(() => grpcReceiver.close());

for (const [kind, answer] of Object.entries(ECHOES)) {
  test(`a collector's ${kind} echoing secrets: masked before any cut`, async () => {
    for (const phase of [0, 6, 12]) {
      const a = answer(CARDS(phase));
      receiver.clear();
      receiver.setScript(a.http ? [a.http] : []);
      grpcReceiver.setScript(a.grpc ? [a.grpc] : []);
      const dir = leakDir();
      const env = a.grpc
        ? { OTEL_EXPORTER_OTLP_ENDPOINT: grpcReceiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }
        : { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
      const r = await run(leakdemo, ['40'], { dir, env: { ...env, LEAKDEMO_CONFIG_JSON: VALID }, timeoutMs: 60000 });
      receiver.setScript([]);
      grpcReceiver.setScript([]);
      assert.equal(r.code, 0, r.stderr);
      // the diagnostic came, quoting the masked text
      assert.match(r.stderr, /bad record:x* \*{16} \*{16}/, `phase ${phase}: ${r.stderr}`);
      assertNoSecret(dir, r, `${kind}, phase ${phase}`);
    }
  });
}

// each kind of configuration error: the otel appender exports nothing, and
// every other sink writes placeholders (counted withheld), never a secret
const ERRORS = {
  'bad regex': { LEAKDEMO_CONFIG_JSON: JSON.stringify({ logs: { defaults: { hideRegex: '(' } } }) },
  'bad JSON': { LEAKDEMO_CONFIG_JSON: '{"logs": {' },
  'wrong type': { LEAKDEMO_CONFIG_JSON: JSON.stringify({ logs: { defaults: { hideRegex: 5 } } }) },
  'bad url': { LEAKDEMO_CONFIG_JSON: JSON.stringify({ logs: { url: 'ftp://127.0.0.1/x', defaults: { hideRegex: HIDE } } }) },
  'bad traces section': { LEAKDEMO_CONFIG_JSON: JSON.stringify({ logs: { defaults: { hideRegex: HIDE } }, traces: { enabled: 'yes' } }) },
  'bad appenders section': {
    LEAKDEMO_CONFIG_JSON: JSON.stringify({ logs: { defaults: { hideRegex: HIDE } }, appenders: { 'lines.log': { backups: 'many' } } }),
  },
  'bad spool size': { LEAKDEMO_CONFIG_JSON: VALID, LOG4C_OTEL_SPOOL_DIR: 'spool', LOG4C_OTEL_SPOOL_MAX_BYTES: 'lots' },
};

for (const [kind, env] of Object.entries(ERRORS)) {
  test(`configuration error (${kind}): every sink fails closed`, async () => {
    const { dir, r } = await leakRun(SIZES_FEW, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env });
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(r.init, 0, `the configuration was accepted: ${r.stderr}`);
    assertNoSecret(dir, r, kind);
    assert.equal(receiver.records().length, 0, 'records were exported');
    // the sinks ran and wrote their placeholders
    assert.match(read(dir, 'lines.log'), /^\[message withheld: no valid log4c-otel configuration\]$/m);
    assert.match(read(dir, 'redact.log'), /leak\.f - \[message withheld/);
    // the traces line withholds every text, and the otel_file it goes to
    // withholds the line too: one placeholder a span
    const traces = read(dir, 'traces.log').split('\n').filter((l) => l);
    assert.equal(traces.length, SIZES_FEW.length * SHAPES.length);
    for (const l of traces) assert.equal(l, '[message withheld: no valid log4c-otel configuration]');
    // the line itself: every text withheld
    assert.match(read(dir, 'traces_raw.log'), / \[withheld\] 2 \d+ \{"\[withheld\]":null,"otel\.status_description":null\}/);
    assert.ok(r.stats.withheld >= 3 * SIZES_FEW.length * SHAPES.length, JSON.stringify(r.stats));
  });
}

test('pre-init: entries logged before log4c_otel_init_with_config() are never masked by another configuration', async () => {
  const { dir, r } = await leakRun(SIZES_FEW, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, LEAKDEMO_CONFIG_JSON: VALID, LEAKDEMO_EARLY: '1',
    LOG4C_OTEL_INIT_WAIT_MS: '60000',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.init, 0, `init_with_config refused: something loaded the configuration first: ${r.stderr}`);
  assertNoSecret(dir, r, 'pre-init');
  // the held records went out under init's configuration
  const bodies = receiver.records().map((x) => String(x.body));
  for (const size of SIZES_FEW)
    for (const shape of SHAPES) assert.ok(bodies.some((b) => b.startsWith(`E${size}-${shape} *`)), `held record E${size}-${shape} not exported masked`);
  // the synchronous sinks withheld what came before any configuration
  assert.match(read(dir, 'lines.log'), /^\[message withheld/m);
  assert.match(read(dir, 'redact.log'), /leak\.f - \[message withheld/);
  assert.equal(r.stats.withheld, 2 * SIZES_FEW.length * SHAPES.length, JSON.stringify(r.stats));
  assertMaskedPresent(dir, SIZES_FEW);
});

// log4c-otel-run --tee: the copy on its own stdout/stderr is masked by the
// captured category's rules, and withheld with no valid rules
const TEE_SCRIPT = "printf 'password=Pw0SECRETa1 out\\nBearer\\tTk0SECRETb1 err\\n' ; { printf 'x%.0s' $(seq 1 5000); printf ' eyJhbGciOiJIUzI1NiJ9.eyJSECRETc1.sigSECRETd1\\n'; } >&2";

for (const [kind, config] of [['valid', VALID], ['bad regex', JSON.stringify({ logs: { defaults: { hideRegex: '(' } } })]]) {
  test(`log4c-otel-run --tee (${kind} configuration): the copy holds no secret`, async () => {
    receiver.clear();
    const dir = scratchDir(null);
    fs.writeFileSync(path.join(dir, 'app.json'), config);
    const r = await run(otelRun, ['--app', 'job', '--config', 'app.json', '--tee', '--', 'sh', '-c', TEE_SCRIPT], {
      dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, timeoutMs: 60000,
    });
    assert.equal(r.code, 0, r.stderr);
    assertNoSecret(dir, r, `--tee, ${kind}`);
    if (kind === 'valid') {
      assert.match(r.stdout, /^\*{20} out$/m);
      assert.match(r.stdout, /^\*+ err$/m);
      assert.match(r.stderr, /^x{5000} \*{44}$/m);
    } else {
      assert.match(r.stdout, /^\[line withheld: no valid log4c-otel configuration\]$/m);
      assert.doesNotMatch(r.stdout, /out$/m);
    }
  });
}
