/**
 * One error family. Every error switchboard throws or emits is a SwitchboardError whose `code`
 * is one of ERROR_CODES; subclasses add the typed fields callers branch on.
 */

/** Every code, with what it means and what to do. The README documents each one (a test checks). */
export const ERROR_CODES = {
  CONNECTION:
    'The broker cannot be reached, or the connection dropped. Check the URL and that the server runs.',
  CLOSED: 'The bus, subscription or service was closed. Create a new one.',
  INVALID_URL: 'The connection URL cannot be parsed or names an unknown scheme.',
  INVALID_ARGUMENT: 'An argument has the wrong type or value; the message names it.',
  ENCODE: 'The codec cannot encode the value (for example a function or a cyclic object).',
  MALFORMED_MESSAGE: 'A received message could not be decoded with the codec; it was dropped.',
  PAYLOAD_TOO_LARGE: 'The encoded message is larger than maxPayloadBytes.',
  SUBSCRIBER: 'A subscriber handler (or preHandle) threw; `cause` holds the original error.',
  BUFFER_OVERFLOW: 'A subscription buffer was full and its overflow policy is "error".',
  SLOW_CONSUMER: 'Redis dropped the subscriber connection because it read too slowly (output buffer limit).',
  TIMEOUT: 'No final response arrived within the timeout.',
  CANCELLED: 'The request was cancelled through its AbortSignal.',
  NO_RESPONDER: 'Nobody is subscribed to the service channel: the request reached 0 receivers.',
  REMOTE:
    'The remote handler answered with an error whose code is its own (or none); `remoteCode` and the message are the remote ones.',
  UNKNOWN_ACTION: 'The service has no handler for the requested action.',
  OVERLOADED: 'The service queue is full; retry later or raise `concurrency`/`maxQueue`.',
  DEADLINE_EXCEEDED: 'The request deadline passed before a handler could start it.',
  BAD_REQUEST: 'A request envelope is not JSON or lacks required fields.',
  VALIDATION: 'A payload failed its Standard Schema validation.',
  MISSING_DEPENDENCY:
    'An optional peer dependency (prom-client for metrics, @opentelemetry/api for traces) is not installed; the message gives the npm command.',
  ROUTES:
    'A routes file (or routes object) has errors; `problems` lists each with its line, column and what to write instead. A running hub keeps its old routes.',
  HUB_STEP:
    'A hub step failed after all its attempts, or could not run (its event lacks a field a condition needs); the message names the route and the step, `cause` holds why.',
  GROUP_LOST:
    "A durable topic's consumer group was missing (Redis lost its data, or the stream or group was deleted); the consumer created it again and goes on. Entries from before are gone unless Redis persists them.",
} as const

/** Every error code switchboard uses; `ERROR_CODES` gives each one its meaning. */
export type ErrorCode = keyof typeof ERROR_CODES

/**
 * The codes a switchboard service puts in an error response on its own, whatever its handlers
 * do: it refused the request (UNKNOWN_ACTION, OVERLOADED, DEADLINE_EXCEEDED, BAD_REQUEST,
 * VALIDATION), stopped before answering (CLOSED), or could not send the result (ENCODE,
 * PAYLOAD_TOO_LARGE). A caller's RemoteError takes such a code as its own `code`. A handler's
 * error travels with whatever string code it has, which may be anything else.
 */
export const WIRE_ERROR_CODES = [
  'UNKNOWN_ACTION',
  'OVERLOADED',
  'DEADLINE_EXCEEDED',
  'BAD_REQUEST',
  'VALIDATION',
  'CLOSED',
  'ENCODE',
  'PAYLOAD_TOO_LARGE',
] as const satisfies readonly ErrorCode[]

/** A code of WIRE_ERROR_CODES: a subset of ErrorCode. */
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number]

/**
 * The code in an error response: a WireErrorCode when the service answered on its own, else
 * the string code of the handler's error, whatever it is. (`& Record<never, never>` keeps the
 * wire codes offered by editors without closing the type to other strings.)
 */
export type ResponseErrorCode = WireErrorCode | (string & Record<never, never>)

