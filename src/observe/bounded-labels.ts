import { LastCell } from './last-cell.js'
/**
 * Label values kept to a bounded set, so that a metric's series stay few however many channels,
 * services or actions a process meets: each series costs memory in every Prometheus that scrapes
 * it, and 10,000 channels must not make 10,000 series.
 */

/** The label value everything past the cap counts under. */
export const OTHER = 'other'

/**
 * The group a channel counts under by default: its text before the first '.' or ':'
 * ('orders.eu.created' → 'orders', 'caller:6f1e…' → 'caller', 'news' → 'news').
 */
export function defaultChannelGroup(channel: string): string {
  for (let i = 0; i < channel.length; i += 1) {
    const c = channel.charCodeAt(i)
    // '.' and ':'
    if (c === 46 || c === 58) return i === 0 ? channel : channel.slice(0, i)
  }
  return channel
}

/** At most `max` distinct values; every later newcomer is OTHER. */
export class BoundedNames {
  readonly #known = new Set<string>()
  readonly #max: number

  constructor(max: number) {
    this.#max = max
  }

  name(value: string): string {
    if (this.#known.has(value)) return value
    if (this.#known.size >= this.#max) return OTHER
    this.#known.add(value)
    return value
  }
}

/** How many raw keys a table remembers the cell of; past that, each lookup is made again. */
const MAX_REMEMBERED = 10_000

/**
 * Cells by a raw key (a channel name, say) whose label is computed once per key: the hot path is
 * one Map lookup and no allocation. Keys map to cells by label, so many keys share a cell.
 */
export class CellTable<C> {
  readonly #byKey = new Map<string, C>()
  readonly #byLabel = new Map<string, C>()
  readonly #labelOf: (key: string) => string
  readonly #make: (label: string) => C
  readonly #last = new LastCell<C>()

  constructor(labelOf: (key: string) => string, make: (label: string) => C) {
    this.#labelOf = labelOf
    this.#make = make
  }

  cell(key: string): C {
    return this.#last.get(key, this.#lookUp)
  }

  readonly #lookUp = (key: string): C => {
    const known = this.#byKey.get(key)
    if (known !== undefined) return known
    const label = this.#labelOf(key)
    let cell = this.#byLabel.get(label)
    if (cell === undefined) {
      cell = this.#make(label)
      this.#byLabel.set(label, cell)
    }
    if (this.#byKey.size < MAX_REMEMBERED) this.#byKey.set(key, cell)
    return cell
  }

  /** Each label with its cell, for a scrape. */
  entries(): IterableIterator<[string, C]> {
    return this.#byLabel.entries()
  }
}

/**
 * Makes a user's grouping function safe and bounded: a throw or a value that is not a
 * non-empty string counts as OTHER, and so does every group past `maxGroups`.
 */
export function boundedGrouping(
  groupOf: (channel: string) => string,
  maxGroups: number,
): (channel: string) => string {
  const names = new BoundedNames(maxGroups)
  return (channel) => {
    let group: unknown
    try {
      group = groupOf(channel)
    } catch {
      return OTHER
    }
    return typeof group === 'string' && group.length > 0 ? names.name(group) : OTHER
  }
}
