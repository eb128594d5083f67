import { type Command, Option } from 'commander'
import type { Codec } from '../codec/codec.js'
import { CliError } from './cli-error.js'
import { type CommonOptions, connectCli, note, resolveUrl, stderrStyle, stdoutStyle } from './common.js'
import type { CliContext } from './context.js'
import { decodeAs, detect } from './detect.js'
import { EXIT_CODES } from './exit-codes.js'
import { formatDuration, parseCount, parseDuration } from './parse-args.js'
import { formatMessageJson, formatMessageLine, type ShownMessage } from './render.js'

type SubCodec = 'auto' | 'msgpack' | 'json' | 'text' | 'raw' | 'hex'

interface SubOptions extends CommonOptions {
  json?: boolean
  count?: number
  timeout?: number
  codec: SubCodec
}

/** Hands the bytes through untouched: the CLI decodes each message itself, to detect its codec. */
export const BYTES_CODEC: Codec = {
  name: 'bytes',
  encode: (value) => value as Uint8Array,
  decode: (bytes) => bytes,
}

/** Decodes one message as the --codec option says. */
export function showMessage(
  raw: Uint8Array,
  codec: SubCodec,
  channel: string,
  pattern?: string,
): ShownMessage {
  if (codec === 'auto')
    return { time: new Date(), channel, pattern, size: raw.byteLength, decoded: detect(raw) }
  const { malformed, ...decoded } = decodeAs(raw, codec === 'raw' ? 'text' : codec)
  return { time: new Date(), channel, pattern, size: raw.byteLength, decoded, malformed }
}

export function registerSub(program: Command, ctx: CliContext): void {
  program
    .command('sub')
    .description('print the messages of channels and patterns as they arrive')
    .argument('<names...>', 'channels, or glob patterns with * ? [abc] (Redis rules)')
    .option('--json', 'one JSON object per message (ndjson): time, channel, pattern, size, codec, data')
    .option('-n, --count <n>', 'exit after n messages', parseCount)
    .option(
      '-t, --timeout <duration>',
      'stop after this long (500ms, 5s, 1m); with --count, fail (exit 2) if fewer came',
      parseDuration,
    )
    .addOption(
      new Option('-c, --codec <codec>', 'how to decode; auto tries JSON, then text, then msgpack, then hex')
        .choices(['auto', 'msgpack', 'json', 'text', 'raw', 'hex'])
        .default('auto'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard sub order_updates                   # one channel
  $ switchboard sub 'orders:*' 'drivers:?'          # patterns: each line names the pattern it matched
  $ switchboard sub --json events | jq .data        # ndjson, for scripts
  $ switchboard sub --count 1 --timeout 10s ready   # wait for one message; exit 2 if none in 10 s
  $ SWITCHBOARD_URL=redis://cache:6379 switchboard sub news

Each line shows the time, channel, matched pattern, size, codec and payload. With no --codec,
a payload that parses as JSON is shown as json, printable UTF-8 as text, one that decodes
as msgpack (Popoto's format) as msgpack, anything else as hex.
Status lines go to stderr, messages to stdout. Ctrl-C stops.`,
    )
    .action(async (names: string[], options: SubOptions) => {
      const url = resolveUrl(options, ctx)
      const style = stdoutStyle(options, ctx)
      const errStyle = stderrStyle(options, ctx)
      const bus = await connectCli(options, ctx, { url })
      let received = 0
      let settle: (why: 'count' | 'timeout' | 'interrupt') => void = () => {}
      const finished = new Promise<'count' | 'timeout' | 'interrupt'>((resolve) => {
        settle = resolve
      })
      const removeInterrupt = ctx.onInterrupt(() => settle('interrupt'))
      // The logger warns of the drop; messages published meanwhile are lost (that is pub/sub), so
      // say when listening resumes.
      bus.on('reconnected', () =>
        note(ctx, errStyle, `reconnected to ${bus.url}: subscribed to ${names.join(', ')} again`),
      )
      let timer: NodeJS.Timeout | undefined
      try {
        await bus.subscribe(
          names,
          (raw: unknown, msg) => {
            if (options.count !== undefined && received >= options.count) return
            received += 1
            const shown = showMessage(raw as Uint8Array, options.codec, msg.channel, msg.pattern)
            ctx.stdout.write(`${options.json ? formatMessageJson(shown) : formatMessageLine(shown, style)}\n`)
            if (options.count !== undefined && received >= options.count) settle('count')
          },
          { codec: BYTES_CODEC },
        )
        const limits = [
          options.count !== undefined
            ? `${options.count} message${options.count === 1 ? '' : 's'}`
            : undefined,
          options.timeout !== undefined ? formatDuration(options.timeout) : undefined,
        ].filter(Boolean)
        note(
          ctx,
          errStyle,
          `subscribed to ${names.join(', ')} on ${bus.url}${limits.length > 0 ? ` (for ${limits.join(' or ')})` : ''} — Ctrl-C to stop`,
        )
        if (options.timeout !== undefined) timer = setTimeout(() => settle('timeout'), options.timeout)
        const why = await finished
        if (why === 'timeout' && options.count !== undefined && received < options.count) {
          throw new CliError(
            `timed out after ${formatDuration(options.timeout ?? 0)}: received ${received} of ${options.count} messages on ${names.join(', ')} — is anything publishing there?`,
            EXIT_CODES.TIMEOUT,
          )
        }
      } finally {
        clearTimeout(timer)
        removeInterrupt()
        await bus.close()
      }
    })
}
