/**
 * The channel and key names RPC uses. Kept in one place because callers and services in other
 * processes (and other languages) must agree on them byte for byte.
 */

/** The prefix of a reply channel; the rest is a UUID, as Daebus' DaebusCaller makes it. */
export const REPLY_CHANNEL_PREFIX = 'caller:'

/** The action of the control message that cancels a request (never a user action). */
export const CANCEL_ACTION = '__cancel__'

/**
 * The action every switchboard service answers with the names of its actions, sorted (never a
 * user action): what `switchboard routes check` asks. A Daebus service answers UNKNOWN_ACTION.
 */
export const ACTIONS_ACTION = '__actions__'

/** The private channel of one service instance: only switchboard callers publish to it. */
export function instanceChannel(service: string, instanceId: string): string {
  return `${service}:instance:${instanceId}`
}

/** The PUBSUB CHANNELS pattern that lists the live instances of a service. */
export function instancePattern(service: string): string {
  return `${escapeGlob(service)}:instance:*`
}

/** The SET NX key one instance takes to own a request that reached every instance. */
export function claimKey(service: string, requestId: string): string {
  return `switchboard:claim:${service}:${requestId}`
}

/** Escapes Redis glob characters so that a service name matches only itself. */
export function escapeGlob(name: string): string {
  return name.replace(/[*?[\]\\]/g, '\\$&')
}
