/**
 * A durable topic as the instrumentation sees it: its name, and a way to read its figures at
 * scrape time. durable/'s Topic is one (observe/ sits below durable/, so the shape is told here).
 */

/** One consumer group's figures, as `topic.info()` gives them (GroupInfo). */
export interface GroupFigures {
  readonly name: string
  /** Delivered and not yet acknowledged, retries included. */
  readonly pending: number
  /** Entries of the stream the group has not been given yet. */
  readonly lag: number
  readonly consumers: number
  readonly deadLetters: number
}

/** A topic's figures, as `topic.info()` gives them (TopicInfo). */
export interface TopicFigures {
  readonly length: number
  /** Entries waiting for their due time: delayed publishes and retries in backoff. */
  readonly scheduled: number
  readonly groups: readonly GroupFigures[]
}

/** A durable topic a bus opened, told to Instrumentation.topicOpened() and topicClosed(). */
export interface WatchedTopic {
  readonly name: string
  /** Reads the figures from the broker (a few commands on Redis): for scrapes, not for every entry. */
  info(): Promise<TopicFigures>
}
