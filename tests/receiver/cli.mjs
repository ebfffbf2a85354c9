#!/usr/bin/env node
// Standalone receiver for manual testing and demos.
//   node tests/receiver/cli.mjs [--port N]
// Prints "LISTENING <port>", then one JSON line per request received; exits on SIGTERM/SIGINT.
import { startReceiver } from './receiver.mjs';

function usage(msg) {
  process.stderr.write(`${msg}\nusage: node cli.mjs [--port N]\n`);
  process.exit(2);
}

let port = 0;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const v = a === '--port' ? args[++i] : a.startsWith('--port=') ? a.slice(7) : usage(`unknown argument ${a}`);
  if (!/^\d+$/.test(v ?? '') || Number(v) > 65535) usage(`bad port ${v}`);
  port = Number(v);
}

const receiver = await startReceiver({
  port,
  onRequest(rec) {
    const line = {
      path: rec.path,
      contentType: rec.contentType,
      encoding: rec.encoding,
      rawBytes: rec.rawBytes,
      status: rec.status,
      issues: rec.issues,
      error: rec.error,
      decoded: rec.decoded,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    receiver.clear(); // long-running demo: do not accumulate
  },
});
process.stdout.write(`LISTENING ${receiver.port}\n`);

const stop = async () => {
  await receiver.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
