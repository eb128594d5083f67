import { ok } from 'node:assert/strict'
import fc from 'fast-check'
import { decodeRequest, decodeResponse, encodeRequest, type RpcRequest } from '../../src/rpc/envelope.js'
import { fuzzProperty, serveProperties } from './fuzz-properties.js'
import { mutated, randomBytes } from './mutate.js'
import { assertPlainData } from './plain-data.js'

/**
 * The RPC envelope decoders, fed what a broken or hostile peer could publish on a service or
 * reply channel: they never throw, and say what they read or why not. Run in workers by
 * envelope-fuzz.test.ts.
 */

const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity),
  fc.bigInt(),
  fc.float64Array({ maxLength: 4 }),
)
const name = fc.string({ minLength: 1, maxLength: 12 })
const request: fc.Arbitrary<RpcRequest & { service: string }> = fc.record({
  action: name,
  payload,
  replyTo: fc.option(name, { nil: undefined }),
  requestId: fc.oneof(name, fc.integer()),
  service: name,
  deadline: fc.option(fc.integer({ min: 0, max: 2 ** 45 }), { nil: undefined }),
  headers: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), {
    nil: undefined,
  }),
})
const encoded = request.map((r) => Buffer.from(encodeRequest(r)) as Uint8Array)

/** Envelope-shaped JSON with any value in any field, as Python's json.dumps would write it. */
const field = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined))
const shaped = fc
  .record({
    action: field,
    payload: field,
    reply_to: field,
    request_id: field,
    service: field,
    deadline: field,
    timeout_ms: field,
    headers: field,
    status: fc.oneof(field, fc.constantFrom('success', 'error', 'progress')),
    final: field,
  })
  .map(
    (fields) => Buffer.from(JSON.stringify(fields).replaceAll(':', ': ').replaceAll(',', ', ')) as Uint8Array,
  )

const anyBytes = fc.oneof(
  randomBytes([...'{}[]":,'].map((c) => c.charCodeAt(0))),
  mutated(encoded),
  shaped,
  mutated(shaped),
)

const isOptionalString = (v: unknown) => v === undefined || typeof v === 'string'
const isRequestId = (v: unknown) =>
  (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v))

serveProperties({
  'request: any bytes': fuzzProperty(
    fc.property(anyBytes, (bytes) => {
      const decoded = decodeRequest(bytes)
      if (!decoded.ok) {
        ok(typeof decoded.reason === 'string' && decoded.reason.length > 0)
        ok(
          decoded.replyTo === undefined ||
            (typeof decoded.replyTo === 'string' && decoded.replyTo.length > 0),
        )
        ok(decoded.requestId === undefined || isRequestId(decoded.requestId))
        return
      }
      const r = decoded.request
      ok(typeof r.action === 'string' && r.action.length > 0)
      ok(isRequestId(r.requestId))
      ok(isOptionalString(r.replyTo) && isOptionalString(r.service))
      ok(r.deadline === undefined || Number.isFinite(r.deadline))
      ok(r.headers === undefined || Object.values(r.headers).every((v) => typeof v === 'string'))
      assertPlainData(r.payload)
    }),
  ),
  'response: any bytes': fuzzProperty(
    fc.property(anyBytes, (bytes) => {
      const decoded = decodeResponse(bytes)
      if (typeof decoded === 'string') return
      ok(typeof decoded.requestId === 'string')
      ok(['success', 'error', 'progress'].includes(decoded.status))
      ok(typeof decoded.final === 'boolean')
      // A response may leave its payload out; Daebus' always has one.
      if (decoded.payload !== undefined) assertPlainData(decoded.payload)
    }),
  ),
  'request: what is encoded decodes': fuzzProperty(
    fc.property(request, (r) => {
      const decoded = decodeRequest(Buffer.from(encodeRequest(r)))
      ok(decoded.ok, decoded.ok ? '' : decoded.reason)
      ok(decoded.request.action === r.action && decoded.request.requestId === r.requestId)
      ok(decoded.request.replyTo === r.replyTo && decoded.request.service === r.service)
    }),
  ),
})
