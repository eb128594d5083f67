/**
 * How switchboard names one of its connections to the server that holds it, to end it there
 * (CLIENT KILL) after it dropped its own end of a link that went silent: the server may never
 * hear of that drop (a frozen path passes no FIN), and would keep the old subscriber counted as
 * a receiver of every PUBLISH, and buffer messages for it, until its TCP keepalive gave up.
 */

/**
 * The CLIENT KILL filters that match exactly the connection a CLIENT INFO line describes: ID and
 * ADDR together, so that on a restarted server (whose ids start again) they match nothing rather
 * than a stranger. Undefined when the reply is not such a line (Redis before 6.2 has no CLIENT
 * INFO): that connection is then left to the server's own timeouts.
 */
export function killFilters(clientInfo: unknown): readonly string[] | undefined {
  const line = clientInfo instanceof Uint8Array ? Buffer.from(clientInfo).toString('latin1') : clientInfo
  if (typeof line !== 'string') return undefined
  const id = /(?:^| )id=(\d+)/.exec(line)?.[1]
  const addr = /(?:^| )addr=(\S+)/.exec(line)?.[1]
  return id && addr ? ['ID', id, 'ADDR', addr] : undefined
}
