import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls'
import { InvalidArgumentError } from '../../errors.js'

/** How a dropped connection is retried: exponential backoff with jitter. */
export interface ReconnectOptions {
  /**
   * Delay before the first reconnect attempt, in milliseconds. Each later attempt multiplies it
   * by `factor`, up to `maxDelayMs`.
   * @defaultValue 100
   */
  initialDelayMs: number
  /**
   * Upper bound of the delay between two attempts, in milliseconds.
   * @defaultValue 5000
   */
  maxDelayMs: number
  /**
   * Growth of the delay from one attempt to the next.
   * @defaultValue 2
   */
  factor: number
  /**
   * Fraction of each delay that is random, from 0 (none) to 1 (anywhere from 0 to the delay), so
   * that many clients cut off together do not all come back in the same millisecond.
   * @defaultValue 0.5
   */
  jitter: number
  /**
   * Reconnect attempts after a connection drops before giving up; `Infinity` never gives up.
   * Giving up emits an `error` status with a ConnectionError, and every later call rejects.
   * @defaultValue Infinity
   */
  maxAttempts: number
}

/** Options of the Redis connections: `connect({ redis: { tls, connectTimeoutMs, … } })`. */
export interface RedisTransportOptions {
  /** Reconnection after a dropped connection. The first connect is never retried: it fails fast. */
  reconnect?: Partial<ReconnectOptions>
  /**
   * Time allowed for each attempt to open a connection, in milliseconds: TCP, TLS, the handshake
   * (AUTH, CLIENT SETNAME), the check that a Sentinel's master is one (ROLE) and resubscribing,
   * all of it; and for each question to a Sentinel. An attempt past it is cut: the first connect
   * (or a first subscribe) rejects with ConnectionError, a reconnection backs off and tries again.
   * @defaultValue 5000
   */
  connectTimeoutMs?: number
  /**
   * Time allowed for the INFO query that tells a slow-consumer drop from other drops, in
   * milliseconds. When it runs out the drop is treated as an ordinary disconnection.
   * @defaultValue 2000
   */
  slowConsumerCheckTimeoutMs?: number
  /**
   * How long close() waits for commands in flight to be answered before it cuts the
   * connections, in milliseconds. It bounds close() when the server hangs.
   * @defaultValue 2000
   */
  closeTimeoutMs?: number
  /**
   * CLIENT SETNAME prefix of the connections (`<name>:cmd`, `<name>:sub`, `<name>:pub`, and
   * `<name>:block` for blocking reads), so that they can be told apart in CLIENT LIST. An empty
   * string sets no name.
   * @defaultValue 'switchboard'
   */
  clientName?: string
  /**
   * Password for the Sentinels themselves (`requirepass` in sentinel.conf), which may differ from
   * the master's, given in the URL. An empty string sends no AUTH to the Sentinels.
   * @defaultValue ''
   */
  sentinelPassword?: string
  /**
   * How long a link may leave its liveness PING unanswered, with nothing else arriving on it, in
   * milliseconds, before switchboard declares it dead: it drops that link (what is in flight
   * rejects with ConnectionError), emits `disconnected`, and reconnects. Every link (commands,
   * publish, subscriber) sends its own PING at most once a second, so that a paused server or a
   * path gone silent without FIN or RST (a frozen middlebox, a dead NAT entry) cannot make calls
   * hang or a subscription go quiet for good. 0 turns the check off.
   * @defaultValue 10000
   */
  commandTimeoutMs?: number
  /**
   * TLS settings (ca, cert, key, servername, rejectUnauthorized...). With `rediss://` they apply
   * to the server. With `redis+sentinel://`, which has no TLS form of its own, giving them (even
   * `{}`) is what says the master speaks TLS: every link to it then uses them, and so do the
   * Sentinels unless `sentinelTls` says otherwise. With `redis://` they are refused
   * (InvalidArgumentError): a plain connection given TLS settings is a mistake, not a choice.
   * @defaultValue none: for rediss://, Node's defaults (verify the server against the system CAs); for redis+sentinel://, plain TCP
   */
  tls?: TlsConnectionOptions
  /**
   * How the Sentinels of `redis+sentinel://` are reached: `true` over TLS with the `tls`
   * settings, an object over TLS with settings of their own (another CA, a servername), `false`
   * in plain TCP (Sentinels serving a plain port in front of a TLS master).
   * @defaultValue true when `tls` is given, else false
   */
  sentinelTls?: boolean | TlsConnectionOptions
  /**
   * Makes node-redis clients with `new RedisClient` rather than `RedisClient.create`, sparing a
   * process the ~500 command methods (and the garbage collection they bring) that switchboard
   * never calls: about 100 ms of a one-shot process such as the CLI. Off in the library, where
   * it slowed RPC at low load (see node-redis-client.ts).
   * @internal
   * @defaultValue false
   */
  leanClients?: boolean
}

