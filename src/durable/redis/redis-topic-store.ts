import { GroupLostError } from '../../errors.js'
import type { CommandArgument, ReplyForm, StreamCommands } from '../../transport/transport.js'
import { type EntryFields, type EntrySource, fieldList, type StoredEntry } from '../entry.js'
import { type TopicKeys, topicKeys } from '../topic-keys.js'
import type {
  DeadLetter,
  GroupReader,
  Retention,
  ScheduleTarget,
  TailReader,
  TopicInfo,
  TopicStore,
} from '../topic-store.js'
import { runScript, type ScriptName } from './lua-runner.js'
import { readGroupInfo } from './redis-info.js'
import { GROUP_GONE, repliedWith } from './reply-error.js'
import { flatMap, parseEntries, parseStreams, text } from './stream-replies.js'

/**
 * Packs a scheduled entry's target and fields for the mover script: each part as `<bytes>:<part>`.
 * (Redis's Lua cmsgpack predates msgpack's bin type, so it cannot read codec bytes packed so.)
 */
export function packParts(parts: ReadonlyArray<string | Uint8Array>): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    const bytes =
      typeof part === 'string'
        ? Buffer.from(part, 'utf8')
        : Buffer.from(part.buffer, part.byteOffset, part.byteLength)
    chunks.push(Buffer.from(`${bytes.byteLength}:`), bytes)
  }
  return Buffer.concat(chunks)
}
/** Dead letters replayed per script call, so that one call never holds Redis long. */
const REPLAY_STEP = 1000

/**
 * A topic on Redis: a stream per topic, per group a retry stream and a dead-letter stream, the
 * schedule as a sorted set with a hash of entries, dedupe keys with a TTL; all under the
 * topic's hash tag (topic-keys.ts). Steps that touch several keys are Lua scripts (lua/).
 */
export class RedisTopicStore implements TopicStore {
  readonly #commands: StreamCommands
  readonly #topic: string
  readonly #keys: TopicKeys
  readonly #retention: Retention
  /** XAUTOCLAIM cursors by group and source, so that a long pending list is scanned in turn. */
  readonly #claimCursors = new Map<string, string>()

  constructor(commands: StreamCommands, topic: string, retention: Retention) {
    this.#commands = commands
    this.#topic = topic
    this.#keys = topicKeys(topic)
    this.#retention = retention
  }

