import { afterAll, beforeAll, expect, test } from 'vitest'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { type Bundle, bundleTs, type Proc, start } from '../helpers/run-cli.js'
import { uniq } from '../helpers/wait.js'

// What the CLI does when its Redis goes away under it: each test has a server of its own to kill.
describeRedis('switchboard CLI when the connection drops', { timeout: 60_000 }, () => {
  let cli: Bundle
  const servers: RedisServer[] = []
  const running: Proc[] = []

  beforeAll(async () => {
    cli = await bundleTs('src/cli/main.ts')
  })
  afterAll(async () => {
    for (const p of running) p.kill('SIGKILL')
    await Promise.all(servers.map((s) => s.stop()))
    cli?.remove()
  })

  async function server(): Promise<RedisServer> {
    const s = await RedisServer.start()
    servers.push(s)
    return s
  }

  test('call exits 4 as soon as the connection is lost, without waiting out --timeout', async () => {
    const redis = await server()
    const service = uniq('silent')
    // A subscriber that never answers: the request is delivered, and the call waits.
    const listener = start(cli, ['sub', '--url', redis.url, service])
    running.push(listener)
    await listener.waitFor('subscribed to')
    // --timeout is past the test's own timeout: only the lost connection can end the call in time.
    const call = start(cli, ['call', '--url', redis.url, '--timeout', '10m', service, 'anything'])
    running.push(call)
    await listener.waitFor(service, 'stdout')
    await redis.kill()
    const { code, stderr } = await call.exited
    expect(code).toBe(EXIT_CODES.CONNECTION)
    expect(stderr).toContain(`lost the connection to ${redis.url} while waiting for ${service}.anything`)
  })

  test('sub says when it has reconnected, and goes on printing messages', async () => {
    const redis = await server()
    const channel = uniq('news')
    const sub = start(cli, ['sub', '--url', redis.url, channel, '--count', '1'])
    running.push(sub)
    await sub.waitFor('subscribed to')
    await redis.restart()
    await sub.waitFor(`reconnected to ${redis.url}: subscribed to ${channel} again`)
    redis.cli('PUBLISH', channel, '{"after": "restart"}')
    const { code, stdout } = await sub.exited
    expect(code).toBe(0)
    expect(stdout).toContain('restart')
  })
})
