import type { TopicMessage } from '../durable/entry.js'
import type { Topic } from '../durable/topic.js'
import { HubStepError, SwitchboardError } from '../errors.js'
import type { HubContext } from './hub-context.js'
import { callTarget, type HubJob, retryDelay } from './hub-job.js'
import type { HubCounters } from './hub-stats.js'

/** The handler limit of a step's last failure: its entry then goes to the dead letters at once. */
export const STEP_DELIVERIES = 2

function reasonOf(error: unknown): string {
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
  /** Entries whose last attempt failed here: their redelivery goes straight to the dead letters. */
  readonly #finished = new Map<string, string>()

  constructor(context: HubContext, topic: Topic<HubJob>, counters: HubCounters) {
    this.#context = context
    this.#topic = topic
    this.#counters = counters
  }

  /** The consumer's handler. Throwing hands the entry back to the consumer (see STEP_DELIVERIES). */
  async handle(job: HubJob, message: TopicMessage<HubJob>): Promise<void> {
    const reason = this.#finished.get(message.id)
    if (reason !== undefined) {
      this.#finished.delete(message.id)
      throw new Error(reason)
    }
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
    if (message.attempt < STEP_DELIVERIES) this.#finished.set(message.id, failure.message)
    throw failure
  }
}
