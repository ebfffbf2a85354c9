// harness.mjs - what the integration tests share: where the built programs
// are, a scratch directory with a log4crc, running a program with a bounded
// run time, and reading the counters it prints.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

export const builddir = process.env.top_builddir || path.resolve(import.meta.dirname, '../..');
export const srcdir = process.env.top_srcdir || path.resolve(import.meta.dirname, '../..');
export const logdemo = path.join(builddir, 'tests/integration/logdemo');
export const plainLog4c = path.join(builddir, 'tests/integration/plain_log4c');
export const sharedLib = path.join(builddir, '.libs/liblog4c-otel.so');
// sources and capture (capturedemo), the wrapper tool
export const capturedemo = path.join(builddir, 'tests/integration/capturedemo');
export const otelRun = path.join(builddir, 'tools/log4c-otel-run');

const LOG4CRC = (rootAppender) => `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE log4c SYSTEM "">
<log4c version="1.2.4">
  <config><bufsize>0</bufsize><debug level="0"/><nocleanup>0</nocleanup></config>
  <category name="root" priority="trace" appender="${rootAppender}"/>
</log4c>
`;

/** A fresh directory; with rootAppender, it holds a log4crc routing root there. */
// Every scratch directory is removed when the test file's process exits
// (runs used to leave thousands in /tmp); LOG4C_OTEL_TEST_KEEP=1 keeps them
// for a look after a failure.
const scratchDirs = [];
process.on('exit', () => {
  if (process.env.LOG4C_OTEL_TEST_KEEP) return;
  for (const d of scratchDirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      // in use or gone: nothing to do at exit
    }
  }
});

export function scratchDir(rootAppender) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log4c-otel-test-'));
  scratchDirs.push(dir);
  if (rootAppender) fs.writeFileSync(path.join(dir, 'log4crc'), LOG4CRC(rootAppender));
  return dir;
}

/** One traces-as-logs line: ids, name, status, duration, attributes (docs/CONFIGURATION.md, "Traces as logs"). */
export const TRACES_LINE = /^([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{16}) (\S+) ([012]) (\d+) (\{.*\})$/;

/** A scratch dir whose log4crc routes root to rootAppender and traces to an otel_file. */
export function tracingDir(rootAppender, { tracesFile = 'traces.log', additivity = true } = {}) {
  const dir = scratchDir(null);
  fs.writeFileSync(path.join(dir, 'log4crc'), `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE log4c SYSTEM "">
<log4c version="1.2.4">
  <config><bufsize>0</bufsize><debug level="0"/><nocleanup>0</nocleanup></config>
  <appender name="${tracesFile}" type="otel_file"/>
  <category name="root" priority="trace" appender="${rootAppender}"/>
  <category name="traces" priority="info" appender="${tracesFile}" additivity="${additivity}"/>
</log4c>
`);
  return dir;
}

/** A port nobody listens on right now (bound, then released). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Variables of the developer's shell that would change what is tested.
const SCRUB = /^(OTEL_|LOG4C_|LD_PRELOAD$)/;

// Hardening runs (tools/check-hardening.sh) only; unset, programs run as they are.
//  LOG4C_OTEL_TEST_WRAPPER  a command (split on blanks) put before every C program
//                           the tests start, e.g. "valgrind --error-exitcode=99".
//                           Libtool wrapper scripts go through `libtool
//                           --mode=execute`, so that the tool sees the real binary
//                           (not /bin/sh) with the uninstalled library on its path.
//  LOG4C_OTEL_TEST_PRELOAD  a library put first in any LD_PRELOAD a test sets:
//                           AddressSanitizer insists on its runtime coming first.
const WRAPPER = (process.env.LOG4C_OTEL_TEST_WRAPPER || '').split(/\s+/).filter((w) => w);
const PRELOAD_FIRST = process.env.LOG4C_OTEL_TEST_PRELOAD || '';
const libtool = path.join(builddir, 'libtool');

function isLibtoolWrapper(prog) {
  try {
    const head = Buffer.alloc(512);
    const fd = fs.openSync(prog, 'r');
    const n = fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    return head.subarray(0, n).toString('latin1').includes('temporary wrapper script for');
  } catch {
    return false;
  }
}

/**
 * What to spawn for prog args with env (the wrapper and the preload order
 * applied): { file, args, env }. Every test that starts a C program goes
 * through here (run() does), so that hardening runs cover them all.
 */
export function command(prog, args, env) {
  const e = { ...env };
  if (PRELOAD_FIRST && e.LD_PRELOAD) e.LD_PRELOAD = `${PRELOAD_FIRST} ${e.LD_PRELOAD}`;
  if (WRAPPER.length === 0) return { file: prog, args, env: e };
  const argv = isLibtoolWrapper(prog) ? [libtool, '--mode=execute', ...WRAPPER, prog, ...args] : [...WRAPPER, prog, ...args];
  return { file: argv[0], args: argv.slice(1), env: e };
}

//  LOG4C_OTEL_TEST_SKIP     comma-separated tags: a test declared with
//                           { skip: skipUnder('tag') } is reported skipped (with
//                           the reason) when its tag is listed. Hardening runs list
//                           what their tool cannot run faithfully:
//                             fork         threads started after a multi-threaded
//                                          fork (ThreadSanitizer does not support it;
//                                          gcc 12's ASan takes no allocator lock around
//                                          fork, so the child hangs on one a parent
//                                          thread held, or LSan reports the parent's
//                                          threads' memory: verified, see
//                                          tools/check-hardening.sh; under valgrind the
//                                          child reports as leaks what only the
//                                          parent's other threads held)
//                             spawn-error  exec failures reported by posix_spawn
//                                          (valgrind runs its clone(CLONE_VFORK) as a
//                                          plain fork: the exec error comes too late)
//                             soak         long soak tests (sanitizer passes)
//  LOG4C_OTEL_TEST_SOAK_SECONDS  a soak test's duration, when set (see soakSeconds)
//  LOG4C_OTEL_TEST_SANITIZER     asan or tsan when the programs are built with one (see SANITIZER)
const SKIP_TAGS = new Set((process.env.LOG4C_OTEL_TEST_SKIP || '').split(',').map((t) => t.trim()).filter((t) => t));

/** For test(name, { skip: skipUnder(tag) }, fn): false, or why it is skipped. */
export function skipUnder(tag) {
  return SKIP_TAGS.has(tag) ? `LOG4C_OTEL_TEST_SKIP lists '${tag}'` : false;
}

/** The sanitizer the programs were built with (LOG4C_OTEL_TEST_SANITIZER,
 * set by tools/check-hardening.sh), or ''. */
export const SANITIZER = process.env.LOG4C_OTEL_TEST_SANITIZER || '';

/** How long a soak test runs: LOG4C_OTEL_TEST_SOAK_SECONDS when set (> 0), else dflt. */
export function soakSeconds(dflt) {
  const v = Number(process.env.LOG4C_OTEL_TEST_SOAK_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

/** The environment tests start programs with: the developer's, scrubbed. */
export function baseEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !SCRUB.test(k)));
}

