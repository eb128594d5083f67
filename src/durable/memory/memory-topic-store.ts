import { type EntryFields, pendingKey, type StoredEntry } from '../entry.js'
import type {
  DeadLetter,
  GroupReader,
  Retention,
  ScheduleTarget,
  TailReader,
  TopicInfo,
  TopicStore,
} from '../topic-store.js'
import { MemoryGroup, type MemoryTopic, memoryTopic } from './memory-topic.js'

const KEEP_ALL: Retention = { kind: 'none' }

/**
 * A topic on the embedded broker: the contract of the Redis store, in process, without
 * persistence. Every step runs synchronously, so each is as atomic as its Lua script.
 */
export class MemoryTopicStore implements TopicStore {
  readonly #topic: MemoryTopic
  readonly #retention: Retention

  constructor(broker: string, topic: string, retention: Retention) {
    this.#topic = memoryTopic(broker, topic)
    this.#retention = retention
  }

  async add(fields: EntryFields): Promise<string> {
    return this.#topic.stream.add(fields, this.#retention)
  }

  async addOnce(fields: EntryFields, key: string, windowMs: number): Promise<string> {
    const now = Date.now()
    const first = this.#topic.firstId(key, now)
    if (first !== undefined) return first
    const id = this.#topic.stream.add(fields, this.#retention)
    this.#topic.dedupe.set(key, { id, expiresMs: now + windowMs })
    return id
  }

  async schedule(
    fields: EntryFields,
    target: ScheduleTarget,
    dueMs: number,
    scheduleId: string,
    dedupe: { key: string; windowMs: number } | undefined,
  ): Promise<string> {
    const now = Date.now()
    if (dedupe) {
      const first = this.#topic.firstId(dedupe.key, now)
      if (first !== undefined) return first
      this.#topic.dedupe.set(dedupe.key, { id: scheduleId, expiresMs: now + dedupe.windowMs })
    }
    this.#topic.scheduled.set(scheduleId, { dueMs, target, fields })
    return scheduleId
  }

  async cancel(keyOrId: string): Promise<boolean> {
    const { scheduled } = this.#topic
    if (scheduled.delete(keyOrId)) return true
    const id = this.#topic.firstId(keyOrId, Date.now())
    // A key cancelled is free again: a publish under it afterwards schedules anew.
    this.#topic.dedupe.delete(keyOrId)
    return id !== undefined && scheduled.delete(id)
  }

