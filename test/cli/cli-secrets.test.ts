import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { describeRedis, freePort, RedisServer } from '../helpers/redis-server.js'
import { type Bundle, bundleTs, run, start } from '../helpers/run-cli.js'
import { uniq } from '../helpers/wait.js'

// The password of a --url or SWITCHBOARD_URL never reaches the CLI's output, whatever fails.

const SECRET = 'Hunter2-S3cret'

let cli: Bundle
beforeAll(async () => {
  cli = await bundleTs('src/cli/main.ts')
})
afterAll(() => cli?.remove())

function expectNoSecret(output: { stdout: string; stderr: string }, secret = SECRET): void {
  expect(output.stdout).not.toContain(secret)
  expect(output.stderr).not.toContain(secret)
  // Not a piece of it either, from either end.
  expect(`${output.stdout}${output.stderr}`).not.toMatch(/Hunter|S3cret/)
}

describe.concurrent('a URL that does not parse', { timeout: 60_000 }, () => {
  test('an unencoded "/" in the password: a usage error that says to encode it, not the password as a port', async () => {
    const r = await run(cli, ['pub', '--url', `redis://:${SECRET}/x@127.0.0.1:1`, 'orders', '{}'])
    expect(r.code).toBe(EXIT_CODES.USAGE)
    expect(r.stderr).toContain('invalid switchboard URL "redis://:***@127.0.0.1:1"')
    expect(r.stderr).toContain('%2F')
    expectNoSecret(r)
  })

  test('bad percent-encoding in the password, with --debug and its stack trace too', async () => {
    const url = `redis://user:${SECRET}%E0%A4%A@127.0.0.1:1`
    for (const args of [[], ['--debug']]) {
      const r = await run(cli, ['sub', '--url', url, ...args, 'orders'])
      expect(r.code).toBe(EXIT_CODES.USAGE)
      expect(r.stderr).toContain('bad percent-encoding in the password')
      expectNoSecret(r)
    }
  })

  test('from SWITCHBOARD_URL', async () => {
    const r = await run(cli, ['monitor', '--once'], {
      env: { SWITCHBOARD_URL: `redis+sentinel://u:${SECRET}/@s1/master` },
    })
    expect(r.code).toBe(EXIT_CODES.USAGE)
    expectNoSecret(r)
  })
})

describe.concurrent('a connection that fails', { timeout: 60_000 }, () => {
  test('a refused connection names the masked URL, with --debug too', async () => {
    const port = await freePort()
    for (const args of [[], ['--debug']]) {
      const r = await run(cli, [
        'pub',
        '--url',
        `redis://user:${SECRET}@127.0.0.1:${port}`,
        ...args,
        'x',
        '{}',
      ])
      expect(r.code).toBe(EXIT_CODES.CONNECTION)
      expect(r.stderr).toContain(`cannot connect to redis://user:***@127.0.0.1:${port}`)
      expectNoSecret(r)
    }
  })
})

describeRedis('against a server with an ACL user', { timeout: 60_000 }, () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await RedisServer.start(['--user', 'alice', 'on', `>${SECRET}`, '~*', '&*', '+@all'])
  })
  afterAll(() => server?.stop())

  test('sub prints the masked URL it subscribed on, and receives', async () => {
    const channel = uniq('secret')
    const url = `redis://alice:${SECRET}@127.0.0.1:${server.port}`
    const sub = start(cli, ['sub', '--url', url, channel, '--count', '1'])
    await sub.waitFor('subscribed to')
    const pub = await run(cli, ['pub', '--url', url, '--debug', channel, '{"ok": true}'])
    expect(pub.code).toBe(0)
    const done = await sub.exited
    expect(done.code).toBe(0)
    expect(done.stderr).toContain(`on redis://alice:***@127.0.0.1:${server.port}`)
    expect(done.stdout).toContain('ok')
    expectNoSecret(done)
    expectNoSecret(pub)
  })

  test('a wrong password is an authentication failure that shows neither password', async () => {
    const wrong = 'Hunter3-Wrong'
    const r = await run(cli, [
      'pub',
      '--url',
      `redis://alice:${wrong}@127.0.0.1:${server.port}`,
      '--debug',
      'x',
      '{}',
    ])
    expect(r.code).toBe(EXIT_CODES.CONNECTION)
    expect(r.stderr).toContain('authentication failed')
    expectNoSecret(r, wrong)
  })
})
