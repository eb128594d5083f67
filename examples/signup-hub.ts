/**
 * The signup hub: one `user_signed_up` event is published to several topics in one call, and
 * each service subscribes to its own. One failing subscriber (the CRM sync) never stops the
 * others, nor its own next messages: its error goes to the bus's 'error' event as a
 * SubscriberError, and delivery goes on.
 */
import { connect, type SwitchboardError } from '../src/index.js'
import { Arrivals, type ExampleOptions, runIfMain } from './support.js'

interface SignedUp {
  userId: number
  email: string
}

const TOPICS = ['signup:welcome_email', 'signup:analytics', 'signup:crm_sync']

export interface SignupHubResult {
  emailed: string[]
  counted: number
  synced: string[]
  /** The errors the 'error' event reported. */
  errors: string[]
}

export async function main(options: ExampleOptions = {}): Promise<SignupHubResult> {
  const say = options.print ?? console.log
  const arrivals = new Arrivals()
  const hub = await connect(options.url)
  const services = await connect(options.url)
  try {
    const result: SignupHubResult = { emailed: [], counted: 0, synced: [], errors: [] }
    services.on('error', (error: SwitchboardError) => {
      result.errors.push(error.message)
      say(`  ! ${error.code}: ${error.message}`)
    })
    // Each handler marks its arrival even when it throws, so the story can wait for all of them.
    const handle = (fn: (user: SignedUp) => void) => (data: unknown) => {
      try {
        fn(data as SignedUp)
      } finally {
        arrivals.hit()
      }
    }
    await services.subscribe(
      'signup:welcome_email',
      handle((user) => {
        result.emailed.push(user.email)
        say(`  email:     welcome mail to ${user.email}`)
      }),
    )
    await services.subscribe(
      'signup:analytics',
      handle((user) => {
        result.counted += 1
        say(`  analytics: signup #${result.counted} (user ${user.userId})`)
      }),
    )
    await services.subscribe(
      'signup:crm_sync',
      handle((user) => {
        if (user.email.endsWith('@example.invalid')) throw new Error(`the CRM refused ${user.email}`)
        result.synced.push(user.email)
        say(`  crm:       synced ${user.email}`)
      }),
    )

    let expected = 0
    for (const [userId, email] of [
      [1, 'ada@example.com'],
      [2, 'bad@example.invalid'],
      [3, 'grace@example.com'],
    ] as const) {
      const receivers = await hub.publish(TOPICS, { userId, email } satisfies SignedUp) // one event, three topics
      say(`${email} signed up → ${receivers} receivers`)
      expected += receivers
      await arrivals.until(expected, `the receivers of ${email}`)
    }
    return result
  } finally {
    await Promise.all([hub.close(), services.close()])
  }
}

runIfMain('signup-hub', main)
