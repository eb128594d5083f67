import { expect, test } from 'vitest'
import { main } from '../../examples/signup-hub.js'
import { uniq } from '../helpers/wait.js'

test('examples/signup-hub: one event reaches three topics; the failing CRM sync stops neither the others nor itself', async () => {
  const lines: string[] = []
  const result = await main({ url: `memory://${uniq('signup')}`, print: (line) => lines.push(line) })
  expect(result.emailed).toEqual(['ada@example.com', 'bad@example.invalid', 'grace@example.com'])
  expect(result.counted).toBe(3)
  // The CRM failed on the second signup and still synced the third.
  expect(result.synced).toEqual(['ada@example.com', 'grace@example.com'])
  expect(result.errors).toEqual([
    'subscriber handler failed on channel "signup:crm_sync": the CRM refused bad@example.invalid',
  ])
  expect(lines.filter((l) => l.endsWith('→ 3 receivers'))).toHaveLength(3)
})
