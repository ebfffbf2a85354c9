// Loads the official OTLP protobufjs code shipped by @opentelemetry/otlp-transformer.
// The test oracle must not decode with our own code (DESIGN.md §5), so nothing
// here re-implements the wire format: we only locate and re-export the generated types.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRANSFORMER_PACKAGE = '@opentelemetry/otlp-transformer';
export const TRANSFORMER_VERSION = '0.214.0';
const ROOT_JS = 'build/src/generated/root.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// Candidate node_modules directories, in priority order.  The env var exists for
// `make distcheck`, which runs the tests from a copy of the tree without node_modules.
function candidateDirs() {
  const dirs = [];
  if (process.env.LOG4C_OTEL_NODE_MODULES) dirs.push(path.resolve(process.env.LOG4C_OTEL_NODE_MODULES));
  dirs.push(path.join(here, 'node_modules'));
  return dirs;
}

function loadRoot() {
  const tried = [];
  for (const dir of candidateDirs()) {
    const pkgDir = path.join(dir, TRANSFORMER_PACKAGE);
    const rootJs = path.join(pkgDir, ROOT_JS);
    tried.push(rootJs);
    if (!fs.existsSync(rootJs)) continue;
    const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    if (version !== TRANSFORMER_VERSION) {
      throw new Error(`${pkgDir} is version ${version}, expected ${TRANSFORMER_VERSION}; ` +
        'run tools/install-deps.sh (npm ci in tests/receiver)');
    }
    // Requiring by absolute path makes root.js resolve protobufjs from its own location.
    const require = createRequire(rootJs);
    const root = require(rootJs);
    const protobuf = require('protobufjs/minimal');
    // Without the "long" package protobufjs silently degrades int64 to lossy JS numbers.
    if (!protobuf.util.Long) throw new Error('protobufjs loaded without Long support; int64 values would be inexact');
    return { root, protobuf, rootJs };
  }
  throw new Error(`cannot find ${TRANSFORMER_PACKAGE}@${TRANSFORMER_VERSION} (tried ${tried.join(', ')}); ` +
    'run tools/install-deps.sh (npm ci in tests/receiver) or set LOG4C_OTEL_NODE_MODULES');
}

const loaded = loadRoot();

/** The protobufjs root namespace (root.opentelemetry.proto.*). */
export const root = loaded.root;
/** protobufjs/minimal, the runtime the generated code uses (util.Long, util.base64, ...). */
export const protobuf = loaded.protobuf;
/** Absolute path of the generated root.js actually loaded. */
export const rootJsPath = loaded.rootJs;

const proto = root.opentelemetry.proto;
export const ExportLogsServiceRequest = proto.collector.logs.v1.ExportLogsServiceRequest;
export const ExportLogsServiceResponse = proto.collector.logs.v1.ExportLogsServiceResponse;
export const ExportLogsPartialSuccess = proto.collector.logs.v1.ExportLogsPartialSuccess;
export const ResourceLogs = proto.logs.v1.ResourceLogs;
export const ScopeLogs = proto.logs.v1.ScopeLogs;
export const LogRecord = proto.logs.v1.LogRecord;
export const Resource = proto.resource.v1.Resource;
export const InstrumentationScope = proto.common.v1.InstrumentationScope;
export const KeyValue = proto.common.v1.KeyValue;
export const AnyValue = proto.common.v1.AnyValue;
export const ArrayValue = proto.common.v1.ArrayValue;
export const KeyValueList = proto.common.v1.KeyValueList;

/**
 * Field names of a generated message type, read from the official prototype
 * (data properties only: oneof selectors such as AnyValue.value are getters).
 */
export function fieldNames(Type) {
  return Object.getOwnPropertyNames(Type.prototype).filter((k) => {
    if (k === 'constructor' || k === 'toJSON') return false;
    return !('get' in Object.getOwnPropertyDescriptor(Type.prototype, k));
  });
}
