import type { RetryPolicy, Step, StepAction } from './routes-model.js'

/**
 * One step to run, as written to the hub's durable topic: all it needs travels with it, so that a
 * reload never changes a step already on its way, and any hub of the group can run it.
 */
export interface HubJob {
  /** The event of the route. */
  readonly route: string
  /** The step's name. */
  readonly step: string
  readonly action: StepAction
  readonly retry: RetryPolicy
  readonly timeoutMs: number
  /** The event's data, passed on as it came. */
  readonly data: unknown
  /** 1 on the first try. */
  readonly attempt: number
}

export function jobOf(route: string, step: Step, data: unknown): HubJob {
  return {
    route,
    step: step.name,
    action: step.action,
    retry: step.retry,
    timeoutMs: step.timeoutMs,
    data,
    attempt: 1,
  }
}

/** `call: email.send_welcome` → service `email`, action `send_welcome` (the last dot splits). */
export function callTarget(target: string): { service: string; action: string } {
  const dot = target.lastIndexOf('.')
  return { service: target.slice(0, dot), action: target.slice(dot + 1) }
}

/** The wait before attempt `failed + 1`: the first wait, doubled each time when exponential, at most max. */
export function retryDelay(retry: RetryPolicy, failed: number): number {
  const base = retry.backoff === 'fixed' ? retry.firstMs : retry.firstMs * 2 ** Math.max(0, failed - 1)
  return Math.min(base, retry.maxMs)
}
