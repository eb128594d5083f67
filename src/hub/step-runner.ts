import type { TopicMessage } from '../durable/entry.js'
import type { Topic } from '../durable/topic.js'
import { HubStepError, SwitchboardError } from '../errors.js'
import type { HubContext } from './hub-context.js'
import { callTarget, type HubJob, retryDelay } from './hub-job.js'
import type { HubCounters } from './hub-stats.js'

/**
 * Deliveries of one entry: the first, and one more for a step whose hub crashed while running it
 * (claimed by another after claimIdleMs) or that failed for good (on its way to the dead letters).
 */
export const STEP_DELIVERIES = 2
/** How long the mark of a step that failed for good lasts: its second delivery follows at once. */
const FAILED_MARK_MS = 600_000
const MAX_REASONS = 1000

/** An error as one line for a HubStepError: its code and message. */
export function reasonOf(error: unknown): string {
  if (error instanceof SwitchboardError) return `${error.code}: ${error.message}`
  return error instanceof Error ? error.message || error.name : String(error)
}

/**
 * Runs the steps the hub's consumer reads: calls the action or publishes, counts, and on failure
 * either schedules the next attempt (with its backoff) or, after the last, reports a HubStepError
 * naming the route and the step and sends the entry to the dead letters, where
 * `switchboard topic replay` can send it back.
 */
export class StepRunner {
  readonly #context: HubContext
  readonly #topic: Topic<HubJob>
  readonly #counters: HubCounters
  readonly #hub: string
  /** Why the entries whose last attempt failed here failed: the dead letter's error. */
  readonly #reasons = new Map<string, string>()

  constructor(context: HubContext, topic: Topic<HubJob>, counters: HubCounters, hub: string) {
    this.#context = context
    this.#topic = topic
    this.#counters = counters
    this.#hub = hub
  }

  /**
   * A second delivery is either a step that failed for good, sent back by its throw on the way to
   * the dead letters, or one whose hub crashed. The first left a mark in the broker (any hub of
   * the group may get the redelivery), so it is not tried again; the second finds none and runs.
   */
  async #failedBefore(job: HubJob, message: TopicMessage<HubJob>): Promise<Error | undefined> {
    if (message.attempt < STEP_DELIVERIES) return undefined
    if (await this.#context.claim(this.#failedMark(message.id), FAILED_MARK_MS)) return undefined
    const reason = this.#reasons.get(message.id) ?? 'see the HubStepError the hub reported'
    this.#reasons.delete(message.id)
    return new HubStepError(job.route, job.step, job.attempt, reason)
  }

  #failedMark(id: string): string {
    return `switchboard:hub:${this.#hub}:failed:${id}`
  }

  /** The consumer's handler. Throwing hands the entry back to the consumer (see STEP_DELIVERIES). */
  async handle(job: HubJob, message: TopicMessage<HubJob>): Promise<void> {
    const failed = await this.#failedBefore(job, message)
    if (failed) throw failed
    try {
      await this.#perform(job)
      this.#counters.count(job.route, 'done')
      return
    } catch (error) {
      await this.#failed(job, message, error)
    }
  }

  async #perform(job: HubJob): Promise<void> {
    if (job.action.kind === 'publish') {
      await this.#context.publish(job.action.target, job.data)
      return
    }
    const { service, action } = callTarget(job.action.target)
    await this.#context.caller(service).request(action, job.data, { timeoutMs: job.timeoutMs })
  }

  async #failed(job: HubJob, message: TopicMessage<HubJob>, error: unknown): Promise<void> {
    if (job.attempt < job.retry.attempts) {
      this.#counters.count(job.route, 'retried')
      await this.#topic.publish(
        { ...job, attempt: job.attempt + 1 },
        { delayMs: retryDelay(job.retry, job.attempt) },
      )
      return
    }
    this.#counters.count(job.route, 'failed')
    const failure = new HubStepError(job.route, job.step, job.attempt, reasonOf(error), { cause: error })
    this.#context.reportError(failure)
    if (message.attempt < STEP_DELIVERIES) {
      // Another hub may get the redelivery: keep a bounded few reasons, not one per failure forever.
      if (this.#reasons.size >= MAX_REASONS) this.#reasons.delete(this.#reasons.keys().next().value as string)
      this.#reasons.set(message.id, reasonOf(error))
      await this.#context.claim(this.#failedMark(message.id), FAILED_MARK_MS)
    }
    throw failure
  }
}
