import type { Command } from 'commander'
import { CancelledError } from '../errors.js'
import { CliError } from './cli-error.js'
import { type CommonOptions, connectCli, resolveUrl, stderrStyle } from './common.js'
import type { CliContext } from './context.js'
import { EXIT_CODES } from './exit-codes.js'
import { parseDuration } from './parse-args.js'
import { parseJsonPayload, readPayload } from './payload.js'
import { toJsonable } from './render.js'

interface CallOptions extends CommonOptions {
  timeout: number
  json?: boolean
  send?: boolean
}

export function registerCall(program: Command, ctx: CliContext): void {
  program
    .command('call')
    .description('call a service action: print its progress, then its final result')
    .argument('<service>', 'the service name (its request channel)')
    .argument('<action>', 'the action to call')
    .argument('[payload]', 'JSON, @file, or - for standard input', '{}')
    .option(
      '-t, --timeout <duration>',
      'how long to wait for the final reply (500ms, 5s, 1m)',
      parseDuration,
      5000,
    )
    .option('--json', 'print progress and result as ndjson: {"type":"progress"|"result","data":…}')
    .option('--send', 'fire and forget: send the request with no reply_to and exit')
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard call system_monitor get_status
  $ switchboard call user_service create_user '{"name": "Ada"}'
  $ switchboard call reports build @params.json --timeout 1m     # progress lines, then the result
  $ switchboard call metrics record_metric '{"cpu": 0.4}' --send

The request is a Daebus envelope on the service's channel, so Python Daebus services answer too.
The result goes to stdout as JSON; progress lines go to stderr (all to stdout with --json).
Exit codes: 0 success, 1 the service answered with an error, 2 no reply within --timeout,
3 no responder (nothing subscribed to the service channel), 4 cannot connect, or the
connection was lost while waiting (the call is not retried: it may have run).`,
    )
    .action(async (service: string, action: string, payloadArg: string, options: CallOptions) => {
      const payload = parseJsonPayload(await readPayload({ arg: payloadArg, cwd: ctx.cwd, stdin: ctx.stdin }))
      const url = resolveUrl(options, ctx)
      const errStyle = stderrStyle(options, ctx)
      const bus = await connectCli(options, ctx, { url })
      const abort = new AbortController()
      const removeInterrupt = ctx.onInterrupt(() => abort.abort())
      // A lost connection ends the wait at once (exit 4) instead of letting it run out --timeout:
      // the reply, if any, would have gone to a subscription that no longer exists.
      let lost: CliError | undefined
      const onDisconnected = (cause: Error | undefined): void => {
        lost = new CliError(
          `lost the connection to ${bus.url} while waiting for ${service}.${action}${cause ? ` (${cause.message})` : ''} — the action may have run; it was not sent again`,
          EXIT_CODES.CONNECTION,
        )
        abort.abort(lost)
      }
      bus.once('disconnected', onDisconnected)
      try {
        const caller = bus.caller(service, { timeoutMs: options.timeout })
        if (options.send) {
          await caller.send(action, payload)
          ctx.stderr.write(`${errStyle.dim(`sent ${service}.${action} (no reply expected)`)}\n`)
          return
        }
        const result = await caller.request(action, payload, {
          signal: abort.signal,
          onProgress: (value) => {
            if (options.json)
              ctx.stdout.write(`${JSON.stringify({ type: 'progress', data: toJsonable(value) })}\n`)
            else ctx.stderr.write(`${errStyle.dim('progress')} ${JSON.stringify(toJsonable(value))}\n`)
          },
        })
        if (options.json)
          ctx.stdout.write(`${JSON.stringify({ type: 'result', data: toJsonable(result) })}\n`)
        else ctx.stdout.write(`${JSON.stringify(toJsonable(result), null, 2)}\n`)
      } catch (error) {
        if (lost) throw lost
        if (error instanceof CancelledError && abort.signal.aborted) {
          throw new CliError(`cancelled ${service}.${action}`, EXIT_CODES.INTERRUPTED)
        }
        throw error
      } finally {
        bus.off('disconnected', onDisconnected)
        removeInterrupt()
        await bus.close()
      }
    })
}
