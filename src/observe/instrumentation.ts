import type { SwitchboardError } from '../errors.js'

/** Why messages that arrived were not handed to a handler or an iterator. */
export const DropReason = {
  /** A subscription buffer was full and its overflow policy dropped one. */
  Overflow: 'overflow',
  /** The bus closed before a handler reached the message. */
  Closed: 'closed',
} as const
export type DropReason = (typeof DropReason)[keyof typeof DropReason]

/** How a request ended for its caller: the outcome label of RPC metrics and spans. */
export const CallOutcome = {
  Success: 'success',
  RemoteError: 'remote_error',
  Timeout: 'timeout',
  NoResponder: 'no_responder',
  Cancelled: 'cancelled',
  /** Any other failure: the bus closed, the connection dropped, the payload would not encode. */
  Failed: 'failed',
} as const
export type CallOutcome = (typeof CallOutcome)[keyof typeof CallOutcome]

/** The link states a transport reports; `reconnected` counts as a reconnect. */
export type LinkState = 'connected' | 'disconnected' | 'reconnected'

/**
 * The one seam through which switchboard tells what it does: every layer reports here, and
 * `stats()` are views of what a recorder heard. The default does nothing; metrics and tracing
 * implement it. Methods take primitives, never a fresh object, because publish and deliver call
 * them once per message and an allocation there shows in the profile.
 *
 * An implementation must not throw; switchboard does not guard the calls.
 */
export interface Instrumentation {
  /** Messages handed to the transport for `channel` (several for a multi-channel publish). */
  published(channel: string, messages: number): void
  /** One message handed to one local subscription. */
  delivered(channel: string, pattern: string | undefined): void
  /** Messages that arrived and were dropped, and why. */
  dropped(reason: DropReason, messages: number): void
  /**
   * An error no call could be told about (malformed message, handler that threw, lost link,
   * slow consumer): each is reported once here, and then to the bus's 'error' listeners or log.
   */
  reported(error: SwitchboardError): void
  /** The transport's link changed state. */
  link(state: LinkState): void
  /** A request's caller heard its outcome after `durationMs`. */
  called(service: string, action: string, outcome: CallOutcome, durationMs: number): void
  /**
   * A service finished with a request: `outcome` is 'success' or the error code it answered
   * with (UNKNOWN_ACTION, OVERLOADED…), 'cancelled' when the caller went away.
   */
  handled(service: string, action: string, outcome: string, durationMs: number): void
}

const nothing = (): void => {}

/** The default: hears everything and does nothing. */
export const NO_INSTRUMENTATION: Instrumentation = Object.freeze({
  published: nothing,
  delivered: nothing,
  dropped: nothing,
  reported: nothing,
  link: nothing,
  called: nothing,
  handled: nothing,
})
