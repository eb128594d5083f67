/**
 * A service whose action calls two others: `user_service.register_user` stores the user through
 * `user_store` and sends a welcome mail through `email_service`, both by RPC, at the same time.
 * An error in either becomes the caller's error, with its code, instead of a silent timeout.
 *
 *   npx tsx examples/daebus/register-user.ts
 */
import { connect, RemoteError } from '../../src/index.js'
import { type ExampleOptions, runIfMain } from '../support.js'

interface NewUser {
  email: string
  name: string
}
interface User extends NewUser {
  id: number
}
export interface UserStore {
  create_user: { payload: NewUser; result: User }
}
export interface EmailService {
  send_welcome: { payload: { to: string; name: string }; result: { queued: boolean } }
}
export interface UserService {
  register_user: { payload: NewUser; result: { user: User; welcomeQueued: boolean } }
}

export async function main(options: ExampleOptions = {}) {
  const print = options.print ?? console.log
  const url = options.url
  // Three services, as three processes would run them; each has its own connection.
  const [storeBus, emailBus, userBus, client] = await Promise.all(
    [0, 1, 2, 3].map(() => connect({ url, codec: 'json' })),
  )
  if (!storeBus || !emailBus || !userBus || !client) throw new Error('connect failed')
  try {
    const users = new Map<string, User>()
    await storeBus
      .service<UserStore>('user_store')
      .action('create_user', ({ email, name }) => {
        if (users.has(email))
          throw Object.assign(new Error(`${email} is already registered`), { code: 'DUPLICATE' })
        const user = { id: users.size + 1, email, name }
        users.set(email, user)
        return user
      })
      .start()

    const outbox: string[] = []
    await emailBus
      .service<EmailService>('email_service')
      .action('send_welcome', ({ to, name }) => {
        outbox.push(`Welcome, ${name}! <${to}>`)
        return { queued: true }
      })
      .start()

    const store = userBus.caller<UserStore>('user_store')
    const email = userBus.caller<EmailService>('email_service')
    await userBus
      .service<UserService>('user_service')
      .action('register_user', async (newUser, ctx) => {
        // Both calls share this bus's one reply channel; the deadline of this request bounds them.
        const timeoutMs = Math.max(1, (ctx.deadline ?? Date.now() + 5000) - Date.now())
        const [user, mail] = await Promise.all([
          store.request('create_user', newUser, { timeoutMs, signal: ctx.signal }),
          email.request(
            'send_welcome',
            { to: newUser.email, name: newUser.name },
            { timeoutMs, signal: ctx.signal },
          ),
        ])
        return { user, welcomeQueued: mail.queued }
      })
      .start()

    const userService = client.caller<UserService>('user_service')
    const registered = await userService.request('register_user', { email: 'ada@example.com', name: 'Ada' })
    print(`registered: ${JSON.stringify(registered.user)}; welcome queued: ${registered.welcomeQueued}`)
    let duplicate: { message: string; code: string | undefined } | undefined
    try {
      await userService.request('register_user', { email: 'ada@example.com', name: 'Ada again' })
    } catch (error) {
      if (!(error instanceof RemoteError)) throw error
      duplicate = { message: error.message, code: error.remoteCode }
      print(`second registration refused: ${error.message} (${error.remoteCode})`)
    }
    return { registered, duplicate, outbox }
  } finally {
    await Promise.all([client.close(), userBus.close()])
    await Promise.all([storeBus.close(), emailBus.close()])
  }
}

runIfMain('register-user', main)