export type ResolvedRedisTransportOptions = Required<
  Omit<RedisTransportOptions, 'reconnect' | 'tls' | 'sentinelTls'>
> & {
  reconnect: ReconnectOptions
  /** Undefined when not given: rediss:// then uses Node's defaults, a Sentinel's master plain TCP. */
  tls: TlsConnectionOptions | undefined
  /** The Sentinels' TLS settings; undefined: plain TCP. */
  sentinelTls: TlsConnectionOptions | undefined
}

/** Every default, in one place. */
export const DEFAULTS = {
  reconnect: {
    initialDelayMs: 100,
    maxDelayMs: 5_000,
    factor: 2,
    jitter: 0.5,
    maxAttempts: Number.POSITIVE_INFINITY,
  },
  connectTimeoutMs: 5_000,
  slowConsumerCheckTimeoutMs: 2_000,
  closeTimeoutMs: 2_000,
  clientName: 'switchboard',
  sentinelPassword: '',
  commandTimeoutMs: 10_000,
  tls: undefined,
  sentinelTls: undefined,
  leanClients: false,
} as const satisfies ResolvedRedisTransportOptions

/** Applies DEFAULTS and rejects values that cannot work, naming the option. */
export function resolveOptions(options: RedisTransportOptions = {}): ResolvedRedisTransportOptions {
  const resolved: ResolvedRedisTransportOptions = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    slowConsumerCheckTimeoutMs: options.slowConsumerCheckTimeoutMs ?? DEFAULTS.slowConsumerCheckTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs,
    clientName: options.clientName ?? DEFAULTS.clientName,
    sentinelPassword: options.sentinelPassword ?? DEFAULTS.sentinelPassword,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
    tls: options.tls ?? DEFAULTS.tls,
    leanClients: options.leanClients ?? DEFAULTS.leanClients,
    sentinelTls: sentinelTls(options),
    reconnect: { ...DEFAULTS.reconnect, ...stripUndefined(options.reconnect ?? {}) },
  }
  const r = resolved.reconnect
  check(r.initialDelayMs >= 0, 'reconnect.initialDelayMs', 'a number of milliseconds >= 0', r.initialDelayMs)
  check(r.maxDelayMs >= r.initialDelayMs, 'reconnect.maxDelayMs', '>= reconnect.initialDelayMs', r.maxDelayMs)
  check(r.factor >= 1, 'reconnect.factor', 'a number >= 1', r.factor)
  check(r.jitter >= 0 && r.jitter <= 1, 'reconnect.jitter', 'a number from 0 to 1', r.jitter)
  check(r.maxAttempts >= 0, 'reconnect.maxAttempts', 'a count >= 0, or Infinity', r.maxAttempts)
  check(
    resolved.commandTimeoutMs >= 0,
    'commandTimeoutMs',
    'a number of milliseconds >= 0, or 0 for none',
    resolved.commandTimeoutMs,
  )
  check(
    resolved.connectTimeoutMs > 0,
    'connectTimeoutMs',
    'a number of milliseconds > 0',
    resolved.connectTimeoutMs,
  )
  check(
    resolved.slowConsumerCheckTimeoutMs > 0,
    'slowConsumerCheckTimeoutMs',
    'a number of milliseconds > 0',
    resolved.slowConsumerCheckTimeoutMs,
  )
  check(
    resolved.closeTimeoutMs >= 0,
    'closeTimeoutMs',
    'a number of milliseconds >= 0',
    resolved.closeTimeoutMs,
  )
  return resolved
}

/** The Sentinels' TLS settings, or undefined for plain TCP (see sentinelTls). */
function sentinelTls({
  tls,
  sentinelTls = tls !== undefined,
}: RedisTransportOptions): TlsConnectionOptions | undefined {
  if (sentinelTls === false) return undefined
  return sentinelTls === true ? (tls ?? {}) : sentinelTls
}

function check(ok: boolean, name: string, expected: string, actual: number): void {
  // NaN fails every comparison above, so it lands here too.
  if (!ok) throw new InvalidArgumentError(`RedisTransport option ${name} must be ${expected}; got ${actual}`)
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
