/**
 * Per-user notifications with a broadcast channel: each user's app subscribes to its own
 * channel and to the broadcast one. publish() says how many apps received a message, so the
 * sender knows when a user is offline (0) and can keep the notification for later.
 */
import { type Bus, connect } from '../src/index.js'
import { Arrivals, type ExampleOptions, runIfMain } from './support.js'

interface Notification {
  title: string
  from: string
}

const BROADCAST = 'notifications:everyone'
const userChannel = (user: string): string => `notifications:user:${user}`

export interface NotificationsResult {
  inboxes: Record<string, string[]>
  /** Notifications for users with no app open, to deliver when they come back. */
  keptForLater: Array<{ user: string; title: string }>
}

export async function main(options: ExampleOptions = {}): Promise<NotificationsResult> {
  const say = options.print ?? console.log
  const arrivals = new Arrivals()
  const buses: Bus[] = []
  try {
    const server = await connect(options.url)
    buses.push(server)
    const inboxes: Record<string, string[]> = {}
    for (const user of ['alice', 'bob', 'carol']) {
      const app = await connect(options.url)
      buses.push(app)
      inboxes[user] = []
      await app.subscribe([userChannel(user), BROADCAST], (note: unknown, msg) => {
        const { title, from } = note as Notification
        const kind = msg.channel === BROADCAST ? 'broadcast' : 'personal'
        inboxes[user]?.push(title)
        say(`  ${user.padEnd(6)} ${kind.padEnd(9)} "${title}" from ${from}`)
        arrivals.hit()
      })
    }

    const keptForLater: NotificationsResult['keptForLater'] = []
    let expected = 0
    const notify = async (user: string, title: string): Promise<void> => {
      const receivers = await server.publish(userChannel(user), { title, from: 'shop' })
      if (receivers === 0) {
        keptForLater.push({ user, title })
        say(`  ${user} has no app open: "${title}" kept for later`)
      }
      expected += receivers
    }
    await notify('alice', 'Your parcel has shipped')
    await notify('bob', 'Your payment went through')
    await notify('dave', 'Your basket misses you') // dave is offline
    await arrivals.until(expected, 'the personal notifications')
    const everyone = await server.publish(BROADCAST, { title: 'Maintenance tonight at 22:00', from: 'ops' })
    say(`broadcast reached ${everyone} apps`)
    expected += everyone
    await arrivals.until(expected, 'the broadcast')
    return { inboxes, keptForLater }
  } finally {
    await Promise.all(buses.map((bus) => bus.close()))
  }
}

runIfMain('notifications', main)
