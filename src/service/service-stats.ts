import type { StatsRecorder } from '../observe/stats-recorder.js'
import type { ServiceStats } from './service-options.js'

/** What runs, waits and is held now: read from their owners, not counted. */
export interface ServiceLoad {
  readonly inFlight: number
  readonly queued: number
  readonly held: number
}

/** A service's stats(): the counts its recorder keeps, and its load now. */
export function serviceStats(recorder: StatsRecorder, load: ServiceLoad): ServiceStats {
  return {
    received: recorder.deliveredCount,
    succeeded: recorder.handledCount('success'),
    failed: recorder.handledCount('failed'),
    overloaded: recorder.handledCount('overloaded'),
    unknownAction: recorder.handledCount('unknown_action'),
    deadlineExceeded: recorder.handledCount('deadline_exceeded'),
    malformed: recorder.errorCount('MALFORMED_MESSAGE'),
    cancelled: recorder.handledCount('cancelled') + recorder.skippedCount('cancelled'),
    closed: recorder.handledCount('closed'),
    claimedElsewhere: recorder.skippedCount('claimed_elsewhere'),
    expired: recorder.skippedCount('expired'),
    ...load,
  }
}
