import { expect, test } from 'vitest'
import { main } from '../../examples/daebus/system-monitor.js'
import { uniq } from '../helpers/wait.js'

test('examples/daebus/system-monitor: get_status answers with the machine status', async () => {
  const lines: string[] = []
  const { status } = await main({ url: `memory://${uniq('sysmon')}`, print: (l) => lines.push(l) })
  expect(status).toMatchObject({
    load1: expect.any(Number),
    memoryUsedPct: expect.any(Number),
    uptimeS: expect.any(Number),
    detailed: { platform: process.platform, pid: process.pid },
  })
  expect(lines[0]).toMatch(/^system_monitor says: load \d+\.\d\d, memory [\d.]+% used, up \d+ s$/)
})
