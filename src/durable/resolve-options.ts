import { InvalidArgumentError } from '../errors.js'
import { positiveInteger } from '../option-checks.js'
import { checkMs } from '../timers.js'
import { type Backoff, resolveBackoff } from './backoff.js'
import { CONSUME_DEFAULTS, type ConsumeOptions, TOPIC_DEFAULTS, type TopicOptions } from './topic-options.js'
import type { Retention } from './topic-store.js'

export interface ResolvedConsumeOptions {
  readonly concurrency: number
  readonly maxAttempts: number
  readonly backoff: Backoff
  readonly claimIdleMs: number
}

export interface ResolvedTopicOptions {
  readonly retention: Retention
  readonly dedupeWindowMs: number
  readonly schedulerPollMs: number
}

export function resolveTopicOptions(options: TopicOptions | undefined): ResolvedTopicOptions {
  const given = options ?? {}
  if (given.maxLen !== undefined && given.retentionMs !== undefined) {
    throw new InvalidArgumentError('set maxLen or retentionMs, not both: a topic is trimmed one way')
  }
  const retention: Retention =
    given.maxLen !== undefined
      ? { kind: 'maxLen', count: positiveInteger('maxLen', given.maxLen) }
      : given.retentionMs !== undefined
        ? { kind: 'maxAge', ms: positiveInteger('retentionMs', given.retentionMs) }
        : { kind: 'none' }
  return {
    retention,
    dedupeWindowMs: positiveInteger('dedupeWindowMs', given.dedupeWindowMs ?? TOPIC_DEFAULTS.dedupeWindowMs),
    schedulerPollMs: checkMs(
      'schedulerPollMs',
      given.schedulerPollMs ?? TOPIC_DEFAULTS.schedulerPollMs,
      'positive',
    ),
  }
}

export function resolveConsumeOptions(options: ConsumeOptions | undefined): ResolvedConsumeOptions {
  const given = options ?? {}
  return {
    concurrency: positiveInteger('concurrency', given.concurrency ?? CONSUME_DEFAULTS.concurrency),
    maxAttempts: positiveInteger('maxAttempts', given.maxAttempts ?? CONSUME_DEFAULTS.maxAttempts),
    backoff: resolveBackoff(given.backoff, CONSUME_DEFAULTS.backoff),
    claimIdleMs: checkMs('claimIdleMs', given.claimIdleMs ?? CONSUME_DEFAULTS.claimIdleMs, 'positive'),
  }
}
