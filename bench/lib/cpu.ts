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
