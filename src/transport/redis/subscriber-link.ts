import type { SwitchboardError } from '../../errors.js'
import { type ChannelKey, type ChannelName, channelKey, releasedKey, showKey } from '../channel-key.js'
import { SUBSCRIBE_COMMANDS, type SubscriptionKind } from '../transport.js'
import type { RedisUrl } from '../url.js'
import { LINKS, type Link } from './link-monitor.js'
import type { ManagedConnection, ManagedConnectionSpec } from './managed-connection.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'
import type { PushSink } from './resp-reader.js'
import type { RoleClient } from './sentinel-locator.js'
import { SubscriberConnection } from './subscriber-connection.js'
import {
  commandsFor,
  type ServerUnsubscribed,
  type SubscriptionCommand,
  SubscriptionLedger,
  SubscriptionOp,
} from './subscription-ledger.js'
import { TrafficClock } from './traffic-clock.js'

const noop = (): void => undefined

export interface SubscriberLinkSpec {
  options: ResolvedRedisTransportOptions
  locate: () => Promise<RedisUrl>
  /** Checks a new connection before it is restored (Sentinel: is it the master?). */
  verify: (client: RoleClient) => Promise<void>
  /** Every message Redis sends. It must not throw: a throw would unwind into the reply reader. */
  onMessage: PushSink
  /** The server ended a desired subscription of its own accord. */
  onServerUnsubscribed?: ServerUnsubscribed | undefined
  /** Makes the managed connection, with the status callbacks of the links it belongs to. */
  manage: (
    spec: Pick<ManagedConnectionSpec<SubscriberConnection>, 'locate' | 'create' | 'prepare' | 'liveness'>,
  ) => ManagedConnection<SubscriberConnection>
  /** The error for `what`, which found `link` not ready (the command link: the server is away). */
  refusal: (what: string, link: Link) => SwitchboardError
  /** What a failed call rejects with. */
  wrap: (error: unknown, what: string) => SwitchboardError
  /** True while the command link is up: a subscriber connection is not opened while it is not. */
  serverUp: () => boolean
  /** The first connection is up (later ones are reported by `manage`'s status callbacks). */
  onFirstUp: () => void
}

/**
 * The subscriber connection of one server and the SubscriptionLedger it is restored from: opened
 * on the first subscribe, given every desired name before it is handed out after a reconnection,
 * and told afterwards what changed meanwhile.
 */
export class SubscriberLink {
  readonly #spec: SubscriberLinkSpec
  readonly #connection: ManagedConnection<SubscriberConnection>
  /** What is subscribed, desired and in flight: the one record of it. */
  readonly #ledger: SubscriptionLedger
  readonly #traffic = new TrafficClock()
  #opening: Promise<SubscriberConnection> | undefined

  constructor(spec: SubscriberLinkSpec) {
    this.#spec = spec
    this.#ledger = new SubscriptionLedger(spec.onServerUnsubscribed)
    this.#connection = spec.manage({
      locate: spec.locate,
      create: (target) => new SubscriberConnection(target, spec.options, this.#onPush, this.#ledger),
      prepare: async (client) => {
        await spec.verify(client)
        this.#ledger.reset()
        await send(client, this.#ledger.plan())
      },
      // PING works on a subscribed connection too; and a message arriving proves the link lives.
      liveness: {
        timeoutMs: spec.options.commandTimeoutMs,
        ping: (client) => client.sendCommand(['PING']),
        heard: (client) => client.heard,
      },
    })
  }

  get connection(): ManagedConnection<SubscriberConnection> {
    return this.#connection
  }

  /**
   * Subscribes names of one kind; resolves once the server confirmed every one. Text with a lone
   * surrogate is refused (InvalidArgumentError) before anything is sent.
   */
  async subscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void> {
    if (names.length === 0) return
    const keys = names.map(channelKey)
    const what = `${SUBSCRIBE_COMMANDS[kind].subscribe} ${shown(keys)}`
    const client = await this.#ready(what)
    const added = this.#ledger.want(kind, keys)
    try {
      await send(client, commandsFor(kind, SubscriptionOp.Subscribe, keys))
    } catch (error) {
      // Given back; a part the server did confirm (shard channels go one per command) is undone.
      const held = this.#ledger.unwant(kind, added)
      if (client.isReady) send(client, commandsFor(kind, SubscriptionOp.Unsubscribe, held)).catch(noop)
      throw this.#spec.wrap(error, what)
    }
  }

  /**
   * Unsubscribes names of one kind; resolves once the server confirmed. What it sent before that
   * still reaches onMessage. With the connection down there is nothing to tell the server: the
   * next connection will not subscribe these names.
   */
  async unsubscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void> {
    const keys: ChannelKey[] = []
    for (const name of names) {
      const key = releasedKey(name)
      if (key !== undefined) keys.push(key)
    }
    const held = this.#ledger.unwant(kind, keys)
    const client = this.#connection.ready
    if (held.length === 0 || !client) return
    await send(client, commandsFor(kind, SubscriptionOp.Unsubscribe, held)).catch((error: unknown) => {
      // A connection that dropped meanwhile is replaced without these names.
      if (client.isReady) {
        throw this.#spec.wrap(error, `${SUBSCRIBE_COMMANDS[kind].unsubscribe} ${shown(held)}`)
      }
    })
  }

  /** The connection dropped: the server has nothing of it any more. */
  dropped(): void {
    this.#ledger.reset()
  }

  /** Back after a drop: takes back what was unsubscribed while it was being restored. */
  async reconcile(): Promise<void> {
    const client = this.#connection.ready
    if (client) await send(client, this.#ledger.plan()).catch(noop)
  }

  /** Milliseconds since a message last arrived, to within a second (see traffic-clock.ts). */
  quietMs(): number {
    return this.#traffic.quietMs()
  }

  close(timeoutMs: number): Promise<void> {
    this.#traffic.dispose()
    return this.#connection.close(timeoutMs)
  }

  readonly #onPush = (channel: ChannelKey, payload: Buffer, pattern: ChannelKey | undefined): void => {
    this.#traffic.noteMessage()
    this.#spec.onMessage(channel, payload, pattern)
  }

  async #ready(what: string): Promise<SubscriberConnection> {
    if (!this.#spec.serverUp()) throw this.#spec.refusal(what, LINKS.commands)
    if (!this.#opening) {
      this.#opening = this.#connection.open()
      this.#opening.then(this.#spec.onFirstUp, () => {
        this.#opening = undefined
      })
    }
    try {
      await this.#opening
    } catch (error) {
      throw this.#spec.wrap(error, `${what} (connecting the subscriber)`)
    }
    const client = this.#connection.ready
    // Refuse rather than queue: a SUBSCRIBE queued while the server is away would wait unbounded.
    if (!client) throw this.#spec.refusal(what, LINKS.subscriber)
    return client
  }
}

function shown(keys: readonly ChannelKey[]): string {
  return keys.map(showKey).join(' ')
}

async function send(client: SubscriberConnection, commands: readonly SubscriptionCommand[]): Promise<void> {
  await Promise.all(commands.map((command) => client.send(command.kind, command.op, command.names)))
}
