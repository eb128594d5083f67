/** Options of `bus.topic(name, options)`. */
export interface TopicOptions {
  /**
   * Keeps about this many entries (XADD `MAXLEN ~`): Redis trims whole nodes, so a few more may
   * stay. Set at most one of maxLen and retentionMs. @defaultValue unbounded
   */
  maxLen?: number
  /**
   * Keeps entries younger than this many milliseconds (XADD `MINID ~`), trimmed as entries are
   * added. @defaultValue unbounded
   */
  retentionMs?: number
  /**
   * A publish with a `key` already used within this many milliseconds resolves to the first
   * publish's id and writes nothing. A scheduled entry's key lasts until it is due and this long
   * after, so that `cancel(key)` finds it however far ahead it is. @defaultValue 600_000 (10 minutes)
   */
  dedupeWindowMs?: number
  /**
   * The longest the scheduler waits before looking for due entries again, in milliseconds: it
   * wakes at the earliest due time it knows of, and at least this often to see entries other
   * processes scheduled earlier. @defaultValue 1000
   */
  schedulerPollMs?: number
}

/** How a failed delivery waits before its next attempt. */
export interface BackoffOptions {
  /** 'fixed': every retry waits delayMs; 'exponential': delayMs × 2^(attempt−1). @defaultValue 'exponential' */
  type?: 'fixed' | 'exponential'
  /** The first wait, in milliseconds. @defaultValue 1000 */
  delayMs?: number
  /** The longest wait, in milliseconds. @defaultValue 60_000 */
  maxDelayMs?: number
  /** Takes up to this share off each wait at random (0 to 1), so that retries spread out. @defaultValue 0.5 */
  jitter?: number
}

/** Options of `topic.consume(group, handler, options)`. */
export interface ConsumeOptions {
  /** How many entries the handler works on at once. @defaultValue 10 */
  concurrency?: number
  /** Deliveries per entry before it goes to the dead letters (1 = no retry). @defaultValue 5 */
  maxAttempts?: number
  backoff?: BackoffOptions
  /**
   * An entry delivered to a consumer that has not acknowledged it for this many milliseconds (it
   * crashed, or lost its connection) is claimed by another consumer of the group. A consumer
   * keeps the entries it is still working on from being claimed. @defaultValue 30_000
   */
  claimIdleMs?: number
  /**
   * The consumer's name within the group. A consumer restarted under the same name first takes
   * back what it had been given and not acknowledged. @defaultValue `<hostname>-<pid>-<random>`
   */
  name?: string
}

/** Options of one `topic.publish(data, options)`. */
export interface TopicPublishOptions {
  /** Deliver no earlier than this many milliseconds from now. */
  delayMs?: number
  /** Deliver no earlier than this time (a Date or epoch milliseconds). */
  at?: Date | number
  /** Deduplicates within the topic's dedupeWindowMs; `cancel(key)` cancels a scheduled entry by it. */
  key?: string
  /** Text headers that travel with the entry (a trace context, a tenant). */
  headers?: Record<string, string>
}

/** Options of `topic.read(options)`. */
export interface ReadOptions {
  /** Where to start: '0' (the oldest retained entry), an entry id (inclusive), or a time. @defaultValue '0' */
  from?: string | Date
  /** Keep waiting for new entries at the end of the stream instead of ending. @defaultValue false */
  follow?: boolean
}

/** The defaults of a topic's options (TopicOptions). */
export const TOPIC_DEFAULTS = {
  dedupeWindowMs: 600_000,
  schedulerPollMs: 1000,
} as const

/** The defaults of consume()'s options (ConsumeOptions). */
export const CONSUME_DEFAULTS = {
  concurrency: 10,
  maxAttempts: 5,
  claimIdleMs: 30_000,
  backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60_000, jitter: 0.5 },
} as const satisfies Required<Omit<ConsumeOptions, 'name'>>
