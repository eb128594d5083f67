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

/** A SCRIPT LOAD in progress per server connection and script: concurrent NOSCRIPTs share it. */
const loading = new WeakMap<StreamCommands, Map<ScriptName, Promise<unknown>>>()

function load(commands: StreamCommands, name: ScriptName): Promise<unknown> {
  let scripts = loading.get(commands)
  if (!scripts) {
    scripts = new Map()
    loading.set(commands, scripts)
  }
  let pending = scripts.get(name)
  if (!pending) {
    pending = commands.command(['SCRIPT', 'LOAD', LUA_SCRIPTS[name].source])
    const forget = () => scripts.delete(name)
    pending.then(forget, forget)
    scripts.set(name, pending)
  }
  return pending
}

/**
 * Runs durable/'s Lua scripts by EVALSHA; after NOSCRIPT (a restart or SCRIPT FLUSH), loads the
 * script once (SCRIPT LOAD, shared by every call that hit NOSCRIPT meanwhile) and tries again.
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
  return commands.command<T>(evalsha).catch(async (error: unknown) => {
    if (!isNoScript(error)) throw error
    await load(commands, name)
    return commands.command<T>(evalsha)
  })
}
