import { describeCondition } from './conditions.js'
import { formatDuration } from './duration.js'
import type { EventPlan, StepDecision } from './plan-event.js'
import type { RetryPolicy, Step } from './routes-model.js'

function retryText(retry: RetryPolicy): string {
  if (retry.attempts === 1) return 'no retry'
  const wait =
    retry.backoff === 'fixed'
      ? `every ${formatDuration(retry.firstMs)}`
      : `exponential from ${formatDuration(retry.firstMs)}`
  return `up to ${retry.attempts} attempts, ${wait}`
}

function what(step: Step): string {
  return step.action.kind === 'call'
    ? `call ${step.action.target} (${retryText(step.retry)}, ${formatDuration(step.timeoutMs)} each)`
    : `publish to ${step.action.target} (${retryText(step.retry)})`
}

function line(decision: StepDecision, index: number): string {
  const { step } = decision
  const label = step.name === `${step.action.kind} ${step.action.target}` ? '' : `${step.name}: `
  const gate = step.when ? ` because ${describeCondition(step.when)}` : ''
  switch (decision.kind) {
    case 'skip':
      return `  ${index}. ${label}skipped: ${decision.because}`
    case 'error':
      return `  ${index}. ${label}fails: ${decision.error} (counted as failed; the other steps go on)`
    case 'run': {
      const when =
        step.afterMs === undefined ? 'now, through the durable queue' : `in ${formatDuration(step.afterMs)}`
      const cancel = step.cancelOn
        ? `, unless ${step.cancelOn.events.join(' or ')} arrives with the same ${step.cancelOn.match} first (a newer ${decision.route.event} replaces it)`
        : ''
      return `  ${index}. ${label}${what(step)}: ${when}${gate}${cancel}`
    }
  }
}

/** What an event would set off, step by step, in words: `switchboard routes explain`. */
export function explainPlan(plan: EventPlan): string[] {
  const lines: string[] = []
  if (!plan.route && plan.cancels.length === 0) {
    return [`${plan.event}: no route, and it cancels nothing: the hub ignores it`]
  }
  if (plan.route) {
    const n = plan.route.steps.length
    lines.push(`${plan.event}: ${n} step${n === 1 ? '' : 's'}`)
    for (const [i, decision] of plan.steps.entries()) lines.push(line(decision, i + 1))
  }
  for (const cancel of plan.cancels) {
    lines.push(
      cancel.kind === 'cancel'
        ? `${plan.event} cancels ${cancel.route.event} › ${cancel.step.name} waiting for ${cancel.step.cancelOn?.match} = ${JSON.stringify(cancel.value)}`
        : `${plan.event} cannot cancel ${cancel.route.event} › ${cancel.step.name}: ${cancel.error}`,
    )
  }
  return lines
}
