import { expect, test } from 'vitest'
import { main } from '../../examples/notifications.js'
import { uniq } from '../helpers/wait.js'

test('examples/notifications: each user gets their own notifications and every broadcast; offline users are kept for later', async () => {
  const lines: string[] = []
  const result = await main({ url: `memory://${uniq('notify')}`, print: (line) => lines.push(line) })
  expect(result.inboxes).toEqual({
    alice: ['Your parcel has shipped', 'Maintenance tonight at 22:00'],
    bob: ['Your payment went through', 'Maintenance tonight at 22:00'],
    carol: ['Maintenance tonight at 22:00'],
  })
  expect(result.keptForLater).toEqual([{ user: 'dave', title: 'Your basket misses you' }])
  expect(lines).toContain('broadcast reached 3 apps')
})
