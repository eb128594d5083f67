/**
 * The user lifecycle of the hub article, routed by a file (hub/lifecycle.routes.yaml) instead of
 * code: a signup sends a welcome email (retried) and, for a paying user, tells sales; the first
 * action tells sales; a user who goes quiet gets a reminder later, cancelled when they come back
 * or leave; a deleted account opens a support ticket. Bob's address bounces: his welcome email fails three
 * times and is reported, naming the route and the step, and nothing else waits for it.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { HubStats, SwitchboardError } from '../src/index.js'
import { Arrivals, ExampleBuses, type ExampleOptions, runIfMain } from './support.js'

interface User {
  user_id: number
  name: string
  email: string
  plan: 'pro' | 'free'
}

export interface LifecycleHubOptions extends ExampleOptions {
  /** Stands for the file's `after: 7 days`, so that the story ends today. @defaultValue 1500 */
  inactiveMs?: number
}

export interface LifecycleHubResult {
  welcomed: string[]
  leads: string[]
  firstActions: string[]
  reminded: string[]
  tickets: string[]
  /** What the hub reported failing, route and step named. */
  failures: string[]
  stats: HubStats
}

/** Steps done or failed for good, over every route. */
function finished(stats: HubStats): number {
  return Object.values(stats).reduce((sum, route) => sum + route.done + route.failed, 0)
}

const ROUTES = new URL('./hub/lifecycle.routes.yaml', import.meta.url)

/** The routes file with its 7 days shortened, and its own name, so that runs on one Redis never meet. */
async function routesForThisRun(dir: string, inactiveMs: number): Promise<string> {
  const text = (await readFile(ROUTES, 'utf8'))
    .replace('after: 7 days', `after: ${inactiveMs}ms`)
    .replace('name: lifecycle', `name: lifecycle-${randomBytes(3).toString('hex')}`)
  const file = join(dir, 'lifecycle.routes.yaml')
  await writeFile(file, text)
  return file
}

export async function main(options: LifecycleHubOptions = {}): Promise<LifecycleHubResult> {
  const say = options.print ?? console.log
  const inactiveMs = options.inactiveMs ?? 1500
  const buses = new ExampleBuses(options.url)
  const arrivals = new Arrivals()
  const dir = await mkdtemp(join(tmpdir(), 'lifecycle-hub-'))
  const result: LifecycleHubResult = {
    welcomed: [],
    leads: [],
    firstActions: [],
    reminded: [],
    tickets: [],
    failures: [],
    stats: {},
  }
  try {
    // The services the routes name, in a process of their own as in production.
    const services = await buses.open()
    const email = services.service('email')
    email.action('send_welcome', (user: User) => {
      if (user.email.endsWith('.invalid')) throw new Error(`mailbox ${user.email} does not exist`)
      result.welcomed.push(user.email)
      say(`  email:   welcome mail sent to ${user.email}`)
      arrivals.hit()
    })
    const sales = services.service('sales')
    sales.action('first_action', (user: User) => {
      result.firstActions.push(user.name)
      say(`  sales:   ${user.name} did something for the first time`)
      arrivals.hit()
    })
    const notify = services.service('notify')
    notify.action('reminder', (user: User) => {
      result.reminded.push(user.name)
      say(`  notify:  "we miss you" sent to ${user.name}`)
      arrivals.hit()
    })
    const support = services.service('support')
    support.action('open_ticket', (user: User) => {
      result.tickets.push(user.name)
      say(`  support: ticket opened for ${user.name}'s deleted account`)
      arrivals.hit()
    })
    await Promise.all([email.start(), sales.start(), notify.start(), support.start()])
    await services.subscribe('sales.new_lead', (user) => {
      result.leads.push((user as User).name)
      say(`  sales:   new lead ${(user as User).name}`)
      arrivals.hit()
    })

    // The hub, in a process of its own, runs the file.
    const hubBus = await buses.open()
    hubBus.on('error', (error: SwitchboardError) => {
      result.failures.push(error.message)
      say(`  ! ${error.message}`)
      arrivals.hit()
    })
    const hub = await hubBus.hub(await routesForThisRun(dir, inactiveMs), { watch: false })

    // The app only publishes events: what follows them is the file's business.
    const app = await buses.open()
    const ada: User = { user_id: 1, name: 'Ada', email: 'ada@example.com', plan: 'pro' }
    const bob: User = { user_id: 2, name: 'Bob', email: 'bob@example.invalid', plan: 'pro' }
    const grace: User = { user_id: 3, name: 'Grace', email: 'grace@example.com', plan: 'free' }
    for (const user of [ada, bob, grace]) {
      await app.publish('user.signed_up', user)
      say(`${user.name} signed up (${user.plan})`)
    }
    await app.publish('user.first_action', ada)
    say('Ada created her first project')
    for (const user of [ada, bob, grace]) await app.publish('user.inactive', user)
    say(`Ada, Bob and Grace go quiet: reminders in ${inactiveMs} ms ("7 days")`)
    await app.publish('user.active', ada)
    say('Ada comes back: her reminder is cancelled')
    await app.publish('account.deleted', bob)
    say('Bob deletes his account: his reminder is cancelled too')
    // Welcomes 2, leads 2, first action 1, ticket 1, Bob's bounce 1, then Grace's reminder.
    await arrivals.until(8, 'every step of the story', inactiveMs + 10_000)
    // A service's reply reaches the hub just after the service ran: wait for the hub to count it.
    for (let tries = 0; finished(hub.stats()) < 8; tries++) {
      if (tries > 200) throw new Error(`the hub counted ${finished(hub.stats())} of 8 steps finished`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    result.stats = hub.stats()
    for (const list of Object.values(result).filter(Array.isArray)) list.sort()
    return result
  } finally {
    await buses.closeAll()
    await rm(dir, { recursive: true, force: true })
  }
}

runIfMain('lifecycle-hub', main)
