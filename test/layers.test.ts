import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

/**
 * The layers of src/, bottom first (README, Architecture): a file may import its own layer and
 * those before it. The files at the top of src/ (errors, timers…), queue/, observe/ and codec/
 * are usable from every layer. index.ts, the public surface, re-exports from all.
 */
const LAYERS = ['(base)', 'transport', 'pubsub', 'rpc', 'service', 'durable', 'hub', 'client', 'cli']
const BASE = new Set(['(top)', 'queue', 'observe', 'codec'])

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

function layerOf(file: string): string {
  const parts = relative(SRC, file).split('/')
  const folder = parts.length === 1 ? '(top)' : (parts[0] as string)
  return BASE.has(folder) ? '(base)' : folder
}

test('imports only go down the layers: errors and observe at the bottom, then transport, pubsub, rpc, service, durable, hub, client, cli', () => {
  const upward: string[] = []
  for (const file of sources(SRC)) {
    if (relative(SRC, file) === 'index.ts') continue
    const from = layerOf(file)
    expect(LAYERS, `${relative(SRC, file)}: a folder missing from LAYERS`).toContain(from)
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const to = layerOf(resolve(dirname(file), spec as string))
      if (LAYERS.indexOf(to) > LAYERS.indexOf(from))
        upward.push(`${relative(SRC, file)} imports ${spec} (${to})`)
    }
  }
  expect(upward).toEqual([])
})
