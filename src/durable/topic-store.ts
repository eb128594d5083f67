import type { EntryFields, StoredEntry } from './entry.js'

/** How a topic's stream is trimmed as entries are added. */
export type Retention =
  | { readonly kind: 'none' }
  | { readonly kind: 'maxLen'; readonly count: number }
  | { readonly kind: 'maxAge'; readonly ms: number }

/** A dead letter as list() gives it. */
export interface DeadLetter {
  readonly id: string
  readonly originalId: string
  readonly group: string
  readonly error: string
  readonly attempts: number
  readonly data: Uint8Array
  readonly headers: string | undefined
}

/** One consumer group of a topic, as info() reports it. */
export interface GroupInfo {
  readonly name: string
  /** Delivered and not yet acknowledged, retries included. */
  readonly pending: number
  /** Entries of the stream the group has not been given yet. */
  readonly lag: number
  readonly consumers: number
  readonly deadLetters: number
}

/** What `topic.info()` resolves to: `{ length, scheduled, groups }`. */
export interface TopicInfo {
  readonly length: number
  /** Entries waiting for their due time: delayed publishes and retries in backoff. */
  readonly scheduled: number
  readonly groups: GroupInfo[]
}

/** What a scheduled entry becomes when due: an entry of the topic, or a retry for one group. */
export type ScheduleTarget = { readonly kind: 'topic' } | { readonly kind: 'retry'; readonly group: string }

/**
 * One consumer's reads, on a connection of its own where reads block. Like the store's other
 * calls that need the group (ownPending, claim, touch), read() rejects with GroupLostError when
 * the broker no longer has the group or its stream: createGroup() makes it again.
 */
export interface GroupReader {
  /**
   * New entries for the group (its retries too), waiting up to blockMs for some. `acks` are
   * acknowledged first, in the same write as the read, as a hand-written consumer loop does.
   */
  read(count: number, blockMs: number, acks: readonly StoredEntry[]): Promise<StoredEntry[]>
  /** Cuts a blocked read at once. */
  close(): Promise<void>
}

/** Reads entries after an id as they come. */
export interface TailReader {
  /** Entries after `afterId`, waiting up to blockMs for some. */
  read(afterId: string, count: number, blockMs: number): Promise<StoredEntry[]>
  close(): Promise<void>
}

/**
 * The storage of one topic, at the level of bytes: Redis Streams (redis/), or the embedded
 * broker (memory/). Everything above it (Topic, Consumer, Scheduler, DeadLetters) is shared by
 * both, so the two implement one contract.
 */
export interface TopicStore {
  /** Adds an entry; resolves to its id once stored. */
  add(fields: EntryFields): Promise<string>
  /** Adds an entry unless `key` was used within windowMs: then resolves to the first id. */
  addOnce(fields: EntryFields, key: string, windowMs: number): Promise<string>
  /** Schedules an entry for dueMs; with a key used within windowMs, resolves to the first id instead. */
  schedule(
    fields: EntryFields,
    target: ScheduleTarget,
    dueMs: number,
    scheduleId: string,
    dedupe: { key: string; windowMs: number } | undefined,
  ): Promise<string>
  /** Removes a scheduled entry not yet due, by schedule id or key: true when it was still there. */
  cancel(keyOrId: string): Promise<boolean>
  /** Moves up to `limit` entries due at nowMs to their streams; tells the next due time left. */
  moveDue(nowMs: number, limit: number): Promise<{ moved: number; nextDueMs: number | undefined }>
  /** The earliest due time scheduled, if any. */
  nextDue(): Promise<number | undefined>
  /**
   * Creates the group at the start of the stream, and its retry stream; idempotent. Also what
   * brings back a group the broker lost: at the start, so that entries written after the loss
   * (and retries moved since) are read, at the cost of delivering again what the stream still
   * holds when only the group was deleted.
   */
  createGroup(group: string): Promise<void>
  openReader(group: string, consumer: string): Promise<GroupReader>
  /** What `consumer` was given and has not acknowledged (after a restart under the same name). */
  ownPending(group: string, consumer: string, count: number): Promise<StoredEntry[]>
  /** Acknowledges handled entries (retry entries are deleted too: nothing else reads them). */
  ack(group: string, entries: readonly StoredEntry[]): Promise<void>
  /** Acknowledges a failed entry and schedules its next attempt for `dueMs`, in one step. */
  retry(
    group: string,
    entry: StoredEntry,
    next: EntryFields,
    dueMs: number,
    scheduleId: string,
  ): Promise<void>
  /** Acknowledges an entry and adds it to the group's dead letters, in one step. */
  deadLetter(group: string, entry: StoredEntry, error: string, attempts: number): Promise<void>
  /** Claims entries idle longer than idleMs from other consumers of the group. */
  claim(group: string, consumer: string, idleMs: number, count: number): Promise<StoredEntry[]>
  /** Keeps entries this consumer is still working on from looking idle to claim(). */
  touch(group: string, consumer: string, entries: readonly StoredEntry[]): Promise<void>
  /** Entries from `start` ('-' or an id, inclusive; '(' + id exclusive), oldest first. */
  range(start: string, count: number): Promise<StoredEntry[]>
  /** A reader of entries as they are added (read({ follow })), on a connection of its own. */
  openTail(): Promise<TailReader>
  deadLetters(group: string, count: number): Promise<DeadLetter[]>
  /** Moves dead letters (one id, or all) back to the group as first attempts; resolves to how many. */
  replayDead(group: string, idOrAll: string): Promise<number>
  info(): Promise<TopicInfo>
}