const wireCodes: ReadonlySet<string> = new Set(WIRE_ERROR_CODES)

export function isWireErrorCode(code: unknown): code is WireErrorCode {
  return typeof code === 'string' && wireCodes.has(code)
}

/** Options of an error: the `cause` it wraps. */
export interface SwitchboardErrorOptions {
  cause?: unknown
}

/**
 * Marks every switchboard error, whichever copy of the library made it: an ESM and a CommonJS
 * build loaded in one process have two sets of classes, and `instanceof` must hold across them.
 */
const ERROR_BRAND = Symbol.for('switchboard.error')

/**
 * The base of every switchboard error: its `code` tells what went wrong (see `ERROR_CODES`), and
 * `cause` holds the underlying error, if any.
 *
 * ```ts
 * try { await bus.publish(channel, data) } catch (error) {
 *   if (error instanceof SwitchboardError && error.code === 'PAYLOAD_TOO_LARGE') { ... }
 * }
 * ```
 */
export class SwitchboardError extends Error {
  readonly code: ErrorCode

  /**
   * `instanceof` by class, or, for an error made by another copy of switchboard, by the brand and
   * the class names on its prototype chain (the same names in every build).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass instanceof asked about
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true
    if (typeof value !== 'object' || value === null || !(ERROR_BRAND in value)) return false
    for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
      // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass instanceof asked about
      if ((proto as { constructor?: { name?: string } }).constructor?.name === this.name) return true
    }
    return false
  }

  constructor(code: ErrorCode, message: string, options?: SwitchboardErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.name = new.target.name
  }
}
Object.defineProperty(SwitchboardError.prototype, ERROR_BRAND, { value: true })

/** The broker cannot be reached, or the connection dropped (`CONNECTION`). */
export class ConnectionError extends SwitchboardError {
  readonly url: string | undefined
  /**
   * Whether what failed may have reached the broker anyway. `true`: it was written to the
   * connection before the connection was lost (or the server went silent), so the broker may
   * have delivered it; publishing it again may deliver it twice. `false`: it never left this
   * process (refused while the connection was down, or the server refused it), so a retry
   * cannot duplicate it. Errors that are not about sending something (a failed connect) say
   * `false`.
   */
  readonly maybeDelivered: boolean
  constructor(
    message: string,
    options?: SwitchboardErrorOptions & { url?: string; maybeDelivered?: boolean },
  ) {
    super('CONNECTION', message, options)
    this.url = options?.url
    this.maybeDelivered = options?.maybeDelivered ?? false
  }
}

/** The bus, subscription or service was closed (`CLOSED`). */
export class ClosedError extends SwitchboardError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed; create a new one`)
  }
}

/** The URL cannot be parsed or names an unknown scheme (`INVALID_URL`). */
export class InvalidUrlError extends SwitchboardError {
  readonly url: string
  constructor(url: string, reason: string) {
    super('INVALID_URL', `invalid switchboard URL "${url}": ${reason}`)
    this.url = url
  }
}

/** An argument has the wrong type or value (`INVALID_ARGUMENT`). */
export class InvalidArgumentError extends SwitchboardError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message)
  }
}

/** The codec cannot encode the value (`ENCODE`). */
export class EncodeError extends SwitchboardError {
  constructor(codec: string, options?: SwitchboardErrorOptions) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : ''
    super('ENCODE', `the ${codec} codec cannot encode this value${detail}`, options)
  }
}

/** A received message could not be decoded; it was dropped (`MALFORMED_MESSAGE`). */
export class MalformedMessageError extends SwitchboardError {
  /** The channel the message arrived on, when known. */
  readonly channel: string | undefined
  /** The first bytes of the message (at most 64), for diagnosis. */
  readonly preview: Uint8Array | undefined
  constructor(message: string, options?: SwitchboardErrorOptions & { channel?: string; bytes?: Uint8Array }) {
    super('MALFORMED_MESSAGE', message, options)
    this.channel = options?.channel
    this.preview = options?.bytes?.subarray(0, 64)
  }
}

/**
 * An encoded message is larger than the bus's `maxPayloadBytes` (`PAYLOAD_TOO_LARGE`): refused
 * when publishing, dropped undecoded when it arrives. Raise the limit with
 * `connect({ maxPayloadBytes })` (the CLI: `--max-payload`).
 */
export class PayloadTooLargeError extends SwitchboardError {
  readonly size: number
  readonly limit: number
  /** Set for a message that arrived: the channel it came on (it was dropped, never decoded). */
  readonly channel: string | undefined
  constructor(size: number, limit: number, arrivedOn?: string) {
    super(
      'PAYLOAD_TOO_LARGE',
      arrivedOn === undefined
        ? `encoded message is ${size} bytes, over maxPayloadBytes ${limit}; send less, or raise the limit with connect({ maxPayloadBytes })`
        : `dropped a message of ${size} bytes on "${arrivedOn}" without decoding it: over maxPayloadBytes ${limit}; raise maxPayloadBytes on this bus if such messages are expected`,
    )
    this.size = size
    this.limit = limit
    this.channel = arrivedOn
  }
}

/** A subscriber handler or preHandle threw; `cause` holds its error (`SUBSCRIBER`). */
export class SubscriberError extends SwitchboardError {
  readonly channel: string
  constructor(channel: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    super('SUBSCRIBER', `subscriber handler failed on channel "${channel}": ${detail}`, { cause })
    this.channel = channel
  }
}

/** A subscription buffer was full under the `error` overflow policy (`BUFFER_OVERFLOW`). */
export class BufferOverflowError extends SwitchboardError {
  readonly channel: string
  readonly limit: number
  constructor(channel: string, limit: number) {
    super(
      'BUFFER_OVERFLOW',
      `subscription buffer for "${channel}" is full (${limit} messages); consume faster, raise bufferSize or choose another overflow policy`,
    )
    this.channel = channel
    this.limit = limit
  }
}

/** Redis dropped the subscriber connection for reading too slowly (`SLOW_CONSUMER`). */
export class SlowConsumerError extends SwitchboardError {
  constructor(message: string, options?: SwitchboardErrorOptions) {
    super('SLOW_CONSUMER', message, options)
  }
}

/** No final response arrived within the timeout (`TIMEOUT`). */
export class TimeoutError extends SwitchboardError {
  readonly service: string | undefined
  readonly action: string | undefined
  readonly timeoutMs: number
  constructor(message: string, timeoutMs: number, target?: { service?: string; action?: string }) {
    super('TIMEOUT', message)
    this.timeoutMs = timeoutMs
    this.service = target?.service
    this.action = target?.action
  }
}

/** The request was cancelled through its AbortSignal (`CANCELLED`). */
export class CancelledError extends SwitchboardError {
  constructor(message: string, options?: SwitchboardErrorOptions) {
    super('CANCELLED', message, options)
  }
}

/** The request reached 0 receivers: nothing serves that service (`NO_RESPONDER`). */
export class NoResponderError extends SwitchboardError {
  readonly service: string
  readonly action: string | undefined
  constructor(service: string, action?: string) {
    const target = action === undefined ? service : `${service}.${action}`
    super(
      'NO_RESPONDER',
      `no responder for ${target}: nothing is subscribed to "${service}"; is the service running?`,
    )
    this.service = service
    this.action = action
  }
}

/**
 * The service answered with an error. `code` is the code it sent when that is one of switchboard's
 * WireErrorCodes (UNKNOWN_ACTION, OVERLOADED…), so `err.code` says what went wrong wherever it
 * happened; any other code (a handler's own, or none, as from Daebus) gives 'REMOTE'.
 * `remoteCode` is always the code as sent.
 */
export class RemoteError extends SwitchboardError {
  declare readonly code: 'REMOTE' | WireErrorCode
  readonly service: string
  readonly action: string
  /** The `code` the remote put in its error payload, when it sent one (Daebus never does). */
  readonly remoteCode: string | undefined
  constructor(service: string, action: string, message: string, remoteCode?: string) {
    super(isWireErrorCode(remoteCode) ? remoteCode : 'REMOTE', message)
    this.service = service
    this.action = action
    this.remoteCode = remoteCode
  }
}

/** A payload failed its Standard Schema (`VALIDATION`). */
export class ValidationError extends SwitchboardError {
  readonly issues: ReadonlyArray<{ message: string }>
  constructor(where: string, issues: ReadonlyArray<{ message: string }>) {
    super('VALIDATION', `${where} failed validation: ${issues.map((i) => i.message).join('; ')}`)
    this.issues = issues
  }
}

/**
 * A feature needs an optional peer dependency that is not installed: switchboard runs without it,
 * and only the feature asked for (metrics, traces) refuses to start.
 */
export class MissingDependencyError extends SwitchboardError {
  /** The npm package to install. */
  readonly packageName: string
  constructor(packageName: string, feature: string, options?: SwitchboardErrorOptions) {
    super(
      'MISSING_DEPENDENCY',
      `${feature} needs the optional package "${packageName}", which is not installed: run \`npm install ${packageName}\``,
      options,
    )
    this.packageName = packageName
  }
}

