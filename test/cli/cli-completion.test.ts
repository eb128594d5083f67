import { execFileSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { findBinary } from '../../scripts/redis-process.js'
import { run } from '../../src/cli/program.js'
import { argv, captureContext } from './capture.js'

async function script(shell: string): Promise<string> {
  const ctx = captureContext()
  expect(await run(argv('completion', shell), ctx)).toBe(0)
  return ctx.out
}

/** What bash completes for the words typed so far (the last one being completed). */
function bashComplete(source: string, words: string[]): string[] {
  const program = `${source}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _switchboard; printf '%s\\n' "\${COMPREPLY[@]}"`
  return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean)
}

describe('switchboard completion', () => {
  test('bash: commands, each command’s options, demo scenarios and codec names', async () => {
    const source = await script('bash')
    expect(bashComplete(source, ['switchboard', ''])).toEqual(
      expect.arrayContaining(['pub', 'sub', 'monitor', 'call', 'bench', 'demo', 'completion']),
    )
    expect(bashComplete(source, ['switchboard', 'de'])).toEqual(['demo'])
    expect(bashComplete(source, ['switchboard', 'demo', 'sys'])).toEqual(['system-monitor'])
    expect(bashComplete(source, ['switchboard', 'pub', '--max'])).toEqual(['--max-payload'])
    expect(bashComplete(source, ['switchboard', 'sub', '--codec', 'j'])).toEqual(['json'])
    expect(bashComplete(source, ['switchboard', 'completion', ''])).toEqual(['bash', 'zsh', '--help'])
  })

  // zsh is installed by .ci/run; a machine without it checks the script's content only.
  test('zsh: a #compdef script naming every command and its options, that zsh parses', async () => {
    const source = await script('zsh')
    expect(source.startsWith('#compdef switchboard\n')).toBe(true)
    for (const command of ['pub', 'sub', 'monitor', 'call', 'bench', 'demo', 'completion'])
      expect(source).toMatch(new RegExp(`\\n    ${command}\\) compadd -- `))
    expect(source).toContain('--max-payload')
    expect(source).toContain('system-monitor')
    const zsh = findBinary('zsh')
    if (zsh) execFileSync(zsh, ['-n', '-c', source])
  })

  test('an unknown shell is a usage error pointing at completion --help', async () => {
    const ctx = captureContext()
    expect(await run(argv('completion', 'fish'), ctx)).toBe(64)
    expect(ctx.err).toMatch(/Allowed choices are bash, zsh\. — see switchboard completion --help\n$/)
  })
})
