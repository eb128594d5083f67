import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import { Proc } from '../helpers/run-cli.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

describe('an ESM and a CommonJS build loaded in one process', () => {
  // Inside the repository, so that the builds' imports of msgpackr and redis resolve.
  const cache = join(ROOT, 'node_modules', '.cache', 'switchboard-tests')
  mkdirSync(cache, { recursive: true })
  const dir = mkdtempSync(join(cache, 'dual-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('share memory://default and recognise each other’s errors', async () => {
    const builds = await Promise.all(
      (['esm', 'cjs'] as const).map(async (format) => {
        const outfile = join(dir, `index.${format === 'esm' ? 'mjs' : 'cjs'}`)
        await build({
          entryPoints: [resolve(ROOT, 'src/index.ts')],
          outfile,
          bundle: true,
          platform: 'node',
          format,
          target: 'node20',
          packages: 'external',
          logLevel: 'error',
        })
        return outfile
      }),
    )
    const check = resolve(ROOT, 'test/client/fixtures/dual-build-check.mjs')
    const proc = new Proc(check, builds, { timeoutMs: 30_000 })
    const { code, stdout, stderr } = await proc.exited
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({
      delivered: { n: 1 },
      cjsErrorIsEsmConnectionError: true,
      cjsErrorIsEsmSwitchboardError: true,
      cjsErrorIsEsmTimeoutError: false,
      esmErrorIsCjsTimeoutError: true,
      plainErrorIsSwitchboardError: false,
    })
  })
})
