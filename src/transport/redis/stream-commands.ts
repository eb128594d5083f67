import { RESP_TYPES, type RedisArgument } from '@redis/client'
import type { CommandArgument, ReplyForm, StreamCommands } from '../transport.js'
import type { BlockingConnection } from './blocking-connection.js'
import type { NodeRedisCommandOptions } from './node-redis-client.js'
import type { ServerLinks } from './server-links.js'

/** Bulk strings as Buffers: stream entries carry codec bytes, which a UTF-8 decode would corrupt. */
export const BINARY: NodeRedisCommandOptions = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } }

/**
 * A type mapping costs node-redis about 2 µs more per command (measured on pipelined XADDs), so
 * commands whose replies are text (ids, counts) go without one.
 */
export function replyOptions(replies: ReplyForm = 'bytes'): NodeRedisCommandOptions | undefined {
  return replies === 'bytes' ? BINARY : undefined
}

/** node-redis takes strings and Buffers: bytes are viewed as a Buffer, never copied. */
export function toRedisArguments(args: readonly CommandArgument[]): RedisArgument[] {
  return args.map((arg) =>
    typeof arg === 'string' || Buffer.isBuffer(arg)
      ? arg
      : Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength),
  )
}

/**
 * The raw commands durable topics send: on the command link (node-redis writes every command of
 * a tick in one write, so the XADDs of one tick are one pipeline), and on blocking connections
 * of their own.
 */
export function streamCommands(
  links: ServerLinks,
  openBlocking: () => Promise<BlockingConnection>,
): StreamCommands {
  return {
    command: <T>(args: readonly CommandArgument[], replies?: ReplyForm) =>
      links.command<T>(toRedisArguments(args), String(args[0]), replyOptions(replies)),
    openBlocking: async () => {
      const connection = await openBlocking()
      return {
        command: <T>(args: readonly CommandArgument[], replies?: ReplyForm) =>
          connection.sendCommand<T>(toRedisArguments(args), replyOptions(replies)),
        close: () => connection.close(),
      }
    },
  }
}
