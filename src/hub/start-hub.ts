import { InvalidArgumentError } from '../errors.js'
import { positiveInteger } from '../option-checks.js'
import { checkMs } from '../timers.js'
import { Hub } from './hub.js'
import type { HubContext } from './hub-context.js'
import type { HubOptions } from './hub-options.js'
import { loadRoutes, type RoutesSource } from './routes-source.js'

function checkOptions(options: HubOptions): HubOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('hub() options must be an object such as { concurrency: 10 }')
  }
  const { concurrency, eventClaimMs, claimIdleMs, schedulerPollMs, retentionMs, watch, consumerName } =
    options
  if (concurrency !== undefined) positiveInteger('concurrency', concurrency)
  if (eventClaimMs !== undefined) checkMs('eventClaimMs', eventClaimMs, 'positive')
  if (claimIdleMs !== undefined) checkMs('claimIdleMs', claimIdleMs, 'positive')
  if (schedulerPollMs !== undefined) checkMs('schedulerPollMs', schedulerPollMs, 'positive')
  if (retentionMs !== undefined) positiveInteger('retentionMs', retentionMs)
  if (watch !== undefined && typeof watch !== 'boolean')
    throw new InvalidArgumentError('watch must be true or false')
  if (consumerName !== undefined && (typeof consumerName !== 'string' || consumerName === '')) {
    throw new InvalidArgumentError('consumerName must be a non-empty string')
  }
  return options
}

/**
 * Loads and checks the routes (RoutesError lists every problem), then starts a hub on them.
 * Nothing is subscribed or written when they have errors.
 */
export async function startHub(
  context: HubContext,
  source: RoutesSource,
  options: HubOptions = {},
): Promise<Hub> {
  const checked = checkOptions(options)
  const routes = await loadRoutes(source)
  const hub = new Hub(context, source, routes, checked)
  await hub.start()
  return hub
}
