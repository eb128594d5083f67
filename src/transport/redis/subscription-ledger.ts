import type { SubscriptionKind } from '../transport.js'

/** Which way a (UN)SUBSCRIBE command goes; SUBSCRIBE_COMMANDS[kind][op] names the command. */
export const SubscriptionOp = {
  Subscribe: 'subscribe',
  Unsubscribe: 'unsubscribe',
} as const
export type SubscriptionOp = (typeof SubscriptionOp)[keyof typeof SubscriptionOp]

/** A command to send: SUBSCRIBE_COMMANDS[kind][op] followed by the names. */
export interface SubscriptionCommand {
  readonly kind: SubscriptionKind
  readonly op: SubscriptionOp
  readonly names: readonly string[]
}

/**
 * How many names one command may carry, by kind. Shard channels go one per command: a server
 * refuses an SSUBSCRIBE whose channels hash to different slots (CROSSSLOT).
 */
const NAMES_PER_COMMAND: Record<SubscriptionKind, number> = {
  channel: Number.POSITIVE_INFINITY,
  pattern: Number.POSITIVE_INFINITY,
  shard: 1,
}

/** The commands that send `op` for `names` of `kind`, split as the kind requires. */
export function commandsFor(
  kind: SubscriptionKind,
  op: SubscriptionOp,
  names: readonly string[],
): SubscriptionCommand[] {
  if (names.length === 0) return []
  const size = NAMES_PER_COMMAND[kind]
  if (names.length <= size) return [{ kind, op, names }]
  const commands: SubscriptionCommand[] = []
  for (let at = 0; at < names.length; at += size)
    commands.push({ kind, op, names: names.slice(at, at + size) })
  return commands
}

/**
 * What the protocol speaker (subscriber-connection.ts) reports about one connection, in the order
 * the bytes went out and came in.
 */
export interface SubscriptionEvents {
  /** A command naming `names` was written. */
  sent(kind: SubscriptionKind, op: SubscriptionOp, names: readonly string[]): void
  /** The server confirmed one name: from now on it is subscribed (`subscribe`) or not. */
  confirmed(kind: SubscriptionKind, op: SubscriptionOp, name: string): void
  /** The server answered a command with an error: none of its names changed. */
  refused(kind: SubscriptionKind, op: SubscriptionOp, names: readonly string[]): void
}

/** Told when the server ends a desired subscription of its own accord (Redis Cluster, after a slot moved). */
export type ServerUnsubscribed = (kind: SubscriptionKind, name: string) => void

interface Entry {
  /** What the transport's user wants. */
  desired: boolean
  /** What the server has, as of the last confirmation read on the current connection. */
  confirmed: boolean
  /** Commands naming it that are written and not yet answered, oldest first. */
  readonly inFlight: SubscriptionOp[]
}

/**
 * The one owner of a connection's subscription state, per (kind, name): what is desired, what
 * the server has confirmed, and which commands are in flight. Pure logic: it is told what was
 * sent and what came back, and says what to send. Names are keys (channel-key.ts), so that a
 * confirmation of bytes that are not UTF-8 finds the very name that was sent.
 *
 * Redis sends a message only for a subscription it has confirmed on that connection, and keeps
 * sending until its UNSUBSCRIBE confirmation, in the same stream. So every message that arrives is
 * one Redis counted, and goes to the sink: a name is delivered while it is desired or while its
 * UNSUBSCRIBE is unconfirmed, with no gate to keep in step. What this ledger decides is what a
 * connection must be told: a new one is restored from it, and after a reconnection it names
 * what changed meanwhile.
 */
export class SubscriptionLedger implements SubscriptionEvents {
  readonly #entries: Record<SubscriptionKind, Map<string, Entry>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  }
  readonly #onServerUnsubscribed: ServerUnsubscribed | undefined

  constructor(onServerUnsubscribed?: ServerUnsubscribed) {
    this.#onServerUnsubscribed = onServerUnsubscribed
  }

  /** Marks names desired; returns those that were not, so that a failed subscribe can give them back. */
  want(kind: SubscriptionKind, names: readonly string[]): string[] {
    const entries = this.#entries[kind]
    const added: string[] = []
    for (const name of names) {
      let entry = entries.get(name)
      if (!entry) {
        entry = { desired: false, confirmed: false, inFlight: [] }
        entries.set(name, entry)
      }
      if (entry.desired) continue
      entry.desired = true
      added.push(name)
    }
    return added
  }

