// OTLP/JSON -> official protobufjs message.
//
// protobufjs' generated fromObject() is the decoder, but it is not a protobuf-JSON
// parser: it reads bytes fields as base64 (OTLP/JSON wants hex trace/span ids), it
// silently ignores unknown and snake_case keys, and it coerces bad scalars without a
// word.  So before calling it we walk the parsed JSON once, along a table of field
// kinds, to (a) turn hex ids into bytes and (b) collect "issues": places where the
// payload departs from the OTLP/JSON rules (lowerCamelCase keys, hex ids, enums as
// integers, 64-bit integers as strings).  Issues do not fail the request (a real
// collector tolerates most of them); tests assert that the list is empty.  Hard errors
// (invalid hex ids, non-object where a message is expected) throw -> HTTP 400.
import * as otlp from './otlp-schema.mjs';

// Field kinds.  A string naming a message type means a nested message; [x] a repeated field.
const MSG = {
  ExportLogsServiceRequest: { type: otlp.ExportLogsServiceRequest, fields: { resourceLogs: ['ResourceLogs'] } },
  ResourceLogs: {
    type: otlp.ResourceLogs,
    fields: { resource: 'Resource', scopeLogs: ['ScopeLogs'], schemaUrl: 'string' },
  },
  Resource: { type: otlp.Resource, fields: { attributes: ['KeyValue'], droppedAttributesCount: 'uint32' } },
  ScopeLogs: {
    type: otlp.ScopeLogs,
    fields: { scope: 'InstrumentationScope', logRecords: ['LogRecord'], schemaUrl: 'string' },
  },
  InstrumentationScope: {
    type: otlp.InstrumentationScope,
    fields: { name: 'string', version: 'string', attributes: ['KeyValue'], droppedAttributesCount: 'uint32' },
  },
  LogRecord: {
    type: otlp.LogRecord,
    fields: {
      timeUnixNano: 'int64', observedTimeUnixNano: 'int64', severityNumber: 'enum', severityText: 'string',
      body: 'AnyValue', attributes: ['KeyValue'], droppedAttributesCount: 'uint32', flags: 'uint32',
      traceId: 'hex16', spanId: 'hex8', eventName: 'string',
    },
  },
  KeyValue: { type: otlp.KeyValue, fields: { key: 'string', value: 'AnyValue' } },
  AnyValue: {
    type: otlp.AnyValue,
    oneof: true,
    fields: {
      stringValue: 'string', boolValue: 'bool', intValue: 'int64', doubleValue: 'double',
      arrayValue: 'ArrayValue', kvlistValue: 'KeyValueList', bytesValue: 'base64',
    },
  },
  ArrayValue: { type: otlp.ArrayValue, fields: { values: ['AnyValue'] } },
  KeyValueList: { type: otlp.KeyValueList, fields: { values: ['KeyValue'] } },
};

// Known keys come from the official generated prototypes, so a field the official
// schema has but our table lacks (e.g. Resource.entityRefs) is accepted unchecked.
for (const [name, m] of Object.entries(MSG)) {
  m.known = new Set(otlp.fieldNames(m.type));
  for (const f of Object.keys(m.fields)) {
    if (!m.known.has(f)) throw new Error(`otlp-json table: ${name}.${f} is not in the official schema`);
  }
}

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const INT64_RE = /^-?\d+$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const B64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

export class OtlpJsonError extends Error {}