/** One thing wrong (an error) or doubtful (a warning) in a routes file, with where it is and what to write. */
export interface RoutesProblem {
  readonly severity: 'error' | 'warning'
  /** 1-based; absent when the routes came as an object rather than as text. */
  readonly line?: number
  /** 1-based; absent when the routes came as an object rather than as text. */
  readonly column?: number
  /** Where in the file, as keys: `routes › user.signed_up › step 1 › retry`. */
  readonly path: string
  readonly message: string
  /** What to write instead. */
  readonly hint?: string
}

/** A routes file or object has errors (`ROUTES`): `problems` holds each, warnings included. */
export class RoutesError extends SwitchboardError {
  /** The file's name as given, when the routes came from a file. */
  readonly file: string | undefined
  readonly problems: readonly RoutesProblem[]
  constructor(problems: readonly RoutesProblem[], file?: string) {
    const errors = problems.filter((problem) => problem.severity === 'error')
    const first = errors[0]
    const where = first?.line === undefined ? first?.path : `line ${first.line}, column ${first.column}`
    super(
      'ROUTES',
      `${file ?? 'the routes'} ha${errors.length === 1 ? 's 1 error' : `ve ${errors.length} errors`}; the first, at ${where}: ${first?.message}${first?.hint ? ` (${first.hint})` : ''}`,
    )
    this.file = file
    this.problems = problems
  }
}

