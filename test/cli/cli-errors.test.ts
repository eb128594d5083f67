import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { freePort } from '../helpers/redis-server.js'
import { type Bundle, bundleTs, run, start } from '../helpers/run-cli.js'

// The CLI as a subprocess, for everything that needs no broker: usage errors, bad input,
// connection failures, help, colour, bench and the demo on the embedded broker.

let cli: Bundle
beforeAll(async () => {
  cli = await bundleTs('src/cli/main.ts')
})
afterAll(() => cli?.remove())

// Each test spawns processes and waits on them: they run concurrently.
describe.concurrent('usage errors', { timeout: 60_000 }, () => {
  test('an unknown command exits 64 with one line naming it and the nearest command', async () => {
    const r = await run(cli, ['pubb', 'x', '1'])
    expect(r.code).toBe(EXIT_CODES.USAGE)
    expect(r.stderr).toBe(
      "switchboard: unknown command 'pubb' (Did you mean pub?) — see switchboard --help\n",
    )
    expect(r.stdout).toBe('')
  })
})

describe.concurrent('bad input', { timeout: 60_000 }, () => {
  test('bad JSON names the line, the column and what was expected, in one line (exit 5)', async () => {
    const r = await run(cli, ['pub', '--url', 'memory://t', 'orders', '{"id": 1, "status" "ready"}'])
    expect(r.code).toBe(EXIT_CODES.BAD_INPUT)
    expect(r.stderr).toBe(
      "switchboard: bad JSON in the argument at line 1, column 20 (position 19): expected ':' after the property name but found '\"' — fix the JSON (strings and keys need double quotes)\n",
    )
  })
})

describe.concurrent('connection failures', { timeout: 60_000 }, () => {
  test('a refused connection is one line that says what to do (exit 4), with the stack only under --debug', async () => {
    const port = await freePort()
    const url = `redis://127.0.0.1:${port}`
    const r = await run(cli, ['pub', '--url', url, 'orders', '{}'])
    expect(r.code).toBe(EXIT_CODES.CONNECTION)
    expect(r.stderr).toBe(
      `switchboard: cannot connect to ${url}: connection refused — is redis-server running?\n`,
    )
    const debug = await run(cli, ['pub', '--url', url, '--debug', 'orders', '{}'])
    expect(debug.code).toBe(EXIT_CODES.CONNECTION)
    expect(debug.stderr.split('\n')[0]).toBe(
      `switchboard: cannot connect to ${url}: connection refused — is redis-server running?`,
    )
    expect(debug.stderr).toMatch(/\n\s+at /)
  })

  test('SWITCHBOARD_URL is used when --url is not given', async () => {
    const port = await freePort()
    const r = await run(cli, ['sub', 'x'], { env: { SWITCHBOARD_URL: `redis://127.0.0.1:${port}` } })
    expect(r.code).toBe(EXIT_CODES.CONNECTION)
    expect(r.stderr).toContain(`cannot connect to redis://127.0.0.1:${port}`)
  })

  test('a URL that does not parse is a usage error naming the URL and the accepted forms', async () => {
    const r = await run(cli, ['monitor', '--url', 'http://localhost:6379', '--once'])
    expect(r.code).toBe(EXIT_CODES.USAGE)
    expect(r.stderr).toContain('http://localhost:6379')
    expect(r.stderr).toContain('use redis://host:port')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe.concurrent('colour', { timeout: 60_000 }, () => {
  const failing = ['pub', '--url', 'memory://t', 'x', '{bad']

  // Without a terminal there is none: the exact-text tests above would fail on any escape.
  test('FORCE_COLOR turns it on; NO_COLOR wins over it', async () => {
    const forced = await run(cli, failing, { env: { FORCE_COLOR: '1' } })
    expect(forced.stderr).toContain('\x1b[31mswitchboard:\x1b[39m')
    const noColor = await run(cli, failing, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })
    expect(noColor.stderr).not.toContain('\x1b[')
  })
})

describe.concurrent('demo', { timeout: 60_000 }, () => {
  test('runs the food-delivery story on the embedded broker, with no Redis', async () => {
    const r = await run(cli, ['demo'])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('on the embedded broker memory://demo')
    expect(r.stdout).toMatch(/^Luigi's Trattoria on memory:\/\/demo/)
    expect(r.stdout).toContain('your order #1042: delivered by Marco')
    expect(r.stdout).toMatch(/Done: 27 deliveries/)
  })
})

test('an example runs directly as a program', { timeout: 60_000 }, async () => {
  const example = await bundleTs('examples/chat-room.ts')
  try {
    const r = await run(example, [])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('bob   > bye alice   (2 in the room)')
  } finally {
    example.remove()
  }
})

test('a closed pipe on stdout ends the command quietly', { timeout: 60_000 }, async () => {
  // `switchboard demo | head -1`: the reader goes away after the first line.
  const proc = start(cli, ['demo'])
  proc.child.stdout?.once('data', () => proc.child.stdout?.destroy())
  const done = await proc.exited
  expect(done.code).toBe(0)
  expect(done.stderr).not.toContain('EPIPE')
})
