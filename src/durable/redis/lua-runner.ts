import { createHash } from 'node:crypto'
import type { CommandArgument, StreamCommands } from '../../transport/transport.js'
import { LUA_SCRIPTS } from '../lua/scripts.js'
import { repliedWith } from './reply-error.js'

export type ScriptName = keyof typeof LUA_SCRIPTS

const SHAS = Object.fromEntries(
  Object.entries(LUA_SCRIPTS).map(([name, { source }]) => [
    name,
    createHash('sha1').update(source).digest('hex'),
  ]),
) as Record<ScriptName, string>

/**
 * Runs durable/'s Lua scripts by EVALSHA; after NOSCRIPT (a restart, a failover or SCRIPT FLUSH)
 * the call is made again as EVAL with the script's text, which also puts the script back in the
 * server's cache for the EVALSHAs after it. EVAL names the same keys, so on Redis Cluster it goes
 * to the shard that said NOSCRIPT, where a SCRIPT LOAD (which names no key) could not be routed.
 */
export function runScript<T>(
  commands: StreamCommands,
  name: ScriptName,
  keys: readonly string[],
  args: readonly CommandArgument[],
): Promise<T> {
  const { numKeys } = LUA_SCRIPTS[name]
  if (keys.length !== numKeys) throw new Error(`${name} takes ${numKeys} keys; got ${keys.length}`)
  const evalsha = ['EVALSHA', SHAS[name], String(numKeys), ...keys, ...args]
  return commands.command<T>(evalsha).catch((error: unknown) => {
    if (!repliedWith(error, /NOSCRIPT/)) throw error
    return commands.command<T>(['EVAL', LUA_SCRIPTS[name].source, String(numKeys), ...keys, ...args])
  })
}
