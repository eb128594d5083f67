/** Options of `bus.hub(routes, options)`. */
export interface HubOptions {
  /**
   * Reload the routes file when it changes on disk (only when the routes came as a file path).
   * @defaultValue true
   */
  watch?: boolean
  /** How many steps this hub runs at once. @defaultValue 10 */
  concurrency?: number
  /**
   * How long an event stays claimed, in milliseconds. Every hub running the same routes hears
   * each event, and only the first to claim it routes it: it claims the nth arrival of those exact
   * bytes on that channel, which the hubs agree on since the broker delivers to all in one order.
   * A hub that starts (or restarts) while claims of earlier arrivals still hold counts on past
   * those made before it began hearing the event (a claim's age is read from the time it has
   * left), so that a repeat is routed once, not dropped. @defaultValue 60_000
   */
  eventClaimMs?: number
  /**
   * A step a hub took and never finished (it crashed) is taken over by another hub, or by the
   * same one restarted, after this many milliseconds. @defaultValue 30_000
   */
  claimIdleMs?: number
  /**
   * This hub's name within its consumer group. A hub restarted under the same name takes back at
   * once the steps it had taken. @defaultValue `<hostname>-<pid>-<random>`
   */
  consumerName?: string
  /**
   * The longest wait, in milliseconds, before looking for steps whose time has come that another
   * hub scheduled. @defaultValue 1000
   */
  schedulerPollMs?: number
  /**
   * Entries of the steps topic older than this, in milliseconds, are trimmed as new ones are
   * written (done or not: a step no hub ran for this long is dropped), so that the topic does not
   * grow forever. Steps waiting for `after:` are not in it until they are due.
   * @defaultValue 604_800_000 (7 days)
   */
  retentionMs?: number
}

/** The defaults of HubOptions. */
export const HUB_DEFAULTS = {
  watch: true,
  concurrency: 10,
  eventClaimMs: 60_000,
  claimIdleMs: 30_000,
  schedulerPollMs: 1000,
  retentionMs: 604_800_000,
} as const satisfies Required<Omit<HubOptions, 'consumerName'>>
