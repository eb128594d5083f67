import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { run } from '../../src/cli/program.js'
import { argv, captureContext } from './capture.js'

describe('bench', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-bench-'))
  })
  const checkout = (): void => {
    mkdirSync(join(dir, 'bench'), { recursive: true })
  }
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('without a benchmark suite it says where to run it (exit 6)', async () => {
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'switchboard', version: '0.0.0', scripts: {} }),
    )
    const ctx = captureContext({ cwd: dir })
    expect(await run(argv('bench'), ctx)).toBe(EXIT_CODES.BENCH_FAILED)
    expect(ctx.err).toMatch(
      /^switchboard: the benchmark suite ships only with the source, not the installed package — .* in a switchboard checkout, after npm install\n$/,
    )
  })

  test('an installed package (its bench script kept, no bench/ folder) says so in one line (exit 6)', async () => {
    const installed = mkdtempSync(join(tmpdir(), 'sb-installed-'))
    try {
      writeFileSync(
        join(installed, 'package.json'),
        JSON.stringify({
          name: 'switchboard',
          version: '0.1.0',
          scripts: { bench: 'node bench/run.mjs main' },
        }),
      )
      const ctx = captureContext({ cwd: installed })
      expect(await run(argv('bench'), ctx)).toBe(EXIT_CODES.BENCH_FAILED)
      expect(ctx.err).toMatch(/^switchboard: the benchmark suite ships only with the source[^\n]*\n$/)
    } finally {
      rmSync(installed, { recursive: true, force: true })
    }
  })

  test("runs the checkout's bench script: progress lines become a bar, the rest passes through, args and --url are handed on", async () => {
    writeFileSync(
      join(dir, 'fake-bench.mjs'),
      [
        "console.log('::progress 0/2 publish')",
        "console.log('| publish | 250k/s |')",
        "console.log('::progress 1/2 rpc')",
        "console.log('args=' + process.argv.slice(2).join(',') + ' url=' + process.env.SWITCHBOARD_URL + ' progress=' + process.env.SWITCHBOARD_BENCH_PROGRESS)",
        "console.log('::progress 2/2 done')",
      ].join('\n'),
    )
    checkout()
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'switchboard', scripts: { bench: 'node fake-bench.mjs' } }),
    )
    const piped = captureContext({ cwd: dir })
    expect(await run(argv('bench', '--url', 'redis://127.0.0.1:1', '--', '--quick'), piped)).toBe(0)
    expect(piped.out).toBe('| publish | 250k/s |\nargs=--quick url=redis://127.0.0.1:1 progress=1\n')
    expect(piped.err).toContain('[###############---------------]  1/2  rpc\n')
    // On a terminal the bar is redrawn on one line, and cleared before suite output.
    const tty = captureContext({ cwd: dir, tty: true, env: { NO_COLOR: '1' } })
    expect(await run(argv('bench'), tty)).toBe(0)
    expect(tty.err).toContain('\r\x1b[K[███████████████░░░░░░░░░░░░░░░]  1/2  rpc')
    expect(tty.err).not.toContain('\n')
  })

  test('a failing suite exits 6', async () => {
    checkout()
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'switchboard', scripts: { bench: 'node -e "process.exit(3)"' } }),
    )
    const ctx = captureContext({ cwd: dir })
    expect(await run(argv('bench'), ctx)).toBe(EXIT_CODES.BENCH_FAILED)
    expect(ctx.err).toContain('the benchmark suite failed (exit 3)')
  })
})
