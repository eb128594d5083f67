import { InvalidArgumentError } from '../errors.js'
import type { PubSubLink } from '../pubsub/pubsub-link.js'
import type { BrokerCommands } from '../transport/transport.js'

/**
 * What rpc/ and service/ (and soon durable/) need of a bus beyond its public API, as two narrow
 * interfaces: its pub/sub, and the broker commands that are not pub/sub (claims, channel
 * listings). client/ builds it for every Bus and hangs it on the bus under INTERNALS, so that
 * `new Service(name, { bus })` finds it; nothing of it is a method of the public Bus.
 */
export interface BusInternals {
  readonly pubsub: PubSubLink
  readonly broker: BrokerCommands
}

/**
 * The key of a bus's internals. Symbol.for, not Symbol(): an ESM build and a CommonJS build of
 * switchboard loaded in one process share the registry, so each finds the other's buses.
 */
const INTERNALS: unique symbol = Symbol.for('switchboard.bus-internals')

interface Carrier {
  readonly [INTERNALS]?: unknown
}

/** Hangs `internals` on `bus`: not enumerable, not writable, so it shows nowhere and stays put. */
export function attachInternals(bus: object, internals: BusInternals): void {
  Object.defineProperty(bus, INTERNALS, { value: internals, enumerable: false, writable: false })
}

function isInternals(value: unknown): value is BusInternals {
  if (typeof value !== 'object' || value === null) return false
  const { pubsub, broker } = value as Partial<Record<keyof BusInternals, unknown>>
  return typeof pubsub === 'object' && pubsub !== null && typeof broker === 'object' && broker !== null
}

/**
 * The internals of a bus made by connect(). Anything else is refused with InvalidArgumentError:
 * `need` says what to pass ("Service needs { bus }: pass the bus from connect()").
 */
export function internalsOf(bus: unknown, need: string): BusInternals {
  const internals =
    (typeof bus === 'object' || typeof bus === 'function') && bus !== null
      ? (bus as Carrier)[INTERNALS]
      : undefined
  if (isInternals(internals)) return internals
  const got = bus === undefined || bus === null ? 'nothing' : 'something that is not a switchboard bus'
  throw new InvalidArgumentError(`${need} (got ${got})`)
}
