// OTLP/HTTP logs receiver used as the acceptance oracle by the integration tests.
// It decodes with the official generated protobufjs code (see otlp-schema.mjs) and
// keeps everything it received, normalized, for tests to compare content.
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { isUtf8 } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import * as otlp from './otlp-schema.mjs';
import { decodeLogsJson, encodeJson } from './otlp-json.mjs';

const HOST = '127.0.0.1';
const CT_PROTOBUF = 'application/x-protobuf';
const CT_JSON = 'application/json';

// ---------------------------------------------------------------------------
// Normalization: official message -> plain object that is easy to assert on.

const toHex = (b) => (b ? Buffer.from(b).toString('hex') : '');

// Flattens an AnyValue (toObject form) to [value, typeName].  int64 stays a string so
// that it is exact; bytes become lowercase hex.
function flattenAny(av) {
  if (!av) return [null, null];
  if ('stringValue' in av) return [av.stringValue, 'stringValue'];
  if ('boolValue' in av) return [av.boolValue, 'boolValue'];
  if ('intValue' in av) return [String(av.intValue), 'intValue'];
  if ('doubleValue' in av) return [av.doubleValue, 'doubleValue'];
  if ('bytesValue' in av) return [toHex(av.bytesValue), 'bytesValue'];
  if ('arrayValue' in av) return [(av.arrayValue.values || []).map((v) => flattenAny(v)[0]), 'arrayValue'];
  if ('kvlistValue' in av) return [flattenAttrs(av.kvlistValue.values, null, '').attributes, 'kvlistValue'];
  return [null, null]; // AnyValue with no value set
}

function flattenAttrs(kvs, issues, where) {
  const attributes = {};
  const attributeTypes = {};
  for (const kv of kvs || []) {
    if (issues && Object.hasOwn(attributes, kv.key)) issues.push(`${where}: duplicate attribute key "${kv.key}"`);
    [attributes[kv.key], attributeTypes[kv.key]] = flattenAny(kv.value);
  }
  return { attributes, attributeTypes };
}

function checkId(hex, bytes, issues, where) {
  if (hex.length !== 0 && hex.length !== bytes * 2) issues.push(`${where}: must be ${bytes} bytes, got ${hex.length / 2}`);
}

/**
 * Official ExportLogsServiceRequest message -> normalized plain object.
 * Also appends schema-level problems (duplicate keys, bad id lengths) to `issues`.
 */
export function normalizeRequest(msg, issues = []) {
  // defaults: true so absent scalars read as their proto3 defaults ("" / 0 / "0");
  // bytes are left as Buffers and hex-encoded here (protobufjs only offers base64).
  const obj = otlp.ExportLogsServiceRequest.toObject(msg, { longs: String, enums: Number, defaults: true });
  return {
    resourceLogs: obj.resourceLogs.map((rl, i) => {
      const res = rl.resource || { attributes: [], droppedAttributesCount: 0 };
      return {
        resource: {
          ...flattenAttrs(res.attributes, issues, `resourceLogs[${i}].resource`),
          droppedAttributesCount: res.droppedAttributesCount,
        },
        schemaUrl: rl.schemaUrl,
        scopeLogs: rl.scopeLogs.map((sl, j) => {
          const sc = sl.scope || { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
          const at = `resourceLogs[${i}].scopeLogs[${j}]`;
          return {
            scope: {
              name: sc.name,
              version: sc.version,
              ...flattenAttrs(sc.attributes, issues, `${at}.scope`),
              droppedAttributesCount: sc.droppedAttributesCount,
            },
            schemaUrl: sl.schemaUrl,
            logRecords: sl.logRecords.map((lr, k) => {
              const where = `${at}.logRecords[${k}]`;
              const [body, bodyType] = flattenAny(lr.body);
              const rec = {
                timeUnixNano: lr.timeUnixNano,
                observedTimeUnixNano: lr.observedTimeUnixNano,
                severityNumber: lr.severityNumber,
                severityText: lr.severityText,
                body,
                bodyType,
                ...flattenAttrs(lr.attributes, issues, where),
                droppedAttributesCount: lr.droppedAttributesCount,
                traceId: toHex(lr.traceId),
                spanId: toHex(lr.spanId),
                flags: lr.flags,
                eventName: lr.eventName,
              };
              checkId(rec.traceId, 16, issues, `${where}.traceId`);
              checkId(rec.spanId, 8, issues, `${where}.spanId`);
              return rec;
            }),
          };
        }),
      };
    }),
  };
}

// ---------------------------------------------------------------------------
// UTF-8 of the raw bytes. The official decoder, like every protobufjs reader,
// replaces invalid UTF-8 in a string field with U+FFFD without a word (and
// JSON.parse does the same to a JSON body), so a sender writing invalid bytes
// would pass unseen. Each string field is checked here, as it is read, on its
// raw bytes; a problem becomes one of the request's issues.

let stringIssues = null; // the issues of the protobuf decode in progress (decoding is synchronous)

// The read an ASCII string takes stays as cheap as protobufjs's own (no copy,
// no view): the receiver must not become the bottleneck of a load test.
function readStringChecked() {
  const at = this.pos;
  const len = this.uint32();
  const start = this.pos;
  const end = start + len;
  if (end > this.len) return this.skip(-1); // a length past the end: protobufjs's own RangeError
  this.pos = end;
  const buf = Buffer.isBuffer(this.buf) ? this.buf : Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i] > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return buf.latin1Slice(start, end); // Node's Buffer, as protobufjs's own reader uses
  const view = buf.subarray(start, end);
  if (!isUtf8(view)) {
    stringIssues?.push(`string field at byte ${at}: invalid UTF-8 (${Buffer.from(view).toString('hex').slice(0, 64)})`);
  }
  return buf.utf8Slice(start, end);
}
for (const R of [otlp.protobuf.Reader, otlp.protobuf.BufferReader]) R.prototype.string = readStringChecked;

