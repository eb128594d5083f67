/**
 * Request/response on plain pub/sub, the way redis-py users build it: the requester publishes
 * `{id, replyTo, ...}` and waits on its own reply channel, with a timeout. publish() returning 0
 * means nobody listens, so the requester fails at once instead of waiting out the timeout.
 *
 * switchboard's services do all of this for you (bus.service() and bus.caller(), Daebus-
 * compatible); this example shows the mechanics underneath.
 */
import { randomUUID } from 'node:crypto'
import { type Bus, connect } from '../src/index.js'
import { type ExampleOptions, runIfMain } from './support.js'

interface WeatherRequest {
  id: string
  replyTo: string
  city: string
}
interface WeatherReply {
  id: string
  forecast: string
}

const FORECASTS: Record<string, string> = { paris: 'sunny, 24°C', oslo: 'snow, -3°C' }

/** A requester with one reply channel for all its requests, matched by id. */
class WeatherClient {
  readonly #pending = new Map<string, (reply: WeatherReply) => void>()
  readonly replyTo = `weather:replies:${randomUUID()}`
  constructor(readonly bus: Bus) {}

  async start(): Promise<void> {
    await this.bus.subscribe(this.replyTo, (data: unknown) => {
      const reply = data as WeatherReply
      this.#pending.get(reply.id)?.(reply)
    })
  }

  async ask(city: string, timeoutMs: number): Promise<string> {
    const id = randomUUID()
    const answered = new Promise<WeatherReply>((resolve) => this.#pending.set(id, resolve))
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer about ${city} within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      const receivers = await this.bus.publish('weather:requests', {
        id,
        replyTo: this.replyTo,
        city,
      } satisfies WeatherRequest)
      if (receivers === 0) throw new Error('no weather service is listening')
      return (await Promise.race([answered, timedOut])).forecast
    } finally {
      clearTimeout(timer)
      this.#pending.delete(id)
    }
  }
}

export interface RequestResponseResult {
  /** [city, forecast or "failed: why"], in the order asked. */
  answers: Array<[city: string, answer: string]>
}

export async function main(options: ExampleOptions = {}): Promise<RequestResponseResult> {
  const say = options.print ?? console.log
  const serviceBus = await connect(options.url)
  const clientBus = await connect(options.url)
  try {
    // The service answers the cities it knows, and ignores the others (as a crashed handler would).
    const service = await serviceBus.subscribe('weather:requests', async (data: unknown) => {
      const request = data as WeatherRequest
      const forecast = FORECASTS[request.city.toLowerCase()]
      if (forecast)
        await serviceBus.publish(request.replyTo, { id: request.id, forecast } satisfies WeatherReply)
    })
    const client = new WeatherClient(clientBus)
    await client.start()

    const answers: RequestResponseResult['answers'] = []
    const ask = async (city: string): Promise<void> => {
      let answer: string
      try {
        answer = await client.ask(city, 300)
      } catch (error) {
        answer = `failed: ${(error as Error).message}`
      }
      answers.push([city, answer])
      say(`${city.padEnd(9)} ${answer}`)
    }
    await ask('Paris')
    await ask('Oslo')
    await ask('Atlantis') // the service never answers: the timeout ends the wait
    await service.unsubscribe()
    await ask('Paris') // nobody listens any more: fails at once
    return { answers }
  } finally {
    await Promise.all([serviceBus.close(), clientBus.close()])
  }
}

runIfMain('request-response', main)
