import { CpuMeter, redisCpuSeconds } from './cpu.js'

/** A measured rate with the CPU it took. */
export interface RateResult {
  msgsPerSec: number
  messages: number
  elapsedMs: number
  /** CPU of the measuring process and of Redis, in µs per message. */
  clientCpu: number
  redisCpu: number
}

/** Starts measuring this process's and Redis's CPU; the function it returns gives µs per message. */
export async function cpuMeters(url: string): Promise<(messages: number) => Promise<[number, number]>> {
  const redisBefore = await redisCpuSeconds(url)
  const client = new CpuMeter()
  return async (messages) => {
    const clientCpu = client.perMessage(messages)
    return [clientCpu, (((await redisCpuSeconds(url)) - redisBefore) * 1e6) / messages]
  }
}

/** Sends waves of `size` messages, each awaited, for durationMs after a warm-up of warmupMs. */
export async function timeWaves(
  url: string,
  wave: (n: number) => Promise<unknown>,
  size: number,
  warmupMs: number,
  durationMs: number,
): Promise<RateResult> {
  const warmEnd = performance.now() + warmupMs
  while (performance.now() < warmEnd) await wave(size)
  const cpu = await cpuMeters(url)
  const start = performance.now()
  const end = start + durationMs
  let messages = 0
  let now = start
  while (now < end) {
    await wave(size)
    messages += size
    now = performance.now()
  }
  const elapsedMs = now - start
  const [clientCpu, redisCpu] = await cpu(messages)
  return { msgsPerSec: (messages / elapsedMs) * 1000, messages, elapsedMs, clientCpu, redisCpu }
}
