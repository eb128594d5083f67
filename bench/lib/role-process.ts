import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/**
 * The parent's side of a benchmark role: a separate node process running bench/child.ts (bundled
 * beside the suite as child.mjs). The child prints `@ready` once set up and `@result <json>` when
 * done; it exits when its stdin closes. BENCH_NODE_ARGS adds node flags (such as
 * `--cpu-prof --cpu-prof-dir=prof`) to the roles whose name matches BENCH_PROFILE_ROLE (all by default).
 */

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url))

export interface RoleOptions {
  /** Kill the role after this long, in milliseconds. @defaultValue 180000 */
  timeoutMs?: number
  /** Flags for node, such as --expose-gc. */
  nodeFlags?: string[]
  /** Environment variables set for this role on top of the suite's (BENCH_OBSERVE, say). */
  env?: Record<string, string>
}

export class RoleProcess<R> {
  readonly role: string
  readonly ready: Promise<void>
  readonly result: Promise<R>
  readonly #child: ChildProcess
  #stderr = ''

  constructor(role: string, params: object, options: RoleOptions = {}) {
    this.role = role
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
    const only = process.env.BENCH_PROFILE_ROLE
    const flags = [...(options.nodeFlags ?? []), ...(only && !new RegExp(only).test(role) ? [] : nodeArgs)]
    this.#child = spawn(process.execPath, [...flags, CHILD, role, JSON.stringify(params)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SWITCHBOARD_LOG_LEVEL: process.env.SWITCHBOARD_LOG_LEVEL ?? 'error',
        ...options.env,
      },
    })
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString()
      if (this.#stderr.length > 20_000) this.#stderr = this.#stderr.slice(-10_000)
    })
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), options.timeoutMs ?? 180_000)
    let markReady!: () => void
    let failReady!: (e: Error) => void
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve
      failReady = reject
    })
    this.result = new Promise<R>((resolve, reject) => {
      let result: R | undefined
      let got = false
      createInterface({ input: this.#child.stdout! }).on('line', (line) => {
        if (line === '@ready') markReady()
        else if (line.startsWith('@result ')) {
          result = JSON.parse(line.slice(8)) as R
          got = true
        } else if (line.trim()) process.stderr.write(`[${role}] ${line}\n`)
      })
      this.#child.once('close', (code, signal) => {
        clearTimeout(timer)
        const error = new Error(
          `benchmark role ${role} exited (${code ?? signal}) without a result:\n${this.#stderr.trim()}`,
        )
        failReady(error)
        if (got) resolve(result as R)
        else reject(error)
      })
    })
    // Whoever awaits only one of them must not leave the other unhandled.
    this.ready.catch(() => undefined)
    this.result.catch(() => undefined)
  }

  /** Closes the child's stdin: roles that serve (subscribers, services) then finish and exit. */
  stop(): void {
    this.#child.stdin?.end()
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL')
  }
}

/** Runs a role that finishes by itself, and returns its result. */
export async function runRole<R>(role: string, params: object, options?: RoleOptions): Promise<R> {
  const proc = new RoleProcess<R>(role, params, options)
  try {
    return await proc.result
  } finally {
    proc.kill()
  }
}
