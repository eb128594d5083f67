import {
  ConnectionError,
  EncodeError,
  InvalidArgumentError,
  InvalidUrlError,
  NoResponderError,
  PayloadTooLargeError,
  RemoteError,
  SwitchboardError,
  TimeoutError,
} from '../errors.js'
import { EXIT_CODES, type ExitCode } from './exit-codes.js'

/** A failure the CLI reports as one line that says what to do, with its exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}

export interface Failure {
  /** One line, no trailing newline. */
  message: string
  exitCode: ExitCode
}

/** What failed, where: the URL the command connected to, and the service call if any. */
export interface FailureContext {
  url?: string
}

/** Turns any error into the one line the CLI prints, and its exit code. */
export function describeError(error: unknown, context: FailureContext = {}): Failure {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode }
  if (error instanceof RemoteError) {
    const code = error.remoteCode ? ` [${error.remoteCode}]` : ''
    return {
      message: `${error.service}.${error.action} answered with an error${code}: ${error.message}`,
      exitCode: EXIT_CODES.REMOTE_ERROR,
    }
  }
  if (error instanceof TimeoutError) {
    const target = error.service && error.action ? `${error.service}.${error.action}` : 'the request'
    return {
      message: `no reply from ${target} within ${error.timeoutMs} ms — is the service busy or stuck? raise --timeout to wait longer`,
      exitCode: EXIT_CODES.TIMEOUT,
    }
  }
  if (error instanceof NoResponderError) {
    const target = error.action ? `${error.service}.${error.action}` : error.service
    return {
      message: `no responder for ${target}: nothing is subscribed to "${error.service}" — is the service running, and on this --url?`,
      exitCode: EXIT_CODES.NO_RESPONDER,
    }
  }
  if (error instanceof InvalidUrlError) {
    return {
      message: `${error.message} — use redis://host:port, rediss://, redis+sentinel://h:26379/name or memory://name`,
      exitCode: EXIT_CODES.USAGE,
    }
  }
  if (
    error instanceof ConnectionError ||
    (error instanceof SwitchboardError && error.code === 'CONNECTION')
  ) {
    const url = (error instanceof ConnectionError ? error.url : undefined) ?? context.url ?? 'the broker'
    return {
      message: `cannot connect to ${url}: ${connectionReason(error)}`,
      exitCode: EXIT_CODES.CONNECTION,
    }
  }
  if (
    error instanceof EncodeError ||
    error instanceof PayloadTooLargeError ||
    error instanceof InvalidArgumentError
  ) {
    return { message: cliMessage(error), exitCode: EXIT_CODES.BAD_INPUT }
  }
  if (error instanceof SwitchboardError) return { message: error.message, exitCode: EXIT_CODES.INTERNAL }
  const detail = error instanceof Error ? error.message || error.name : String(error)
  return {
    message: `unexpected error: ${detail} — rerun with --debug and report the trace`,
    exitCode: EXIT_CODES.INTERNAL,
  }
}

/**
 * An error's message in the CLI's terms: a payload over the limit names --max-payload, the CLI's
 * name for the maxPayloadBytes that the library's message names.
 */
export function cliMessage(error: Error): string {
  if (!(error instanceof PayloadTooLargeError)) return error.message
  const suggestion = `${Math.ceil(error.size / 1024 ** 2)}MiB`
  const what =
    error.channel === undefined
      ? `the message is ${error.size} bytes encoded`
      : `dropped a message of ${error.size} bytes on "${error.channel}" without decoding it`
  return `${what}, over the limit of ${error.limit} bytes — raise it with --max-payload (e.g. --max-payload ${suggestion})`
}

/** Node's socket error codes, in words, with what to check. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused — is redis-server running?',
  ECONNRESET: 'the connection was reset — is it a Redis server on that port?',
  ENOTFOUND: 'host not found — check the host name in the URL',
  EAI_AGAIN: 'host name lookup failed — check the host name and your DNS',
  ETIMEDOUT: 'no answer in time — is the host reachable, and the port open?',
  EHOSTUNREACH: 'host unreachable — check the host and your network',
  ENETUNREACH: 'network unreachable — check your network',
  EPIPE: 'the server closed the connection — is it a Redis server on that port?',
}

function connectionReason(error: Error): string {
  for (const cause of causes(error)) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === 'string' && code in REASONS) return REASONS[code] as string
    const text = cause.message ?? ''
    if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(text)) {
      return 'authentication failed — check the user and password in the URL'
    }
    if (/timed? ?out|timeout/i.test(text))
      return 'no answer in time — is the host reachable, and the port open?'
  }
  const deepest = [...causes(error)].pop() ?? error
  return `${deepest.message || deepest.name} — is the server running, and is the URL right?`
}

/** The error, its `cause` chain and AggregateError members, depth first. */
function* causes(error: Error, depth = 0): Generator<Error> {
  yield error
  if (depth > 8) return
  if (error instanceof AggregateError)
    for (const e of error.errors) if (e instanceof Error) yield* causes(e, depth + 1)
  if (error.cause instanceof Error) yield* causes(error.cause, depth + 1)
}
