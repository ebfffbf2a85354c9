// test_config.mjs - the JSON configuration through real log4c programs and
// the official decoder: filters drop and keep, hideRegex masks bodies and
// attributes, allow-lists, per-call and thread attributes, where the file
// is found, fail-closed on an invalid file, the otel_redact layout, and
// the leak test: no secret in the raw bytes of any request (protobuf, JSON,
// gzip) nor in the file log4c's own appender writes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startReceiver } from '../receiver/receiver.mjs';
import { run, scratchDir, logdemo, endpointEnv } from './harness.mjs';

const receiver = await startReceiver();
after(() => receiver.close());

async function demo(scenario, { env = {}, config, dir = scratchDir('otel'), args = [], expectCode = 0 } = {}) {
  receiver.clear();
  receiver.setScript([]);
  if (config !== undefined) fs.writeFileSync(path.join(dir, 'log4c-otel.json'), JSON.stringify(config));
  const r = await run(logdemo, [scenario, ...args], { dir, env: { ...endpointEnv(receiver), ...env } });
  assert.equal(r.code, expectCode, `logdemo ${scenario} failed: ${r.stderr}`);
  return r;
}

const bodies = () => receiver.records().map((r) => r.body);

test('filters: the first matching rule that sets enabled wins, dotted prefix, #regex, severity band, bodyRegex, defaults', async () => {
  const r = await demo('mixed', {
    config: {
      otel: {
        enabled: true,
        logs: {
          enabled: true,
          filters: [
            { categoryName: 'gw', severity: 'DEBUG', enabled: false }, // gw + gw.conn debug, not gwx
            { bodyRegex: 'heart', categoryName: '#^app\\.', enabled: false }, // case-insensitive category
            { severity: 'ERROR', categoryName: 'app.orders', enabled: true }, // ERROR band: ERROR and CRIT
            { categoryName: 'app.orders', enabled: false },
          ],
          defaults: { enabled: true },
        },
      },
    },
  });
  assert.equal(r.init, 0);
  assert.deepEqual(bodies(), ['connected', 'gwx debug', 'order failed', 'crit failure', 'notice with heartbeat']);
  assert.equal(r.stats.filtered, 4);
  assert.equal(r.stats.exported, 5);
});

test('filters decided on the logging thread: repeated categories and priorities keep their own decisions, bodyRegex rules still see every body', async () => {
  // the same rules as above, every record 40 times: from the second round on
  // the (category, priority) decisions come from the logging thread's cache,
  // which must neither mix gw.conn DEBUG (dropped) with gw.conn INFO (kept)
  // nor decide App.Audit/other, whose first matching rule has a bodyRegex
  const repeat = 40;
  const r = await demo('mixed', {
    args: [String(repeat)],
    config: {
      logs: {
        filters: [
          { categoryName: 'gw', severity: 'DEBUG', enabled: false },
          { bodyRegex: 'heart', categoryName: '#^app\\.', enabled: false },
          { severity: 'ERROR', categoryName: 'app.orders', enabled: true },
          { categoryName: 'app.orders', enabled: false },
        ],
      },
    },
  });
  const once = ['connected', 'gwx debug', 'order failed', 'crit failure', 'notice with heartbeat'];
  // (a request groups records by scope: compare the bodies as a multiset)
  assert.deepEqual(bodies().sort(), Array.from({ length: repeat }, () => once).flat().sort());
  assert.equal(r.stats.filtered, 4 * repeat);
  assert.equal(r.stats.accepted, 5 * repeat);
  assert.equal(r.stats.exported, 5 * repeat);
  assert.equal(r.stats.accepted + r.stats.filtered, 9 * repeat); // every record counted once
});

// One record as compared: body, scope (the category), severity and the
// attributes by key (the library's own reduced to their names).
const own = new Set(['thread.id', 'code.file.path', 'code.line.number', 'code.function.name', 'log.source']);
const shape = (r) => JSON.stringify({
  body: r.body, scope: r.scope, severity: r.severityText,
  attributes: Object.fromEntries(Object.keys(r.attributes).sort().map((k) => [k, own.has(k) ? '(own)' : r.attributes[k]])),
});
const ALL = (drop) => ({ 'code.file.path': '(own)', 'code.function.name': '(own)', 'code.line.number': '(own)', drop: String(drop), keep: 'k', 'log.source': '(own)', 'thread.id': '(own)' });

