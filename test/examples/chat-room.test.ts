import { expect, test } from 'vitest'
import { main } from '../../examples/chat-room.js'
import { uniq } from '../helpers/wait.js'

test('examples/chat-room: members see the others; whoever leaves the loop stops receiving', async () => {
  const lines: string[] = []
  const result = await main({ url: `memory://${uniq('chat')}`, print: (line) => lines.push(line) })
  expect(result.transcripts.alice).toEqual(['bob: hello alice', 'carol: hey, what is for lunch?'])
  expect(result.transcripts.carol).toEqual([
    'alice: hi all!',
    'bob: hello alice',
    'alice: /leave',
    'bob: bye alice',
  ])
  expect(result.transcripts.bob).not.toContain('bob: bye alice')
  expect(result.lastReceivers).toBe(2)
  expect(lines).toContain('bob   > bye alice   (2 in the room)')
})
