// test_make_targets.mjs - the make targets README.md and docs/ name, run as
// a user runs them (make in this build directory): make demo, make
// demo-receiver, make bench, make bench-instructions, make bench-line-file.
// The benchmarks print figures and are never pass/fail on them: what is
// asserted is that each runs to its end, small (BENCH_RECORDS,
// BENCH_PROFILE_N, BENCH_LINE_FILE_LINES), and prints the rows its
// documentation (docs/PERFORMANCE.md, docs/OPERATIONS.md) describes.
// Under a sanitizer build the benchmarks are skipped (their figures mean
// nothing there, and callgrind cannot run a sanitized program).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { builddir, scratchDir, baseEnv, SANITIZER } from './harness.mjs';

const MAKE = process.env.LOG4C_OTEL_TEST_MAKE || 'make';
const BENCH_SKIP = SANITIZER ? `built with ${SANITIZER}: benchmark figures mean nothing there, and callgrind cannot run it` : false;

/** `make -C builddir target vars...` as a user types it (not as part of the make check running this). */
function make(target, vars = {}, env = {}) {
  const e = { ...baseEnv(), ...env };
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL']) delete e[k]; // this make check's jobserver
  const args = ['-C', builddir, target, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
  return new Promise((resolve, reject) => {
    const child = spawn(MAKE, args, { env: e, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 300000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

test('make demo: the OTLP/JSON and traces files, the summary, how to read them (DEMO_OUT)', async () => {
  const out = path.join(scratchDir(null), 'demo-out');
  const r = await make('demo', { DEMO_OUT: out });
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  assert.ok(fs.statSync(path.join(out, 'records.jsonl')).size > 0, 'no records.jsonl');
  assert.ok(fs.statSync(path.join(out, 'traces.log')).size > 0, 'no traces.log');
  assert.match(r.out, /records per source: .*platform \d+/);
  assert.match(r.out, /secrets found in the output files: 0/);
  assert.ok(r.out.includes(`${out}/records.jsonl`), r.out);
  assert.match(r.out, /Read it with jq, one record a line:/);
});

test('make demo-receiver: every record the quick start accepted is received', async () => {
  const r = await make('demo-receiver', {}, {
    // the receiver's modules (make distcheck's copy of the tree has none)
    ...(process.env.LOG4C_OTEL_NODE_MODULES ? { LOG4C_OTEL_NODE_MODULES: process.env.LOG4C_OTEL_NODE_MODULES } : {}),
  });
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  const m = /log4c-otel: (\d+) accepted, (\d+) exported/.exec(r.out);
  assert.ok(m && Number(m[1]) > 0, r.out);
  assert.equal(m[2], m[1], r.out);
  assert.match(r.out, new RegExp(`== ${m[1]} of ${m[1]} records received`));
});

test('make bench BENCH_RECORDS=2000 BENCH_REPEAT=1: caller costs and the end-to-end figures', { skip: BENCH_SKIP }, async () => {
  const r = await make('bench', { BENCH_RECORDS: 2000, BENCH_REPEAT: 1 });
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  for (const row of ['accepted, log4c_category_log  1 thread', 'accepted, log4c_otel_log      8 threads', 'filtered, log4c_category_log  1 thread', 'masked, log4c_category_log    1 thread'])
    assert.match(r.out, new RegExp(`${row.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+\\d+\\s+\\d+\\s+\\d+ \\|`), row);
  assert.match(r.out, /end to end, 2000 records, 1 thread/);
  assert.match(r.out, /otel: +\d+ records\/s/);
  assert.match(r.out, /counters: +accepted \d+, exported \d+/);
  for (const who of ['otel:', '/dev/null:'])
    assert.match(r.out, new RegExp(`^  ${who} +[0-9.]+ us user \\+ [0-9.]+ us system per record; per 1,000 records: [0-9.]+ minor faults`, 'm'), who);
  for (const row of ['8 threads:', 'gzip:'])
    assert.match(r.out, new RegExp(`^  ${row} +\\d+ records/s, +[0-9.]+ us CPU per record; /dev/null +[0-9.]+ us \\([0-9.]+x\\); peak RSS \\d+ KiB`, 'm'), row);
  assert.match(r.out, /masking with the secret-scanning set \(\d+ patterns/);
  assert.equal(r.out.match(/^  \S.* +[0-9.]+ \( *[0-9.]+x\) +[0-9.]+ \( *[0-9.]+x\)$/gm)?.length, 3, r.out);
});

test('make bench-instructions BENCH_PROFILE_N=200: a row per default mode, instructions per record', { skip: BENCH_SKIP }, async (t) => {
  if (spawnSync('sh', ['-c', 'command -v valgrind']).status !== 0) {
    t.skip('SKIP: valgrind is not installed (Debian package valgrind): make bench-instructions needs callgrind');
    return;
  }
  const r = await make('bench-instructions', { BENCH_PROFILE_N: 200 });
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /^mode +caller +library$/m);
  const rows = Object.fromEntries(
    [...r.out.matchAll(/^(\w+) +(-?\d+) +(-?\d+)$/gm)].map((m) => [m[1], { caller: Number(m[2]), library: Number(m[3]) }]),
  );
  assert.deepEqual(Object.keys(rows), ['accepted', 'filtered', 'masked', 'secrets', 'secrets_hit'], r.out);
  for (const [mode, { caller }] of Object.entries(rows)) assert.ok(caller > 0, `${mode}: caller ${caller}`);
  // records accepted or masked are encoded and sent on the library's threads;
  // a filtered one costs them nothing (docs/PERFORMANCE.md), so no sign is asserted there
  assert.ok(rows.accepted.library > 0, r.out);
  assert.ok(rows.masked.library > 0, r.out);
  assert.ok(rows.secrets.library > 0, r.out);
  assert.ok(rows.secrets_hit.library > 0, r.out);
});

test('make bench-line-file: ns and bytes per line for plain, line and aligned, for both line lengths', { skip: BENCH_SKIP }, async () => {
  const dir = scratchDir(null);
  const r = await make('bench-line-file', { BENCH_LINE_FILE_DIR: dir, BENCH_LINE_FILE_LINES: 2000 });
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  for (const range of ['100 to 3000', '100 to 300'])
    assert.ok(r.out.includes(`lines of ${range} bytes, 2000 lines in ${dir}:`), r.out);
  for (const name of ['plain', 'line', 'aligned'])
    assert.equal(r.out.match(new RegExp(`^  ${name} +\\d+ ns/line \\(x[0-9.]+ of plain\\) +[0-9.]+ bytes/line`, 'gm'))?.length, 2, `${name}: ${r.out}`);
  assert.deepEqual(fs.readdirSync(dir), [], 'the bench left files behind');
});