/** A hub step failed for good (`HUB_STEP`): `route` and `step` name it, `cause` says why. */
export class HubStepError extends SwitchboardError {
  /** The event the route is for. */
  readonly route: string
  /** The step's name: `call email.send_welcome`, or its `name:` in the routes file. */
  readonly step: string
  /** How many attempts were made (0 when it could not run at all). */
  readonly attempts: number
  constructor(
    route: string,
    step: string,
    attempts: number,
    reason: string,
    options?: SwitchboardErrorOptions,
  ) {
    const tries =
      attempts === 0 ? 'could not run' : `failed after ${attempts} attempt${attempts === 1 ? '' : 's'}`
    super('HUB_STEP', `route ${route}, step "${step}" ${tries}: ${reason}`, options)
    this.route = route
    this.step = step
    this.attempts = attempts
  }
}

/**
 * A durable consumer found its group missing (`GROUP_LOST`): Redis restarted without persistence,
 * or someone deleted the stream or ran XGROUP DESTROY. The consumer creates the group again and
 * goes on reading; this is reported once per loss.
 */
export class GroupLostError extends SwitchboardError {
  readonly topic: string
  readonly group: string
  constructor(topic: string, group: string, options?: SwitchboardErrorOptions) {
    super(
      'GROUP_LOST',
      `durable topic "${topic}": consumer group "${group}" was missing, probably because Redis lost its data (a restart without persistence) or the stream or group was deleted; it is created again at the start of what the stream holds now and reading goes on. Entries from before the loss are gone unless Redis persists them (appendonly yes); after an XGROUP DESTROY, the entries still in the stream are delivered again.`,
      options,
    )
    this.topic = topic
    this.group = group
  }
}
