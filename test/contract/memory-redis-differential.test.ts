import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChannelName, channelKey, keyOfBytes } from '../../src/transport/channel-key.js'
import { memoryBroker } from '../../src/transport/memory/memory-broker.js'
import { MemoryTransport } from '../../src/transport/memory/memory-transport.js'
import type { RespValue } from '../../src/transport/redis/resp-reader.js'
import { SUBSCRIBE_COMMANDS, type SubscriptionKind } from '../../src/transport/transport.js'
import { RawRedis } from '../helpers/raw-redis.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq } from '../helpers/wait.js'
import { GLOB_RULES } from '../transport/glob-rules.js'
import { bytes, Inbox } from './inbox.js'

/**
 * The embedded broker is Redis, exactly: the same random subscribes, pattern subscribes,
 * unsubscribes and publishes go to `memory://` and to a real redis-server, and every answer is
 * compared: what each PUBLISH counts, what each client receives (channel, pattern, which
 * publish), PUBSUB NUMSUB and PUBSUB CHANNELS. Names come from an alphabet of every glob
 * character, letters, é, an emoji and the empty string, so that most of them collide; and, given
 * as bytes, from an alphabet of glob characters, letters and bytes that are not UTF-8 on their
 * own or together (0x80, 0xFF, é's two bytes, half of an encoded surrogate). Channels and
 * patterns are compared by key (channel-key.ts): by their exact bytes.
 */

const CLIENTS = 3
const ALPHABET = ['*', '?', '[', ']', '^', '-', '\\', 'a', 'b', 'z', 'é', '😀']

type Op =
  | { op: 'subscribe' | 'unsubscribe'; kind: SubscriptionKind; client: number; name: number }
  | { op: 'publish'; client: number; name: number }

const name = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 4 }).map((parts) => parts.join(''))
const client = fc.nat(CLIENTS - 1)
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constantFrom('subscribe' as const, 'unsubscribe' as const),
    kind: fc.constantFrom<SubscriptionKind>('channel', 'pattern'),
    client,
    name: fc.nat(),
  }),
  // Publishes weigh more: they are what is compared.
  { weight: 2, arbitrary: fc.record({ op: fc.constant('publish' as const), client, name: fc.nat() }) },
)
/**
 * A channel and a pattern made from it, unit by unit (a character, or a byte): the unit itself,
 * `?`, `*`, a set holding or refusing it, a range from or to it, an escape, or nothing. Such a
 * pattern nearly matches its channel, which is where the rules differ (`?` against é, `*`
 * against nothing).
 */
function nearMiss<U>(units: fc.Arbitrary<U>, glob: (text: string) => U[], join: (units: U[]) => ChannelName) {
  const [a, z] = [glob('a'), glob('z')]
  const g = (text: string) => glob(text)
  return fc
    .array(
      fc.tuple(
        units,
        fc.constantFrom<(c: U) => U[]>(
          (c) => [c],
          () => g('?'),
          () => g('*'),
          (c) => [...g('['), c, ...g(']')],
          (c) => [...g('[^'), c, ...g(']')],
          (c) => [...g('['), c, ...g('-'), ...z, ...g(']')],
          (c) => [...g('['), ...a, ...g('-'), c, ...g(']')],
          (c) => [...g('['), c, ...g('-]')],
          (c) => [...g('\\'), c],
          () => [],
        ),
      ),
      { maxLength: 4 },
    )
    .map((pieces) => [join(pieces.map(([c]) => c)), join(pieces.flatMap(([c, glob]) => glob(c)))])
}

/** Ops pick names from a small pool by index, so that channels and patterns meet often. */
function scenarioOf(pairs: fc.Arbitrary<ChannelName[]>, names: fc.Arbitrary<ChannelName>) {
  return fc.record({
    pool: fc
      .tuple(fc.array(pairs, { minLength: 1, maxLength: 3 }), fc.array(names, { maxLength: 3 }))
      .map(([pairs, names]) => {
        // One name per key: text and bytes that are the same name count once.
        const byKey = new Map<string, ChannelName>()
        for (const each of [...pairs.flat(), ...names]) byKey.set(channelKey(each), each)
        return [...byKey.values()]
      }),
    ops: fc.array(opArb, { minLength: 1, maxLength: 30 }),
  })
}

