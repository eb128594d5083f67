import { Command, CommanderError, type OutputConfiguration } from 'commander'
import { registerBench } from './bench.js'
import { registerCall } from './call.js'
import { describeError } from './cli-error.js'
import { addCommonOptions, DEFAULT_CLI_URL } from './common.js'
import { registerCompletion } from './completion.js'
import { type CliContext, processContext } from './context.js'
import { registerDashboard } from './dashboard/dashboard-command.js'
import { DEMO_URL, registerDemo } from './demo.js'
import { EXIT_CODE_MEANINGS, EXIT_CODES, type ExitCode } from './exit-codes.js'
import { registerHub } from './hub-command.js'
import { registerMonitor } from './monitor.js'
import { ownPackageRoot } from './package-root.js'
import { registerPub } from './pub.js'
import { registerRoutes } from './routes.js'
import { createStyle, useColour } from './style.js'
import { registerSub } from './sub.js'
import { registerTopic } from './topic.js'

const EXIT_CODE_HELP = Object.entries(EXIT_CODE_MEANINGS)
  .map(([code, meaning]) => `  ${code.padStart(3)}  ${meaning}`)
  .join('\n')

/** The `switchboard` command, writing to `ctx` instead of the process. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('switchboard')
    .description(
      'Typed messaging over Redis: publish, subscribe, watch channels and call services from the shell.',
    )
    .version(ownPackageRoot()?.version ?? '0.0.0', '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput(output(ctx, 'switchboard --help'))
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Every command takes --url (or SWITCHBOARD_URL): redis://host:port, rediss://…,
redis+sentinel://h:26379/name or memory://name.
pub, sub, monitor, call, dashboard, topic and hub default to redis://127.0.0.1:6379; demo to the embedded broker.
Colour is off when stdout is not a terminal, or when NO_COLOR is set.

Examples:
  $ switchboard sub 'orders:*'
  $ switchboard pub orders:1042 '{"status": "ready"}'
  $ switchboard monitor
  $ switchboard call system_monitor get_status
  $ switchboard dashboard
  $ switchboard topic dead orders billing
  $ switchboard routes check routes.yaml
  $ switchboard hub routes.yaml
  $ switchboard demo

Exit codes:
${EXIT_CODE_HELP}`,
    )
  registerPub(program, ctx)
  registerSub(program, ctx)
  registerMonitor(program, ctx)
  registerCall(program, ctx)
  registerDashboard(program, ctx)
  registerTopic(program, ctx)
  registerHub(program, ctx)
  registerRoutes(program, ctx)
  registerBench(program, ctx)
  registerDemo(program, ctx)
  registerCompletion(program, ctx)
  for (const command of program.commands) {
    // Last, so that each command's help lists its own options first. A command with subcommands
    // (topic) gives them their own.
    if (command.name() !== 'completion' && command.commands.length === 0)
      addCommonOptions(command, command.name() === 'demo' ? DEMO_URL : DEFAULT_CLI_URL)
    // A usage error in a command points at that command's help, where its options are.
    command.configureOutput(output(ctx, `switchboard ${command.name()} --help`))
    for (const sub of command.commands)
      sub.configureOutput(output(ctx, `switchboard ${command.name()} ${sub.name()} --help`))
  }
  return program
}

/** Where commander writes, and its errors as one line that says where to look. */
function output(ctx: CliContext, help: string): OutputConfiguration {
  return {
    writeOut: (text) => ctx.stdout.write(text),
    writeErr: (text) => ctx.stderr.write(text),
    // One line: commander's message and its suggestion, then where to look.
    outputError: (text, write) => {
      const line = text
        .trim()
        .replace(/^error: /, '')
        .replace(/\s*\n\s*/g, ' ')
      write(`switchboard: ${line} — see ${help}\n`)
    },
  }
}

/** Runs the command line (`argv` as in process.argv) and resolves to the exit code. */
export async function run(argv: readonly string[], ctx: CliContext = processContext()): Promise<ExitCode> {
  const program = createProgram(ctx)
  const debug = argv.includes('--debug')
  try {
    if (argv.length <= 2) {
      program.outputHelp()
      return EXIT_CODES.OK
    }
    await program.parseAsync([...argv])
    return ctx.exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; the others are usage errors, already printed.
      return error.exitCode === 0 ? EXIT_CODES.OK : EXIT_CODES.USAGE
    }
    const failure = describeError(error)
    const style = createStyle(
      useColour({ env: ctx.env, isTTY: ctx.stderr.isTTY, flag: !argv.includes('--no-color') }),
    )
    ctx.stderr.write(`${style.red('switchboard:')} ${failure.message}\n`)
    if (debug && error instanceof Error) ctx.stderr.write(`${error.stack ?? error.message}\n`)
    else if (failure.exitCode === EXIT_CODES.INTERNAL)
      ctx.stderr.write('(rerun with --debug for the stack trace)\n')
    return failure.exitCode
  }
}
