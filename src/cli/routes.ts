import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InvalidArgumentError, type RoutesProblem, SwitchboardError } from '../errors.js'
import { explainPlan } from '../hub/explain.js'
import { callTarget } from '../hub/hub-job.js'
import type { RoutesReading } from '../hub/parse-routes.js'
import { planEvent } from '../hub/plan-event.js'
import type { Routes } from '../hub/routes-model.js'
import { readRoutesFile } from '../hub/routes-source.js'
import { ACTIONS_ACTION } from '../rpc/channels.js'
import { CliError } from './cli-error.js'
import { addCommonOptions, type CommonOptions, connectCli, note, stdoutStyle } from './common.js'
import type { CliContext } from './context.js'
import { EXIT_CODES } from './exit-codes.js'
import { parseJsonPayload, readPayload } from './payload.js'
import { countProblems, printProblems } from './routes-output.js'

interface ExplainOptions extends CommonOptions {
  event: string
  data?: string
}

/** Reads a routes file for a command; one that cannot be read is bad input (exit 5). */
export async function readRoutesForCli(file: string, ctx: CliContext): Promise<RoutesReading> {
  try {
    return await readRoutesFile(resolve(ctx.cwd, file))
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new CliError(error.message, EXIT_CODES.BAD_INPUT)
    throw error
  }
}

/** How long a running service has to list its actions. */
const ACTIONS_TIMEOUT_MS = 2000

/**
 * Warnings for the actions the routes call that no running service offers: a service that is
 * down or misspelt (no subscriber on its channel), or one running without the action (asked with
 * `__actions__`; a Daebus service cannot say, and is taken at its word).
 */
async function serviceWarnings(routes: Routes, url: string, options: CommonOptions, ctx: CliContext) {
  const steps = routes.routes.flatMap((route) =>
    route.steps.filter((step) => step.action.kind === 'call').map((step) => ({ route, step })),
  )
  const services = [...new Set(steps.map(({ step }) => callTarget(step.action.target).service))]
  if (services.length === 0) return []
  const bus = await connectCli(options, ctx, { url })
  try {
    const counts = await bus.numsub(services)
    const offered = new Map<string, readonly string[] | undefined>()
    await Promise.all(
      services.map(async (service, i) => {
        if ((counts[i] ?? 0) === 0) return offered.set(service, [])
        const names = await bus
          .caller(service, { timeoutMs: ACTIONS_TIMEOUT_MS })
          .request(ACTIONS_ACTION, null)
          .catch(() => undefined)
        offered.set(service, Array.isArray(names) ? names.map(String) : undefined)
      }),
    )
    return steps.flatMap(({ route, step }): RoutesProblem[] => {
      const { service, action } = callTarget(step.action.target)
      const names = offered.get(service)
      if (names === undefined || names.includes(action)) return []
      const where = {
        severity: 'warning' as const,
        ...step.at,
        path: `routes › ${route.event} › ${step.name}`,
      }
      if (names.length === 0) {
        return [
          {
            ...where,
            message: `no running service offers ${step.action.target}: nothing listens on "${service}" at ${url}`,
            hint: `start the ${service} service, or check the name (services running there: see switchboard dashboard)`,
          },
        ]
      }
      return [
        {
          ...where,
          message: `no running service offers ${step.action.target}: "${service}" at ${url} has no action "${action}"`,
          hint: `check the name; ${service} offers ${names.join(', ')}`,
        },
      ]
    })
  } finally {
    await bus.close()
  }
}

function stepCount(routes: Routes): number {
  return routes.routes.reduce((sum, route) => sum + route.steps.length, 0)
}

/** `switchboard routes check|explain`: a routes file checked, and an event explained, without running anything. */
export function registerRoutes(program: Command, ctx: CliContext): void {
  const routes = program
    .command('routes')
    .description('check a routes file, or explain what an event would set off, without running anything')
    .addHelpText(
      'after',
      `
Examples:
  $ switchboard routes check routes.yaml
  $ switchboard routes check routes.yaml --url redis://127.0.0.1:6379
  $ switchboard routes explain routes.yaml --event user.signed_up --data '{"user_id": 7, "plan": "pro"}'`,
    )

  const check = routes
    .command('check')
    .description(
      'print every error and warning of a routes file, with line, column and what to write instead; with --url (or SWITCHBOARD_URL), warn of called services that are not running',
    )
    .argument('<file>', 'the routes file (YAML or JSON)')
    .action(async (file: string, options: CommonOptions) => {
      const style = stdoutStyle(options, ctx)
      const reading = await readRoutesForCli(file, ctx)
      const problems = [...reading.problems]
      const url = options.url ?? (ctx.env.SWITCHBOARD_URL || undefined)
      if (reading.routes && url) {
        try {
          problems.push(...(await serviceWarnings(reading.routes, url, options, ctx)))
        } catch (error) {
          const reason = error instanceof SwitchboardError ? error.message : String(error)
          note(ctx, style, `could not check which services run at ${url}: ${reason}`)
        }
      } else if (reading.routes) {
        note(
          ctx,
          style,
          'give --url (or SWITCHBOARD_URL) to check that the services the routes call are running',
        )
      }
      printProblems(ctx.stdout, style, file, problems)
      const shape = reading.routes
        ? `${reading.routes.routes.length} routes, ${stepCount(reading.routes)} steps; `
        : ''
      ctx.stdout.write(`${file}: ${shape}${countProblems(problems)}\n`)
      if (!reading.routes) ctx.exitCode = EXIT_CODES.BAD_INPUT
    })

  const explain = routes
    .command('explain')
    .description('print what one event would set off under a routes file, step by step, without doing it')
    .argument('<file>', 'the routes file (YAML or JSON)')
    .requiredOption('--event <name>', 'the event (the channel it is published on)')
    .option('--data <json>', "the event's data: JSON, @file or - (stdin)", '{}')
    .action(async (file: string, options: ExplainOptions) => {
      const style = stdoutStyle(options, ctx)
      const reading = await readRoutesForCli(file, ctx)
      if (!reading.routes) {
        printProblems(ctx.stderr, style, file, reading.problems)
        throw new CliError(
          `${file} has errors (${countProblems(reading.problems)}): fix them, then explain — switchboard routes check ${file}`,
          EXIT_CODES.BAD_INPUT,
        )
      }
      const payload = await readPayload({ arg: options.data ?? '{}', cwd: ctx.cwd, stdin: ctx.stdin })
      const data = parseJsonPayload(payload)
      for (const line of explainPlan(planEvent(reading.routes, options.event, data)))
        ctx.stdout.write(`${line}\n`)
    })

  for (const command of [check, explain]) addCommonOptions(command)
}
