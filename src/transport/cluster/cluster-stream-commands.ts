import type { RedisArgument } from '@redis/client'
import { ClosedError, InvalidArgumentError } from '../../errors.js'
import type { BlockingConnection } from '../redis/blocking-connection.js'
import type { NodeRedisCommandOptions } from '../redis/node-redis-client.js'
import { replyOptions, toRedisArguments } from '../redis/stream-commands.js'
import type { BlockingCommands, CommandArgument, ReplyForm, StreamCommands } from '../transport.js'

/** What durable topics need of a cluster: commands and blocking connections routed by key. */
export interface KeyRouter {
  command<T>(
    key: string,
    args: readonly RedisArgument[],
    what: string,
    options?: NodeRedisCommandOptions,
  ): Promise<T>
  openBlockingConnection(key: string): Promise<BlockingConnection>
}

/**
 * The key a durable command is routed by. For EVAL and EVALSHA, their first key (the script's
 * text holds braces of its own). For the others, the first text argument holding a `{hash tag}`:
 * every key of a topic shares the tag `{<topic>}`, and the key comes before any value in the
 * commands durable/ sends (XADD key, XREADGROUP ... STREAMS key...); topic and group names cannot
 * hold braces, so nothing earlier looks like one.
 */
export function routeKey(args: readonly CommandArgument[]): string {
  const command = String(args[0]).toUpperCase()
  const scripted = command === 'EVAL' || command === 'EVALSHA'
  for (const arg of scripted ? args.slice(3, 3 + Number(args[2])) : args) {
    if (typeof arg !== 'string') continue
    const open = arg.indexOf('{')
    if (open >= 0 && arg.indexOf('}', open + 2) > open) return arg
  }
  throw new InvalidArgumentError(
    `${String(args[0])} names no key with a {hash tag}: on Redis Cluster every durable key must hold one`,
  )
}

/**
 * Durable topics' raw commands on a cluster: each goes to the primary serving its key's slot
 * (following MOVED). A blocking connection is opened on the shard of the first key it is used
 * for (one topic's keys share a slot) and dropped after any error, so that the next command opens
 * one where the slot lives now.
 */
export function clusterStreamCommands(router: KeyRouter): StreamCommands {
  return {
    command: <T>(args: readonly CommandArgument[], replies?: ReplyForm) =>
      router.command<T>(routeKey(args), toRedisArguments(args), String(args[0]), replyOptions(replies)),
    openBlocking: async (): Promise<BlockingCommands> => {
      let connection: Promise<BlockingConnection> | undefined
      let closed = false
      return {
        command: async <T>(args: readonly CommandArgument[], replies?: ReplyForm) => {
          if (closed) throw new ClosedError('blocking connection')
          connection ??= router.openBlockingConnection(routeKey(args))
          const opened = connection
          try {
            return await (await opened).sendCommand<T>(toRedisArguments(args), replyOptions(replies))
          } catch (error) {
            if (connection === opened) connection = undefined
            void opened.then((c) => c.close()).catch(() => {})
            throw error
          }
        },
        close: async () => {
          closed = true
          const open = connection
          connection = undefined
          if (open) await (await open.catch(() => undefined))?.close()
        },
      }
    },
  }
}