// Returns a copy of a scalar value ready for fromObject(), recording issues.
function scalar(kind, v, where, issues) {
  switch (kind) {
    case 'string':
      if (typeof v !== 'string') issues.push(`${where}: expected a string, got ${typeof v}`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') issues.push(`${where}: expected a boolean, got ${typeof v}`);
      return v;
    case 'uint32':
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) issues.push(`${where}: expected a uint32 number, got ${JSON.stringify(v)}`);
      return v;
    case 'enum':
      if (!Number.isInteger(v)) issues.push(`${where}: enum must be an integer in OTLP/JSON, got ${JSON.stringify(v)}`);
      return v;
    case 'int64':
      if (typeof v === 'number') {
        issues.push(`${where}: 64-bit integer must be a decimal string in OTLP/JSON, got number ${v}`);
        if (!Number.isSafeInteger(v)) issues.push(`${where}: ${v} is not exactly representable`);
      } else if (typeof v !== 'string' || !INT64_RE.test(v)) {
        issues.push(`${where}: expected a decimal int64 string, got ${JSON.stringify(v)}`);
      }
      return v;
    case 'double':
      if (typeof v !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(v)) {
        issues.push(`${where}: expected a number, got ${JSON.stringify(v)}`);
      }
      return v;
    case 'base64':
      if (typeof v !== 'string' || !B64_RE.test(v)) issues.push(`${where}: expected base64 bytes, got ${JSON.stringify(v)}`);
      return v;
    case 'hex16':
    case 'hex8': {
      // Only trace/span ids are hex in OTLP/JSON; fromObject would read them as base64.
      if (typeof v !== 'string' || !HEX_RE.test(v)) {
        throw new OtlpJsonError(`${where}: expected a hex string, got ${JSON.stringify(v)}`);
      }
      const want = kind === 'hex16' ? 16 : 8;
      const buf = Buffer.from(v, 'hex');
      if (buf.length !== 0 && buf.length !== want) issues.push(`${where}: id must be ${want} bytes, got ${buf.length}`);
      return buf;
    }
    default:
      throw new Error(`otlp-json table: unknown kind ${kind}`);
  }
}

function message(typeName, obj, where, issues) {
  const m = MSG[typeName];
  if (!isObj(obj)) throw new OtlpJsonError(`${where}: expected an object (${typeName})`);
  const out = {};
  let oneofSet = [];
  for (const [key, v] of Object.entries(obj)) {
    const at = `${where}.${key}`;
    if (!m.known.has(key)) {
      const hint = m.known.has(camel(key)) ? ` (snake_case; OTLP/JSON wants "${camel(key)}", fromObject ignores it)` : ' (ignored)';
      issues.push(`${at}: unknown field${hint}`);
      continue;
    }
    const kind = m.fields[key];
    if (v === null || kind === undefined) { out[key] = v; continue; }
    if (m.oneof) oneofSet.push(key);
    if (Array.isArray(kind)) {
      if (!Array.isArray(v)) throw new OtlpJsonError(`${at}: expected an array`);
      out[key] = v.map((e, i) => (MSG[kind[0]] ? message(kind[0], e, `${at}[${i}]`, issues) : scalar(kind[0], e, `${at}[${i}]`, issues)));
    } else if (MSG[kind]) {
      out[key] = message(kind, v, at, issues);
    } else {
      out[key] = scalar(kind, v, at, issues);
    }
  }
  if (oneofSet.length > 1) issues.push(`${where}: several oneof values set (${oneofSet.join(', ')})`);
  return out;
}

/**
 * Decodes an OTLP/JSON ExportLogsServiceRequest body.
 * @param {Buffer|string} body
 * @returns {{ message: object, issues: string[] }} message is an official
 *   ExportLogsServiceRequest instance (same as ExportLogsServiceRequest.decode() gives).
 * @throws {OtlpJsonError|SyntaxError} on malformed input.
 */
export function decodeLogsJson(body) {
  const issues = [];
  const parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  const prepared = message('ExportLogsServiceRequest', parsed, '$', issues);
  let msg;
  try {
    msg = otlp.ExportLogsServiceRequest.fromObject(prepared);
  } catch (e) {
    throw new OtlpJsonError(`fromObject: ${e.message}`);
  }
  return { message: msg, issues };
}

/**
 * Encodes a message to OTLP/JSON text using the official toObject(): lowerCamelCase
 * keys, enums as integers, int64 as strings, bytes as base64 except trace/span ids
 * which become hex.  Used for JSON responses and by the self-test.
 */
export function encodeJson(Type, msg) {
  const obj = Type.toObject(msg, { longs: String, enums: Number, bytes: String, json: true });
  return JSON.stringify(obj, (key, v) => {
    if ((key === 'traceId' || key === 'spanId') && typeof v === 'string') {
      return Buffer.from(v, 'base64').toString('hex');
    }
    return v;
  });
}
