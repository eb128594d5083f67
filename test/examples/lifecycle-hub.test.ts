import { expect, test } from 'vitest'
import { main } from '../../examples/lifecycle-hub.js'
import { uniq } from '../helpers/wait.js'

const ROUTE = (counts: Partial<Record<string, number>>) => ({
  matched: 0,
  done: 0,
  failed: 0,
  retried: 0,
  scheduled: 0,
  cancelled: 0,
  skipped: 0,
  ...counts,
})

// On Redis as well: test/examples/on-redis.test.ts runs every example there and compares.
test("examples/lifecycle-hub: the four events routed by a file; Bob's bouncing welcome email fails after 3 attempts, named by route and step, and stops nothing", async () => {
  const result = await main({ url: `memory://${uniq('lifecycle-hub')}`, inactiveMs: 600, print: () => {} })
  expect(result).toEqual({
    welcomed: ['ada@example.com', 'grace@example.com'],
    // Grace is on the free plan: `when: { plan: pro }` leaves her out.
    leads: ['Ada', 'Bob'],
    firstActions: ['Ada'],
    // Ada came back (user.active) and Bob left (account.deleted) before their reminders were due.
    reminded: ['Grace'],
    tickets: ['Bob'],
    failures: [
      'route user.signed_up, step "call email.send_welcome" failed after 3 attempts: REMOTE: mailbox bob@example.invalid does not exist',
    ],
    stats: {
      'user.signed_up': ROUTE({ matched: 3, done: 4, failed: 1, retried: 2, skipped: 1 }),
      'user.first_action': ROUTE({ matched: 1, done: 1 }),
      'user.inactive': ROUTE({ matched: 3, done: 1, scheduled: 3, cancelled: 2 }),
      'account.deleted': ROUTE({ matched: 1, done: 1 }),
    },
  })
})
