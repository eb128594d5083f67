import { createConnection } from 'node:net'

/**
 * CPU time per message, which load on a shared machine disturbs much less than wall-clock rates:
 * this process's (process.cpuUsage) and the Redis server's (INFO cpu, all its threads).
 */

export class CpuMeter {
  readonly #start = process.cpuUsage()

  /** Microseconds of this process's CPU per message since the meter was made. */
  perMessage(messages: number): number {
    const used = process.cpuUsage(this.#start)
    return (used.user + used.system) / messages
  }
}

/** The Redis server's CPU seconds so far (user + system), read with a bare INFO cpu. */
export function redisCpuSeconds(url: string): Promise<number> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = createConnection(Number(port || 6379), hostname || '127.0.0.1')
    let text = ''
    socket.setTimeout(5000, () => socket.destroy(new Error('INFO cpu timed out')))
    socket.on('error', reject)
    socket.on('connect', () => socket.write('INFO cpu\r\n'))
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      const user = /used_cpu_user:([\d.]+)/.exec(text)
      const sys = /used_cpu_sys:([\d.]+)/.exec(text)
      if (user && sys && text.includes('used_cpu_user_children')) {
        socket.destroy()
        resolve(Number(user[1]) + Number(sys[1]))
      }
    })
  })
}

/** This process's CPU so far (µs) and the messages it had handled, at one moment (epoch ms). */
export type CpuSample = [atMs: number, cpuMicros: number, messages: number]

/** Now on the clock every process shares, so that one process's windows can cut another's samples. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now()
}

/**
 * Samples this process's CPU and a message count every `everyMs`, for a process that serves
 * (an RPC service) and cannot tell where its client's measured windows begin and end: the client
 * reports its windows, and cpuPerMessageIn() cuts the samples to them afterwards.
 */
export class CpuSampler {
  readonly samples: CpuSample[] = []
  readonly #timer: NodeJS.Timeout

  constructor(count: () => number, everyMs = 50) {
    const sample = () => {
      const used = process.cpuUsage()
      this.samples.push([epochMs(), used.user + used.system, count()])
    }
    sample()
    this.#timer = setInterval(sample, everyMs)
  }

  stop(): CpuSample[] {
    clearInterval(this.#timer)
    return this.samples
  }
}

/**
 * CPU µs per message between the first sample at or after `fromMs` and the last at or before
 * `toMs` (the window loses at most one sampling period at each end). NaN without two samples.
 */
export function cpuPerMessageIn(samples: readonly CpuSample[], fromMs: number, toMs: number): number {
  const inside = samples.filter(([at]) => at >= fromMs && at <= toMs)
  const first = inside[0]
  const last = inside[inside.length - 1]
  if (first === undefined || last === undefined || last[2] <= first[2]) return Number.NaN
  return (last[1] - first[1]) / (last[2] - first[2])
}
