import { expect, test } from 'vitest'
import { main } from '../../examples/daebus/process-large-dataset.js'
import { uniq } from '../helpers/wait.js'

test('examples/daebus/process-large-dataset: progress streams in order, then the final result', async () => {
  const { parts } = await main({ url: `memory://${uniq('pld')}`, print: () => {}, rows: 10_000 })
  let checksum = 0
  for (let row = 0; row < 10_000; row++) checksum = (checksum + row * 31) % 1_000_003
  expect(parts).toEqual([
    { processed: 2_500, total: 10_000 },
    { processed: 5_000, total: 10_000 },
    { processed: 7_500, total: 10_000 },
    { processed: 10_000, total: 10_000 },
    { processed: 10_000, checksum },
  ])
})
