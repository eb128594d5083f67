import type { EntryFields, StoredEntry } from '../entry.js'
import type { DeadLetter, ScheduleTarget } from '../topic-store.js'
import { MemoryStream } from './memory-stream.js'

export interface PendingEntry {
  entry: StoredEntry
  consumer: string
  deliveredAt: number
}

/** A consumer group: its place in the topic's stream, its retry stream, what it was given. */
export class MemoryGroup {
  /** The position in the topic stream of the next entry to give out. */
  position = 0
  readonly retry = new MemoryStream()
  /** The position in the retry stream of the next retry to give out. */
  retryPosition = 0
  /** Delivered, not acknowledged, by source and id. */
  readonly pending = new Map<string, PendingEntry>()
  readonly consumers = new Set<string>()
  readonly dead: DeadLetter[] = []
  #deadSeq = 0

  /** A dead letter id, in the form of a stream id, as Redis would give. */
  nextDeadId(): string {
    this.#deadSeq += 1
    return `${Date.now()}-${this.#deadSeq}`
  }
}

export interface MemoryScheduled {
  readonly dueMs: number
  readonly target: ScheduleTarget
  readonly fields: EntryFields
}

/** Everything one topic of the embedded broker holds: the state Redis would hold in its keys. */
export class MemoryTopic {
  readonly stream = new MemoryStream()
  readonly groups = new Map<string, MemoryGroup>()
  readonly scheduled = new Map<string, MemoryScheduled>()
  /** key → [first id, expiry in epoch ms]. */
  readonly dedupe = new Map<string, { id: string; expiresMs: number }>()

  firstId(key: string, now: number): string | undefined {
    const seen = this.dedupe.get(key)
    if (seen && seen.expiresMs > now) return seen.id
    this.dedupe.delete(key)
    return undefined
  }
}

/** The topics of each embedded broker, by broker name then topic name: shared like its channels. */
const brokers = new Map<string, Map<string, MemoryTopic>>()

export function memoryTopic(broker: string, topic: string): MemoryTopic {
  let topics = brokers.get(broker)
  if (!topics) {
    topics = new Map()
    brokers.set(broker, topics)
  }
  let state = topics.get(topic)
  if (!state) {
    state = new MemoryTopic()
    topics.set(topic, state)
  }
  return state
}
