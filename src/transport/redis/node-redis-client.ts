import { RedisClient } from '@redis/client'
import type { RedisUrl } from '../url.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'

/**
 * One node-redis connection set up the way switchboard needs it:
 * - `commandOptions.timeout: 0` turns off node-redis's per-command timer (5 s by default), which
 *   arms an AbortSignal per command and costs about 5x on batched publishes. Deadlines belong to
 *   switchboard's own layers.
 * - `disableOfflineQueue` makes a command issued while the connection is down reject at once
 *   instead of waiting, unbounded, for the reconnection.
 * - `reconnectStrategy: false`: a dropped client is replaced, not revived (ManagedConnection).
 * - RESP2: pub/sub replies are plain arrays, and it works with every Redis version.
 * - Maintenance notifications (a Redis Enterprise feature) would add a handshake command.
 * - `RedisClient.create`, though switchboard sends every command through sendCommand and never
 *   calls the ~500 command methods create() attaches (about 35 ms of start-up). Measured: with
 *   `new RedisClient` instead, RPC at 1 in flight between two small processes fell from 0.82x to
 *   0.65x the hand-written node-redis RPC, CPU per request rising by a quarter on both sides,
 *   though not one more command, timer or write was made per request. A caller given a heap of
 *   200k retained objects ran as fast with either, so it is how V8 treats a nearly empty heap,
 *   not work of ours; until that is understood, the start-up saving is not worth it in a
 *   library. The CLI, a one-shot process, asks for `new RedisClient` (`leanClients`).
 */
export function createNodeRedisClient(
  target: RedisUrl,
  options: ResolvedRedisTransportOptions,
  role: 'cmd' | 'block' | 'watch' | 'topo',
): NodeRedisClient {
  const socket = {
    host: target.host,
    port: target.port,
    connectTimeout: options.connectTimeoutMs,
    reconnectStrategy: false as const,
  }
  const clientOptions = {
    RESP: 2 as const,
    socket: target.tls ? { ...options.tls, ...socket, tls: true as const } : socket,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.db === 0 ? {} : { database: target.db }),
    ...(options.clientName === '' ? {} : { name: `${options.clientName}:${role}` }),
    disableOfflineQueue: true,
    commandOptions: { timeout: 0 },
    maintNotifications: 'disabled' as const,
  }
  return options.leanClients ? new RedisClient(clientOptions) : RedisClient.create(clientOptions)
}

/** RESP2, no modules, functions, scripts or type mapping: the base client, sendCommand and all. */
// biome-ignore lint/complexity/noBannedTypes: node-redis's own defaults for "none" are `{}`
export type NodeRedisClient = RedisClient<{}, {}, {}, 2, {}>

/** destroy() that never throws: for clients that may already be gone. */
export function destroyQuietly(client: { destroy(): void }): void {
  try {
    client.destroy()
  } catch {
    // Already destroyed.
  }
}

/** What one command may ask of node-redis beyond its arguments (reply type mapping). */
export type NodeRedisCommandOptions = Parameters<NodeRedisClient['sendCommand']>[1]
