import { describe, expect, it } from 'vitest'
import {
  commandsFor,
  type SubscriptionCommand,
  SubscriptionLedger,
} from '../../src/transport/redis/subscription-ledger.js'
import type { SubscriptionKind } from '../../src/transport/transport.js'

/** A command as one line, the way it goes on the wire, for readable expectations. */
const line = ({ kind, op, names }: SubscriptionCommand): string => `${kind} ${op} ${names.join(' ')}`

/** Plays a command as the server would: sent, then one confirmation per name. */
function answer(ledger: SubscriptionLedger, command: SubscriptionCommand): void {
  ledger.sent(command.kind, command.op, command.names)
  for (const name of command.names) ledger.confirmed(command.kind, command.op, name)
}

function subscribed(kind: SubscriptionKind, ...names: string[]): SubscriptionLedger {
  const ledger = new SubscriptionLedger()
  ledger.want(kind, names)
  answer(ledger, { kind, op: 'subscribe', names })
  return ledger
}

describe('SubscriptionLedger (no server)', () => {
  it('a new connection is restored with every desired name, per kind', () => {
    const ledger = new SubscriptionLedger()
    ledger.want('channel', ['a', 'b'])
    ledger.want('pattern', ['a*'])
    ledger.reset()
    expect(ledger.plan().map(line)).toEqual(['channel subscribe a b', 'pattern subscribe a*'])
  })

  it('restores shard channels one per command: an SSUBSCRIBE across slots is refused', () => {
    const ledger = new SubscriptionLedger()
    ledger.want('shard', ['x', 'y'])
    expect(ledger.plan().map(line)).toEqual(['shard subscribe x', 'shard subscribe y'])
    expect(commandsFor('channel', 'unsubscribe', ['x', 'y']).map(line)).toEqual(['channel unsubscribe x y'])
    expect(commandsFor('pattern', 'subscribe', [])).toEqual([])
  })

  it('a confirmed name needs an UNSUBSCRIBE, and is forgotten once that is confirmed', () => {
    const ledger = subscribed('channel', 'news')
    expect(ledger.plan()).toEqual([])
    expect(ledger.unwant('channel', ['news', 'never'])).toEqual(['news'])
    // Until the server confirms, it still has the name: the plan still says to take it back.
    expect(ledger.plan().map(line)).toEqual(['channel unsubscribe news'])
    answer(ledger, { kind: 'channel', op: 'unsubscribe', names: ['news'] })
    expect(ledger.plan()).toEqual([])
    expect(ledger.unwant('channel', ['news'])).toEqual([])
    expect(ledger.desired('channel')).toEqual([])
  })

  it('a name unsubscribed before its SUBSCRIBE is confirmed still needs an UNSUBSCRIBE', () => {
    const ledger = new SubscriptionLedger()
    ledger.want('channel', ['late'])
    ledger.sent('channel', 'subscribe', ['late'])
    expect(ledger.unwant('channel', ['late'])).toEqual(['late'])
    ledger.confirmed('channel', 'subscribe', 'late')
    expect(ledger.plan().map(line)).toEqual(['channel unsubscribe late'])
  })

  it('a name unsubscribed before any SUBSCRIBE went out needs nothing', () => {
    const ledger = new SubscriptionLedger()
    ledger.want('pattern', ['p*'])
    expect(ledger.unwant('pattern', ['p*'])).toEqual([])
    expect(ledger.plan()).toEqual([])
  })

  it('after a reconnection, takes back what was unsubscribed while the connection was being restored', () => {
    const ledger = subscribed('channel', 'kept', 'gone')
    ledger.reset()
    const [restore] = ledger.plan()
    expect(restore && line(restore)).toBe('channel subscribe kept gone')
    ledger.sent('channel', 'subscribe', ['kept', 'gone'])
    // The connection is not handed out yet: nothing can be sent on it now.
    expect(ledger.unwant('channel', ['gone'])).toEqual(['gone'])
    ledger.confirmed('channel', 'subscribe', 'kept')
    ledger.confirmed('channel', 'subscribe', 'gone')
    expect(ledger.plan().map(line)).toEqual(['channel unsubscribe gone'])
    ledger.sent('channel', 'unsubscribe', ['gone'])
    // Nothing more to send while that is in flight.
    expect(ledger.plan()).toEqual([])
  })

  it('a connection that drops forgets what only it had, and keeps what is desired', () => {
    const ledger = subscribed('channel', 'a', 'b')
    ledger.unwant('channel', ['b'])
    ledger.sent('channel', 'unsubscribe', ['b'])
    ledger.reset()
    expect(ledger.plan().map(line)).toEqual(['channel subscribe a'])
    expect(ledger.unwant('channel', ['b'])).toEqual([])
  })

  it('a refused SUBSCRIBE changes nothing on the server', () => {
    const ledger = new SubscriptionLedger()
    const added = ledger.want('channel', ['denied'])
    ledger.sent('channel', 'subscribe', ['denied'])
    ledger.refused('channel', 'subscribe', ['denied'])
    expect(ledger.plan().map(line)).toEqual(['channel subscribe denied'])
    // The caller gives back what it added; the server never had it.
    expect(ledger.unwant('channel', added)).toEqual([])
    expect(ledger.plan()).toEqual([])
  })

  it('want() reports only the names that were not desired yet', () => {
    const ledger = subscribed('channel', 'a')
    expect(ledger.want('channel', ['a', 'b', 'b'])).toEqual(['b'])
  })

  it('keeps kinds apart: a channel and a pattern of the same name are two subscriptions', () => {
    const ledger = subscribed('channel', 'x')
    ledger.want('pattern', ['x'])
    answer(ledger, { kind: 'pattern', op: 'subscribe', names: ['x'] })
    expect(ledger.unwant('pattern', ['x'])).toEqual(['x'])
    answer(ledger, { kind: 'pattern', op: 'unsubscribe', names: ['x'] })
    expect(ledger.desired('channel')).toEqual(['x'])
    expect(ledger.desired('pattern')).toEqual([])
    expect(ledger.plan()).toEqual([])
  })

  it('subscribe, unsubscribe and subscribe again in flight at once end subscribed', () => {
    const ledger = subscribed('channel', 'flap')
    ledger.unwant('channel', ['flap'])
    ledger.sent('channel', 'unsubscribe', ['flap'])
    ledger.want('channel', ['flap'])
    ledger.sent('channel', 'subscribe', ['flap'])
    expect(ledger.plan()).toEqual([])
    ledger.confirmed('channel', 'unsubscribe', 'flap')
    expect(ledger.plan()).toEqual([])
    ledger.confirmed('channel', 'subscribe', 'flap')
    expect(ledger.unwant('channel', ['flap'])).toEqual(['flap'])
  })

  it('a subscription the server reports that nobody asked for is taken back', () => {
    const ledger = new SubscriptionLedger()
    ledger.confirmed('channel', 'subscribe', 'stray')
    expect(ledger.plan().map(line)).toEqual(['channel unsubscribe stray'])
  })

  it('a shard channel the server unsubscribed of its own accord (its slot moved) is subscribed again', () => {
    const ledger = subscribed('shard', 's')
    ledger.confirmed('shard', 'unsubscribe', 's')
    expect(ledger.plan().map(line)).toEqual(['shard subscribe s'])
  })

  it('tells its listener when the server ends a desired name of its own accord, and only then', () => {
    const heard: string[] = []
    const ledger = new SubscriptionLedger((kind, name) => heard.push(`${kind} ${name}`))
    ledger.want('shard', ['moved', 'dropped'])
    answer(ledger, { kind: 'shard', op: 'subscribe', names: ['moved', 'dropped'] })
    // Our own SUNSUBSCRIBE, answered: nothing to tell.
    ledger.unwant('shard', ['dropped'])
    answer(ledger, { kind: 'shard', op: 'unsubscribe', names: ['dropped'] })
    expect(heard).toEqual([])
    // The server's own (the slot moved away).
    ledger.confirmed('shard', 'unsubscribe', 'moved')
    expect(heard).toEqual(['shard moved'])
  })
})
