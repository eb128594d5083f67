import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CliError } from './cli-error.js'
import { EXIT_CODES } from './exit-codes.js'
import { locateJsonError } from './json-error.js'

/** Where a payload comes from: the argument itself, `@file`, or `-` for standard input. */
export interface PayloadSource {
  /** The command-line argument. */
  arg: string
  /** Directory a relative @file is resolved against. */
  cwd: string
  /** Read when the argument is `-`. */
  stdin: NodeJS.ReadableStream
}

/** The payload's bytes or text, and how to name it in an error message. */
export interface RawPayload {
  /** The argument's text, or the bytes of the file or of stdin. */
  content: string | Uint8Array
  /** "the argument", "file ./order.json" or "standard input". */
  origin: string
}

export async function readPayload({ arg, cwd, stdin }: PayloadSource): Promise<RawPayload> {
  if (arg === '-') return { content: await readAll(stdin), origin: 'standard input' }
  if (arg.startsWith('@') && arg.length > 1) {
    const path = arg.slice(1)
    try {
      return { content: new Uint8Array(await readFile(resolve(cwd, path))), origin: `file ${path}` }
    } catch (error) {
      const code = (error as { code?: string }).code
      const why =
        code === 'ENOENT'
          ? 'no such file — check the path'
          : code === 'EISDIR'
            ? 'it is a directory — name a file'
            : code === 'EACCES'
              ? 'permission denied — check the file permissions'
              : (error as Error).message
      throw new CliError(`cannot read payload file ${path}: ${why}`, EXIT_CODES.BAD_INPUT, { cause: error })
    }
  }
  return { content: arg, origin: 'the argument' }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return new Uint8Array(Buffer.concat(chunks))
}

/**
 * Parses a payload as JSON. A syntax error names the line and column, and what was expected
 * there; when the text does not even start like JSON, it suggests --codec raw for plain text.
 */
export function parseJsonPayload(payload: RawPayload): unknown {
  let text = typeof payload.content === 'string' ? payload.content : new TextDecoder().decode(payload.content)
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  try {
    return JSON.parse(text)
  } catch (error) {
    const where = locateJsonError(text)
    const at = where
      ? ` at line ${where.line}, column ${where.column} (position ${where.offset}): ${where.reason}`
      : ''
    const first = text.trimStart()[0]
    const looksLikeText = first !== undefined && !'{["-0123456789tfn'.includes(first)
    const hint = looksLikeText
      ? ` — to send it as a JSON string, quote it ('"${text.trim().slice(0, 20)}"'); to send plain text, use --codec raw`
      : ' — fix the JSON (strings and keys need double quotes)'
    throw new CliError(`bad JSON in ${payload.origin}${at}${hint}`, EXIT_CODES.BAD_INPUT, { cause: error })
  }
}

/**
 * The value to publish: JSON for the json and msgpack codecs; for raw, the text of the argument
 * or the exact bytes of the file or stdin.
 */
export function payloadValue(payload: RawPayload, codec: string): unknown {
  if (codec === 'raw') return payload.content
  return parseJsonPayload(payload)
}