test('filters merged first-wins: every matching rule gives the options it sets, the first to set one wins', async () => {
  // the example of docs/CONFIGURATION.md: app DEBUG dropped by the second
  // rule (the first sets no `enabled`), app INFO with `keep` only
  const r = await demo('merged', {
    config: { logs: { filters: [{ categoryName: 'app', allowedAttributes: ['keep'] }, { severity: 'DEBUG', enabled: false }] } },
  });
  const got = receiver.records().map(shape).sort();
  const want = [
    { body: 'app info', scope: 'app', severity: 'INFO', attributes: { keep: 'k' } },
    { body: 'sub info 7', scope: 'app.sub', severity: 'INFO', attributes: { keep: 'k' } },
    { body: 'other info', scope: 'other', severity: 'INFO', attributes: ALL(5) },
  ].map((x) => JSON.stringify({ ...x, attributes: Object.fromEntries(Object.entries(x.attributes).sort()) })).sort();
  assert.deepEqual(got, want);
  assert.equal(r.stats.filtered, 4);
  assert.equal(r.stats.exported, 3);
});

test('filters merged first-wins with a bodyRegex rule in the middle: one category and priority decided by the body, every time', async () => {
  // from the second round on, (category, priority) decisions come from the
  // caches: app DEBUG and other DEBUG must keep deciding by the body
  const repeat = 30;
  const r = await demo('merged', {
    args: [String(repeat)],
    config: {
      logs: {
        filters: [
          { categoryName: 'app', allowedAttributes: ['keep'] },
          { bodyRegex: 'urgent', enabled: true, hideRegex: '\\d+' },
          { severity: 'DEBUG', enabled: false },
        ],
      },
    },
  });
  const once = [
    { body: 'app info', scope: 'app', severity: 'INFO', attributes: { keep: 'k' } },
    { body: 'app debug urgent **', scope: 'app', severity: 'DEBUG', attributes: { keep: 'k' } },
    { body: 'sub info 7', scope: 'app.sub', severity: 'INFO', attributes: { keep: 'k' } },
    { body: 'other info', scope: 'other', severity: 'INFO', attributes: ALL(5) },
    { body: 'other debug urgent *', scope: 'other', severity: 'DEBUG', attributes: ALL(6) },
  ].map((x) => JSON.stringify({ ...x, attributes: Object.fromEntries(Object.entries(x.attributes).sort()) }));
  assert.deepEqual(receiver.records().map(shape).sort(), Array.from({ length: repeat }, () => once).flat().sort());
  assert.equal(r.stats.filtered, 2 * repeat);
  assert.equal(r.stats.accepted, 5 * repeat);
  assert.equal(r.stats.exported, 5 * repeat);
});

test('defaults.enabled false drops what no filter keeps; logs.enabled false and OTEL_SDK_DISABLED export nothing', async () => {
  await demo('mixed', { config: { logs: { filters: [{ categoryName: 'gw.conn', enabled: true }], defaults: { enabled: false } } } });
  assert.deepEqual(bodies(), ['heartbeat 1', 'connected']);
  // a filter that leaves `enabled` out takes it from defaults (docs/CONFIGURATION.md)
  await demo('mixed', { config: { logs: { filters: [{ categoryName: 'gw.conn' }], defaults: { enabled: false } } } });
  assert.deepEqual(bodies(), []);
  const r = await demo('mixed', { config: { otel: { enabled: true, logs: { enabled: false } } } });
  assert.equal(receiver.requests.length, 0);
  // OTEL_SDK_DISABLED=true: the same, whatever the configuration says
  const off = await demo('count', { args: ['5'], env: { OTEL_SDK_DISABLED: 'TRUE' }, config: { logs: { enabled: true } } });
  assert.equal(off.init, 0);
  assert.equal(receiver.requests.length, 0);
  assert.equal(off.stats.filtered, 5);
  assert.equal(off.stats.accepted, 0);
  assert.equal(r.stats.filtered, 9);
  assert.equal(r.stats.accepted, 0);
});

