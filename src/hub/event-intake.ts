import type { Topic } from '../durable/topic.js'
import { HubStepError } from '../errors.js'
import type { Message } from '../pubsub/message.js'
import type { EventClaims } from './event-claims.js'
import type { HubContext } from './hub-context.js'
import { type HubJob, jobOf } from './hub-job.js'
import type { HubCounters } from './hub-stats.js'
import { type CancelDecision, planEvent, type StepDecision } from './plan-event.js'
import type { Routes } from './routes-model.js'
import { reasonOf } from './step-runner.js'

/**
 * Routes one event: claims it (see EventClaims: one hub of several routes it, and a repeat is
 * routed again), then does what planEvent() decided — cancels waiting steps, counts skips,
 * writes each step to run to the durable topic.
 * Each decision is done on its own: one that fails is counted and reported, and the others go on.
 */
export class EventIntake {
  readonly #context: HubContext
  readonly #topic: Topic<HubJob>
  readonly #counters: HubCounters
  readonly #claims: EventClaims

  constructor(context: HubContext, topic: Topic<HubJob>, counters: HubCounters, claims: EventClaims) {
    this.#context = context
    this.#topic = topic
    this.#counters = counters
    this.#claims = claims
  }

  /** Routes `message` under `routes`: the version current when it arrived, whatever reloads meanwhile. */
  async route(routes: Routes, message: Message<unknown>): Promise<void> {
    try {
      if (!(await this.#claims.claim(routes.name, message))) return
    } catch (error) {
      // The broker is unreachable: the event cannot be claimed, so no hub can be sure to route it.
      this.#counters.count(message.channel, 'failed')
      this.#context.reportError(
        new HubStepError(message.channel, 'claim the event', 0, reasonOf(error), { cause: error }),
      )
      return
    }
    const plan = planEvent(routes, message.channel, message.data)
    if (plan.route) this.#counters.count(plan.route.event, 'matched')
    await Promise.all([
      ...plan.cancels.map((decision) => this.#guard(decision, () => this.#cancel(decision))),
      ...plan.steps.map((decision) => this.#guard(decision, () => this.#step(decision, message.data))),
    ])
  }

  async #cancel(decision: CancelDecision): Promise<void> {
    if (decision.kind === 'error')
      throw new HubStepError(decision.route.event, decision.step.name, 0, decision.error)
    if (await this.#topic.cancel(decision.key)) this.#counters.count(decision.route.event, 'cancelled')
  }

  async #step(decision: StepDecision, data: unknown): Promise<void> {
    const { route, step } = decision
    if (decision.kind === 'skip') {
      this.#counters.count(route.event, 'skipped')
      return
    }
    if (decision.kind === 'error') throw new HubStepError(route.event, step.name, 0, decision.error)
    // A newer event replaces the step still waiting for the same key (a cancelled key is free).
    if (decision.key !== undefined) await this.#topic.cancel(decision.key)
    await this.#topic.publish(jobOf(route.event, step, data), {
      ...(step.afterMs !== undefined && { delayMs: step.afterMs }),
      ...(decision.key !== undefined && { key: decision.key }),
    })
    if (step.afterMs !== undefined) this.#counters.count(route.event, 'scheduled')
  }

  async #guard(decision: StepDecision | CancelDecision, work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (error) {
      this.#counters.count(decision.route.event, 'failed')
      this.#context.reportError(
        error instanceof HubStepError
          ? error
          : new HubStepError(decision.route.event, decision.step.name, 0, reasonOf(error), { cause: error }),
      )
    }
  }
}
