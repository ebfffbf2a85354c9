// test_run.mjs - log4c-otel-run: a program's output as records (decoded by
// the official code), exit codes (status, 128+signal, 127, 126, usage),
// --tee, --app, --config, TRACEPARENT passed through, and SIGTERM/SIGINT/SIGHUP/SIGQUIT
// forwarded to the program.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startReceiver } from '../receiver/receiver.mjs';
import { run, scratchDir, otelRun, endpointEnv, command, skipUnder } from './harness.mjs';

const receiver = await startReceiver();
after(() => receiver.close());

async function otel(args, env = {}) {
  receiver.clear();
  receiver.setScript([]);
  return run(otelRun, args, { dir: scratchDir(null), env: { ...endpointEnv(receiver), ...env } });
}

test("service.name: the wrapped command's base name, --app, or OTEL_SERVICE_NAME when set", async () => {
  const names = async (args, env) => {
    const r = await otel(args, env);
    assert.equal(r.code, 0, r.stderr);
    return [...new Set(receiver.records().map((x) => x.resource['service.name']))];
  };
  assert.deepEqual(await names(['--', '/bin/sh', '-c', 'echo a']), ['sh']);
  assert.deepEqual(await names(['--app', 'billing', '--', 'sh', '-c', 'echo a']), ['billing']);
  assert.deepEqual(await names(['--app', 'billing', '--', 'sh', '-c', 'echo a'], { OTEL_SERVICE_NAME: 'orders' }), ['orders']);
});

test('stdout at INFO, stderr at ERROR, the exit record; exits with the status; --tee copies', async () => {
  const r = await otel(['--app', 'job', '--tee', '--', 'sh', '-c', 'echo out line; echo err line >&2; exit 7']);
  assert.equal(r.code, 7, r.stderr);
  assert.match(r.stdout, /^out line$/m);
  assert.match(r.stderr, /^err line$/m);
  const recs = receiver.records();
  const [out, err] = [recs.find((x) => x.body === 'out line'), recs.find((x) => x.body === 'err line')];
  assert.equal(out.severityText, 'INFO');
  assert.equal(err.severityText, 'ERROR');
  for (const rec of recs) {
    assert.equal(rec.scope, 'captured.job');
    assert.equal(rec.attributes['log.source'], 'captured');
    assert.equal(rec.attributes['app.name'], 'job');
    assert.match(rec.attributes['process.pid'], /^\d+$/);
    assert.equal(rec.resource['service.name'], 'job'); // --app names the service too
  }
  const exit = recs.find((x) => x.attributes['process.exit.code'] !== undefined);
  assert.equal(exit.attributes['process.exit.code'], '7');
  assert.equal(recs.length, 3);
});

test('without --tee nothing is shown; the app name defaults to the command', async () => {
  const r = await otel(['--', 'sh', '-c', 'echo quiet']);
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stdout, /quiet/);
  assert.equal(receiver.records().find((x) => x.body === 'quiet').scope, 'captured.sh');
});

test('exit codes: 128+signal, 127 not found, 126 not executable, 2 usage', { skip: skipUnder('spawn-error') }, async () => {
  assert.equal((await otel(['--', 'sh', '-c', 'kill -TERM $$'])).code, 143);
  const killed = receiver.records().at(-1);
  assert.equal(killed.attributes['process.exit.signal'], '15');
  const nf = await otel(['--', '/nonexistent/program']);
  assert.equal(nf.code, 127);
  assert.match(nf.stderr, /nonexistent\/program: No such file or directory/);
  const dir = scratchDir(null);
  const noexec = path.join(dir, 'noexec.sh');
  fs.writeFileSync(noexec, '#!/bin/sh\necho x\n', { mode: 0o644 });
  assert.equal((await otel(['--', noexec])).code, 126);
  assert.equal((await otel([])).code, 2);
  assert.equal((await otel(['--bogus', 'x'])).code, 2);
  assert.equal((await otel(['--config', path.join(dir, 'missing.json'), '--', 'true'])).code, 2);
});

test('--config sets LOG4C_OTEL_CONFIG to the absolute path; TRACEPARENT reaches the program and stamps its records', async () => {
  const dir = scratchDir(null);
  fs.writeFileSync(path.join(dir, 'otel.json'), '{}');
  const tp = '00-0123456789abcdef0123456789abcdef-0011223344556677-01';
  receiver.clear();
  const r = await run(otelRun, ['--config', 'otel.json', '--', 'sh', '-c', 'echo "cfg=$LOG4C_OTEL_CONFIG"; echo "tp=$TRACEPARENT"'], {
    dir,
    env: { ...endpointEnv(receiver), TRACEPARENT: tp },
  });
  assert.equal(r.code, 0, r.stderr);
  const recs = receiver.records();
  assert.ok(recs.some((x) => x.body === `cfg=${fs.realpathSync(dir)}/otel.json`), JSON.stringify(recs.map((x) => x.body)));
  assert.ok(recs.some((x) => x.body === `tp=${tp}`));
  for (const rec of recs) {
    assert.equal(rec.traceId, '0123456789abcdef0123456789abcdef');
    assert.equal(rec.spanId, '0011223344556677');
  }
});

