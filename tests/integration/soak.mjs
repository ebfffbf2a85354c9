// soak.mjs - running soakdemo (the outage soaks: test_outage.mjs, test_spool.mjs)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { builddir, scratchDir } from './harness.mjs';

export const soakdemo = path.join(builddir, 'tests/integration/soakdemo');

/**
 * Runs soakdemo in dir (a fresh scratch directory, removed afterwards, when
 * not given); onLine(obj, child) sees each JSON line as it arrives (and may
 * return a promise). Killed after timeoutMs. Resolves to
 * { code, signal, stderr, lines }.
 */
export function runSoak(args, env, onLine, timeoutMs, dir = null) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OTEL_|LOG4C_|LD_PRELOAD$)/.test(k)));
  const own = !dir;
  const cwd = dir || scratchDir('otel');
  return new Promise((resolve, reject) => {
    const child = spawn(soakdemo, args, {
      cwd,
      env: { ...base, LOG4C_RCPATH: cwd, HOME: cwd, LOG4C_OTEL_RETRY_BASE_MS: '50', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      if (own) fs.rmSync(cwd, { recursive: true, force: true });
      resolve({ code, signal, stderr, lines });
    });
  });
}
