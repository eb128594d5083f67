import type { Command } from 'commander'
import type { Bus } from '../client/bus.js'
import { addCommonOptions, type CommonOptions, connectCli, note, resolveUrl, stderrStyle } from './common.js'
import type { CliContext } from './context.js'
import { parseCount } from './parse-args.js'
import { table, toJsonable, truncate } from './render.js'

interface JsonOption extends CommonOptions {
  json?: boolean
}

interface DeadOptions extends JsonOption {
  count: number
}

/** Connects, runs `work` with the bus, and always closes it. */
async function withBus<T>(
  options: CommonOptions,
  ctx: CliContext,
  work: (bus: Bus) => Promise<T>,
): Promise<T> {
  const bus = await connectCli(options, ctx, { url: resolveUrl(options, ctx) })
  try {
    return await work(bus)
  } finally {
    await bus.close()
  }
}

/** `switchboard topic dead|replay|info`: a durable topic's dead letters and numbers from the shell. */
export function registerTopic(program: Command, ctx: CliContext): void {
  const topic = program
    .command('topic')
    .description("inspect a durable topic: its groups, and a group's dead letters (list, replay)")
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard topic info orders
  $ switchboard topic dead orders billing
  $ switchboard topic replay orders billing all`,
    )

  const dead = topic
    .command('dead')
    .description("list a group's dead letters, oldest first: id, original id, attempts, error")
    .argument('<topic>', 'the topic name, as given to bus.topic()')
    .argument('<group>', 'the consumer group')
    .option('-n, --count <n>', 'how many at most', parseCount, 100)
    .option('--json', 'one JSON object a line: id, originalId, group, attempts, error, data, headers')
    .action(async (name: string, group: string, options: DeadOptions) => {
      await withBus(options, ctx, async (bus) => {
        const letters = await bus.topic(name).deadLetters(group).list({ count: options.count })
        if (options.json) {
          for (const letter of letters) ctx.stdout.write(`${JSON.stringify(toJsonable(letter))}\n`)
          return
        }
        if (letters.length === 0) {
          note(ctx, stderrStyle(options, ctx), `no dead letters for group ${group} on topic ${name}`)
          return
        }
        const rows = letters.map((l) => [l.id, l.originalId, String(l.attempts), truncate(l.error, 80)])
        ctx.stdout.write(table([['id', 'original id', 'attempts', 'error'], ...rows]))
      })
    })

  const replay = topic
    .command('replay')
    .description('send one dead letter (by its id) or all of them back to the group, as first attempts')
    .argument('<topic>', 'the topic name')
    .argument('<group>', 'the consumer group')
    .argument('<id>', "a dead letter's id (from topic dead), or all")
    .option('--json', 'print {"replayed": n}')
    .action(async (name: string, group: string, id: string, options: JsonOption) => {
      const replayed = await withBus(options, ctx, (bus) => bus.topic(name).deadLetters(group).replay(id))
      if (options.json) ctx.stdout.write(`${JSON.stringify({ replayed })}\n`)
      else
        ctx.stdout.write(`replayed ${replayed} dead letter${replayed === 1 ? '' : 's'} to group ${group}\n`)
      if (replayed === 0 && id !== 'all') {
        note(
          ctx,
          stderrStyle(options, ctx),
          `no dead letter ${id} in group ${group}: see switchboard topic dead`,
        )
      }
    })

  const info = topic
    .command('info')
    .description('entries, scheduled entries, and per group: pending, lag, consumers, dead letters')
    .argument('<topic>', 'the topic name')
    .option('--json', 'print the numbers as one JSON object')
    .action(async (name: string, options: JsonOption) => {
      const numbers = await withBus(options, ctx, (bus) => bus.topic(name).info())
      if (options.json) {
        ctx.stdout.write(`${JSON.stringify(numbers)}\n`)
        return
      }
      ctx.stdout.write(`topic ${name}: ${numbers.length} entries, ${numbers.scheduled} scheduled\n`)
      if (numbers.groups.length === 0) return
      const rows = numbers.groups.map((g) => [
        g.name,
        ...[g.pending, g.lag, g.consumers, g.deadLetters].map(String),
      ])
      ctx.stdout.write(table([['group', 'pending', 'lag', 'consumers', 'dead letters'], ...rows]))
    })

  for (const command of [dead, replay, info]) addCommonOptions(command)
}
