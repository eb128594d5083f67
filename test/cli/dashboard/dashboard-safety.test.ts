import { get } from 'node:http'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { EXIT_CODES } from '../../../src/cli/exit-codes.js'
import { connect } from '../../../src/index.js'
import { EventStream, startDashboard } from '../../helpers/dashboard.js'
import { describeRedis, RedisServer } from '../../helpers/redis-server.js'
import { type Bundle, bundleTs, type Proc, start } from '../../helpers/run-cli.js'
import { uniq } from '../../helpers/wait.js'

const PASSWORD = 'hunter2-dashboard-secret'

// Point 5 of issue 14: what the dashboard must never show, and how it behaves when things go wrong.
describeRedis('switchboard dashboard: bad input and safety', { timeout: 90_000 }, () => {
  let cli: Bundle
  let redis: RedisServer
  let url: string
  const running: Proc[] = []
  const streams: EventStream[] = []

  beforeAll(async () => {
    cli = await bundleTs('src/cli/main.ts')
    // A user with a password (the default user stays on, so that the harness can ping the server).
    redis = await RedisServer.start(['--user', 'board', 'on', `>${PASSWORD}`, '~*', '&*', '+@all'])
    url = `redis://board:${PASSWORD}@127.0.0.1:${redis.port}`
  })
  afterAll(async () => {
    for (const s of streams) s.close()
    for (const p of running) p.kill('SIGKILL')
    await redis?.stop()
    cli?.remove()
  })

  async function dashboard(...args: string[]): Promise<{ proc: Proc; url: string; events: EventStream }> {
    const started = await startDashboard(cli, ['--url', url, ...args])
    running.push(started.proc)
    const events = await EventStream.open(started.url)
    streams.push(events)
    return { ...started, events }
  }

  test('no password and no payload on the page or in its events; --show-payloads shows payloads', async () => {
    const hidden = await dashboard()
    const shown = await dashboard('--show-payloads')
    const channel = uniq('private')
    const marker = `card-number-${uniq('m')}`
    const bus = await connect({ url, codec: 'json' })
    try {
      await bus.publish(channel, { secret: marker })
      const seen = (s: { channels: Array<{ channel: string }> }): boolean =>
        s.channels.some((c) => c.channel === channel)
      const withPayload = await shown.events.until(seen, `${channel} on the --show-payloads dashboard`)
      expect(withPayload.channels.find((c) => c.channel === channel)?.preview).toContain(marker)
      const without = await hidden.events.until(seen, `${channel} on the default dashboard`)
      expect(without.channels.find((c) => c.channel === channel)?.preview).toBeUndefined()
      expect(without.url).toContain(`127.0.0.1:${redis.port}`)
      const page = await (await fetch(hidden.url)).text()
      for (const text of [hidden.events.raw, page, hidden.proc.stdout, hidden.proc.stderr]) {
        expect(text).not.toContain(PASSWORD)
        expect(text).not.toContain(marker)
      }
      expect(shown.events.raw).not.toContain(PASSWORD)
    } finally {
      await bus.close()
    }
  })

  test('a second dashboard on the same port fails at once with one line naming --port', async () => {
    const first = await dashboard()
    const port = new URL(first.url).port
    const second = start(cli, ['dashboard', '--url', url, '--port', port])
    running.push(second)
    const { code, stderr } = await second.exited
    expect(code).toBe(EXIT_CODES.USAGE)
    expect(stderr.trim().split('\n').at(-1)).toBe(
      `switchboard: port ${port} on 127.0.0.1 is already in use (another dashboard?): choose a free one with --port`,
    )
    // The first one still serves.
    expect((await fetch(first.url)).status).toBe(200)
  })

  test('only loopback names are answered on a loopback address (no DNS rebinding)', async () => {
    const { url: page } = await dashboard()
    // fetch() will not send a Host header of its own choosing: node:http does.
    const status = (host: string): Promise<number | undefined> =>
      new Promise((resolve, reject) => {
        get(page, { headers: { host } }, (res) => {
          res.resume()
          resolve(res.statusCode)
        }).on('error', reject)
      })
    expect(await status('dashboard.example.com')).toBe(421)
    expect(await status(new URL(page).host)).toBe(200)
  })

  test('a Redis restart is shown on the page, and the dashboard goes on counting', async () => {
    const { events } = await dashboard()
    const channel = uniq('after-restart')
    await events.until((s) => s.link.state === 'connected', 'connected')
    await redis.restart()
    const back = await events.until(
      (s) => s.link.reconnects >= 1 && s.link.state === 'connected',
      'the reconnect',
    )
    expect(back.link.reconnects).toBe(1)
    redis.cli('PUBLISH', channel, 'hello')
    await events.until((s) => s.channels.some((c) => c.channel === channel), `${channel} after the restart`)
  })
})
