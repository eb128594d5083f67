/**
 * A user's lifecycle on durable topics (the seed scenario of the hub article): a signup sends a
 * welcome email asynchronously (durable, retried, dead-lettered when it keeps failing); the
 * user's first action notifies sales (once: the publish is deduplicated by key); a user who goes
 * quiet gets a reminder scheduled for later, cancelled when they come back; a deleted account
 * notifies support. Bob's address bounces: his email ends in the dead letters after three
 * attempts, and nothing else about Bob, nor anyone else, waits for it.
 */
import { randomBytes } from 'node:crypto'
import type { Bus } from '../src/index.js'
import { Arrivals, ExampleBuses, type ExampleOptions, runIfMain } from './support.js'

interface User {
  name: string
  email: string
}

export interface UserLifecycleOptions extends ExampleOptions {
  /** How long a user may stay quiet before the reminder: 7 days in production. @defaultValue 1500 */
  inactiveMs?: number
}

export interface UserLifecycleResult {
  welcomed: string[]
  /** The dead letters of the email group: who, after how many attempts, why. */
  undelivered: Array<{ email: string; attempts: number; error: string }>
  salesNotified: string[]
  /** Publishes of a second "first action" that resolved to the first one's id, writing nothing. */
  deduplicated: number
  /** Reminders cancelled because the user came back or left. */
  remindersCancelled: number
  reminded: string[]
  supportNotified: string[]
}

/** The topics of one run: a fresh set, so that a run on Redis never meets an earlier one's entries. */
function topicsOf(bus: Bus) {
  const run = randomBytes(3).toString('hex')
  return {
    signups: bus.topic<User>(`users-${run}.signed-up`),
    actions: bus.topic<User & { action: string }>(`users-${run}.first-action`),
    reminders: bus.topic<User>(`users-${run}.reminders`),
    deletions: bus.topic<User>(`users-${run}.deleted`),
  }
}

export async function main(options: UserLifecycleOptions = {}): Promise<UserLifecycleResult> {
  const say = options.print ?? console.log
  const inactiveMs = options.inactiveMs ?? 1500
  const buses = new ExampleBuses(options.url)
  const arrivals = new Arrivals()
  try {
    const app = topicsOf(await buses.open())
    // The workers open the same topics on a bus of their own, as another process would.
    const workerBus = await buses.open()
    const worker = {
      signups: workerBus.topic<User>(app.signups.name),
      actions: workerBus.topic<User & { action: string }>(app.actions.name),
      reminders: workerBus.topic<User>(app.reminders.name),
      deletions: workerBus.topic<User>(app.deletions.name),
    }
    const result: UserLifecycleResult = {
      welcomed: [],
      undelivered: [],
      salesNotified: [],
      deduplicated: 0,
      remindersCancelled: 0,
      reminded: [],
      supportNotified: [],
    }

    await worker.signups.consume(
      'welcome-email',
      (user, msg) => {
        arrivals.hit()
        if (user.email.endsWith('.invalid')) {
          say(`  email:   ${user.email} bounced (attempt ${msg.attempt})`)
          throw new Error(`mailbox ${user.email} does not exist`)
        }
        result.welcomed.push(user.email)
        say(`  email:   welcome mail sent to ${user.email}`)
      },
      { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 50 } },
    )
    await worker.actions.consume('sales', (user) => {
      result.salesNotified.push(user.name)
      say(`  sales:   ${user.name} just ${user.action}: worth a call`)
      arrivals.hit()
    })
    await worker.reminders.consume('reminder-email', (user) => {
      result.reminded.push(user.name)
      say(`  email:   "we miss you" sent to ${user.email}`)
      arrivals.hit()
    })
    await worker.deletions.consume('support', (user) => {
      result.supportNotified.push(user.name)
      say(`  support: ${user.name} deleted their account`)
      arrivals.hit()
    })

    // The app: one pending reminder per user, replaced whenever the user shows up.
    const reminderOf = new Map<string, string>()
    const cancelReminder = async (user: User): Promise<void> => {
      const id = reminderOf.get(user.name)
      if (id !== undefined && (await app.reminders.cancel(id))) result.remindersCancelled += 1
      reminderOf.delete(user.name)
    }
    const remindLater = async (user: User): Promise<void> => {
      await cancelReminder(user)
      reminderOf.set(user.name, await app.reminders.publish(user, { delayMs: inactiveMs }))
    }
    const signUp = async (user: User): Promise<void> => {
      await app.signups.publish(user)
      await remindLater(user)
      say(`${user.name} signed up`)
    }
    /** Every action is published; only the first per user reaches sales (the key deduplicates). */
    const act = async (user: User, action: string): Promise<string> => {
      const id = await app.actions.publish({ ...user, action }, { key: `first-action:${user.name}` })
      await remindLater(user)
      say(`${user.name} ${action}`)
      return id
    }
    const ada = { name: 'Ada', email: 'ada@example.com' }
    const bob = { name: 'Bob', email: 'bob@example.invalid' }
    const grace = { name: 'Grace', email: 'grace@example.com' }

    for (const user of [ada, bob, grace]) await signUp(user)
    const firstId = await act(ada, 'created a project')
    if ((await act(ada, 'invited a teammate')) === firstId) result.deduplicated += 1
    await act(bob, 'uploaded a file')
    // Emails: Ada and Grace once, Bob three times; sales: Ada and Bob.
    await arrivals.until(7, 'the welcome emails and the sales notices')
    const dead = worker.signups.deadLetters('welcome-email')
    for (let tries = 0; (await dead.list()).length === 0; tries++) {
      if (tries > 200) throw new Error("Bob's email never reached the dead letters")
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    for (const letter of await dead.list()) {
      const { email } = letter.data as User
      result.undelivered.push({ email, attempts: letter.attempts, error: letter.error })
      say(`  dead letter: ${email} after ${letter.attempts} attempts (${letter.error})`)
    }

    for (const user of [bob, ada]) {
      await app.deletions.publish(user)
      await cancelReminder(user)
    }
    say(`Grace stays quiet for ${inactiveMs} ms ("7 days")…`)
    await arrivals.until(10, "the support notices and Grace's reminder", inactiveMs + 10_000)
    for (const list of [result.welcomed, result.salesNotified, result.reminded, result.supportNotified])
      list.sort()
    return result
  } finally {
    await buses.closeAll()
  }
}

runIfMain('user-lifecycle', main)
