import { type Command, Option } from 'commander'
import { encodePayload } from '../pubsub/encode-payload.js'
import { type CommonOptions, connectCli, note, resolveUrl, stderrStyle } from './common.js'
import type { CliContext } from './context.js'
import { parseCount } from './parse-args.js'
import { payloadValue, readPayload } from './payload.js'
import { formatSize } from './render.js'

interface PubOptions extends CommonOptions {
  codec: 'msgpack' | 'json' | 'raw'
  count: number
  json?: boolean
}

/** Publishes in batches of this many messages (one round trip each) with --count. */
const BATCH = 1000

export function registerPub(program: Command, ctx: CliContext): void {
  program
    .command('pub')
    .description('publish a message to a channel and print how many subscribers received it')
    .argument('<channel>', 'the channel to publish to')
    .argument('<data>', 'the payload: JSON, @file to read it from a file, or - to read standard input')
    .addOption(
      new Option('-c, --codec <codec>', 'how to encode it (raw sends the text or bytes as they are)')
        .choices(['msgpack', 'json', 'raw'])
        .default('msgpack'),
    )
    .option('-n, --count <n>', 'publish it n times (in batches, one round trip each)', parseCount, 1)
    .option('--json', 'print the result as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard pub order_updates '{"order_id": 1042, "status": "ready"}'
  $ switchboard pub --codec json events @event.json        # Daebus and redis-py peers read JSON
  $ switchboard pub --codec raw chat 'hello, plain text'   # what redis-cli PUBLISH sends
  $ echo '[1, 2, 3]' | switchboard pub numbers -
  $ switchboard pub --count 10000 load '{"n": 1}'           # a quick load test

It prints the number of receivers, as PUBLISH counts them: one per subscribed connection
and matching pattern. 0 means nobody was listening; the message is gone.`,
    )
    .action(async (channel: string, data: string, options: PubOptions) => {
      const payload = await readPayload({ arg: data, cwd: ctx.cwd, stdin: ctx.stdin })
      const value = payloadValue(payload, options.codec)
      const url = resolveUrl(options, ctx)
      const bus = await connectCli(options, ctx, { url, codec: options.codec })
      try {
        // Encoded here only to print its size: publish() encodes and checks it again.
        const size = encodePayload(bus.codec, value).byteLength
        let deliveries = 0
        let receivers = 0
        if (options.count === 1) {
          receivers = await bus.publish(channel, value)
          deliveries = receivers
        } else {
          for (let sent = 0; sent < options.count; sent += BATCH) {
            const batch = bus.batch()
            for (let k = 0; k < Math.min(BATCH, options.count - sent); k += 1) batch.publish(channel, value)
            const counts = await batch.exec()
            for (const n of counts) deliveries += n
            receivers = counts.at(-1) ?? 0
          }
        }
        if (options.json) {
          ctx.stdout.write(
            `${JSON.stringify({ channel, codec: options.codec, size, count: options.count, receivers, deliveries })}\n`,
          )
        } else if (options.count === 1) {
          ctx.stdout.write(
            `published to ${channel} (${options.codec}, ${formatSize(size)}): ${plural(receivers, 'receiver')}\n`,
          )
        } else {
          ctx.stdout.write(
            `published ${options.count} messages to ${channel} (${options.codec}, ${formatSize(size)} each): ${plural(deliveries, 'delivery', 'deliveries')}\n`,
          )
        }
        if (deliveries === 0) {
          note(
            ctx,
            stderrStyle(options, ctx),
            `nobody is subscribed to ${channel} on ${bus.url}: the message is gone`,
          )
        }
      } finally {
        await bus.close()
      }
    })
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
