import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import { generate } from '../../scripts/gen-lua.mjs'
import { LUA_SCRIPTS } from '../../src/durable/lua/scripts.js'

const dir = new URL('../../src/durable/lua/', import.meta.url).pathname

describe('durable Lua scripts', () => {
  it('scripts.ts is generated from the .lua files as they are (run node scripts/gen-lua.mjs)', () => {
    expect(readFileSync(`${dir}scripts.ts`, 'utf8')).toBe(generate())
  })

  it('each script uses exactly the KEYS its name declares, and documents them', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.lua'))
    expect(files.length).toBe(Object.keys(LUA_SCRIPTS).length)
    for (const [name, { numKeys, source }] of Object.entries(LUA_SCRIPTS)) {
      const used = new Set([...source.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1])))
      expect([...used].sort(), name).toEqual(Array.from({ length: numKeys }, (_, i) => i + 1))
      expect(source.startsWith('--'), `${name} starts with its header`).toBe(true)
      expect(source, name).toMatch(/-- Returns/)
    }
  })
})