  #command<T>(args: readonly CommandArgument[], replies?: ReplyForm): Promise<T> {
    return this.#commands.command<T>(args, replies)
  }

  /** A command that names `group`: GroupLostError where Redis says the group (or its stream) is gone. */
  #ofGroup<T>(group: string, sent: Promise<T>): Promise<T> {
    return sent.catch((error: unknown) => {
      throw repliedWith(error, GROUP_GONE) ? new GroupLostError(this.#topic, group, { cause: error }) : error
    })
  }

  #script<T>(name: ScriptName, keys: readonly string[], args: readonly CommandArgument[]): Promise<T> {
    return runScript<T>(this.#commands, name, keys, args)
  }

  /** The XADD trim arguments: MAXLEN ~ n, MINID ~ (now − retentionMs), or none. */
  #trim(): [string, string] {
    const r = this.#retention
    if (r.kind === 'maxLen') return ['MAXLEN', String(r.count)]
    if (r.kind === 'maxAge') return ['MINID', String(Date.now() - r.ms)]
    return ['', '']
  }

  async add(fields: EntryFields): Promise<string> {
    const [strategy, threshold] = this.#trim()
    const trim = strategy === '' ? [] : [strategy, '~', threshold]
    return text(await this.#command(['XADD', this.#keys.stream, ...trim, '*', ...fieldList(fields)], 'text'))
  }

  async addOnce(fields: EntryFields, key: string, windowMs: number): Promise<string> {
    const args = [String(windowMs), ...this.#trim(), ...fieldList(fields)]
    return text(await this.#script('publishOnce', [this.#keys.stream, this.#keys.dedupe(key)], args))
  }

  #pack(target: ScheduleTarget, fields: EntryFields): Uint8Array {
    const stream = target.kind === 'topic' ? '' : this.#keys.retry(target.group)
    return packParts([stream, ...fieldList(fields)])
  }

  async schedule(
    fields: EntryFields,
    target: ScheduleTarget,
    dueMs: number,
    scheduleId: string,
    dedupe: { key: string; windowMs: number } | undefined,
  ): Promise<string> {
    const k = this.#keys
    const keys = [k.scheduled, k.scheduledData, k.dedupe(dedupe?.key ?? '')]
    const args = [
      scheduleId,
      String(dueMs),
      dedupe ? String(dedupe.windowMs) : '',
      this.#pack(target, fields),
    ]
    return text(await this.#script('schedule', keys, args))
  }

  async cancel(keyOrId: string): Promise<boolean> {
    const k = this.#keys
    const keys = [k.scheduled, k.scheduledData, k.dedupe(keyOrId)]
    return (await this.#script<number>('cancelScheduled', keys, [keyOrId])) === 1
  }

  async moveDue(nowMs: number, limit: number): Promise<{ moved: number; nextDueMs: number | undefined }> {
    const k = this.#keys
    const keys = [k.scheduled, k.scheduledData, k.stream]
    const [moved, next] = await this.#script<[number, Buffer]>('moveDue', keys, [
      String(nowMs),
      String(limit),
      ...this.#trim(),
    ])
    const nextText = text(next)
    return { moved: Number(moved), nextDueMs: nextText === '' ? undefined : Number(nextText) }
  }

  async nextDue(): Promise<number | undefined> {
    const reply = await this.#command<Buffer[]>(['ZRANGE', this.#keys.scheduled, '0', '0', 'WITHSCORES'])
    return reply[1] === undefined ? undefined : Number(text(reply[1]))
  }

  async createGroup(group: string): Promise<void> {
    await Promise.all(
      [this.#keys.stream, this.#keys.retry(group)].map((key) =>
        this.#command(['XGROUP', 'CREATE', key, group, '0', 'MKSTREAM']).catch((error: unknown) => {
          if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error
        }),
      ),
    )
  }

  #sourceOf = (key: string): EntrySource => (key === this.#keys.stream ? 'main' : 'retry')

  #streamOf(source: EntrySource, group: string): string {
    return source === 'main' ? this.#keys.stream : this.#keys.retry(group)
  }

  /** XREADGROUP of both the topic's stream and the group's retries: new ones ('>') or its own ('0'). */
  #readGroup(group: string, consumer: string, count: number, from: '>' | '0', blockMs?: number): string[] {
    const block = blockMs === undefined ? [] : ['BLOCK', String(blockMs)]
    const streams = [this.#keys.stream, this.#keys.retry(group)]
    return [
      'XREADGROUP',
      'GROUP',
      group,
      consumer,
      'COUNT',
      String(count),
      ...block,
      'STREAMS',
      ...streams,
      from,
      from,
    ]
  }

  /** Reads of one consumer on a blocking connection of its own: XREADGROUP … BLOCK. */
  async openReader(group: string, consumer: string): Promise<GroupReader> {
    const connection = await this.#commands.openBlocking()
    return {
      read: async (count, blockMs, acks) => {
        // Both are sent in this tick, so they leave in one write: the acks first, then the read.
        // In that order: behind a read that blocks, an ack would wait as long as the read does.
        const acked = this.#ackCommands(group, acks).map((args) => connection.command(args, 'text'))
        const read = connection.command(this.#readGroup(group, consumer, count, '>', blockMs))
        const [reply] = await this.#ofGroup(group, Promise.all([read, ...acked]))
        return parseStreams(reply, this.#sourceOf)
      },
      close: () => connection.close(),
    }
  }

  async ownPending(group: string, consumer: string, count: number): Promise<StoredEntry[]> {
    const gone: Array<{ source: EntrySource; id: string }> = []
    const reply = await this.#ofGroup(group, this.#command(this.#readGroup(group, consumer, count, '0')))
    const entries = parseStreams(reply, this.#sourceOf, gone)
    // Trimmed away while pending: nothing to deliver, so nothing to keep pending.
    await this.ack(
      group,
      gone.map(({ source, id }) => ({ id, source, fields: { data: new Uint8Array(0) } })),
    )
    return entries
  }

  async ack(group: string, entries: readonly StoredEntry[]): Promise<void> {
    await Promise.all(this.#ackCommands(group, entries).map((args) => this.#command(args, 'text')))
  }

  /** One XACK per stream; retry entries are deleted too (nothing else reads them). */
  #ackCommands(group: string, entries: readonly StoredEntry[]): CommandArgument[][] {
    const main = entries.filter((e) => e.source === 'main').map((e) => e.id)
    const retry = entries.filter((e) => e.source === 'retry').map((e) => e.id)
    const retryKey = this.#keys.retry(group)
    const commands: CommandArgument[][] = []
    if (main.length > 0) commands.push(['XACK', this.#keys.stream, group, ...main])
    if (retry.length > 0) commands.push(['XACK', retryKey, group, ...retry], ['XDEL', retryKey, ...retry])
    return commands
  }

  async retry(
    group: string,
    entry: StoredEntry,
    next: EntryFields,
    dueMs: number,
    scheduleId: string,
  ): Promise<void> {
    const k = this.#keys
    const keys = [this.#streamOf(entry.source, group), k.scheduled, k.scheduledData]
    const packed = this.#pack({ kind: 'retry', group }, next)
    const args = [group, entry.id, entry.source === 'retry' ? '1' : '0', scheduleId, String(dueMs), packed]
    await this.#script('retryEntry', keys, args)
  }

  async deadLetter(group: string, entry: StoredEntry, error: string, attempts: number): Promise<void> {
    const keys = [this.#streamOf(entry.source, group), this.#keys.dead(group)]
    const { data, headers, origin } = entry.fields
    const fields: CommandArgument[] = ['data', data]
    if (headers !== undefined) fields.push('headers', headers)
    fields.push('origin', origin ?? entry.id, 'group', group, 'error', error, 'attempts', String(attempts))
    await this.#script('deadLetter', keys, [group, entry.id, entry.source === 'retry' ? '1' : '0', ...fields])
  }

  async claim(group: string, consumer: string, idleMs: number, count: number): Promise<StoredEntry[]> {
    const claimed: StoredEntry[] = []
    for (const source of ['main', 'retry'] as const) {
      if (claimed.length >= count) break
      const cursorKey = `${group}\u0000${source}`
      const reply = await this.#ofGroup(
        group,
        this.#command<[Buffer, unknown, unknown]>([
          'XAUTOCLAIM',
          this.#streamOf(source, group),
          group,
          consumer,
          String(idleMs),
          this.#claimCursors.get(cursorKey) ?? '0-0',
          'COUNT',
          String(count - claimed.length),
        ]),
      )
      this.#claimCursors.set(cursorKey, text(reply[0]))
      claimed.push(...parseEntries(reply[1], source))
    }
    return claimed
  }

  async touch(group: string, consumer: string, entries: readonly StoredEntry[]): Promise<void> {
    const touched = Promise.all(
      (['main', 'retry'] as const).map((source) => {
        const ids = entries.filter((e) => e.source === source).map((e) => e.id)
        if (ids.length === 0) return undefined
        return this.#command([
          'XCLAIM',
          this.#streamOf(source, group),
          group,
          consumer,
          '0',
          ...ids,
          'JUSTID',
        ])
      }),
    )
    await this.#ofGroup(group, touched)
  }

  async range(start: string, count: number): Promise<StoredEntry[]> {
    return parseEntries(
      await this.#command(['XRANGE', this.#keys.stream, start, '+', 'COUNT', String(count)]),
      'main',
    )
  }

  async openTail(): Promise<TailReader> {
    const connection = await this.#commands.openBlocking()
    return {
      read: async (afterId, count, blockMs) => {
        const reply = await connection.command([
          'XREAD',
          'COUNT',
          String(count),
          'BLOCK',
          String(blockMs),
          'STREAMS',
          this.#keys.stream,
          afterId,
        ])
        return parseStreams(reply, this.#sourceOf)
      },
      close: () => connection.close(),
    }
  }

  async deadLetters(group: string, count: number): Promise<DeadLetter[]> {
    const raw = await this.#command(['XRANGE', this.#keys.dead(group), '-', '+', 'COUNT', String(count)])
    if (!Array.isArray(raw)) return []
    return (raw as Array<[Buffer, unknown[]]>).map(([id, list]) => {
      const fields = flatMap(list)
      const data = list[list.findIndex((f) => text(f) === 'data') + 1]
      return {
        id: text(id),
        originalId: String(fields.origin ?? ''),
        group: String(fields.group ?? group),
        error: String(fields.error ?? ''),
        attempts: Number(fields.attempts ?? 0),
        data: Buffer.isBuffer(data) ? data : new Uint8Array(0),
        headers: fields.headers === undefined ? undefined : String(fields.headers),
      }
    })
  }

  async replayDead(group: string, idOrAll: string): Promise<number> {
    const keys = [this.#keys.dead(group), this.#keys.retry(group)]
    let total = 0
    for (;;) {
      const moved = Number(await this.#script('replayDead', keys, [idOrAll, String(REPLAY_STEP)]))
      total += moved
      if (idOrAll !== 'all' || moved < REPLAY_STEP) return total
    }
  }

  info(): Promise<TopicInfo> {
    return readGroupInfo(this.#commands, this.#keys)
  }
}
