// test_crash_lines.mjs - the otel_file appender's line guarantee at its
// edges (docs/OPERATIONS.md, "Crash-safe lines"): several processes append
// to one file, rotation on, on a machine kept busy by two busy loops, and
// are SIGKILLed one by one at random moments; a small tmpfs fills up and
// frees up under a writer. A reader never sees a line made of two, and no
// span whose end() returned is missing. A missing directory is created; a
// path that cannot be written is said once and every lost line counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { run, builddir, command, baseEnv, tracingDir, TRACES_LINE } from './harness.mjs';

const spandemo = path.join(builddir, 'tests/integration/spandemo');

const LINE = TRACES_LINE;
// the start of every whole line: found anywhere but at 0, a line was glued on
const IDS = /[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{16} /g;

/** A scratch dir whose log4crc routes the traces category to an otel_file at file. */
const tracesDir = (file = 'traces.log') => tracingDir('stderr', { tracesFile: file, additivity: false });

/** The contents of name and its numbered backups in dir. */
function readAll(dir, name) {
  return fs.readdirSync(dir).filter((f) => f === name || f.startsWith(`${name}.`)).map((f) => fs.readFileSync(path.join(dir, f), 'latin1'));
}

/**
 * Checks files the way a reader would: every line is whole (the traces
 * format, JSON attributes), or a cut line: the beginning of one, with no
 * other line's start inside it. Returns { whole: Set of "<trace>-<span>",
 * lines, cut }.
 */
function checkLines(contents, what) {
  const whole = new Set();
  let lines = 0;
  let cut = 0;
  for (const content of contents) {
    const parts = content.split('\n');
    if (parts.at(-1) === '') parts.pop(); // a file may end inside a cut line too
    for (const l of parts) {
      lines++;
      const m = LINE.exec(l);
      let ok = false;
      if (m) {
        try {
          JSON.parse(m[7]);
          ok = true;
        } catch {
          // not whole: checked as a cut line below
        }
      }
      const starts = [...l.matchAll(IDS)].map((x) => x.index);
      assert.ok(starts.every((i) => i === 0), `${what}: lines glued together: ${JSON.stringify(l.slice(0, 300))}`);
      if (ok) {
        const key = `${m[1]}-${m[2]}`;
        assert.ok(!whole.has(key), `${what}: line twice: ${l.slice(0, 120)}`);
        whole.add(key);
      } else {
        assert.match(l, /^[0-9a-f]/, `${what}: not the beginning of a line: ${JSON.stringify(l.slice(0, 300))}`);
        cut++;
      }
    }
  }
  return { whole, lines, cut };
}

// two busy loops while the writers run: a writer is then often preempted
// in the middle of a write, which is where a SIGKILL cuts a line. Only for
// the SIGKILL test, and always killed (also if node exits first).
const busy = [];
const startBusy = () => {
  for (let i = 0; i < 2; i++) busy.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
};
const stopBusy = () => busy.splice(0).forEach((b) => b.exitCode === null && b.kill('SIGKILL'));
process.on('exit', stopBusy);

/** Starts `spandemo crash 2 2900` in dir; kill(ms) SIGKILLs it ms after its
 * first ended span, killAfter(n) once it has printed n ended spans (a
 * volume, whatever the machine's speed); done resolves to what it printed. */
function crashWriter(dir, env) {
  const c = command(spandemo, ['crash', '2', '2900'], { ...baseEnv(), LOG4C_RCPATH: dir, HOME: dir, ...env });
  const child = spawn(c.file, c.args, { cwd: dir, env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let delayMs = null;
  let afterSpans = null;
  let armed = false;
  const endedSoFar = () => out.split('\n').filter((l) => l.startsWith('E ')).length;
  child.stdout.on('data', (d) => {
    out += d;
    if (armed) return;
    if (delayMs !== null && out.includes('\nE ')) {
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    } else if (afterSpans !== null && endedSoFar() >= afterSpans) {
      armed = true;
      child.kill('SIGKILL');
    }
  });
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
  return { done, kill: (ms) => (delayMs = ms), killAfter: (n) => (afterSpans = n) };
}

test('SIGKILLs under load, 3 processes on one rotating file: no line glued, no ended span missing', async () => {
  const RUNS = 40;
  const PROCS = 3;
  let kills = 0;
  let ended = 0;
  let lines = 0;
  let cut = 0;
  let rotated = 0;
  startBusy();
  try {
    for (let r = 0; r < RUNS; r++) {
      const dir = tracesDir();
      const env = { LOG4C_OTEL_LINE_FILE_MAX_SIZE: '256K', LOG4C_OTEL_LINE_FILE_BACKUPS: '10000' };
      const ws = [];
      for (let p = 0; p < PROCS; p++) {
        const w = crashWriter(dir, env);
        // each its own moment: the others write on after it. Every fourth
        // run kills by volume: 150 or more ended spans of ~1.7 KB on
        // average (pads of 20 to 2,900 bytes) from each process pass the
        // 256 KiB rotation size, so some runs rotate however slow the
        // machine (a sanitizer, load) makes the writers.
        if (r % 4 === 3) w.killAfter(150 + Math.floor(Math.random() * 100));
        else w.kill(5 + Math.floor(Math.random() * 100));
        ws.push(w);
      }
      const results = await Promise.all(ws.map((w) => w.done));
      const contents = readAll(dir, 'traces.log');
      if (contents.length > 1) rotated++;
      const got = checkLines(contents, `run ${r}`);
      for (const [p, res] of results.entries()) {
        assert.equal(res.signal, 'SIGKILL', `run ${r} process ${p}: ${res.err}`);
        kills++;
        for (const l of res.out.split('\n')) {
          if (!l.startsWith('E ')) continue;
          ended++;
          assert.ok(got.whole.has(l.slice(2)), `run ${r}: span ${l.slice(2)} ended but is not a whole line`);
        }
      }
      assert.ok(got.cut <= PROCS, `run ${r}: ${got.cut} cut lines from ${PROCS} kills`);
      lines += got.lines;
      cut += got.cut;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    stopBusy();
  }
  assert.ok(ended > RUNS * PROCS * 10, `only ${ended} spans ended: the test proves little`);
  assert.ok(rotated > 0, 'no run rotated');
  console.log(`# crash: ${RUNS} runs, ${kills} kills, ${ended} ended spans found whole, ${lines} lines checked, ${cut} cut lines (none glued), ${rotated} runs rotated`);
});

/** Mounts a tmpfs of size bytes on dir; why not, as a string, when it cannot. */
function mountTmpfs(dir, size) {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error) return String(r.error.message);
  return r.status === 0 ? null : (r.stderr || `mount exited ${r.status}`).trim();
}

test('a full filesystem that frees up: lost lines counted, a cut line ended, what follows whole', async (t) => {
  const dir = tracesDir('mnt/traces.log');
  const mnt = path.join(dir, 'mnt');
  fs.mkdirSync(mnt);
  const why = mountTmpfs(mnt, 65536);
  if (why) {
    t.skip(`cannot mount a 64K tmpfs (${why})`);
    return;
  }
  try {
    const c = command(spandemo, ['stdin'], { ...baseEnv(), LOG4C_RCPATH: dir, HOME: dir });
    const child = spawn(c.file, c.args, { cwd: dir, env: c.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const waiters = [];
    child.stdout.on('data', (d) => {
      out += d;
      const oks = out.split('\nok\n').length - 1;
      while (waiters.length && waiters[0].n <= oks) waiters.shift().resolve();
    });
    child.stderr.on('data', (d) => (err += d));
    const closed = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    let asked = 0;
    const batch = (n) =>
      new Promise((resolve) => {
        waiters.push({ n: ++asked, resolve });
        child.stdin.write(`${n}\n`);
      });
    const endedNow = () => out.split('\n').filter((l) => l.startsWith('E ')).map((l) => l.slice(2));

    await batch(10);
    const beforeFull = endedNow();
    // fill the filesystem: whole pages, then what a byte at a time still takes
    const filler = path.join(mnt, 'filler');
    const fd = fs.openSync(filler, 'w');
    const page = Buffer.alloc(4096, 'x');
    for (let i = 0; i < 64; i++) {
      try {
        fs.writeSync(fd, page);
      } catch {
        break;
      }
    }
    fs.closeSync(fd);
    await batch(20);
    const whileFull = endedNow().slice(beforeFull.length);
    fs.unlinkSync(filler);
    await batch(20);
    const afterFree = endedNow().slice(beforeFull.length + whileFull.length);
    child.stdin.end();
    assert.equal(await closed, 0, err);
    const stats = JSON.parse(out.split('\n').filter((l) => l.startsWith('{') && l.includes('line_file_errors')).at(-1));

    const got = checkLines([fs.readFileSync(path.join(mnt, 'traces.log'), 'latin1')], 'full disk');
    for (const id of [...beforeFull, ...afterFree]) assert.ok(got.whole.has(id), `span ${id} ended with room on the disk but is not a whole line`);
    const lostWhileFull = whileFull.filter((id) => !got.whole.has(id)).length;
    assert.ok(lostWhileFull > 0, 'the disk was never full: the test proves nothing');
    assert.equal(stats.line_file_errors, lostWhileFull, 'every line lost is counted, and only those');
    assert.ok(got.cut <= lostWhileFull);
    const said = err.split('\n').filter((l) => l.includes('cannot write'));
    assert.equal(said.length, 1, `said once: ${err}`);
    assert.match(said[0], /traces\.log": No space left on device/);
    console.log(`# full disk: ${whileFull.length} spans ended while full, ${lostWhileFull} lost and counted, ${got.cut} cut line(s), ${afterFree.length} whole after`);
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('otel_file creates its missing directories (0700); a path it cannot write is said once, every lost line counted', async () => {
  let dir = tracesDir('logs/deep/traces.log');
  let r = await run(spandemo, ['spans', '2', '10'], { dir });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /cannot/);
  const got = checkLines([fs.readFileSync(path.join(dir, 'logs/deep/traces.log'), 'latin1')], 'created');
  assert.equal(got.whole.size, 20);
  assert.equal(fs.statSync(path.join(dir, 'logs')).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(dir, 'logs/deep')).mode & 0o777, 0o700);
  assert.equal(r.stats.line_file_errors, 0);

  dir = tracesDir('traces.log');
  fs.mkdirSync(path.join(dir, 'traces.log')); // a directory where the file should be
  r = await run(spandemo, ['spans', '2', '10'], { dir });
  assert.equal(r.code, 0, r.stderr);
  const said = r.stderr.split('\n').filter((l) => l.includes('traces.log'));
  assert.equal(said.length, 1, r.stderr);
  assert.match(said[0], /^log4c-otel: cannot write "traces\.log": Is a directory; /);
  assert.equal(r.stats.line_file_errors, 20);
});
