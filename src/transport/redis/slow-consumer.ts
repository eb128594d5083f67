import { SlowConsumerError } from '../../errors.js'

/**
 * Telling a slow-consumer drop from other drops, without I/O.
 *
 * Redis closes a subscriber connection whose output buffer passes `client-output-buffer-limit
 * pubsub` and tells that client nothing. What the client sees is an ordinary EOF. The transport
 * reads INFO through its command connection when the subscriber connects and again when it
 * drops, and judges the drop from the two snapshots here:
 *
 * - Newer Redis (not 7.0) counts these drops in INFO stats `client_output_buffer_limit_disconnections`.
 *   A rise confirms it, and no rise rules it out.
 * - Older Redis (7.0 included) has no such counter. If the server kept its `run_id` (no restart),
 *   still answered on the command connection, and messages were flowing to the subscriber just
 *   before, the server closed a busy subscriber on purpose. That is almost always the output
 *   buffer limit; CLIENT KILL and maxmemory-clients eviction look the same, and the error says
 *   so. A quiet subscriber that drops is more likely cut by an idle timeout in a proxy or NAT.
 * - A drop switchboard made itself (the link left its liveness PING unanswered, with nothing
 *   arriving, for commandTimeoutMs) is no slow consumer whatever INFO says: Redis cut nothing,
 *   and a busy subscriber that merely fell behind keeps receiving, which keeps it alive.
 */

/**
 * Without the INFO counter, a drop counts as a likely slow consumer only if a message arrived
 * within this many milliseconds before it: a slow consumer is, by definition, being sent data.
 */
export const RECENT_TRAFFIC_MS = 10_000

/** What matters in INFO for this: which server it is, and its counter when it has one. */
export interface ServerSnapshot {
  runId: string | undefined
  outputBufferDisconnections: number | undefined
}

/** Who ended the subscriber connection: Redis (or the path to it), or switchboard itself. */
export type DropCause = 'server' | 'switchboard'

export type SlowConsumerVerdict =
  | { kind: 'confirmed'; disconnections: number }
  | { kind: 'likely' }
  | { kind: 'ruled-out'; reason: string }

/** The fields of an INFO reply (`key:value` lines; `#` section headers are skipped). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue
    const colon = line.indexOf(':')
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1))
  }
  return fields
}

export function snapshotFromInfo(text: string): ServerSnapshot {
  const fields = parseInfo(text)
  const counter = fields.get('client_output_buffer_limit_disconnections')
  return {
    runId: fields.get('run_id'),
    outputBufferDisconnections: counter === undefined ? undefined : Number(counter),
  }
}

/**
 * Judges a subscriber drop. `before` is the snapshot taken when the subscriber connected
 * (undefined if that query had not finished), `after` the one taken once it dropped, through a
 * command connection that still worked (undefined: the server did not answer, or was not asked).
 * `quietMs` is the time from the last message received to the drop, in milliseconds (Infinity if
 * none ever came). `by`: who ended the connection.
 */
export function judgeSubscriberDrop(
  before: ServerSnapshot | undefined,
  after: ServerSnapshot | undefined,
  quietMs: number,
  by: DropCause = 'server',
): SlowConsumerVerdict {
  if (by === 'switchboard') {
    return { kind: 'ruled-out', reason: 'switchboard dropped the link itself: it stopped answering PING' }
  }
  if (!after) return { kind: 'ruled-out', reason: 'the server did not answer INFO: it is away' }
  if (before?.runId !== undefined && after.runId !== undefined && before.runId !== after.runId) {
    return { kind: 'ruled-out', reason: 'the server restarted (its run_id changed)' }
  }
  const was = before?.outputBufferDisconnections
  const now = after.outputBufferDisconnections
  if (was !== undefined && now !== undefined) {
    return now > was
      ? { kind: 'confirmed', disconnections: now - was }
      : { kind: 'ruled-out', reason: 'INFO client_output_buffer_limit_disconnections did not rise' }
  }
  if (quietMs > RECENT_TRAFFIC_MS) {
    return { kind: 'ruled-out', reason: `no message arrived in the ${RECENT_TRAFFIC_MS} ms before the drop` }
  }
  return { kind: 'likely' }
}

const ADVICE =
  'Messages published meanwhile were lost for this subscriber. Consume faster (do less in the handler, ' +
  'or hand work to a queue), or raise the limit, e.g. CONFIG SET client-output-buffer-limit ' +
  '"pubsub 64mb 16mb 60". Switchboard is resubscribing.'

/** The error to report for a verdict other than `ruled-out`. */
export function slowConsumerError(
  url: string,
  verdict: Exclude<SlowConsumerVerdict, { kind: 'ruled-out' }>,
  cause?: unknown,
): SlowConsumerError {
  const what =
    verdict.kind === 'confirmed'
      ? `Redis at ${url} closed the subscriber connection because it read too slowly: its output buffer ` +
        'passed client-output-buffer-limit pubsub (INFO client_output_buffer_limit_disconnections ' +
        `rose by ${verdict.disconnections}).`
      : `Redis at ${url} closed the subscriber connection while the server stayed up and the command ` +
        'connection kept working: most likely the subscriber read too slowly and its output buffer passed ' +
        'client-output-buffer-limit pubsub (this Redis has no counter to confirm it; CLIENT KILL or ' +
        'maxmemory-clients eviction would look the same).'
  return new SlowConsumerError(`${what} ${ADVICE}`, cause === undefined ? undefined : { cause })
}
