// soak.mjs - running soakdemo (the outage soaks: test_outage.mjs, test_spool.mjs)
import fs from 'node:fs';
import path from 'node:path';
import { builddir, command, scratchDir, spawnJsonLines } from './harness.mjs';

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
  const env2 = { ...base, LOG4C_RCPATH: cwd, HOME: cwd, LOG4C_OTEL_RETRY_BASE_MS: '50', ...env };
  const c = command(soakdemo, args, env2); // under a hardening wrapper when one is set
  return spawnJsonLines(c.file, c.args, { cwd, env: c.env }, onLine, timeoutMs).finally(() => {
    if (own) fs.rmSync(cwd, { recursive: true, force: true });
  });
}
