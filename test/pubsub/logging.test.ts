import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import type { Logger } from '../../src/observe/logger.js'
import { deferred, uniq, withTimeout } from '../helpers/wait.js'

interface Record_ {
  level: string
  bindings: Record<string, unknown>
  obj: object
  msg: string | undefined
}

/** A pino-compatible logger that keeps its records. */
function memoryLogger(level: string, records: Record_[], bindings: Record<string, unknown> = {}): Logger {
  const write = (l: string) => (obj: object, msg?: string) => records.push({ level: l, bindings, obj, msg })
  return {
    level,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => memoryLogger(level, records, { ...bindings, ...more }),
  }
}

describe('logging', () => {
  let bus: Bus
  afterEach(() => bus?.close())

  it('at debug level traces every publish and delivery with component bindings', async () => {
    const records: Record_[] = []
    bus = await connect({ url: `memory://${uniq('log')}`, logger: memoryLogger('debug', records) })
    const ch = uniq('ch')
    const got = deferred<void>()
    await bus.subscribe(ch, () => got.resolve())
    await bus.publish(ch, { a: 1 })
    await withTimeout(got.promise, 'delivery')
    const publish = records.find((r) => r.msg === 'publish')
    const deliver = records.find((r) => r.msg === 'deliver')
    expect(publish?.bindings).toEqual({ component: 'publisher' })
    expect(publish?.obj).toMatchObject({ channel: ch })
    expect(deliver?.bindings).toEqual({ component: 'subscriber' })
    expect(deliver?.obj).toMatchObject({ channel: ch })
  })

  it('above debug level writes no trace records', async () => {
    const records: Record_[] = []
    bus = await connect({ url: `memory://${uniq('log')}`, logger: memoryLogger('info', records) })
    const ch = uniq('ch')
    const got = deferred<void>()
    await bus.subscribe(ch, () => got.resolve())
    await bus.publish(ch, 1)
    await withTimeout(got.promise, 'delivery')
    expect(records.filter((r) => r.level === 'debug')).toEqual([])
  })

  it('the default logger writes warnings and errors to stderr, and nothing below', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      const logger = new ConsoleLogger()
      logger.info({}, 'quiet')
      logger.debug({}, 'quiet')
      logger.warn({ channel: 'x' }, 'loud')
      logger.child({ component: 'subscriber' }).error({}, 'louder')
      const lines = spy.mock.calls.map((c) => JSON.parse(String(c[0])))
      expect(lines.map((l) => l.msg)).toEqual(['loud', 'louder'])
      expect(lines[1]).toMatchObject({ level: 'error', component: 'subscriber' })
    } finally {
      spy.mockRestore()
    }
  })
})