test('hideRegex masks body and attributes as decoded; allow-list; per-call, context and additional attributes', async () => {
  const r = await demo('attrs', {
    config: {
      additionalAttributes: { 'deployment.env': 'prod', region: '%REGION?eu-west%', gone: '%NOT_SET_ANYWHERE%' },
      defaults: { hideRegex: 'o-\\d|r-4' },
    },
  });
  assert.match(r.stderr, /environment variable NOT_SET_ANYWHERE is not set/);
  const [first, plain, cleared] = receiver.records();
  assert.equal(first.body, 'order *** paid');
  assert.equal(first.attributes['order.id'], '***');
  assert.equal(first.attributes['request.id'], '***2');
  assert.equal(first.attributes.items, '-3');
  assert.equal(first.attributeTypes.items, 'intValue');
  assert.equal(first.attributes.amount, 12.5);
  assert.equal(first.attributes.paid, true);
  assert.equal(first.attributes.tenant, '8'); // per-call beats the thread context
  assert.equal(first.attributes['deployment.env'], 'prod');
  assert.equal(first.attributes.region, 'eu-west');
  assert.equal('gone' in first.attributes, false);
  assert.match(first.attributes['code.file.path'], /logdemo\.c$/);
  assert.equal(first.attributes['code.function.name'], 'attrs');
  assert.match(first.attributes['code.line.number'], /^\d+$/);
  assert.equal(plain.attributes.tenant, undefined);
  assert.equal(plain.attributes['request.id'], '***2');
  assert.equal(cleared.attributes['request.id'], undefined);
  assert.deepEqual(r.lines.find((l) => 'bad_attr' in l), { bad_attr: -6, bad_put: -6 });

  await demo('attrs', { config: { defaults: { allowedAttributes: ['order.id', 'deployment.env'] }, additionalAttributes: { 'deployment.env': 'prod', x: 1 } } });
  const [a] = receiver.records();
  assert.deepEqual(Object.keys(a.attributes).sort(), ['deployment.env', 'order.id']);
  assert.equal(a.resource['service.name'], 'logdemo'); // resource untouched
});

test('attributeCountLimit: the first attributes kept, the rest counted in droppedAttributesCount (protobuf and JSON)', async () => {
  await demo('attrs');
  const all = Object.keys(receiver.records()[0].attributes).length;
  assert.ok(all > 2, `only ${all} attributes`);
  assert.equal(receiver.records()[0].droppedAttributesCount, 0);
  for (const protocol of ['http/protobuf', 'http/json']) {
    await demo('attrs', {
      env: { OTEL_EXPORTER_OTLP_PROTOCOL: protocol },
      config: { providerSettings: { logRecordLimits: { attributeCountLimit: 2 } } },
    });
    const [first] = receiver.records();
    assert.equal(Object.keys(first.attributes).length, 2, protocol);
    assert.equal(first.droppedAttributesCount, all - 2, protocol);
  }
});

test('config found via LOG4C_OTEL_CONFIG, along LOG4C_RCPATH, and from the C API (which wins)', async () => {
  const elsewhere = scratchDir(null);
  const file = path.join(elsewhere, 'custom.json');
  fs.writeFileSync(file, JSON.stringify({ logs: { defaults: { hideRegex: 'record' } } }));
  await demo('count', { args: ['1'], env: { LOG4C_OTEL_CONFIG: file } });
  assert.deepEqual(bodies(), ['****** 0']);

  const dir = scratchDir('otel');
  fs.writeFileSync(path.join(dir, 'log4c-otel.json'), JSON.stringify({ defaults: { hideRegex: '\\d' } }));
  await demo('count', { args: ['1'], dir, env: { HOME: scratchDir(null) } }); // found via LOG4C_RCPATH
  assert.deepEqual(bodies(), ['record *']);

  await demo('count', { args: ['1'], dir, env: { LOGDEMO_CONFIG_JSON: '{"logs":{"defaults":{"hideRegex":"rec"}}}' } });
  assert.deepEqual(bodies(), ['***ord 0']);
});

test('a searched file: named on stderr (not with LOG4C_OTEL_QUIET), below a set OTEL_* variable, refused when others can write it', async () => {
  const dir = scratchDir('otel');
  const file = path.join(dir, 'log4c-otel.json');
  // the file's url would send nowhere: the set OTEL_EXPORTER_OTLP_ENDPOINT wins over a searched file
  fs.writeFileSync(file, JSON.stringify({ logs: { url: 'http://127.0.0.1:1/v1/logs', defaults: { hideRegex: '\\d' } } }));
  let r = await demo('count', { args: ['1'], dir });
  assert.deepEqual(bodies(), ['record *']);
  const using = r.stderr.split('\n').filter((l) => l.includes('using the configuration file'));
  assert.equal(using.length, 1, r.stderr);
  assert.ok(using[0].includes(file), using[0]);
  r = await demo('count', { args: ['1'], dir, env: { LOG4C_OTEL_QUIET: 'yes' } });
  assert.deepEqual(bodies(), ['record *']);
  assert.ok(!r.stderr.includes('using the configuration file'), r.stderr);
  fs.chmodSync(file, 0o666); // writable by others: refused, with one line, and not applied
  r = await demo('count', { args: ['1'], dir });
  assert.deepEqual(bodies(), ['record 0']);
  const refused = r.stderr.split('\n').filter((l) => l.includes('refused the configuration file'));
  assert.equal(refused.length, 1, r.stderr);
  assert.match(refused[0], /writable by group or others/);
});