/** Starts the tool, waits for "ready" on its (teed) stdout, sends sig, resolves to {code, stdout}. */
function signalled(sig, trapped) {
  receiver.clear();
  receiver.setScript([]);
  const dir = scratchDir(null);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OTEL_|LOG4C_)/.test(k)));
  const script = `trap 'echo got ${trapped}; exit 42' ${trapped}; echo ready; while :; do sleep 0.05; done`;
  const c = command(otelRun, ['--tee', '--', 'sh', '-c', script], { ...env, HOME: dir, LOG4C_RCPATH: dir, ...endpointEnv(receiver) });
  // its own process group, so a hang is killed with the program it runs
  // (a SIGKILLed tool cannot take its child along: it would be orphaned)
  const child = spawn(c.file, c.args, { cwd: dir, env: c.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let sent = false;
  return new Promise((resolve, reject) => {
    const killer = setTimeout(() => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, 20000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && stdout.includes('ready')) {
        sent = true;
        child.kill(sig);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout });
    });
  });
}

// A signal that reaches the tool just as its wait loop starts (the child's
// "ready" comes right after the spawn) must still be forwarded: under
// ThreadSanitizer an asynchronous handler lost ~1 in 20 of these (TSan was
// setting up the main thread's signal state on its first blocking call), so
// the tool takes them synchronously. Repeated, all four forwarded signals.
test('signals sent right after the program starts are forwarded, every time', async () => {
  const sigs = [['SIGTERM', 'TERM'], ['SIGHUP', 'HUP'], ['SIGQUIT', 'QUIT'], ['SIGINT', 'INT']];
  for (let i = 0; i < 12; i++) {
    const [sig, name] = sigs[i % sigs.length];
    const r = await signalled(sig, name);
    assert.equal(r.signal, null, `round ${i} (${sig} sent): log4c-otel-run itself died of a signal`);
    assert.equal(r.code, 42, `round ${i} (${sig}): ${r.stdout}`);
    assert.match(r.stdout, new RegExp(`got ${name}`));
  }
});

for (const [sig, name] of [['SIGTERM', 'TERM'], ['SIGINT', 'INT']]) {
  test(`${sig} is forwarded: the program handles it and its status is ours`, async () => {
    const r = await signalled(sig, name);
    assert.equal(r.signal, null, 'log4c-otel-run itself died of the signal');
    assert.equal(r.code, 42);
    assert.match(r.stdout, new RegExp(`got ${name}`));
    const bodies = receiver.records().map((x) => x.body);
    assert.ok(bodies.includes('ready'));
    assert.ok(bodies.includes(`got ${name}`));
    assert.ok(bodies.some((b) => /exited with status 42$/.test(b)));
  });
}

test('a secret straddling the 16 KiB split is masked whole: the line is masked before it is split', async () => {
  const dir = scratchDir(null);
  fs.writeFileSync(path.join(dir, 'otel.json'), JSON.stringify({ otel: { logs: { defaults: { hideRegex:
    '(?i)bearer\\s+\\S+|eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+|\\b(?:\\d[ -]?){13,16}\\b|password=\\S+' } } } }));
  const secrets = [
    'Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQtokenTAIL',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyMTIzIn0.SflKxwRJSMeKKF2QT4fwpMeJf36',
    '4111 1111 1111 1111',
    'password=hunter2hunter2TAIL',
  ];
  // each secret starts a few bytes before a 16384-byte boundary of its line
  // (lines of one, two and five splits; the last without a final newline)
  const lines = [];
  for (const [i, s] of secrets.entries()) {
    for (const at of [16384 - 7, 2 * 16384 - Math.floor(s.length / 2), 5 * 16384 - 3]) {
      lines.push('x'.repeat(at - 1) + ' ' + s + ' ' + 'y'.repeat(100 + i));
    }
  }
  fs.writeFileSync(path.join(dir, 'out.txt'), lines.join('\n'));
  receiver.clear();
  receiver.setScript([]);
  const r = await run(otelRun, ['--config', 'otel.json', '--app', 'leaky', '--', 'cat', 'out.txt'], {
    dir,
    env: { ...endpointEnv(receiver) },
  });
  assert.equal(r.code, 0, r.stderr);
  const recs = receiver.records().filter((x) => x.scope === 'captured.leaky');
  assert.ok(recs.length >= lines.length * 2, `${recs.length} records`);
  assert.ok(recs.some((x) => x.attributes['log.line.part'] === '2'), 'lines were split');
  const joined = recs.map((x) => x.body).join('');
  // every piece holds at most 16384 bytes, and the stars stand where the secrets were
  for (const x of recs) assert.ok(Buffer.byteLength(x.body) <= 16384, `${Buffer.byteLength(x.body)} bytes`);
  // (the card pattern also takes the space after the digits)
  assert.ok((joined.match(/\*/g) || []).length >= secrets.reduce((n, s) => n + 3 * s.length, 0));
  const wire = receiver.requests.map((q) => (q.encoding === 'gzip' ? zlib.gunzipSync(q.rawBody) : q.rawBody).toString('latin1')).join('');
  for (const s of secrets) {
    // no 6 characters of a secret's value leave, in the records or on the wire
    const value = s.replace(/^(Bearer |password=)/, '').replace(/ /g, '');
    for (let k = 0; k + 6 <= value.length; k++) {
      const piece = value.slice(k, k + 6);
      assert.ok(!joined.replace(/ /g, '').includes(piece), `"${piece}" of ${s} in a record`);
      assert.ok(!wire.includes(piece), `"${piece}" of ${s} on the wire`);
    }
  }
});
