import type { SwitchboardError } from '../errors.js'
import type { Instrumentation } from '../observe/instrumentation.js'
import type { Logger } from '../observe/logger.js'
import type { RpcRequest } from '../rpc/envelope.js'
import type { ActionHandler, ActionOptions } from './action-context.js'
import type { ReplyLink } from './responder.js'

/** A registered action. */
export interface ActionEntry {
  readonly handler: ActionHandler<never, unknown, never>
  readonly options: ActionOptions<unknown>
}

/** What a dispatcher needs to know. */
export interface DispatcherConfig {
  readonly service: string
  /** This instance's id, to tell its load from other instances'. */
  readonly instance: string
  /** Where responses are published. */
  readonly pubsub: ReplyLink
  /** Where the dispatcher's recorder passes its counts on: the bus's recorder. */
  readonly parent: Instrumentation
  /** The bus's one error path (see PubSubLink.reportError). */
  readonly reportError: (error: SwitchboardError, via: Instrumentation) => void
  /** SET NX PX: true when this instance claimed the key first. */
  readonly claim: (key: string, ttlMs: number) => Promise<boolean>
  readonly log: Logger
  readonly concurrency: number
  readonly maxQueue: number
  readonly claimTtlMs: number
  readonly claimGraceMs: number
  /** How long a shared-channel request may wait for a free slot, in milliseconds (see SharedIntake). */
  readonly claimWaitMs: number
  /** Whether this instance is the preferred one for a shared-channel request (see SharedIntake). */
  readonly preferred: (request: RpcRequest) => boolean
  /** How far the callers' clocks are trusted, in ms (see effectiveDeadline). */
  readonly maxClockSkewMs: number
  /** How long, and how many, finished requests are remembered to drop their copies (see RecentRequests). */
  readonly dedupeWindowMs: number
  readonly dedupeMaxIds: number
}
