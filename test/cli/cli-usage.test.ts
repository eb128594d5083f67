import { describe, expect, test } from 'vitest'
import { cliMessage } from '../../src/cli/cli-error.js'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { run } from '../../src/cli/program.js'
import { PayloadTooLargeError } from '../../src/errors.js'
import { uniq } from '../helpers/wait.js'
import { argv, captureContext } from './capture.js'

describe('a usage error points at the help that explains it', () => {
  test.each([
    [['sub', '--bogus', 'x'], 'switchboard sub --help'],
    [['pub', '--nope', 'c', '1'], 'switchboard pub --help'],
    [['call', 'svc'], 'switchboard call --help'],
    [['bogus'], 'switchboard --help'],
  ])('%j → see %s', async (args, help) => {
    const ctx = captureContext()
    expect(await run(argv(...args), ctx)).toBe(EXIT_CODES.USAGE)
    expect(ctx.err).toMatch(new RegExp(` — see ${help.replace(/ /g, ' ')}\\n$`))
    expect(ctx.err.trim().split('\n')).toHaveLength(1)
  })
})

describe('--max-payload', () => {
  const big = JSON.stringify('x'.repeat(3000))

  test('a payload over the limit names --max-payload; raising it lets the message through', async () => {
    const url = `memory://${uniq('max-payload')}`
    const refused = captureContext()
    expect(await run(argv('pub', '--url', url, '--max-payload', '1KiB', 'ch', big), refused)).toBe(
      EXIT_CODES.BAD_INPUT,
    )
    expect(refused.err).toMatch(
      /^switchboard: the message is 300\d bytes encoded, over the limit of 1024 bytes — raise it with --max-payload \(e\.g\. --max-payload 1MiB\)\n$/,
    )
    const sent = captureContext()
    expect(await run(argv('pub', '--url', url, '--max-payload', '4KiB', 'ch', big), sent)).toBe(0)
  })

  test('takes bytes or KiB/MiB, and refuses anything else with a usage error', async () => {
    const ctx = captureContext()
    expect(await run(argv('pub', '--url', 'memory://x', '--max-payload', 'lots', 'ch', '1'), ctx)).toBe(
      EXIT_CODES.USAGE,
    )
    expect(ctx.err).toContain('Give a size such as 16MiB, 512KiB or 1048576 (bytes).')
  })

  test('a message that arrived over the limit is reported with the option too', () => {
    expect(cliMessage(new PayloadTooLargeError(5_000_000, 1024, 'news'))).toBe(
      'dropped a message of 5000000 bytes on "news" without decoding it, over the limit of 1024 bytes — raise it with --max-payload (e.g. --max-payload 5MiB)',
    )
  })

  test('is offered by the commands that connect, and documented in their help', async () => {
    for (const command of ['pub', 'sub', 'monitor', 'call']) {
      const ctx = captureContext()
      expect(await run(argv(command, '--help'), ctx)).toBe(0)
      expect(ctx.out).toContain('--max-payload <size>')
    }
  })
})