/** Decodes an ExportLogsServiceRequest, adding invalid UTF-8 in string fields to issues. */
export function decodeProtobufChecked(body, issues) {
  stringIssues = issues;
  try {
    return otlp.ExportLogsServiceRequest.decode(body);
  } finally {
    stringIssues = null;
  }
}

/** Adds an issue when the bytes are not valid UTF-8 (a JSON body must be). */
export function checkUtf8(bytes, issues, where) {
  if (!isUtf8(bytes)) issues.push(`${where}: invalid UTF-8`);
}

// ---------------------------------------------------------------------------
// Response encoding.

function successBody(kind, partialSuccess) {
  const msg = otlp.ExportLogsServiceResponse.fromObject(partialSuccess ? { partialSuccess } : {});
  if (kind === 'json') return Buffer.from(partialSuccess ? encodeJson(otlp.ExportLogsServiceResponse, msg) : '{}');
  return Buffer.from(otlp.ExportLogsServiceResponse.encode(msg).finish());
}

// "application/x-protobuf; charset=x" -> "application/x-protobuf"
const mediaType = (ct) => (ct || '').split(';')[0].trim().toLowerCase();

/**
 * Starts a receiver on 127.0.0.1.
 *
 * @param {object} [opts]
 * @param {number} [opts.port=0]  port to bind (0: the OS picks one)
 * @param {object[]} [opts.script=[]]  scripted answers, consumed one per valid request:
 *   { status=200, retryAfter, headers, partialSuccess: {rejectedLogRecords, errorMessage},
 *     body, contentType, delayMs, hang, destroy }
 * @param {(rec: object) => void} [opts.onRequest]  called once per request when it has
 *   been answered (or, for hang, when it starts hanging)
 * @param {number} [opts.maxBodyBytes=64 MiB]  larger bodies are answered 413
 * @param {{key: string, cert: string}} [opts.tls]  serve HTTPS with this PEM key and certificate
 * @param {boolean} [opts.allowIssues=false]  by default close() fails when any request
 *   received had issues (not OTLP as the spec says, invalid UTF-8, duplicate keys, bad
 *   id lengths), so every test that uses a receiver asserts the wire is clean; a test
 *   that sends such requests on purpose sets this and checks `issues` itself
 */
