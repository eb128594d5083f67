import { randomBytes } from 'node:crypto'

/** A schedule id: unique, and unlike any stream id (`<ms>-<seq>`), so cancel() tells them apart. */
export function scheduleId(): string {
  return `sched:${randomBytes(12).toString('base64url')}`
}
