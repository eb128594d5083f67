import { describe, expect, test } from 'vitest'
import { jsonCodec } from '../../src/codec/json.js'
import { EncodeError } from '../../src/errors.js'
import {
  decodeRequest,
  decodeResponse,
  encodeCancel,
  encodeError,
  encodeRequest,
  encodeSuccess,
  readErrorPayload,
} from '../../src/rpc/envelope.js'
import { Buses, listenJson, publishRaw } from './harness.js'

const text = (wire: Uint8Array | string) =>
  typeof wire === 'string' ? wire : Buffer.from(wire).toString('utf8')
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'))

// What Daebus' Python peers put on the wire: json.dumps with its default ", " and ": " separators.
const PY_REQUEST =
  '{"action": "get_status", "payload": {"verbose": true}, "reply_to": "caller:5b0c7a4e-8d1f-4c1e-9a57-3f2b1c0d9e8f", "request_id": "0f8e2c1a-7b6d-4e5f-8a9b-0c1d2e3f4a5b", "service": "system_monitor"}'
const PY_SUCCESS = '{"status": "success", "payload": {"cpu": 12.5}, "request_id": "r-1", "final": true}'
const PY_PROGRESS = '{"status": "success", "payload": {"done": 3}, "request_id": "r-1", "final": false}'
const PY_ERROR =
  '{"status": "error", "payload": {"error": "input is empty"}, "request_id": "r-1", "final": true}'

describe('request envelope (golden JSON)', () => {
  test('encodes Daebus keys in Daebus order, byte for byte', () => {
    const wire = encodeRequest({
      action: 'get_status',
      payload: { verbose: true },
      replyTo: 'caller:abc',
      requestId: 'r-1',
      service: 'system_monitor',
      deadline: undefined,
      headers: undefined,
    })
    expect(text(wire)).toBe(
      '{"action":"get_status","payload":{"verbose":true},"reply_to":"caller:abc","request_id":"r-1","service":"system_monitor"}',
    )
  })

  test('appends the optional keys Daebus ignores after its own', () => {
    const wire = encodeRequest({
      action: 'a',
      payload: null,
      replyTo: 'caller:x',
      requestId: 'r',
      service: 's',
      deadline: 1700000000000,
      headers: { traceparent: '00-abc-def-01' },
    })
    expect(text(wire)).toBe(
      '{"action":"a","payload":null,"reply_to":"caller:x","request_id":"r","service":"s","deadline":1700000000000,"timeout_ms":0,"headers":{"traceparent":"00-abc-def-01"}}',
    )
  })

  test('the deadline is held to the earlier of arrival + timeout_ms and deadline + maxClockSkewMs', () => {
    const request = (fields: Record<string, unknown>) =>
      bytes(JSON.stringify({ action: 'a', payload: null, reply_to: 'caller:x', request_id: 'r', ...fields }))
    const deadlineOf = (wire: Uint8Array, now: number, skew: number) => {
      const decoded = decodeRequest(wire, now, skew)
      return decoded.ok ? decoded.request.deadline : 'bad'
    }
    // Sent at 10,000 with 1,000 ms to go, on clocks that agree: it arrived 3,000 ms later (held in
    // a paused Redis). Its caller gave up 2,000 ms ago; with a 500 ms tolerance it is past.
    const held = request({ deadline: 11_000, timeout_ms: 1000 })
    expect(deadlineOf(held, 13_000, 500)).toBe(11_500)
    // Arrived at once: arrival + the time left, which is never more than the caller had.
    expect(deadlineOf(held, 10_001, 500)).toBe(11_001)
    // A Daebus caller sends neither. (The rule itself: test/rpc/deadline.test.ts.)
    expect(deadlineOf(request({}), 10_001, 500)).toBeUndefined()
  })

  test('fire-and-forget has reply_to null, so a Daebus peer still finds every key', () => {
    const wire = encodeRequest({
      action: 'm',
      payload: { n: 1 },
      replyTo: undefined,
      requestId: 'r',
      service: 's',
      deadline: undefined,
      headers: undefined,
    })
    expect(text(wire)).toBe('{"action":"m","payload":{"n":1},"reply_to":null,"request_id":"r","service":"s"}')
  })

  test('decodes what a Python Daebus caller sends', () => {
    const decoded = decodeRequest(bytes(PY_REQUEST))
    expect(decoded).toEqual({
      ok: true,
      request: {
        action: 'get_status',
        payload: { verbose: true },
        replyTo: 'caller:5b0c7a4e-8d1f-4c1e-9a57-3f2b1c0d9e8f',
        requestId: '0f8e2c1a-7b6d-4e5f-8a9b-0c1d2e3f4a5b',
        service: 'system_monitor',
        deadline: undefined,
        headers: undefined,
      },
    })
  })

  test("unknown extra keys are ignored, as Daebus ignores switchboard's", () => {
    const decoded = decodeRequest(
      bytes(
        '{"action": "a", "payload": 1, "reply_to": "caller:x", "request_id": "r", "service": "s", "priority": "high"}',
      ),
    )
    expect(decoded).toMatchObject({ ok: true, request: { action: 'a', payload: 1 } })
  })

  test('the cancel message is request-shaped, with the reserved action', () => {
    expect(text(encodeCancel('s', 'r-9', 'caller:x'))).toBe(
      '{"action":"__cancel__","payload":null,"reply_to":"caller:x","request_id":"r-9","service":"s"}',
    )
  })
})