export async function startReceiver(opts = {}) {
  const requests = [];
  const issueLog = []; // every request's issues, kept across clear()
  let script = [...(opts.script || [])];
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const timers = new Set();
  let closed = false;

  // opts.tls = { key, cert } (PEM): serve HTTPS, for the exporter's TLS options
  const createServer = opts.tls ? (h) => https.createServer(opts.tls, h) : (h) => http.createServer(h);
  const server = createServer((req, res) => {
    const chunks = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c) => {
      size += c.length;
      if (size > maxBodyBytes) tooBig = true;
      else chunks.push(c);
    });
    req.on('error', () => {}); // client went away mid-body: nothing to record
    req.on('end', () => handle(req, res, Buffer.concat(chunks), size, tooBig));
  });

  function handle(req, res, raw, size, tooBig) {
    const rec = {
      index: requests.length,
      method: req.method,
      path: req.url,
      headers: req.headers,
      contentType: mediaType(req.headers['content-type']),
      encoding: (req.headers['content-encoding'] || '').trim().toLowerCase(),
      rawBytes: size,
      rawBody: raw, // the bytes as received (Buffer), e.g. for leak tests
      plainBody: null, // the bytes after gunzip (Buffer)
      bodyBytes: null, // after gunzip
      status: null, // what we answered; null until answered (and forever for hang)
      answered: false,
      decoded: null,
      issues: [],
      error: null,
      receivedAt: performance.now(), // monotonic ms, for timing assertions (backoff)
      answeredAt: null,
    };
    requests.push(rec);

    const send = (status, headers, body) => {
      rec.status = status;
      rec.answered = true;
      rec.answeredAt = performance.now();
      if (!res.destroyed) {
        res.writeHead(status, { ...headers, 'content-length': body.length });
        res.end(body);
      }
      opts.onRequest?.(rec);
    };
    const reject = (status, error, headers = {}) => {
      rec.error = error;
      send(status, { 'content-type': 'text/plain', ...headers }, Buffer.from(`${error}\n`));
    };

    if (req.method !== 'POST') return reject(405, `method ${req.method} not allowed`, { allow: 'POST' });
    if (tooBig) return reject(413, `body larger than ${maxBodyBytes} bytes`);
    const kind = rec.contentType === CT_PROTOBUF ? 'protobuf' : rec.contentType === CT_JSON ? 'json' : null;
    if (!kind) return reject(415, `unsupported content-type "${req.headers['content-type'] || ''}"`);
    if (rec.encoding !== '' && rec.encoding !== 'identity' && rec.encoding !== 'gzip') {
      return reject(415, `unsupported content-encoding "${rec.encoding}"`);
    }

    let body = raw;
    let msg;
    try {
      if (rec.encoding === 'gzip') body = zlib.gunzipSync(raw);
    } catch (e) {
      return reject(400, `gunzip failed: ${e.message}`);
    }
    rec.bodyBytes = body.length;
    rec.plainBody = body;
    try {
      if (kind === 'protobuf') {
        msg = decodeProtobufChecked(body, rec.issues);
      } else {
        checkUtf8(body, rec.issues, 'JSON body');
        const r = decodeLogsJson(body);
        msg = r.message;
        rec.issues.push(...r.issues);
      }
      rec.decoded = normalizeRequest(msg, rec.issues);
      for (const i of rec.issues) issueLog.push(`request ${rec.index} (${kind}): ${i}`);
    } catch (e) {
      // protobufjs throws Error/RangeError on malformed wire data, JSON.parse SyntaxError.
      return reject(400, `${kind} decode failed: ${e instanceof Error ? e.message : String(e)}`);
    }

    // Protocol errors above never consume the script: it simulates collector answers.
    const item = script.length ? script.shift() : {};
    if (item.hang) {
      opts.onRequest?.(rec);
      return; // body read, never answered; close() destroys the socket
    }
    if (item.destroy) {
      req.socket.destroy(); // looks like a connection failure to the client
      opts.onRequest?.(rec);
      return;
    }
    const answer = () => {
      const status = item.status ?? 200;
      const headers = { ...(item.headers || {}) };
      if (item.retryAfter !== undefined) headers['retry-after'] = String(item.retryAfter);
      let out;
      if (item.body !== undefined) {
        out = Buffer.from(item.body);
        headers['content-type'] = item.contentType || 'application/octet-stream';
      } else if (status >= 200 && status < 300) {
        out = successBody(kind, item.partialSuccess);
        headers['content-type'] = kind === 'json' ? CT_JSON : CT_PROTOBUF;
      } else {
        out = Buffer.alloc(0);
      }
      send(status, headers, out);
    };
    if (item.delayMs) {
      const t = setTimeout(() => { timers.delete(t); answer(); }, item.delayMs);
      timers.add(t);
    } else {
      answer();
    }
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port: opts.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = server.address().port;

  const receiver = {
    port,
    url: `${opts.tls ? "https" : "http"}://${HOST}:${port}`,
    /** Every request received, in arrival order (see handle() for the fields). */
    requests,

    /** Replaces the queue of scripted answers. */
    setScript(arr) {
      script = [...arr];
    },

    /** Number of scripted answers not consumed yet. */
    get scriptRemaining() {
      return script.length;
    },

    /** Forgets received requests (the script is kept). */
    clear() {
      requests.length = 0;
    },

    /**
     * All log records of requests answered 2xx, flattened, each with `scope`
     * (scope name), `scopeVersion`, `resource` (attributes map) and `requestIndex`.
     */
    records() {
      const out = [];
      for (const r of requests) {
        if (!r.decoded || r.status === null || r.status < 200 || r.status >= 300) continue;
        for (const rl of r.decoded.resourceLogs) {
          for (const sl of rl.scopeLogs) {
            for (const lr of sl.logRecords) {
              out.push({
                ...lr,
                scope: sl.scope.name,
                scopeVersion: sl.scope.version,
                resource: rl.resource.attributes,
                requestIndex: r.index,
              });
            }
          }
        }
      }
      return out;
    },

    /** Resolves once predicate(receiver) is truthy; polls every 20 ms; rejects after timeoutMs. */
    waitFor(predicate, timeoutMs = 5000) {
      return waitFor(() => predicate(receiver), timeoutMs);
    },

    /** Every issue of every request received so far (clear() keeps them). */
    get issues() {
      return [...issueLog];
    },

    /**
     * Stops listening and destroys open sockets (including hanging requests).
     * Rejects when a request had issues, unless opts.allowIssues.
     */
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const done = new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
      if (issueLog.length && !opts.allowIssues) {
        throw new Error(`the receiver saw requests that are not clean OTLP:\n  ${issueLog.slice(0, 20).join('\n  ')}`);
      }
    },
  };
  return receiver;
}

/** Polls cond() every 20 ms until it is truthy; rejects after timeoutMs. */
export async function waitFor(cond, timeoutMs = 5000) {
  const deadline = performance.now() + timeoutMs;
  const maxIter = Math.ceil(timeoutMs / 20) + 1; // belt and braces: bounded even if the clock misbehaves
  for (let i = 0; i <= maxIter; i++) {
    if (await cond()) return;
    if (performance.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
}

export { otlp };