const scenario = scenarioOf(
  nearMiss(
    fc.constantFrom(...ALPHABET),
    (text) => [...text],
    (chars) => chars.join(''),
  ),
  name,
)

/** Glob characters, letters, and bytes that are not UTF-8 alone or together. */
const BYTES = [0x2a, 0x3f, 0x5b, 0x5d, 0x5e, 0x2d, 0x5c, 0x61, 0x7a, 0x80, 0xbf, 0xc3, 0xa9, 0xed, 0xa0, 0xff]
const byteScenario = scenarioOf(
  nearMiss(
    fc.constantFrom(...BYTES),
    (text) => [...Buffer.from(text, 'latin1')],
    (bytes) => Uint8Array.from(bytes),
  ),
  fc.array(fc.constantFrom(...BYTES), { maxLength: 5 }).map((bytes) => Uint8Array.from(bytes)),
)

/**
 * One broker as the test drives it: CLIENTS subscribing clients, each with an inbox, and
 * publishes, NUMSUB and CHANNELS.
 */
interface Side {
  readonly inboxes: Inbox[]
  subscription(
    op: 'subscribe' | 'unsubscribe',
    kind: SubscriptionKind,
    client: number,
    name: ChannelName,
  ): Promise<void>
  publish(client: number, channel: ChannelName, text: string): Promise<number>
  numsub(channels: ChannelName[]): Promise<number[]>
  /** PUBSUB CHANNELS, as keys: the exact bytes of each channel. */
  channels(pattern: ChannelName): Promise<string[]>
  close(): Promise<void>
}

async function memorySide(): Promise<Side> {
  const broker = uniq('differential')
  const transports: MemoryTransport[] = []
  const inboxes: Inbox[] = []
  for (let i = 0; i < CLIENTS; i++) {
    const t = new MemoryTransport(broker)
    const inbox = new Inbox()
    t.onMessage(inbox.sink)
    await t.connect()
    transports.push(t)
    inboxes.push(inbox)
  }
  const at = (client: number): MemoryTransport => transports[client] as MemoryTransport
  return {
    inboxes,
    subscription: (op, kind, client, name) => at(client)[op](kind, [name]),
    publish: (client, channel, text) => at(client).publish(channel, bytes(text)),
    numsub: (channels) => at(0).numsub(channels),
    channels: async (pattern) => memoryBroker(broker).channels(channelKey(pattern)),
    close: async () => {
      await Promise.all(transports.map((t) => t.close()))
    },
  }
}

/**
 * The real server, through bare connections, so that what is compared is Redis itself, not a
 * client library's or the Redis transport's view of it. RESP2 lets a subscribed connection do
 * nothing else, so one more connection publishes and lists.
 */
async function redisSide(port: number): Promise<Side> {
  const subscribers = await Promise.all(Array.from({ length: CLIENTS }, () => RawRedis.open(port)))
  const commands = await RawRedis.open(port)
  return {
    inboxes: subscribers.map((s) => s.inbox),
    subscription: async (op, kind, client, name) => {
      await (subscribers[client] as RawRedis).command(SUBSCRIBE_COMMANDS[kind][op], name)
    },
    publish: async (_client, channel, text) => Number(await commands.command('PUBLISH', channel, text)),
    numsub: async (channels) => {
      const reply = (await commands.command('PUBSUB', 'NUMSUB', ...channels)) as RespValue[]
      return reply.filter((_, i) => i % 2 === 1).map(Number)
    },
    channels: async (pattern) => {
      const reply = (await commands.command('PUBSUB', 'CHANNELS', pattern)) as Buffer[]
      return reply.map((channel) => keyOfBytes(channel))
    },
    close: async () => {
      for (const connection of [...subscribers, commands]) connection.close()
    },
  }
}

async function apply(side: Side, op: Op, pool: ChannelName[], index: number): Promise<number | undefined> {
  const target = pool[op.name % pool.length] as ChannelName
  // The payload says which publish it was, so that deliveries can be compared one by one.
  if (op.op === 'publish') return side.publish(op.client, target, String(index))
  await side.subscription(op.op, op.kind, op.client, target)
  return undefined
}

