import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { RedisUrl } from '../url.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'

/**
 * The socket of a connection switchboard speaks RESP on itself (the publish and subscriber
 * links): TLS when the URL says so, no Nagle delay, TCP keep-alive.
 */
export function openSocket(target: RedisUrl, options: ResolvedRedisTransportOptions): Socket {
  const socket = target.tls
    ? tlsConnect({ ...options.tls, host: target.host, port: target.port })
    : netConnect({ host: target.host, port: target.port })
  socket.setNoDelay(true)
  socket.setKeepAlive(true, 30_000)
  return socket
}

/** The commands that open such a connection: AUTH when the URL has a password, CLIENT SETNAME. */
export function handshakeCommands(
  target: RedisUrl,
  options: ResolvedRedisTransportOptions,
  role: 'pub' | 'sub',
): string[][] {
  const commands: string[][] = []
  if (target.password !== undefined) {
    commands.push(
      target.username === undefined ? ['AUTH', target.password] : ['AUTH', target.username, target.password],
    )
  }
  if (options.clientName !== '') commands.push(['CLIENT', 'SETNAME', `${options.clientName}:${role}`])
  return commands
}
