import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')

test('the README documents every CLI command and every exit code', () => {
  for (const command of ['pub', 'sub', 'monitor', 'call', 'bench', 'demo', 'completion'])
    expect(readme).toContain(`switchboard ${command}`)
  for (const code of Object.values(EXIT_CODES)) expect(readme).toMatch(new RegExp(`\\n\\| *${code} *\\|`))
})