  /**
   * Marks names no longer desired; returns those the server has, or may have once what is in
   * flight is answered: they need an UNSUBSCRIBE, and deliver until it is confirmed.
   */
  unwant(kind: SubscriptionKind, names: readonly string[]): string[] {
    const entries = this.#entries[kind]
    const held: string[] = []
    for (const name of names) {
      const entry = entries.get(name)
      if (!entry) continue
      entry.desired = false
      if (entry.confirmed || entry.inFlight.length > 0) held.push(name)
      else entries.delete(name)
    }
    return held
  }

  /** The names of a kind that are desired. */
  desired(kind: SubscriptionKind): string[] {
    const names: string[] = []
    for (const [name, entry] of this.#entries[kind]) if (entry.desired) names.push(name)
    return names
  }

  /** The connection is gone or new: the server has nothing of it, and nothing is in flight. */
  reset(): void {
    for (const entries of Object.values(this.#entries)) {
      for (const [name, entry] of entries) {
        entry.confirmed = false
        entry.inFlight.length = 0
        if (!entry.desired) entries.delete(name)
      }
    }
  }

  /**
   * The commands that bring the server to what is desired, once everything in flight is
   * answered: on a new connection, every desired name; after a reconnection, what was
   * unsubscribed while the connection was being restored.
   */
  plan(): SubscriptionCommand[] {
    const commands: SubscriptionCommand[] = []
    for (const [kind, entries] of Object.entries(this.#entries) as Array<
      [SubscriptionKind, Map<string, Entry>]
    >) {
      const subscribe: string[] = []
      const unsubscribe: string[] = []
      for (const [name, entry] of entries) {
        const held = heldAfterFlight(entry)
        if (entry.desired && !held) subscribe.push(name)
        else if (!entry.desired && held) unsubscribe.push(name)
      }
      commands.push(...commandsFor(kind, SubscriptionOp.Subscribe, subscribe))
      commands.push(...commandsFor(kind, SubscriptionOp.Unsubscribe, unsubscribe))
    }
    return commands
  }

  sent(kind: SubscriptionKind, op: SubscriptionOp, names: readonly string[]): void {
    const entries = this.#entries[kind]
    for (const name of names) {
      let entry = entries.get(name)
      if (!entry) {
        entry = { desired: false, confirmed: false, inFlight: [] }
        entries.set(name, entry)
      }
      entry.inFlight.push(op)
    }
  }

  confirmed(kind: SubscriptionKind, op: SubscriptionOp, name: string): void {
    const entries = this.#entries[kind]
    let entry = entries.get(name)
    if (!entry) {
      if (op === SubscriptionOp.Unsubscribe) return
      // A subscription nobody asked for: recorded, so that plan() takes it back.
      entry = { desired: false, confirmed: false, inFlight: [] }
      entries.set(name, entry)
    }
    entry.confirmed = op === SubscriptionOp.Subscribe
    // A server answers one name's commands in order. One it sent of its own accord (a shard
    // channel whose slot moved) finds nothing in flight.
    if (entry.inFlight[0] === op) entry.inFlight.shift()
    else if (op === SubscriptionOp.Unsubscribe && entry.desired) this.#onServerUnsubscribed?.(kind, name)
    this.#forgetIfDone(entries, name, entry)
  }

  refused(kind: SubscriptionKind, op: SubscriptionOp, names: readonly string[]): void {
    const entries = this.#entries[kind]
    for (const name of names) {
      const entry = entries.get(name)
      if (!entry || entry.inFlight[0] !== op) continue
      entry.inFlight.shift()
      this.#forgetIfDone(entries, name, entry)
    }
  }

  #forgetIfDone(entries: Map<string, Entry>, name: string, entry: Entry): void {
    if (!entry.desired && !entry.confirmed && entry.inFlight.length === 0) entries.delete(name)
  }
}

/** Whether the server will have the name once every command in flight is answered. */
function heldAfterFlight(entry: Entry): boolean {
  const last = entry.inFlight.at(-1)
  return last === undefined ? entry.confirmed : last === SubscriptionOp.Subscribe
}
