import { InvalidArgumentError } from '../errors.js'

/**
 * The Redis keys of one topic. All share the hash tag `{<topic>}`, so that on Redis Cluster they
 * live in one slot and one Lua script may touch them all.
 */
export interface TopicKeys {
  /** The stream producers XADD to: `topic:{orders}`. */
  readonly stream: string
  /** Scheduled entries (and retries) by due time, epoch ms: a sorted set of schedule ids. */
  readonly scheduled: string
  /** Each scheduled entry's target and fields, by schedule id: a hash. */
  readonly scheduledData: string
  dedupe(key: string): string
  retry(group: string): string
  dead(group: string): string
}

export function topicKeys(topic: string): TopicKeys {
  const base = `topic:{${topic}}`
  return {
    stream: base,
    scheduled: `${base}:scheduled`,
    scheduledData: `${base}:scheduled-data`,
    dedupe: (key) => `${base}:key:${key}`,
    retry: (group) => `${base}:retry:${group}`,
    dead: (group) => `${base}:dead:${group}`,
  }
}

const MAX_NAME_LENGTH = 200
// Braces would break the hash tag; whitespace and control characters make keys no tool can type.
const UNUSABLE = /[{}\s\p{Cc}]/u

/**
 * Refuses a topic, group or consumer name Redis keys cannot carry well: empty, longer than 200
 * characters, or with braces, whitespace or control characters.
 */
export function checkName(what: string, name: unknown): string {
  if (typeof name === 'string' && name.length > 0 && name.length <= MAX_NAME_LENGTH && !UNUSABLE.test(name)) {
    return name
  }
  throw new InvalidArgumentError(
    `${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters without braces, whitespace or control characters; got ${JSON.stringify(name)}`,
  )
}