describe('response envelope (golden JSON)', () => {
  test('encodes success, progress and error as Daebus does, keys in order', () => {
    expect(text(encodeSuccess('r-1', { cpu: 12.5 }, true))).toBe(
      '{"status":"success","payload":{"cpu":12.5},"request_id":"r-1","final":true}',
    )
    expect(text(encodeSuccess('r-1', { done: 3 }, false))).toBe(
      '{"status":"success","payload":{"done":3},"request_id":"r-1","final":false}',
    )
    expect(text(encodeError('r-1', 'input is empty', undefined))).toBe(
      '{"status":"error","payload":{"error":"input is empty"},"request_id":"r-1","final":true}',
    )
    expect(text(encodeError('r-1', 'no such action', 'UNKNOWN_ACTION'))).toBe(
      '{"status":"error","payload":{"error":"no such action","code":"UNKNOWN_ACTION"},"request_id":"r-1","final":true}',
    )
  })

  test('a refusal that may be sent elsewhere says `"started": false`, after Daebus\' keys', () => {
    const wire = encodeError('r-1', 'service "s" is stopping', 'CLOSED', true)
    expect(text(wire)).toBe(
      '{"status":"error","payload":{"error":"service \\"s\\" is stopping","code":"CLOSED","started":false},"request_id":"r-1","final":true}',
    )
    const decoded = decodeResponse(wire)
    expect(readErrorPayload(typeof decoded === 'string' ? undefined : decoded.payload)).toEqual({
      message: 'service "s" is stopping',
      code: 'CLOSED',
      notStarted: true,
    })
  })

  test('decodes what a Python Daebus service sends', () => {
    expect(decodeResponse(bytes(PY_SUCCESS))).toEqual({
      requestId: 'r-1',
      status: 'success',
      final: true,
      payload: { cpu: 12.5 },
    })
    expect(decodeResponse(bytes(PY_PROGRESS))).toEqual({
      requestId: 'r-1',
      status: 'success',
      final: false,
      payload: { done: 3 },
    })
    const error = decodeResponse(bytes(PY_ERROR))
    expect(error).toEqual({
      requestId: 'r-1',
      status: 'error',
      final: true,
      payload: { error: 'input is empty' },
    })
    expect(readErrorPayload(typeof error === 'string' ? undefined : error.payload)).toEqual({
      message: 'input is empty',
      code: undefined,
      notStarted: false,
    })
  })

  test('a missing "final" means final, as in Daebus\' own caller; a number request_id is matched as a string', () => {
    expect(decodeResponse(bytes('{"status": "success", "payload": 1, "request_id": 7}'))).toEqual({
      requestId: '7',
      status: 'success',
      final: true,
      payload: 1,
    })
  })

  test('an unusable response says why', () => {
    expect(decodeResponse(bytes('nope'))).toMatch(/not valid JSON/)
    expect(decodeResponse(bytes('[1]'))).toMatch(/not a JSON object/)
    expect(decodeResponse(bytes('{"status":"success","payload":1}'))).toMatch(/request_id/)
    expect(decodeResponse(bytes('{"status":"weird","payload":1,"request_id":"r"}'))).toMatch(
      /unknown "status"/,
    )
  })
})

