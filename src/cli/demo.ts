import type { Command } from 'commander'
import { SCENARIOS } from '../../examples/scenarios.js'
import { CliError } from './cli-error.js'
import { type CommonOptions, note, resolveUrl, stderrStyle } from './common.js'
import type { CliContext } from './context.js'
import { EXIT_CODES } from './exit-codes.js'

/** The demo runs on the embedded broker unless --url or SWITCHBOARD_URL says otherwise. */
export const DEMO_URL = 'memory://demo'

interface DemoOptions extends CommonOptions {
  list?: boolean
}

export function registerDemo(program: Command, ctx: CliContext): void {
  const names = SCENARIOS.map((s) => s.name)
  program
    .command('demo')
    .description(
      'run the food-delivery scenario (or another example) on the embedded broker, no Redis needed',
    )
    .argument('[scenario]', `which example: ${names.join(', ')}`, 'food-delivery')
    .option('--list', 'list the scenarios and what each one shows')
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard demo                                  # food delivery, in-process
  $ switchboard demo --url redis://127.0.0.1:6379     # the same over Redis
  $ switchboard demo signup-hub
  $ switchboard demo --list`,
    )
    .action(async (name: string, options: DemoOptions) => {
      if (options.list) {
        const width = Math.max(...names.map((n) => n.length))
        for (const s of SCENARIOS) ctx.stdout.write(`${s.name.padEnd(width)}  ${s.summary}\n`)
        return
      }
      const scenario = SCENARIOS.find((s) => s.name === name)
      if (!scenario) {
        throw new CliError(
          `unknown scenario "${name}" — choose one of: ${names.join(', ')} (see switchboard demo --list)`,
          EXIT_CODES.USAGE,
        )
      }
      const url = resolveUrl(options, ctx, DEMO_URL)
      if (url.startsWith('memory:'))
        note(
          ctx,
          stderrStyle(options, ctx),
          `on the embedded broker ${url}; pass --url redis://… to run it over Redis`,
        )
      await scenario.main({ url, print: (line) => ctx.stdout.write(`${line}\n`) })
    })
}
