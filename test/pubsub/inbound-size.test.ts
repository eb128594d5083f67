import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import type { Codec } from '../../src/codec/codec.js'
import { rawCodec } from '../../src/codec/raw.js'
import { PayloadTooLargeError, type SwitchboardError } from '../../src/errors.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { collector, uniq, withTimeout } from '../helpers/wait.js'

/** A codec that records what it was asked to decode: an oversize message must never reach it. */
function spyCodec(): Codec & { decoded: number[] } {
  const decoded: number[] = []
  return {
    name: 'spy',
    decoded,
    encode: (value) => rawCodec.encode(value),
    decode: (bytes) => {
      decoded.push(bytes.byteLength)
      return rawCodec.decode(bytes)
    },
  }
}

async function dropsOversize(url: string, opened: Bus[]): Promise<void> {
  const receiver = await connect({ url, maxPayloadBytes: 1024 })
  // The sender's own limit is larger: a peer (or redis-cli) may send what this bus refuses.
  const sender = await connect({ url, maxPayloadBytes: 1 << 20 })
  opened.push(receiver, sender)
  const errors: SwitchboardError[] = []
  receiver.on('error', (error) => errors.push(error))
  const channel = uniq('inbound')
  const codec = spyCodec()
  const seen = collector<Uint8Array>(1)
  const sub = await receiver.subscribe(channel, (data) => seen.push(data as Uint8Array), { codec })
  await sender.publish(channel, new Uint8Array(4096), { codec: rawCodec })
  await sender.publish(channel, new Uint8Array(16), { codec: rawCodec })
  // The small message after it arrives: the big one cost nothing else.
  const [small] = await withTimeout(seen.done, 'the small message')
  expect(small?.byteLength).toBe(16)
  expect(codec.decoded).toEqual([16])
  expect(receiver.stats().dropped).toBe(1)
  expect(sub.stats.dropped).toBe(1)
  expect(errors).toHaveLength(1)
  const error = errors[0]
  expect(error).toBeInstanceOf(PayloadTooLargeError)
  expect(error).toMatchObject({ size: 4096, limit: 1024, channel })
  expect(error?.message).toMatch(/without decoding it: over maxPayloadBytes 1024; raise maxPayloadBytes/)
}

describe('maxPayloadBytes applies to what arrives', () => {
  const opened: Bus[] = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.close()))
  })

  it('on the embedded broker: a larger message is dropped, counted and reported, never decoded', async () => {
    await dropsOversize(`memory://${uniq('inbound')}`, opened)
  })
})

describeRedis('maxPayloadBytes applies to what arrives, on Redis', () => {
  let server: RedisServer
  const opened: Bus[] = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.close()))
    await server?.stop()
  })

  it('a larger message is dropped, counted and reported, never decoded', async () => {
    server = await RedisServer.start()
    await dropsOversize(server.url, opened)
  })
})
