/**
 * A chat room: everyone in the room subscribes to its channel and reads it as an async
 * iterator. Leaving the loop unsubscribes, so whoever left stops receiving. Messages are JSON,
 * so `redis-cli SUBSCRIBE chat:lobby` shows them readably too.
 */
import { type Bus, connect } from '../src/index.js'
import { Arrivals, type ExampleOptions, runIfMain } from './support.js'

interface ChatMessage {
  from: string
  text: string
}

const ROOM = 'chat:lobby'

export interface ChatRoomResult {
  /** What each member saw from the others, "from: text". */
  transcripts: Record<string, string[]>
  /** How many members received bob's last message (alice had left). */
  lastReceivers: number
}

export async function main(options: ExampleOptions = {}): Promise<ChatRoomResult> {
  const say = options.print ?? console.log
  const arrivals = new Arrivals()
  const members: Record<string, Bus> = {}
  const transcripts: Record<string, string[]> = {}
  const reading: Promise<void>[] = []
  try {
    for (const name of ['alice', 'bob', 'carol']) {
      const bus = await connect({ url: options.url, codec: 'json' })
      members[name] = bus
      transcripts[name] = []
      const room = await bus.subscribe(ROOM)
      reading.push(
        (async () => {
          for await (const { data } of room) {
            const msg = data as ChatMessage
            if (msg.from !== name) transcripts[name]?.push(`${msg.from}: ${msg.text}`)
            arrivals.hit()
            if (msg.from === name && msg.text === '/leave') break // leaving the loop unsubscribes
          }
        })(),
      )
    }
    const send = async (from: string, text: string): Promise<number> => {
      const before = arrivals.count // delivery may beat publish()'s reply: count from here
      const receivers = await (members[from] as Bus).publish(ROOM, { from, text } satisfies ChatMessage)
      say(`${from.padEnd(6)}> ${text}   (${receivers} in the room)`)
      await arrivals.until(before + receivers, `"${text}"`)
      return receivers
    }
    await send('alice', 'hi all!')
    await send('bob', 'hello alice')
    await send('carol', 'hey, what is for lunch?')
    await send('alice', '/leave')
    await reading[0] // alice's loop has ended: she is unsubscribed
    const lastReceivers = await send('bob', 'bye alice')
    for (const [name, lines] of Object.entries(transcripts)) say(`${name} saw: ${lines.join(' | ')}`)
    return { transcripts, lastReceivers }
  } finally {
    await Promise.all(Object.values(members).map((bus) => bus.close()))
    await Promise.all(reading)
  }
}

runIfMain('chat-room', main)
