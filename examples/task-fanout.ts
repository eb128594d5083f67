/**
 * Task fan-out to workers over priority channels: the dispatcher publishes tasks to
 * tasks:high, tasks:normal and tasks:low. Each worker buffers all three (subscriptions without a
 * handler) and always drains high before normal before low, so urgent work jumps the queue.
 *
 * Pub/sub gives every message to every worker, so the workers split the work by task id. For
 * exactly-once work with retries and a dead letter, use durable topics (Redis Streams) instead.
 */
import { type Bus, connect, type Subscription } from '../src/index.js'
import { type ExampleOptions, runIfMain } from './support.js'

const PRIORITIES = ['high', 'normal', 'low'] as const
type Priority = (typeof PRIORITIES)[number]

interface Task {
  id: number
  job: string
}

export interface TaskFanoutResult {
  /** Per worker, the tasks in the order it ran them: "high #3". */
  ran: Record<string, string[]>
}

export async function main(options: ExampleOptions = {}): Promise<TaskFanoutResult> {
  const say = options.print ?? console.log
  const workerCount = 2
  const buses: Bus[] = []
  try {
    const ran: Record<string, string[]> = {}
    const finished: Promise<void>[] = []
    for (let index = 0; index < workerCount; index += 1) {
      const name = `worker-${index + 1}`
      const bus = await connect(options.url)
      buses.push(bus)
      ran[name] = []
      const queues = new Map<Priority, Subscription>()
      for (const priority of PRIORITIES) queues.set(priority, await bus.subscribe(`tasks:${priority}`))
      /** The next task, highest priority first; undefined when every queue is empty. */
      const next = async (): Promise<[Priority, Task] | undefined> => {
        for (const priority of PRIORITIES) {
          const msg = await queues.get(priority)?.poll()
          if (msg) return [priority, msg.data as Task]
        }
        return undefined
      }
      let done: () => void = () => {}
      finished.push(new Promise((resolve) => (done = resolve)))
      // The dispatcher's "go" arrives after every task it published before it.
      await bus.subscribe('tasks:control', async () => {
        for (let item = await next(); item; item = await next()) {
          const [priority, task] = item
          if (task.id % workerCount !== index) continue // another worker's share
          ran[name]?.push(`${priority} #${task.id}`)
          say(`  ${name} runs ${priority.padEnd(6)} #${task.id} ${task.job}`)
        }
        done()
      })
    }

    const dispatcher = await connect(options.url)
    buses.push(dispatcher)
    const tasks: Array<[Priority, Task]> = [
      ['low', { id: 1, job: 'rebuild search index' }],
      ['normal', { id: 2, job: 'send weekly digest' }],
      ['low', { id: 3, job: 'compress old logs' }],
      ['high', { id: 4, job: 'charge card for order 1042' }],
      ['normal', { id: 5, job: 'resize avatar' }],
      ['high', { id: 7, job: 'reset password for alice' }],
    ]
    const batch = dispatcher.batch()
    for (const [priority, task] of tasks) batch.publish(`tasks:${priority}`, task)
    batch.publish('tasks:control', 'go')
    await batch.exec()
    say(`dispatched ${tasks.length} tasks in one round trip to ${workerCount} workers`)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.all(finished),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out waiting for the workers')), 5000)
      }),
    ]).finally(() => clearTimeout(timer))
    return { ran }
  } finally {
    await Promise.all(buses.map((bus) => bus.close()))
  }
}

runIfMain('task-fanout', main)