test('an invalid configuration: clear error once on stderr, init returns ECONFIG, nothing exported', async () => {
  const dir = scratchDir('otel');
  fs.writeFileSync(path.join(dir, 'log4c-otel.json'), '{\n  "filters": [\n    {"hideRegex": "(unclosed"}\n  ]\n}\n');
  const r = await demo('count', { args: ['5'], dir });
  assert.equal(r.init, -2);
  assert.equal(receiver.requests.length, 0);
  assert.equal(r.stats.dropped_config, 5);
  const lines = r.stderr.split('\n').filter((l) => l.includes('log4c-otel.json') && !l.includes('using the configuration file'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /log4c-otel\.json:3:19: filters\[0\]\.hideRegex: expected a valid regular expression \(JavaScript: missing closing parenthesis/);
  assert.match(lines[0], /will export nothing/);
});

const SECRETS = [
  ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ['eyJhbGciOiJIUzI1NiJ9', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U']],
  ['connecting to postgres://admin:Pa55w0rd!x@db.example.com:5432/prod', ['Pa55w0rd!x', 'admin:']],
  ['aws api_key=AKIAIOSFODNN7EXAMPLE in env', ['AKIAIOSFODNN7EXAMPLE']],
  ['stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc', ['4eC39HqLyjWDarjtT1zdp7dc']],
  ['card 4111 1111 1111 1111 exp 12/30', ['4111 1111 1111 1111', '1111 1111']],
  ['card 5500-0000-0000-0004', ['5500-0000-0000-0004', '0000-0004']],
  ['jwt=eyJ0eXAiOiJKV1QifQ.eyJ1c2VyIjoiYm9iIn0.c2lnbmF0dXJl', ['eyJ0eXAiOiJKV1QifQ', 'c2lnbmF0dXJl']],
  ['password=hunter2 user=bob', ['hunter2']],
  ['passwort=geheimnisÄÖÜ€ ende', ['geheimnis', 'ÄÖÜ€']],
];
const HIDE = [
  '(?i)bearer\\s+\\S+',
  'eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+',
  '://[^/\\s:@]+:[^@\\s]+@',
  '(?:api_key|password|passwort|jwt)=\\S+',
  'AKIA[0-9A-Z]{16}',
  'sk_live_[0-9A-Za-z]+',
  '\\b(?:\\d[ -]?){13,16}\\b',
].join('|');

function leakCheck(buf, where) {
  for (const [, needles] of SECRETS) {
    for (const n of needles) assert.equal(buf.includes(Buffer.from(n)), false, `${where} contains "${n}"`);
  }
}

for (const [mode, env] of [
  ['protobuf', {}],
  ['json', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }],
  ['gzip protobuf', { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }],
  ['gzip json', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }],
]) {
  test(`leak test (${mode}): no secret in the raw bytes of any request, nor in log4c's own file`, async () => {
    const dir = scratchDir(null);
    const logFile = path.join(dir, 'app.log');
    fs.writeFileSync(path.join(dir, 'log4crc'), `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE log4c SYSTEM "">
<log4c version="1.2.4">
  <config><bufsize>0</bufsize><debug level="0"/><nocleanup>0</nocleanup></config>
  <layout name="otel_redact" type="otel_redact"/>
  <appender name="${logFile}" type="stream" layout="otel_redact"/>
  <category name="root" priority="trace" appender="otel"/>
  <category name="test" priority="trace" appender="${logFile}"/>
</log4c>
`);
    const r = await demo('secrets', {
      dir,
      config: { otel: { enabled: true, logs: { enabled: true, defaults: { hideRegex: HIDE } } } },
      env: { ...env, LOGDEMO_SECRETS: SECRETS.map(([s]) => s).join('\n') },
    });
    assert.equal(r.init, 0, r.stderr);
    const recs = receiver.records();
    assert.equal(recs.length, SECRETS.length * 3);
    assert.ok(receiver.requests.length > 0);
    for (const req of receiver.requests) {
      leakCheck(req.rawBody, `request ${req.index} (raw)`);
      const plain = req.encoding === 'gzip' ? zlib.gunzipSync(req.rawBody) : req.rawBody;
      leakCheck(plain, `request ${req.index} (decompressed)`);
    }
    for (const rec of recs) leakCheck(Buffer.from(JSON.stringify(rec)), 'decoded record');
    // the masking kept what is not secret, one '*' per character
    assert.equal(recs[0].body, 'body 0: Authorization: ' + '*'.repeat('Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'.length));
    assert.equal(recs.find((x) => x.body === 'attr 8').attributes.credential, '*'.repeat('passwort=geheimnisÄÖÜ€'.length) + ' ende');
    const file = fs.readFileSync(logFile);
    assert.ok(file.length > 0);
    leakCheck(file, 'the log4c file appender');
    assert.match(file.toString(), /INFO +test\.demo - body 0: Authorization: \*+$/m);
  });
}

/** A scratch dir whose log4crc sends test.* through log4c's stream appender with the otel_redact layout. */
function redactFileDir(bufsize = 0) {
  const dir = scratchDir(null);
  const logFile = path.join(dir, 'app.log');
  fs.writeFileSync(path.join(dir, 'log4crc'), `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE log4c SYSTEM "">
<log4c version="1.2.4">
  <config><bufsize>${bufsize}</bufsize><debug level="0"/><nocleanup>0</nocleanup></config>
  <layout name="otel_redact" type="otel_redact"/>
  <appender name="${logFile}" type="stream" layout="otel_redact"/>
  <category name="test" priority="trace" appender="${logFile}"/>
</log4c>
`);
  return { dir, logFile };
}

const LENGTHS = [1, 100, 500, 510, 511, 512, 1000, 1022, 1023, 1024, 1025, 3000, 4096, 65536, 1 << 20];
// log4c's stream appender puts its name in brackets before the layout's line
const head = (logFile) => `[${logFile}] INFO     test.demo - `;

test('otel_redact through log4c\'s stream appender: messages of 1 byte to 1 MiB, each whole on its own line', async () => {
  const { dir, logFile } = redactFileDir();
  const r = await demo('lengths', { dir, config: { otel: { enabled: true, logs: { enabled: true, defaults: { hideRegex: 'secret' } } } } });
  assert.equal(r.init, 0, r.stderr);
  const HEAD = head(logFile);
  const text = fs.readFileSync(logFile, 'utf8');
  assert.ok(text.endsWith('\n'), 'the last line is not ended');
  const lines = text.slice(0, -1).split('\n');
  assert.deepEqual(lines.map((l) => l.length), LENGTHS.map((n) => HEAD.length + n));
  lines.forEach((l, i) => assert.equal(l, HEAD + 'x'.repeat(LENGTHS[i]), `line ${i}`));
});

test('otel_redact: a message over LOG4C_OTEL_BODY_LIMIT is cut, the cut marked, and the line still ended', async () => {
  const { dir, logFile } = redactFileDir();
  const r = await demo('lengths', { dir, env: { LOG4C_OTEL_BODY_LIMIT: '1000' }, config: { otel: { enabled: true, logs: { enabled: true, defaults: { hideRegex: 'secret' } } } } });
  assert.equal(r.init, 0, r.stderr);
  const HEAD = head(logFile);
  const text = fs.readFileSync(logFile, 'utf8');
  assert.ok(text.endsWith('\n'));
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.length, LENGTHS.length);
  lines.forEach((l, i) => {
    const n = LENGTHS[i];
    const want = n <= 1000 ? HEAD + 'x'.repeat(n) : HEAD + 'x'.repeat(1000) + `...[+${n - 1000} bytes]`;
    assert.equal(l, want, `line ${i} (${n} bytes)`);
  });
});

test('otel_redact with log4c\'s bufsize: log4c cuts the message itself, the line is still ended', async () => {
  const { dir, logFile } = redactFileDir(600);
  const r = await demo('lengths', { dir, config: { otel: { enabled: true, logs: { enabled: true, defaults: { hideRegex: 'secret' } } } } });
  assert.equal(r.init, 0, r.stderr);
  const HEAD = head(logFile);
  const lines = fs.readFileSync(logFile, 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'the last line is not ended');
  assert.equal(lines.length, LENGTHS.length);
  lines.forEach((l, i) => assert.equal(l, HEAD + 'x'.repeat(Math.min(LENGTHS[i], 599)), `line ${i}`));
});
