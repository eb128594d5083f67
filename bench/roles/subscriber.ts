import { unpack } from 'msgpackr'
import { connect } from '../../src/index.js'
import { bareSubscribe } from '../lib/bare-resp.js'
import { connectIoredis, connectNodeRedis } from '../lib/clients.js'
import type { Order } from '../lib/payload.js'

/** Each implementation's subscriber: it decodes every message and hands the object on. */
export async function subscriber(
  impl: string,
  url: string,
  channel: string,
  onData: (data: Order) => void,
): Promise<() => Promise<void>> {
  switch (impl) {
    case 'switchboard': {
      const bus = await connect<{ [channel: string]: Order }>({ url })
      await bus.subscribe(channel, onData)
      return () => bus.close()
    }
    case 'node-redis': {
      const client = await connectNodeRedis(url)
      await client.subscribe(channel, (message: Buffer) => onData(unpack(message) as Order), true)
      return () => client.close()
    }
    case 'ioredis': {
      const client = await connectIoredis(url)
      client.on('messageBuffer', (_channel: Buffer, message: Buffer) => onData(unpack(message) as Order))
      await client.subscribe(channel)
      return async () => void (await client.quit())
    }
    case 'bare-resp': {
      const close = await bareSubscribe(url, channel, (payload) => onData(unpack(payload) as Order))
      return async () => close()
    }
    default:
      throw new Error(`unknown subscriber implementation ${impl}`)
  }
}