describe('malformed requests', () => {
  test('not JSON: no reply channel can be read', () => {
    expect(decodeRequest(bytes('{"action": get'))).toMatchObject({
      ok: false,
      replyTo: undefined,
      reason: expect.stringMatching(/not valid JSON/),
    })
  })

  test('lacking fields: the reply channel and request_id are still read, so the caller can be told', () => {
    expect(
      decodeRequest(bytes('{"payload": {}, "reply_to": "caller:x", "request_id": "r", "service": "s"}')),
    ).toEqual({
      ok: false,
      reason: 'request lacks "action" (a non-empty string)',
      replyTo: 'caller:x',
      requestId: 'r',
    })
    expect(decodeRequest(bytes('{"action": "a", "reply_to": "caller:x", "request_id": "r"}'))).toMatchObject({
      ok: false,
      reason: 'request lacks "payload"',
      replyTo: 'caller:x',
    })
    expect(decodeRequest(bytes('{"action": "a", "payload": 1, "reply_to": "caller:x"}'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/request_id/),
    })
    expect(
      decodeRequest(
        bytes('{"action": "a", "payload": 1, "reply_to": "caller:x", "request_id": "r", "deadline": "soon"}'),
      ),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/deadline/),
    })
  })

  test('a tagged value that does not decode still lets reply_to be read', () => {
    const wire =
      '{"action":"a","payload":{"__type__":"bytes","__data__":"!!"},"reply_to":"caller:y","request_id":"r2","service":"s"}'
    expect(decodeRequest(bytes(wire))).toMatchObject({ ok: false, replyTo: 'caller:y', requestId: 'r2' })
  })
})

describe('TypedArrays in payloads travel as Redis Toolkit tagged JSON', () => {
  test('a Float64Array round-trips through the envelope', () => {
    const samples = new Float64Array([1.5, -2, 3.25])
    const wire = encodeSuccess('r', { samples }, true)
    expect(text(wire)).toContain('"__type__":"numpy"')
    const decoded = decodeResponse(bytes(wire))
    if (typeof decoded === 'string') throw new Error(decoded)
    const payload = decoded.payload as { samples: Float64Array }
    expect(payload.samples).toBeInstanceOf(Float64Array)
    expect([...payload.samples]).toEqual([1.5, -2, 3.25])
  })

  test('a numpy array tagged by Redis Toolkit in Python decodes in a request', () => {
    const wire =
      '{"action": "mean", "payload": {"v": {"__type__": "numpy", "__dtype__": "int32", "__shape__": [3], "__data__": [1, 2, 3]}}, "reply_to": "caller:z", "request_id": "r", "service": "s"}'
    const decoded = decodeRequest(bytes(wire))
    if (!decoded.ok) throw new Error(decoded.reason)
    const v = (decoded.request.payload as { v: Int32Array }).v
    expect(v).toBeInstanceOf(Int32Array)
    expect([...v]).toEqual([1, 2, 3])
  })
})

