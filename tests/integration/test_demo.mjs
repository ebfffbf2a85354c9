// test_demo.mjs - the README's first command runs examples/platform_demo:
// with no collector it must leave a valid OTLP/JSON file (decoded with the
// official schema) holding every source and no secret, and a traces-as-logs
// file; with an endpoint the collector gets the same records.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startReceiver } from '../receiver/receiver.mjs';
import { normalizeRequest } from '../receiver/receiver.mjs';
import { decodeLogsJson } from '../receiver/otlp-json.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { run, builddir, srcdir, scratchDir, baseEnv, TRACES_LINE } from './harness.mjs';

const demo = path.join(builddir, 'examples/platform_demo');
const receiver = await startReceiver();
after(() => receiver.close());

const SECRETS = ['hunter2', 'XYZ-123', 'abc123'];
const LINE = TRACES_LINE;

async function runDemo(env = {}) {
  const dir = scratchDir(null);
  const r = await run(demo, [], {
    dir,
    env: {
      LOG4C_RCPATH: path.join(srcdir, 'examples/demo'),
      LOG4C_OTEL_CONFIG: path.join(srcdir, 'examples/demo/log4c-otel.json'),
      ...env,
    },
  });
  assert.equal(r.code, 0, r.stderr);
  return { dir, r };
}

function fileRecords(file) {
  const out = [];
  for (const l of fs.readFileSync(file, 'utf8').split('\n').filter((x) => x)) {
    const { message, issues } = decodeLogsJson(l);
    assert.deepEqual(issues, []);
    for (const rl of normalizeRequest(message, issues).resourceLogs)
      for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) out.push({ ...lr, scope: sl.scope.name });
  }
  return out;
}

test('no collector: the OTLP/JSON file holds every source, masked; the traces file the span tree', async () => {
  const { dir, r } = await runDemo();
  const raw = fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8') + fs.readFileSync(path.join(dir, 'traces.log'), 'utf8');
  for (const s of SECRETS) assert.ok(!raw.includes(s), `secret ${s} in the output`);
  const recs = fileRecords(path.join(dir, 'records.jsonl'));
  const sources = new Set(recs.map((x) => x.attributes['log.source']));
  assert.deepEqual([...sources].sort(), ['app', 'captured', 'gateway', 'platform']);
  assert.ok(recs.some((x) => x.attributes['app.name'] === 'notes' && x.attributes['app.instance'] === 'notes-1'));
  assert.ok(!recs.some((x) => x.body.includes('heartbeat')), 'the gw DEBUG filter did not hold');
  const lines = fs.readFileSync(path.join(dir, 'traces.log'), 'utf8').trim().split('\n').map((l) => LINE.exec(l));
  assert.ok(lines.every(Boolean), 'a traces line does not have the io.Insights format');
  const byName = Object.fromEntries(lines.map((m) => [m[4], m]));
  assert.equal(byName['workspace.load'][3], '0000000000000000');
  assert.equal(byName['workspace.load'][5], '2');
  assert.equal(byName['workspace.load.restore'][5], '2');
  assert.equal(byName['workspace.load.layout'][5], '1');
  // the captured child's lines carry the trace of the span that started it
  const trace = byName['workspace.load'][1];
  const captured = recs.filter((x) => x.attributes['log.source'] === 'captured');
  assert.ok(captured.length >= 3);
  for (const c of captured) assert.equal(c.traceId, trace);
  assert.match(r.stdout, /records per source: .*platform \d+/);
  assert.match(r.stdout, /secrets found in the output files: 0/);
});

test('the demo shows how to read its file: a pretty-printed record, and jq recipes that work', async (t) => {
  const { dir, r } = await runDemo();
  // the sample: a whole record with its resource and scope, as indented JSON
  const m = /One record of .* \(each line of the file is one OTLP\/JSON export request\):\n( {2}\{[\s\S]*?\n {2}\})\n/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const sample = JSON.parse(m[1]);
  assert.equal(sample.logRecord.severityText, 'ERROR');
  assert.ok(sample.resource.attributes.some((a) => a.key === 'service.name'));
  assert.equal(typeof sample.scope.name, 'string');
  assert.match(r.stdout, /Read it with jq, one record a line:\n  jq -c /);

  // every recipe docs/OPERATIONS.md gives, run on the demo's file
  const doc = fs.readFileSync(path.join(srcdir, 'docs/OPERATIONS.md'), 'utf8');
  const section = doc.split('### Reading the OTLP/JSON file')[1].split('\n## ')[0];
  const recipes = section.split('\n').filter((l) => l.startsWith('    jq ')).map((l) => l.trim());
  assert.ok(recipes.length >= 5, `${recipes.length} recipes`);
  const which = spawnSync('sh', ['-c', 'command -v jq']);
  if (which.status !== 0) {
    t.skip('jq is not installed (tools/install-deps.sh installs it)');
    return;
  }
  const trace = fileRecords(path.join(dir, 'records.jsonl')).find((x) => x.traceId).traceId;
  for (const recipe of recipes) {
    const cmd = recipe.replace(/--arg t [0-9a-f]{32}/, `--arg t ${trace}`);
    const out = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: dir, encoding: 'utf8' });
    assert.equal(out.status, 0, `${cmd}: ${out.stderr}`);
    assert.ok(out.stdout.trim().split('\n').length >= 2, `${cmd}: ${out.stdout}`);
  }
});

test('with OTEL_EXPORTER_OTLP_ENDPOINT: the collector gets the same records as the file', async () => {
  receiver.clear();
  const { dir } = await runDemo({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  const file = fileRecords(path.join(dir, 'records.jsonl')).map((x) => `${x.scope}|${x.severityText}|${x.body}`).sort();
  const http = receiver.records().map((x) => `${x.scope}|${x.severityText}|${x.body}`).sort();
  assert.ok(http.length > 10);
  assert.deepEqual(http, file);
});

// `make demo-receiver` (examples/run-demo.sh): the quickstart against the
// test receiver. It must exit 0 only when every accepted record arrived,
// whatever configuration file sits in etc/ (the sample is found by search
// through LOG4C_RCPATH there).
const runDemoScript = path.join(srcdir, 'examples/run-demo.sh');
function runScript(env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [runDemoScript], {
      cwd: builddir,
      env: {
        ...baseEnv(),
        top_builddir: builddir,
        // the receiver's modules (make distcheck's copy of the tree has none)
        ...(process.env.LOG4C_OTEL_NODE_MODULES ? { LOG4C_OTEL_NODE_MODULES: process.env.LOG4C_OTEL_NODE_MODULES } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

test('make demo-receiver: every record the quickstart accepted reaches the receiver', async () => {
  const r = await runScript();
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  const m = /log4c-otel: (\d+) accepted, (\d+) exported/.exec(r.out);
  assert.ok(m, r.out);
  assert.ok(Number(m[1]) > 0);
  assert.equal(m[2], m[1], r.out);
  assert.match(r.out, new RegExp(`== ${m[1]} of ${m[1]} records received`));
  assert.match(r.out, /\[app\.notes\] ERROR \(17\) notes: cannot open workspace "default"/);
});

test('make demo-receiver fails when records do not arrive', async () => {
  // every record filtered out: accepted stays 0, and 0 received is no success
  const cfg = path.join(scratchDir(null), 'drop-all.json');
  fs.writeFileSync(cfg, JSON.stringify({ logs: { defaults: { enabled: false } } }));
  const r = await runScript({ LOG4C_OTEL_CONFIG: cfg });
  assert.equal(r.code, 1, `${r.out}\n${r.err}`);
  assert.match(r.err, /run-demo: the receiver got 0 records/);
});
