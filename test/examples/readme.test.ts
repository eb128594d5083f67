import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { SCENARIOS } from '../../examples/scenarios.js'

const dir = fileURLToPath(new URL('../../examples/', import.meta.url))
const literal = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** Every example program, as a path under examples/: the top level and daebus/. */
function programs(): string[] {
  const top = readdirSync(dir).filter((f) => f.endsWith('.ts') && !['support.ts', 'scenarios.ts'].includes(f))
  const daebus = readdirSync(`${dir}daebus`)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `daebus/${f}`)
  return [...top, ...daebus].sort()
}

test('every example, Daebus ones included, is a demo scenario, linked from examples/README.md with a line on what it shows', () => {
  const readme = readFileSync(`${dir}README.md`, 'utf8')
  expect(SCENARIOS.map((s) => s.file).sort()).toEqual(programs())
  for (const { name, file } of SCENARIOS)
    expect(readme).toMatch(new RegExp(`\\| \\[${literal(name)}\\]\\(${literal(file)}\\) +\\| .{20,}\\|`))
  // Every example has a test that runs it: <name>.test.ts, daebus-<name>.test.ts for daebus/.
  const tests = readdirSync(fileURLToPath(new URL('.', import.meta.url)))
  for (const { file } of SCENARIOS)
    expect(tests).toContain(`${file.replace('/', '-').replace(/\.ts$/, '')}.test.ts`)
})
