import { expect, test } from 'vitest'
import { main } from '../../examples/daebus/register-user.js'
import { uniq } from '../helpers/wait.js'

test('examples/daebus/register-user: one action calls two services; their error reaches the caller with its code', async () => {
  const result = await main({ url: `memory://${uniq('ru')}`, print: () => {} })
  expect(result.registered).toEqual({
    user: { id: 1, email: 'ada@example.com', name: 'Ada' },
    welcomeQueued: true,
  })
  expect(result.duplicate).toEqual({ message: 'ada@example.com is already registered', code: 'DUPLICATE' })
  // The second registration failed in user_store, but email_service was called in parallel too.
  expect(result.outbox[0]).toBe('Welcome, Ada! <ada@example.com>')
})
