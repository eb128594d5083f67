import type { StreamCommands } from '../../transport/transport.js'
import type { TopicKeys } from '../topic-keys.js'
import type { GroupInfo, TopicInfo } from '../topic-store.js'
import { flatMap } from './stream-replies.js'

/** XINFO GROUPS as objects; a stream that does not exist yet has no groups. */
async function groupsOf(commands: StreamCommands, key: string): Promise<Array<Record<string, unknown>>> {
  try {
    const raw = await commands.command<unknown[]>(['XINFO', 'GROUPS', key])
    return raw.map(flatMap)
  } catch (error) {
    if (error instanceof Error && error.message.includes('no such key')) return []
    throw error
  }
}

/**
 * A topic's numbers: XLEN and ZCARD, and per group (XINFO GROUPS) its pending entries (retries
 * included), lag, consumers and dead letters.
 */
export async function readGroupInfo(commands: StreamCommands, keys: TopicKeys): Promise<TopicInfo> {
  const [length, scheduled, groups] = await Promise.all([
    commands.command<number>(['XLEN', keys.stream]),
    commands.command<number>(['ZCARD', keys.scheduled]),
    groupsOf(commands, keys.stream),
  ])
  const detailed = await Promise.all(
    groups.map(async (group): Promise<GroupInfo> => {
      const name = String(group.name)
      const [retries, deadLetters] = await Promise.all([
        groupsOf(commands, keys.retry(name)),
        commands.command<number>(['XLEN', keys.dead(name)]),
      ])
      const retry = retries.find((each) => String(each.name) === name)
      return {
        name,
        pending: Number(group.pending ?? 0) + Number(retry?.pending ?? 0),
        lag: Number(group.lag ?? 0),
        consumers: Number(group.consumers ?? 0),
        deadLetters: Number(deadLetters),
      }
    }),
  )
  return { length: Number(length), scheduled: Number(scheduled), groups: detailed }
}
