import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import type { Codec } from '../../src/codec/codec.js'
import { jsonCodec } from '../../src/codec/json.js'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { rawCodec } from '../../src/codec/raw.js'
import { MalformedMessageError } from '../../src/errors.js'
import { decodeRequest } from '../../src/rpc/envelope.js'
import { uniq, until } from '../helpers/wait.js'
import { Buses, listenJson, publishRaw } from '../rpc/harness.js'
import { mutated, randomBytes } from './mutate.js'

// At bus level, on the embedded broker: every message a subscriber's codec refuses is counted as
// malformed and reported once as a MalformedMessageError 'error' event; the rest reach the
// handler; and the bus, and a service on it, go on working. (The decoders themselves are fuzzed in
// workers by the other files here; these runs are few, since each goes through the bus.)

let buses: Buses
let bus: Bus
const errors: unknown[] = []
beforeAll(async () => {
  buses = new Buses()
  bus = await buses.connect()
  bus.on('error', (error) => errors.push(error))
})
afterAll(() => buses.close())

/** Whether `codec` reads `bytes`: what the bus must then deliver rather than count. */
function reads(codec: Codec, bytes: Uint8Array): boolean {
  try {
    codec.decode(bytes)
    return true
  } catch (error) {
    if (error instanceof MalformedMessageError) return false
    throw error
  }
}

const hostile = (codec: Codec) =>
  fc.array(
    fc.oneof(
      randomBytes([0xc1, 0xd4, 0xd6, 0xc7, 0xdd, 0xdf, 0x80, 0x90, 0x7b, 0x5b, 0x22, 0x4e]),
      mutated(fc.jsonValue({ maxDepth: 2 }).map((v) => codec.encode(v))),
      fc.constantFrom(
        Buffer.from('d4780092a75e28612b292b24a0', 'hex'), // a RegExp, as msgpackr writes it
        Buffer.from('dd00100000', 'hex'), // an array of a million items, in 5 bytes
        Buffer.from('[1, NaN, Infinity, 12345678901234567890]'),
      ),
    ),
    { minLength: 1, maxLength: 12 },
  )

describe.each([
  ['msgpack', msgpackCodec],
  ['json', jsonCodec],
])('a subscription with the %s codec', (_, codec) => {
  test('counts each message it cannot decode as malformed, reports it, and delivers the rest', async () => {
    await fc.assert(
      fc.asyncProperty(hostile(codec), async (messages) => {
        const channel = uniq('fuzz')
        const received: unknown[] = []
        const sub = await bus.subscribe(channel, (data) => received.push(data), { codec })
        const before = { ...bus.stats() }
        errors.length = 0
        try {
          for (const bytes of messages) await bus.publish(channel, bytes, { codec: rawCodec })
          const bad = messages.filter((bytes) => !reads(codec, bytes))
          await until(
            () => received.length + (bus.stats().malformed - before.malformed) === messages.length,
            'every message delivered or counted',
          )
          expect(bus.stats().malformed - before.malformed).toBe(bad.length)
          expect(received).toHaveLength(messages.length - bad.length)
          expect(errors).toHaveLength(bad.length)
          errors.forEach((error, i) => {
            expect(error).toBeInstanceOf(MalformedMessageError)
            expect((error as MalformedMessageError).channel).toBe(channel)
            expect((error as MalformedMessageError).preview).toEqual(bad[i]?.subarray(0, 64))
          })
        } finally {
          await sub.unsubscribe()
        }
      }),
      { numRuns: 25 },
    )
    // And the bus still carries ordinary messages.
    const channel = uniq('after')
    const got: unknown[] = []
    await bus.subscribe(channel, (data) => got.push(data), { codec })
    await bus.publish(channel, { still: 'working' }, { codec })
    await until(() => got.length === 1, 'a message after the fuzzing')
    expect(got).toEqual([{ still: 'working' }])
  })
})

test('a service counts each request it cannot read as malformed, and still answers', async () => {
  const service = uniq('fuzzsvc')
  const app = bus.service(service).action('echo', (payload) => payload)
  await app.start()
  const requests = fc.array(
    fc.oneof(
      randomBytes([0x7b, 0x7d, 0x22, 0x3a, 0x2c]),
      mutated(
        fc
          .jsonValue({ maxDepth: 2 })
          .map((payload) =>
            Buffer.from(
              JSON.stringify({ action: 'nope', payload, reply_to: null, request_id: 'r', service }),
            ),
          ),
      ),
    ),
    { minLength: 1, maxLength: 10 },
  )
  let expected = 0
  await fc.assert(
    fc.asyncProperty(requests, async (messages) => {
      for (const bytes of messages) {
        if (!decodeRequest(bytes).ok) expected++
        await bus.publish(service, bytes, { codec: rawCodec })
      }
      await until(() => app.stats().malformed === expected, `${expected} malformed requests counted`)
    }),
    { numRuns: 20 },
  )
  // A Daebus caller's request, NaN in its payload, is still answered.
  const client = await buses.connect()
  const replyTo = `caller:${uniq()}`
  const replies = await listenJson(client, replyTo)
  await publishRaw(
    client,
    service,
    `{"action": "echo", "payload": {"x": NaN}, "reply_to": "${replyTo}", "request_id": "last", "service": "${service}"}`,
  )
  const [reply] = await replies.take(1)
  expect(reply).toMatchObject({ status: 'success', request_id: 'last', final: true })
  const payload = reply?.payload as { x: number }
  expect(payload.x).toBeNaN()
  await app.stop()
})
