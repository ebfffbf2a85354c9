// OTLP/gRPC logs receiver: @grpc/grpc-js serving LogsService/Export on 127.0.0.1,
// decoding each request with the same official generated code as the HTTP receiver
// (receiver.mjs). grpc-js does the HTTP/2 transport, the message framing and gzip, so
// none of the gRPC wire format is ours either.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { decodeProtobufChecked, normalizeRequest, waitFor, otlp } from './receiver.mjs';

const HOST = '127.0.0.1';
export const EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

function loadGrpc() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dirs = [];
  if (process.env.LOG4C_OTEL_NODE_MODULES) dirs.push(path.resolve(process.env.LOG4C_OTEL_NODE_MODULES));
  dirs.push(path.join(here, 'node_modules'));
  for (const dir of dirs) {
    if (fs.existsSync(path.join(dir, '@grpc/grpc-js/package.json'))) {
      return createRequire(path.join(dir, 'index.js'))('@grpc/grpc-js');
    }
  }
  throw new Error(`cannot find @grpc/grpc-js (tried ${dirs.join(', ')}); run npm ci in tests/receiver`);
}
export const grpc = loadGrpc();

/**
 * A serialized google.rpc.Status carrying one google.rpc.RetryInfo (for the
 * grpc-status-details-bin trailer), written with protobufjs' Writer.
 */
export function retryInfoStatus(code, message, delayMs) {
  const W = otlp.protobuf.Writer;
  const duration = W.create().uint32(8).int64(Math.floor(delayMs / 1000)).uint32(16).int32((delayMs % 1000) * 1e6).finish();
  const retryInfo = W.create().uint32(10).bytes(duration).finish();
  const any = W.create().uint32(10).string('type.googleapis.com/google.rpc.RetryInfo').uint32(18).bytes(retryInfo).finish();
  return Buffer.from(W.create().uint32(8).int32(code).uint32(18).string(message).uint32(26).bytes(any).finish());
}

/**
 * Starts a gRPC receiver.
 *
 * @param {object} [opts]
 * @param {object[]} [opts.script=[]]  answers, consumed one per request:
 *   { code (a grpc status, 0 = OK), message, retryInfoMs, partialSuccess: {rejectedLogRecords, errorMessage}, hang }
 * @param {{key: Buffer, cert: Buffer}} [opts.tls]  serve TLS with this PEM key and certificate
 * @param {number} [opts.port=0]  port to bind (0: the OS picks one)
 */
export async function startGrpcReceiver(opts = {}) {
  const requests = [];
  const issueLog = [];
  let script = [...(opts.script || [])];
  const hanging = [];
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 << 20 });
  const identity = (x) => x;
  const service = {
    Export: {
      path: EXPORT_PATH, requestStream: false, responseStream: false, originalName: 'Export',
      requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
    },
  };
  server.addService(service, {
    Export(call, callback) {
      const rec = {
        index: requests.length,
        metadata: call.metadata.getMap(),
        bodyBytes: call.request.length,
        code: null,
        decoded: null,
        issues: [],
        receivedAt: performance.now(),
      };
      requests.push(rec);
      try {
        rec.decoded = normalizeRequest(decodeProtobufChecked(call.request, rec.issues), rec.issues);
      } catch (e) {
        rec.issues.push(`decode failed: ${e.message}`);
      }
      for (const i of rec.issues) issueLog.push(`request ${rec.index}: ${i}`);
      const item = script.length ? script.shift() : {};
      if (item.hang) {
        hanging.push(callback);
        return;
      }
      rec.code = item.code ?? 0;
      if (rec.code === 0) {
        const msg = otlp.ExportLogsServiceResponse.fromObject(item.partialSuccess ? { partialSuccess: item.partialSuccess } : {});
        callback(null, Buffer.from(otlp.ExportLogsServiceResponse.encode(msg).finish()));
        return;
      }
      const metadata = new grpc.Metadata();
      if (item.retryInfoMs !== undefined) {
        metadata.set('grpc-status-details-bin', retryInfoStatus(rec.code, item.message || '', item.retryInfoMs));
      }
      callback({ code: rec.code, details: item.message || '', metadata });
    },
  });
  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(null, [{ private_key: opts.tls.key, cert_chain: opts.tls.cert }], false)
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise((resolve, reject) => {
    server.bindAsync(`${HOST}:${opts.port ?? 0}`, creds, (err, p) => (err ? reject(err) : resolve(p)));
  });

  const receiver = {
    port,
    url: `${opts.tls ? 'https' : 'http'}://${HOST}:${port}`,
    requests,
    setScript(arr) { script = [...arr]; },
    get scriptRemaining() { return script.length; },
    clear() { requests.length = 0; },
    /** Log records of requests answered OK, flattened as receiver.mjs does. */
    records() {
      const out = [];
      for (const r of requests) {
        if (r.code !== 0 || !r.decoded) continue;
        for (const rl of r.decoded.resourceLogs)
          for (const sl of rl.scopeLogs)
            for (const lr of sl.logRecords) out.push({ ...lr, scope: sl.scope.name, resource: rl.resource.attributes, requestIndex: r.index });
      }
      return out;
    },
    waitFor(predicate, timeoutMs = 5000) { return waitFor(() => predicate(receiver), timeoutMs); },
    get issues() { return [...issueLog]; },
    async close() {
      for (const cb of hanging.splice(0)) cb({ code: grpc.status.UNAVAILABLE, details: 'shutting down' });
      server.forceShutdown();
      if (issueLog.length) throw new Error(`the gRPC receiver saw requests that are not clean OTLP:\n  ${issueLog.slice(0, 20).join('\n  ')}`);
    },
  };
  return receiver;
}
