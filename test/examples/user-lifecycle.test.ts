import { expect, test } from 'vitest'
import { main } from '../../examples/user-lifecycle.js'
import { uniq } from '../helpers/wait.js'

test("examples/user-lifecycle: welcome emails retried to the dead letters, sales told once, Grace's reminder fires while the others' are cancelled, support told; Bob's bounce stops nothing", async () => {
  const lines: string[] = []
  const result = await main({
    url: `memory://${uniq('lifecycle')}`,
    inactiveMs: 600,
    print: (line) => lines.push(line),
  })
  expect(result).toEqual({
    welcomed: ['ada@example.com', 'grace@example.com'],
    undelivered: [
      { email: 'bob@example.invalid', attempts: 3, error: 'mailbox bob@example.invalid does not exist' },
    ],
    salesNotified: ['Ada', 'Bob'],
    deduplicated: 1,
    // Ada's twice and Bob's once when they came back, then both when they left.
    remindersCancelled: 5,
    reminded: ['Grace'],
    supportNotified: ['Ada', 'Bob'],
  })
  expect(lines.filter((line) => line.includes('bounced'))).toEqual([
    '  email:   bob@example.invalid bounced (attempt 1)',
    '  email:   bob@example.invalid bounced (attempt 2)',
    '  email:   bob@example.invalid bounced (attempt 3)',
  ])
})
