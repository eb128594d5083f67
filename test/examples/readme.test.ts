import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { SCENARIOS } from '../../examples/scenarios.js'

const dir = fileURLToPath(new URL('../../examples/', import.meta.url))

test('examples/README.md links every example, each with a line on what it shows, and each is a demo scenario', () => {
  const readme = readFileSync(`${dir}README.md`, 'utf8')
  const programs = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !['support.ts', 'scenarios.ts'].includes(f))
    .map((f) => f.replace(/\.ts$/, ''))
  expect(programs.sort()).toEqual(SCENARIOS.map((s) => s.name).sort())
  for (const name of programs)
    expect(readme).toMatch(new RegExp(`\\| \\[${name}\\]\\(${name}\\.ts\\) +\\| .{20,}\\|`))
  // Every example has a test that runs it.
  const tests = readdirSync(fileURLToPath(new URL('.', import.meta.url)))
  for (const name of programs) expect(tests).toContain(`${name}.test.ts`)
})
