import { expect, test } from 'vitest'
import { main } from '../../examples/game-events.js'
import { uniq } from '../helpers/wait.js'

test('examples/game-events: pattern subscriptions pick their events, with Redis glob rules', async () => {
  const lines: string[] = []
  const result = await main({ url: `memory://${uniq('game')}`, print: (line) => lines.push(line) })
  expect(result.achievements).toEqual(['game:42:score nova +10', 'game:7:score rex +5'])
  expect(result.spectator).toEqual([
    'game:42:join nova',
    'game:42:score nova +10',
    'game:42:chat nova "nice"',
  ])
  // ? is one character: game:42:chat does not match game:?:chat.
  expect(result.moderation).toEqual(['game:7:chat rex "gg"'])
  // A message matching two patterns is delivered once per pattern.
  expect(lines).toContain('game:42:score → 2 pattern matches')
  expect(lines).toContain('lobby:news → 0 pattern matches')
  expect(lines.some((l) => l.includes('via game:*:score') && l.includes('game:42:score'))).toBe(true)
})