/** One delivery, as comparable data: which publish, on which channel, through which pattern. */
type Delivery = readonly [publish: number, channel: string, pattern: string | null]

/** Each client's end marker will arrive after everything published before it (per-client order). */
async function subscribeMarkers(side: Side): Promise<Side> {
  for (let i = 0; i < CLIENTS; i++) await side.subscription('subscribe', 'channel', i, `end:${i}`)
  return side
}

/** Waits for every client's end marker, then gives what each received, markers left out. */
async function deliveries(side: Side): Promise<Delivery[][]> {
  for (let i = 0; i < CLIENTS; i++) await side.publish(0, `end:${i}`, 'end')
  return Promise.all(
    side.inboxes.map(async (inbox, i) => {
      await inbox.waitFor((m) => m.channel === `end:${i}` && m.pattern === undefined, `end marker ${i}`)
      const received = inbox.messages.filter((m) => m.text !== 'end')
      const order = received.map((m) => Number(m.text))
      // Redis delivers one client's messages in publish order...
      expect(order, 'deliveries in publish order').toEqual([...order].sort((a, b) => a - b))
      // ...but the patterns one publish matches in the order of its hash table: sort those.
      return received
        .map((m): Delivery => [Number(m.text), m.channel, m.pattern ?? null])
        .sort((a, b) => a[0] - b[0] || byUnits(String(a[2]), String(b[2])) || byUnits(a[1], b[1]))
    }),
  )
}

/** Code unit order: every two different keys differ in it, as localeCompare does not promise. */
function byUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

async function listings(
  side: Side,
  pool: ChannelName[],
): Promise<{ numsub: number[]; channels: string[][] }> {
  const numsub = await side.numsub(pool)
  const channels = await Promise.all(pool.map(async (p) => (await side.channels(p)).sort(byUnits)))
  return { numsub, channels }
}

describeRedis('memory:// against a real Redis', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterAll(async () => {
    await server?.stop()
  })

  describe('the glob rules, on the real server and on memory://', () => {
    for (const { rule, cases } of GLOB_RULES) {
      it(rule, async () => {
        const sides = [await redisSide(server.port), await memorySide()]
        try {
          for (const [pattern, channel, expected] of cases) {
            for (const [i, side] of sides.entries()) {
              await side.subscription('subscribe', 'pattern', 0, pattern)
              const receivers = await side.publish(1, channel, 'x')
              await side.subscription('unsubscribe', 'pattern', 0, pattern)
              const what = `${i === 0 ? 'redis' : 'memory'}: ${pattern.slice(0, 40)} ~ ${channel.slice(0, 40)}`
              expect(receivers, what).toBe(expected ? 1 : 0)
            }
          }
        } finally {
          await Promise.all(sides.map((side) => side.close()))
        }
      })
    }
  })

  /** The same ops on both brokers; every answer compared. */
  async function compare({ pool, ops }: { pool: ChannelName[]; ops: Op[] }): Promise<void> {
    const memory = await subscribeMarkers(await memorySide())
    const redis = await subscribeMarkers(await redisSide(server.port))
    try {
      const counts: Array<[memory: number | undefined, redis: number | undefined]> = []
      for (const [index, op] of ops.entries()) {
        counts.push([await apply(memory, op, pool, index), await apply(redis, op, pool, index)])
      }
      expect(
        counts.map(([m]) => m),
        'PUBLISH receivers',
      ).toEqual(counts.map(([, r]) => r))
      expect(await deliveries(memory), 'what each client received').toEqual(await deliveries(redis))
      expect(await listings(memory, pool), 'PUBSUB NUMSUB and CHANNELS').toEqual(await listings(redis, pool))
    } finally {
      await Promise.all([memory.close(), redis.close()])
    }
  }

  it('gives the answers Redis gives to random subscribes, unsubscribes and publishes', async () => {
    await fc.assert(fc.asyncProperty(scenario, compare), { numRuns: 300 })
  }, 120_000)

  it('gives them for names given as bytes, most of them not UTF-8, as channels and as patterns', async () => {
    await fc.assert(fc.asyncProperty(byteScenario, compare), { numRuns: 300 })
  }, 120_000)
})
