import { readFileSync } from 'node:fs'

/** One ```ts block of a markdown file, with what the comment just above it says about it. */
export interface Snippet {
  /** 1-based line of the opening fence, for messages. */
  line: number
  code: string
  /** False when marked `<!-- check only… -->`: it is type-checked but not run. */
  runnable: boolean
  /** Declarations the block assumes (`given: …` in its marker), prepended when type-checking. */
  given: string
}

const MARKER = /^<!-- check only(?::[^,]*?)?(?:, given: (.*))? -->$/

/** Every ```ts block of `file`, in order. */
export function tsSnippets(file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const snippets: Snippet[] = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue
    const end = lines.indexOf('```', i + 1)
    if (end < 0) throw new Error(`${file}:${i + 1}: a \`\`\`ts block never closes`)
    const marker = MARKER.exec(lines[i - 1] ?? '')
    snippets.push({
      line: i + 1,
      code: lines.slice(i + 1, end).join('\n'),
      runnable: marker === null,
      given: marker?.[1] ?? '',
    })
    i = end
  }
  return snippets
}
