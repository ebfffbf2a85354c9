#!/usr/bin/env bash
# Runs examples/quickstart against a local OTLP receiver (the test suite's,
# which decodes with the official OpenTelemetry code) and prints what the
# receiver got. No collector needed. Run from the build directory:
#   examples/run-demo.sh            (or: make demo-receiver)
# Exits 1 when the receiver got fewer records than the quickstart accepted.
set -euo pipefail
srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${top_builddir:-$PWD}

out=$(mktemp)
node "$srcdir/tests/receiver/cli.mjs" >"$out" &
receiver=$!
trap 'kill $receiver 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do grep -q LISTENING "$out" && break; sleep 0.05; done
port=$(awk '/^LISTENING/ {print $2}' "$out")
[ -n "$port" ] || { echo "run-demo: the receiver did not start" >&2; exit 1; }

echo "== quickstart → OTLP/HTTP protobuf → receiver on 127.0.0.1:$port"
summary=$(LOG4C_RCPATH="$srcdir/etc" OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$port" \
  OTEL_SERVICE_NAME=quickstart "$builddir/examples/quickstart")
echo "$summary"
accepted=$(sed -n 's/^log4c-otel: \([0-9]*\) accepted, .*/\1/p' <<<"$summary")
exported=$(sed -n 's/^log4c-otel: [0-9]* accepted, \([0-9]*\) exported.*/\1/p' <<<"$summary")
sleep 0.2
echo "== what the receiver decoded (official OpenTelemetry schema):"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.startsWith("{"));
for (const l of lines) for (const rl of JSON.parse(l).decoded.resourceLogs) {
  console.log(`resource: service.name=${rl.resource.attributes["service.name"]} host.name=${rl.resource.attributes["host.name"]}`);
  for (const sl of rl.scopeLogs) for (const r of sl.logRecords)
    console.log(`  [${sl.scope.name}] ${r.severityText.padEnd(5)} (${r.severityNumber}) ${r.body}` +
      (r.attributes["code.file.path"] ? `  @${r.attributes["code.file.path"]}:${r.attributes["code.line.number"]}` : ""));
}' "$out"
received=$(node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.startsWith("{"));
let n = 0;
for (const l of lines) for (const rl of JSON.parse(l).decoded.resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
console.log(n);' "$out")
if [ -z "$accepted" ] || [ "$accepted" = 0 ] || [ "$exported" != "$accepted" ] || [ "$received" != "$accepted" ]; then
  echo "run-demo: the receiver got ${received:-0} records; the quickstart accepted ${accepted:-?} and exported ${exported:-?}" >&2
  exit 1
fi
echo "== $received of $accepted records received"
