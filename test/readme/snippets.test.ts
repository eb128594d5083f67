import { rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, test, vi } from 'vitest'
import { tsSnippets } from './snippets.js'

// Every TypeScript block of the README compiles under strict, as a user's own module importing
// 'switchboard' would, and each one not marked "check only" runs to its end on the embedded broker.
// A snippet can no longer drift from the API unnoticed.

const root = fileURLToPath(new URL('../../', import.meta.url))
const index = `${root}src/index.ts`
const snippets = tsSnippets(`${root}README.md`)

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  skipLibCheck: true,
  paths: { switchboard: [index] },
}

/** Type-checks each snippet as its own module; returns the diagnostics of the snippets only. */
function typeCheck(files: Map<string, string>): string[] {
  const host = ts.createCompilerHost(OPTIONS)
  const { getSourceFile, fileExists, readFile } = host
  host.fileExists = (name) => files.has(name) || fileExists(name)
  host.readFile = (name) => files.get(name) ?? readFile(name)
  host.getSourceFile = (name, target, ...rest) => {
    const text = files.get(name)
    return text === undefined ? getSourceFile(name, target, ...rest) : ts.createSourceFile(name, text, target)
  }
  const program = ts.createProgram([...files.keys()], OPTIONS, host)
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.has(d.file.fileName))
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0)
      return `${d.file!.fileName}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
    })
}

/** The file name a snippet gets: README line of its fence, so a failure points at the README. */
const nameOf = (line: number): string => `${root}test/readme/README.md-line-${line}.ts`

test('the README has TypeScript blocks, and most of them run', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(5)
  expect(snippets.filter((s) => s.runnable).length).toBeGreaterThanOrEqual(3)
})

test('every README TypeScript block compiles under strict', { timeout: 120_000 }, () => {
  const files = new Map<string, string>()
  for (const s of snippets) {
    // A leading `export {}` makes a block with no import a module too (top-level await, own scope).
    const given = s.given ? `${s.given}\n` : ''
    files.set(nameOf(s.line), `export {}\n${given}${s.code}\n`)
  }
  expect(typeCheck(files)).toEqual([])
})

describe('runnable README blocks run on the embedded broker', () => {
  const written: string[] = []
  afterAll(() => {
    for (const file of written) rmSync(file, { force: true })
  })
  for (const s of snippets.filter((x) => x.runnable)) {
    test(`README line ${s.line}`, { timeout: 60_000 }, async () => {
      const file = nameOf(s.line).replace(/\.ts$/, `.${process.pid}.run.ts`)
      written.push(file)
      writeFileSync(file, s.code.replaceAll(`from 'switchboard'`, `from '${pathToFileURL(index).href}'`))
      const log = vi.spyOn(console, 'log').mockImplementation(() => {})
      try {
        await import(pathToFileURL(file).href)
      } finally {
        log.mockRestore()
      }
    })
  }
})
