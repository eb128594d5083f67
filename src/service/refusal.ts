import type { WireErrorCode } from '../errors.js'
import type { HandleOutcome } from '../observe/instrumentation.js'
import type { RpcRequest } from '../rpc/envelope.js'

/** The codes a request is refused with before it runs, and the outcome each one is counted as. */
export const REFUSALS = {
  UNKNOWN_ACTION: 'unknown_action',
  OVERLOADED: 'overloaded',
  DEADLINE_EXCEEDED: 'deadline_exceeded',
  CLOSED: 'closed',
} as const satisfies Partial<Record<WireErrorCode, HandleOutcome>>
export type RefusalCode = keyof typeof REFUSALS

/** Why a request is not admitted: an error reply. */
export interface Refusal {
  readonly message: string
  readonly code: RefusalCode
  /** The reply says `started: false`, so that the caller sends the request to another instance. */
  readonly resendable: boolean
}

/** What the rules need to know of the instance a request reached. */
export interface AdmissionState {
  readonly service: string
  /** stop() gave up: whatever arrives is refused. */
  readonly closed: boolean
  /** stop() began: what reaches the instance channel with a reply channel goes elsewhere. */
  readonly stopping: boolean
  hasAction(action: string): boolean
}

/**
 * Why a request cannot be admitted, if it cannot: the rules, in order, without I/O. A request this
 * instance won on the shared channel (`claimed`) is its alone to run, so stopping does not refuse it.
 */
export function refusalOf(
  request: RpcRequest,
  claimed: boolean,
  state: AdmissionState,
  now: number,
): Refusal | undefined {
  const { service } = state
  if (state.closed) return { message: `service "${service}" has stopped`, code: 'CLOSED', resendable: true }
  if (state.stopping && request.replyTo !== undefined && !claimed) {
    return { message: `service "${service}" is stopping`, code: 'CLOSED', resendable: true }
  }
  if (request.deadline !== undefined && now > request.deadline) {
    return {
      message: `the deadline of ${service}.${request.action} passed before it could start`,
      code: 'DEADLINE_EXCEEDED',
      resendable: false,
    }
  }
  if (!state.hasAction(request.action)) {
    return {
      message: `unknown action "${request.action}" on service "${service}"`,
      code: 'UNKNOWN_ACTION',
      resendable: false,
    }
  }
  return undefined
}
