import { createHash } from 'node:crypto'
import type { CommandArgument, StreamCommands } from '../../transport/transport.js'
import { LUA_SCRIPTS } from '../lua/scripts.js'

export type ScriptName = keyof typeof LUA_SCRIPTS

const SHAS = Object.fromEntries(
  Object.entries(LUA_SCRIPTS).map(([name, { source }]) => [
    name,
    createHash('sha1').update(source).digest('hex'),
  ]),
) as Record<ScriptName, string>

/** Whether Redis said it does not have the script (a restart or SCRIPT FLUSH emptied its cache). */
function isNoScript(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause)
    if (e.message.includes('NOSCRIPT')) return true
  return false
}

/**
 * Runs durable/'s Lua scripts by EVALSHA; after NOSCRIPT, sends the source once with EVAL (which
 * caches it again on the server) and goes back to EVALSHA.
 */
export function runScript<T>(
  commands: StreamCommands,
  name: ScriptName,
  keys: readonly string[],
  args: readonly CommandArgument[],
): Promise<T> {
  const { numKeys, source } = LUA_SCRIPTS[name]
  if (keys.length !== numKeys) throw new Error(`${name} takes ${numKeys} keys; got ${keys.length}`)
  const tail = [String(numKeys), ...keys, ...args]
  return commands.command<T>(['EVALSHA', SHAS[name], ...tail]).catch((error: unknown) => {
    if (!isNoScript(error)) throw error
    return commands.command<T>(['EVAL', source, ...tail])
  })
}
