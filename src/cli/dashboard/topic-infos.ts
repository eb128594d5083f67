import type { DashboardSnapshot, TopicInfo } from './dashboard-state.js'

/** What the dashboard uses of a durable topic: `topic.info()` as DESIGN.md states its contract. */
interface TopicLike {
  info(): Promise<Omit<TopicInfo, 'name'>>
}

interface MaybeDurableBus {
  topic?: (name: string) => TopicLike
}

/**
 * The durable topics' `info()`, through `bus.topic(name)` wherever this build of switchboard has
 * durable topics (found at run time, so that the panel lights up once they land); until then the
 * panel says there are none. One Topic per name is opened and kept.
 */
export class TopicInfos {
  readonly #bus: MaybeDurableBus
  readonly #open = new Map<string, TopicLike>()

  constructor(bus: object) {
    this.#bus = bus as MaybeDurableBus
  }

  async read(names: readonly string[]): Promise<DashboardSnapshot['topics']> {
    const open = this.#bus.topic
    if (typeof open !== 'function') return { supported: false, list: [] }
    try {
      const list = await Promise.all(
        names.map(async (name) => {
          let topic = this.#open.get(name)
          if (topic === undefined) {
            topic = open.call(this.#bus, name)
            this.#open.set(name, topic)
          }
          const info = await topic.info()
          return { name, length: info.length, scheduled: info.scheduled, groups: info.groups }
        }),
      )
      return { supported: true, list: list.sort((a, b) => a.name.localeCompare(b.name)) }
    } catch (error) {
      return { supported: true, list: [], error: error instanceof Error ? error.message : String(error) }
    }
  }
}
