import { expect, test } from 'vitest'
import { main } from '../../examples/order-updates.js'
import { uniq } from '../helpers/wait.js'

test('examples/order-updates: one subscriber on two channels; preHandle rejects the order without an id', async () => {
  const lines: string[] = []
  const result = await main({ url: `memory://${uniq('orders')}`, print: (line) => lines.push(line) })
  // Both channels, in publish order, and handle() never saw the rejected one.
  expect(result.handled).toEqual([
    'order 7 is paid',
    'order 8 is paid',
    'order 8 cancelled',
    'order 7 is shipped',
  ])
  expect(result.rejected).toEqual([
    'subscriber handler failed on channel "order_updates": an order on order_updates has no id',
  ])
  expect(lines.at(-1)).toBe('nothing left: poll() returns false')
})
