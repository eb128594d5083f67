import { type Command, Option } from 'commander'
import type { Bus } from '../client/bus.js'
import { connect } from '../client/connect.js'
import type { Codec, CodecName } from '../codec/codec.js'
import { cliMessage } from './cli-error.js'
import { CliLogger } from './cli-logger.js'
import type { CliContext } from './context.js'
import { parseSize } from './parse-args.js'
import { createStyle, type Style, useColour } from './style.js'

/** The options every command has. */
export interface CommonOptions {
  url?: string
  debug?: boolean
  /** false with --no-color. */
  color?: boolean
  /** --max-payload, in bytes: the bus's maxPayloadBytes. */
  maxPayload?: number
}

/** The commands that connect to a broker and so take --max-payload. */
const CONNECTING_COMMANDS = new Set(['pub', 'sub', 'monitor', 'call'])

/**
 * Where the network commands connect when neither --url nor SWITCHBOARD_URL is given: the local
 * Redis, as redis-cli does. (The embedded broker would be invisible to every other process.)
 */
export const DEFAULT_CLI_URL = 'redis://127.0.0.1:6379'

export function addCommonOptions(command: Command, defaultUrl = DEFAULT_CLI_URL): Command {
  command.addOption(new Option('--url <url>', `broker URL (default: $SWITCHBOARD_URL, else ${defaultUrl})`))
  if (CONNECTING_COMMANDS.has(command.name())) {
    command.addOption(
      new Option(
        '--max-payload <size>',
        'largest message to send or accept, e.g. 16MiB (default: 8MiB; Redis cuts off a subscriber whose output buffer passes 32MiB)',
      ).argParser(parseSize),
    )
  }
  return command
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR=1 does the same)')
    .option('--debug', 'show stack traces and debug logs')
}

export function resolveUrl(options: CommonOptions, ctx: CliContext, defaultUrl = DEFAULT_CLI_URL): string {
  return options.url ?? (ctx.env.SWITCHBOARD_URL || undefined) ?? defaultUrl
}

export function stdoutStyle(options: CommonOptions, ctx: CliContext): Style {
  return createStyle(useColour({ env: ctx.env, isTTY: ctx.stdout.isTTY, flag: options.color }))
}

export function stderrStyle(options: CommonOptions, ctx: CliContext): Style {
  return createStyle(useColour({ env: ctx.env, isTTY: ctx.stderr.isTTY, flag: options.color }))
}

export interface CliBusOptions {
  url: string
  codec?: CodecName | Codec
}

/**
 * Connects for a command: library log records become readable lines on stderr, and connection
 * state changes are reported there too.
 */
export async function connectCli(options: CommonOptions, ctx: CliContext, bus: CliBusOptions): Promise<Bus> {
  const style = stderrStyle(options, ctx)
  const logger = new CliLogger(ctx.stderr, style, options.debug ? 'info' : 'warn')
  const connected = await connect({
    url: bus.url,
    codec: bus.codec ?? 'msgpack',
    logger,
    name: 'switchboard-cli',
    // One-shot: start-up counts more than RPC at low load (node-redis-client.ts).
    redis: { leanClients: true },
    ...(options.maxPayload === undefined ? {} : { maxPayloadBytes: options.maxPayload }),
  })
  connected.on('error', (error) => {
    ctx.stderr.write(`switchboard: ${style.red('error')}: ${cliMessage(error)}\n`)
  })
  return connected
}

/** A note on stderr, where it never mixes with the data on stdout. */
export function note(ctx: CliContext, style: Style, text: string): void {
  ctx.stderr.write(`${style.dim(text)}\n`)
}
