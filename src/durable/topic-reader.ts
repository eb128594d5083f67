import type { Codec } from '../codec/codec.js'
import { InvalidArgumentError } from '../errors.js'
import { decodeHeaders, idTime, type StoredEntry, type TopicMessage } from './entry.js'
import type { ReadOptions } from './topic-options.js'
import type { TopicStore } from './topic-store.js'

const PAGE = 100
/** How long one wait for new entries blocks when following; leaving the loop cuts it. */
const FOLLOW_BLOCK_MS = 5000
const STREAM_ID = /^\d+(-\d+)?$/

/** Where read() starts, as an inclusive XRANGE start. */
export function readStart(from: ReadOptions['from']): string {
  if (from === undefined || from === '0' || from === '-') return '-'
  if (from instanceof Date) {
    const ms = from.getTime()
    if (!Number.isFinite(ms)) throw new InvalidArgumentError('read() from is an invalid Date')
    return `${Math.max(0, ms)}-0`
  }
  if (typeof from === 'string' && STREAM_ID.test(from)) return from
  throw new InvalidArgumentError(
    `read() from must be '0', an entry id like '1700000000000-0', or a Date; got ${JSON.stringify(from)}`,
  )
}

/**
 * The entries of a topic in order, without a group and without acknowledgements: pages of
 * XRANGE to the end of the stream, then, with `follow`, blocking reads for what comes next.
 */
export async function* readTopic<T>(
  store: TopicStore,
  codec: Codec,
  options: ReadOptions,
): AsyncGenerator<TopicMessage<T>, void, undefined> {
  let start = readStart(options.from)
  let last: string | undefined
  for (;;) {
    const page = await store.range(start, PAGE)
    for (const entry of page) yield toMessage<T>(entry, codec)
    const tail = page.at(-1)
    if (tail) last = tail.id
    if (page.length < PAGE) break
    start = `(${tail?.id}`
  }
  if (!options.follow) return
  const tail = await store.openTail()
  try {
    let after = last ?? (start === '-' ? '0-0' : previousId(start))
    for (;;) {
      const entries = await tail.read(after, PAGE, FOLLOW_BLOCK_MS)
      for (const entry of entries) {
        after = entry.id
        yield toMessage<T>(entry, codec)
      }
    }
  } finally {
    await tail.close()
  }
}

/** The largest id before an inclusive start, for XREAD, which reads after an id. */
function previousId(start: string): string {
  const id = start.startsWith('(') ? start.slice(1) : start
  const [ms = 0, seq] = id.split('-').map(Number)
  if (seq === undefined) return ms > 0 ? `${ms - 1}-18446744073709551615` : '0-0'
  return seq > 0 ? `${ms}-${seq - 1}` : ms > 0 ? `${ms - 1}-18446744073709551615` : '0-0'
}

function toMessage<T>(entry: StoredEntry, codec: Codec): TopicMessage<T> {
  return {
    id: entry.id,
    data: codec.decode(entry.fields.data) as T,
    attempt: 1,
    timestamp: idTime(entry.id),
    headers: decodeHeaders(entry.fields.headers),
  }
}
