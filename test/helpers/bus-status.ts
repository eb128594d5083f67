import type { Bus } from '../../src/client/bus.js'
import { StatusLog } from '../transport/status-log.js'
import type { Timeline } from './timeline.js'

/**
 * Records a bus's connection events as a StatusLog (await the n-th `reconnected`, list them in
 * order), and marks each on `timeline` when one is given.
 */
export function busStatusLog(bus: Bus, timeline?: Timeline): StatusLog {
  const log = new StatusLog()
  bus.on('disconnected', (error) => {
    timeline?.mark(`disconnected (${error?.message ?? 'no error'})`)
    log.sink(error ? { type: 'disconnected', error } : { type: 'disconnected' })
  })
  bus.on('reconnected', () => {
    timeline?.mark('reconnected')
    log.sink({ type: 'reconnected' })
  })
  bus.on('error', (error) => {
    timeline?.mark(`error (${error.message})`)
    log.sink({ type: 'error', error })
  })
  return log
}