  async moveDue(nowMs: number, limit: number): Promise<{ moved: number; nextDueMs: number | undefined }> {
    const due = [...this.#topic.scheduled].filter(([, s]) => s.dueMs <= nowMs)
    due.sort(([, a], [, b]) => a.dueMs - b.dueMs)
    const moving = due.slice(0, limit)
    for (const [id, { target, fields }] of moving) {
      this.#topic.scheduled.delete(id)
      if (target.kind === 'topic') this.#topic.stream.add(fields, this.#retention)
      else this.#group(target.group).retry.add(fields, KEEP_ALL)
    }
    return { moved: moving.length, nextDueMs: await this.nextDue() }
  }

  async nextDue(): Promise<number | undefined> {
    let next: number | undefined
    for (const { dueMs } of this.#topic.scheduled.values())
      if (next === undefined || dueMs < next) next = dueMs
    return next
  }

  async createGroup(group: string): Promise<void> {
    this.#group(group)
  }

  async openReader(group: string, consumer: string): Promise<GroupReader> {
    const state = this.#group(group)
    state.consumers.add(consumer)
    const cancel: { closed: boolean; wake?: () => void } = { closed: false }
    return {
      read: async (count, blockMs, acks) => {
        if (acks.length > 0) await this.ack(group, acks)
        let entries = this.#take(state, consumer, count)
        if (entries.length === 0 && blockMs > 0 && !cancel.closed) {
          await Promise.race([
            this.#topic.stream.waitForAdd(blockMs, cancel),
            state.retry.waitForAdd(blockMs, cancel),
          ])
          entries = cancel.closed ? [] : this.#take(state, consumer, count)
        }
        return entries
      },
      close: async () => {
        cancel.closed = true
        cancel.wake?.()
      },
    }
  }

  /** What XREADGROUP > gives: the group's next entries, now pending for `consumer`. */
  #take(group: MemoryGroup, consumer: string, count: number): StoredEntry[] {
    const taken: StoredEntry[] = []
    const now = Date.now()
    const give = (entry: StoredEntry): void => {
      group.pending.set(pendingKey(entry.source, entry.id), { entry, consumer, deliveredAt: now })
      taken.push(entry)
    }
    const { stream } = this.#topic
    group.position = Math.max(group.position, stream.offset)
    for (; taken.length < count && group.position < stream.end; group.position += 1) {
      const entry = stream.at(group.position)
      if (entry) give({ id: entry.id, source: 'main', fields: entry.fields })
    }
    const { retry } = group
    group.retryPosition = Math.max(group.retryPosition, retry.offset)
    for (; taken.length < count && group.retryPosition < retry.end; group.retryPosition += 1) {
      const entry = retry.at(group.retryPosition)
      if (entry) give({ id: entry.id, source: 'retry', fields: entry.fields })
    }
    return taken
  }

  async ownPending(group: string, consumer: string, count: number): Promise<StoredEntry[]> {
    const mine = [...this.#group(group).pending.values()].filter((p) => p.consumer === consumer)
    return mine.slice(0, count).map((p) => p.entry)
  }

  async ack(group: string, entries: readonly StoredEntry[]): Promise<void> {
    const state = this.#group(group)
    for (const entry of entries) this.#settle(state, entry)
  }

  #settle(group: MemoryGroup, entry: StoredEntry): void {
    group.pending.delete(pendingKey(entry.source, entry.id))
    if (entry.source === 'retry') group.retry.delete(entry.id)
  }

  async retry(
    group: string,
    entry: StoredEntry,
    next: EntryFields,
    dueMs: number,
    scheduleId: string,
  ): Promise<void> {
    this.#settle(this.#group(group), entry)
    this.#topic.scheduled.set(scheduleId, { dueMs, target: { kind: 'retry', group }, fields: next })
  }

  async deadLetter(group: string, entry: StoredEntry, error: string, attempts: number): Promise<void> {
    const state = this.#group(group)
    this.#settle(state, entry)
    state.dead.push({
      id: state.nextDeadId(),
      originalId: entry.fields.origin ?? entry.id,
      group,
      error,
      attempts,
      data: entry.fields.data,
      headers: entry.fields.headers,
    })
  }

  async claim(group: string, consumer: string, idleMs: number, count: number): Promise<StoredEntry[]> {
    const state = this.#group(group)
    state.consumers.add(consumer)
    const now = Date.now()
    const claimed: StoredEntry[] = []
    for (const pending of state.pending.values()) {
      if (claimed.length >= count) break
      if (now - pending.deliveredAt < idleMs) continue
      pending.consumer = consumer
      pending.deliveredAt = now
      claimed.push(pending.entry)
    }
    return claimed
  }

  async touch(group: string, consumer: string, entries: readonly StoredEntry[]): Promise<void> {
    const state = this.#group(group)
    const now = Date.now()
    for (const entry of entries) {
      const pending = state.pending.get(pendingKey(entry.source, entry.id))
      if (pending?.consumer === consumer) pending.deliveredAt = now
    }
  }

  async range(start: string, count: number): Promise<StoredEntry[]> {
    const { stream } = this.#topic
    let position = stream.offset
    if (start.startsWith('(')) {
      const after = start.slice(1)
      position = stream.positionOf(after)
      if (stream.at(position)?.id === after) position += 1
    } else if (start !== '-') {
      position = stream.positionOf(start)
    }
    const out: StoredEntry[] = []
    for (; out.length < count && position < stream.end; position += 1) {
      const entry = stream.at(position)
      if (entry) out.push({ id: entry.id, source: 'main', fields: entry.fields })
    }
    return out
  }

  async openTail(): Promise<TailReader> {
    const cancel: { closed: boolean; wake?: () => void } = { closed: false }
    return {
      read: async (afterId, count, blockMs) => {
        const entries = await this.range(`(${afterId}`, count)
        if (entries.length > 0 || cancel.closed) return entries
        await this.#topic.stream.waitForAdd(blockMs, cancel)
        return cancel.closed ? [] : this.range(`(${afterId}`, count)
      },
      close: async () => {
        cancel.closed = true
        cancel.wake?.()
      },
    }
  }

  async deadLetters(group: string, count: number): Promise<DeadLetter[]> {
    return this.#group(group).dead.slice(0, count)
  }

  async replayDead(group: string, idOrAll: string): Promise<number> {
    const state = this.#group(group)
    const chosen = state.dead.filter((dead) => idOrAll === 'all' || dead.id === idOrAll)
    for (const dead of chosen) {
      state.dead.splice(state.dead.indexOf(dead), 1)
      state.retry.add({ data: dead.data, headers: dead.headers, origin: dead.originalId }, KEEP_ALL)
    }
    return chosen.length
  }

  async info(): Promise<TopicInfo> {
    const { stream } = this.#topic
    return {
      length: stream.length,
      scheduled: this.#topic.scheduled.size,
      groups: [...this.#topic.groups].map(([name, group]) => ({
        name,
        pending: group.pending.size,
        lag: stream.end - Math.max(group.position, stream.offset),
        consumers: group.consumers.size,
        deadLetters: group.dead.length,
      })),
    }
  }

  #group(name: string): MemoryGroup {
    let group = this.#topic.groups.get(name)
    if (!group) {
      group = new MemoryGroup()
      this.#topic.groups.set(name, group)
    }
    return group
  }
}
