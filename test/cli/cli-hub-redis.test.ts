import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { type Bundle, bundleTs, type Proc, start } from '../helpers/run-cli.js'
import { deferred, uniq, withTimeout } from '../helpers/wait.js'

// `switchboard hub` as real processes on one disposable redis-server: a hub killed (SIGKILL) in
// the middle of a step loses nothing, since another hub takes the step over; SIGTERM stops one
// cleanly, with its last stats.
describeRedis('switchboard hub processes over Redis', { timeout: 60_000 }, () => {
  let server: RedisServer
  let cli: Bundle
  let bus: Bus
  let dir: string
  const running: Proc[] = []
  /** Lets a handler left waiting finish, so that the bus closes without waiting for it. */
  const release = deferred<void>()

  beforeAll(async () => {
    ;[server, cli, dir] = await Promise.all([
      RedisServer.start(),
      bundleTs('src/cli/main.ts'),
      mkdtemp(join(tmpdir(), 'hub-procs-')),
    ])
    bus = await connect(server.url)
  })
  afterAll(async () => {
    for (const proc of running) proc.kill('SIGKILL')
    release.resolve()
    await bus?.close()
    await server?.stop()
    cli?.remove()
    await rm(dir, { recursive: true, force: true })
  })

  function hub(file: string, name: string): Proc {
    const proc = start(cli, [
      'hub',
      file,
      '--url',
      server.url,
      '--consumer',
      name,
      '--claim-idle',
      '1s',
      '--no-stats',
    ])
    running.push(proc)
    return proc
  }

  test('a hub killed in the middle of a step loses nothing: the other hub takes the step over and runs it', async () => {
    const p = uniq('crash')
    const file = join(dir, `${p}.yaml`)
    await writeFile(file, `name: ${p}\nroutes:\n  ${p}.signed_up:\n    - call: ${p}-email.welcome\n`)
    const calls: unknown[] = []
    const firstCall = deferred<void>()
    const secondCall = deferred<void>()
    const email = bus.service(`${p}-email`)
    email.action('welcome', async (data) => {
      calls.push(data)
      if (calls.length === 1) {
        firstCall.resolve()
        await release.promise // the first hub dies while waiting for this reply
      }
      secondCall.resolve()
      return 'sent'
    })
    await email.start()

    const first = hub(file, 'first')
    await first.waitFor('SIGHUP reloads')
    await bus.publish(`${p}.signed_up`, { user_id: 1 })
    await withTimeout(firstCall.promise, 'the first hub to call the service')
    const second = hub(file, 'second')
    await second.waitFor('SIGHUP reloads')
    first.kill('SIGKILL')
    await withTimeout(secondCall.promise, 'the second hub to take the step over', 20_000)
    expect(calls).toEqual([{ user_id: 1 }, { user_id: 1 }])

    second.kill('SIGTERM')
    const finished = await second.exited
    expect(finished.code).toBe(0)
    expect(finished.stdout).toMatch(new RegExp(`${p}\\.signed_up +0 +1 +0 +0 +0 +0 +0\\n`))
  })
})