describe('envelopes are written around the payload text, as the json codec would write the whole', () => {
  const payloads: unknown[] = [
    undefined,
    null,
    0,
    'text with "quotes" and \u00e9',
    [1, 'two', { three: 3 }],
    { nested: { deep: [new Float32Array([1, 2]), new Uint8Array([255])] }, when: new Date(0) },
    new Map([['k', 1]]),
    new Set(['a']),
    new Int16Array([-1, 2]),
  ]
  const whole = (envelope: Record<string, unknown>) => text(jsonCodec.encode(envelope))

  test.each(payloads.map((payload) => [payload]))('success and progress responses: %o', (payload) => {
    for (const final of [true, false]) {
      expect(text(encodeSuccess('r-1', payload, final))).toBe(
        whole({ status: 'success', payload: payload ?? null, request_id: 'r-1', final }),
      )
    }
    expect(text(encodeSuccess(42, payload, true))).toBe(
      whole({ status: 'success', payload: payload ?? null, request_id: 42, final: true }),
    )
  })

  test.each(payloads.map((payload) => [payload]))('requests: %o', (payload) => {
    const wire = encodeRequest({
      action: 'act"ion',
      payload,
      replyTo: undefined,
      requestId: 7,
      service: 'svc',
      deadline: undefined,
      headers: { 'x-h': 'v' },
    })
    expect(text(wire)).toBe(
      whole({
        action: 'act"ion',
        payload: payload ?? null,
        reply_to: null,
        request_id: 7,
        service: 'svc',
        headers: { 'x-h': 'v' },
      }),
    )
  })

  test('a payload JSON cannot carry is an EncodeError, in requests and responses alike', () => {
    const request = {
      action: 'a',
      payload: { f: () => 1 },
      replyTo: 'caller:x',
      requestId: 'r',
      service: 's',
      deadline: undefined,
      headers: undefined,
    }
    expect(() => encodeRequest(request)).toThrow(EncodeError)
    expect(() => encodeSuccess('r', { s: Symbol('s') }, true)).toThrow(EncodeError)
  })
})

// What a Daebus caller's json.dumps writes for {"x": float('nan'), ...} (Python 3.12).
const PY_NAN_REQUEST =
  '{"action": "echo", "payload": {"x": NaN, "y": [Infinity, -Infinity], "id": 18446744073709551616}, "reply_to": "caller:py", "request_id": "r-nan", "service": "calc"}'

describe('envelopes carry what Python json writes', () => {
  test('a request with NaN, the infinities and a 64-bit integer in its payload decodes', () => {
    const decoded = decodeRequest(bytes(PY_NAN_REQUEST))
    expect(decoded.ok).toBe(true)
    const payload = decoded.ok ? (decoded.request.payload as Record<string, unknown>) : {}
    expect(payload.x).toBeNaN()
    expect(payload.y).toEqual([Infinity, -Infinity])
    expect(payload.id).toBe(2n ** 64n)
  })

  test('responses write them back as Python reads them, and decode them', () => {
    const wire = encodeSuccess('r-nan', { x: Number.NaN, y: -Infinity, id: 2n ** 64n }, true)
    expect(text(wire)).toBe(
      '{"status":"success","payload":{"x":NaN,"y":-Infinity,"id":18446744073709551616},"request_id":"r-nan","final":true}',
    )
    const response = decodeResponse(bytes(text(wire)))
    expect(response).toMatchObject({
      requestId: 'r-nan',
      final: true,
      payload: { y: -Infinity, id: 2n ** 64n },
    })
    expect(typeof response === 'string' ? undefined : (response.payload as { x: number }).x).toBeNaN()
  })

  test('a request whose tagged payload is bad is still answered when it holds NaN', () => {
    const request =
      '{"action": "a", "payload": {"v": NaN, "b": {"__type__": "bytes", "__data__": "$$"}}, "reply_to": "caller:py", "request_id": "r-2", "service": "s"}'
    expect(decodeRequest(bytes(request))).toMatchObject({ ok: false, replyTo: 'caller:py', requestId: 'r-2' })
  })

  test('a Daebus-shaped request with NaN in its payload is answered on the bus', async () => {
    const buses = new Buses()
    try {
      const bus = await buses.connect()
      await bus
        .service('calc')
        .action('echo', (payload) => payload)
        .start()
      const caller = await buses.connect()
      const replies = await listenJson(caller, 'caller:py')
      expect(await publishRaw(caller, 'calc', PY_NAN_REQUEST)).toBe(1)
      const [reply] = await replies.take(1)
      expect(reply).toMatchObject({ status: 'success', request_id: 'r-nan', final: true })
      const payload = reply?.payload as Record<string, unknown>
      expect(payload.x).toBeNaN()
      expect(payload).toMatchObject({ y: [Infinity, -Infinity], id: 2n ** 64n })
    } finally {
      await buses.close()
    }
  })
})
