/**
 * Why switchboard dropped a link by itself: a PING went unanswered, and nothing at all arrived on
 * the link, for commandTimeoutMs. It is only ever a cause (what callers and status listeners get
 * wraps it in a ConnectionError); it tells the slow-consumer check that the drop was
 * switchboard's doing, not the server's.
 */
export class UnresponsiveLinkError extends Error {
  override readonly name = 'UnresponsiveLinkError'
  readonly waitedMs: number

  constructor(waitedMs: number) {
    super(
      `it left a PING unanswered for ${waitedMs} ms (commandTimeoutMs) with nothing else arriving: the server is paused or the path to it is dead, so switchboard dropped it`,
    )
    this.waitedMs = waitedMs
  }
}
