import { spawn } from 'node:child_process'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { type Bundle, bundleTs, type Proc, start } from '../helpers/run-cli.js'
import { uniq, until } from '../helpers/wait.js'

describeRedis('durable topics on Redis: schedulers in separate processes', { timeout: 90_000 }, () => {
  let server: RedisServer
  let bundle: Bundle
  let bus: Bus
  beforeAll(async () => {
    ;[server, bundle] = await Promise.all([
      RedisServer.start(),
      bundleTs('test/durable/fixtures/scheduling-process.ts'),
    ])
    bus = await connect({ url: server.url, logger: new ConsoleLogger('error') })
  })
  afterAll(async () => {
    await bus?.close()
    bundle?.remove()
    await server?.stop()
  })

  test('two schedulers in two processes racing for the same due entries deliver each exactly once', async () => {
    const name = uniq('t')
    const count = 2000
    // MONITOR shows which connection ran each command: proof that both processes ran the mover.
    const monitor = spawn('redis-cli', [...server.cliArgs(), 'MONITOR'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    let monitored = ''
    monitor.stdout.on('data', (chunk: Buffer) => {
      monitored += chunk.toString()
    })
    const children: Proc[] = []
    try {
      const firstDueMs = Date.now() + 3000
      for (const which of ['0', '1']) {
        const args = [server.url, name, which, String(count), String(firstDueMs), '1500']
        children.push(start(bundle, args, { timeoutMs: 80_000 }))
      }
      await Promise.all(children.map((child) => child.waitFor('scheduled', 'stdout')))
      const topic = bus.topic<number>(name)
      // read() runs no scheduler: only the two processes move entries.
      await until(
        async () => {
          const info = await topic.info()
          return info.scheduled === 0 && info.length >= count
        },
        'every scheduled entry in the stream',
        40_000,
      )
      const seen: number[] = []
      for await (const msg of topic.read({ from: '0' })) seen.push(msg.data)
      expect(seen.length).toBe(count)
      expect(new Set(seen).size).toBe(count)
      expect(Math.min(...seen)).toBe(0)
      expect(Math.max(...seen)).toBe(count - 1)

      const addresses = new Map<string, string>()
      for (const line of server.cli('CLIENT', 'LIST').split('\n')) {
        const addr = /\baddr=(\S+)/.exec(line)?.[1]
        const client = /\bname=(\S+)/.exec(line)?.[1]
        if (addr && client) addresses.set(addr, client)
      }
      const moverRuns = new Map<string, number>()
      const stream = `"topic:{${name}}"`
      for (const line of monitored.split('\n')) {
        // The mover is the script whose third key is the topic's stream itself.
        if (!line.includes('"EVALSHA"') || !line.includes(`"3" "topic:{${name}}:scheduled" `)) continue
        if (!line.includes(` ${stream} `)) continue
        const addr = /\[\d+ ([^\]]+)\]/.exec(line)?.[1] ?? ''
        const who = addresses.get(addr)?.split(':')[0] ?? addr
        moverRuns.set(who, (moverRuns.get(who) ?? 0) + 1)
      }
      expect(moverRuns.get('scheduler-0')).toBeGreaterThan(20)
      expect(moverRuns.get('scheduler-1')).toBeGreaterThan(20)
    } finally {
      monitor.kill()
      for (const child of children) child.child.stdin?.end()
      await Promise.all(children.map((child) => child.exited))
    }
  })
})