/**
 * Spawns file with args (cwd and env as given, nothing added) and hands each JSON line
 * of its stdout to onLine(obj, child) as it arrives; onLine may return a promise, which
 * is awaited before this resolves (a rejection rejects). Killed after timeoutMs.
 * Resolves to { code, signal, stderr, lines }.
 */
export function spawnJsonLines(file, args, { cwd, env }, onLine, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    let buf = '';
    let stderr = '';
    const pending = [];
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!l.startsWith('{')) continue;
        const o = JSON.parse(l);
        lines.push(o);
        pending.push(Promise.resolve(onLine(o, child)).catch(reject));
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', async (code, signal) => {
      clearTimeout(killer);
      await Promise.all(pending);
      resolve({ code, signal, stderr, lines });
    });
  });
}

/**
 * Runs prog with args in dir (log4crc found through LOG4C_RCPATH=dir, HOME=dir)
 * and env added. Kills it after timeoutMs. Resolves to
 * { code, signal, stdout, stderr, elapsedMs, stats (the last counters printed), init, lines }.
 */
export function run(prog, args, { dir, env = {}, timeoutMs = 60000 } = {}) {
  const fullEnv = { ...baseEnv(), LOG4C_RCPATH: dir, HOME: dir, LOG4C_OTEL_RETRY_BASE_MS: '50', ...env };
  const c = command(prog, args, fullEnv);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // its own process group, so that the timeout also kills what it forked:
    // a hung grandchild holding the pipes would keep 'close' from ever firing
    const child = spawn(c.file, c.args, { cwd: dir, env: c.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
      const parsed = lines.map((l) => JSON.parse(l));
      resolve({
        code,
        signal,
        stdout,
        stderr,
        elapsedMs: performance.now() - t0,
        init: parsed.find((o) => 'init' in o)?.init,
        stats: parsed.filter((o) => 'accepted' in o).at(-1),
        lines: parsed,
      });
    });
  });
}

/** Endpoint variables pointing the program at a receiver. */
export const endpointEnv = (receiver) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
