/**
 * Game events with pattern subscriptions: events go to `game:<id>:<event>`, and services pick
 * what they need with Redis glob patterns. A message that matches two patterns of one
 * subscriber arrives once per pattern, as Redis delivers it; msg.pattern says which matched.
 */
import { connect } from '../src/index.js'
import { Arrivals, type ExampleOptions, runIfMain } from './support.js'

interface GameEvent {
  player: string
  points?: number
  text?: string
}

export interface GameEventsResult {
  /** Every score of every game: pattern game:*:score. */
  achievements: string[]
  /** Everything in game 42: pattern game:42:*. */
  spectator: string[]
  /** Chat of any game with a one-digit id: pattern game:?:chat. */
  moderation: string[]
}

export async function main(options: ExampleOptions = {}): Promise<GameEventsResult> {
  const say = options.print ?? console.log
  const arrivals = new Arrivals()
  const server = await connect(options.url)
  const services = await connect(options.url)
  try {
    const result: GameEventsResult = { achievements: [], spectator: [], moderation: [] }
    const listen = async (pattern: string, into: string[], who: string): Promise<void> => {
      await services.subscribe(pattern, (data: unknown, msg) => {
        const event = data as GameEvent
        const line = `${msg.channel} ${event.player}${event.points === undefined ? '' : ` +${event.points}`}${event.text ? ` "${event.text}"` : ''}`
        into.push(line)
        say(`  ${who.padEnd(12)} via ${String(msg.pattern).padEnd(12)} ${line}`)
        arrivals.hit()
      })
    }
    await listen('game:*:score', result.achievements, 'achievements')
    await listen('game:42:*', result.spectator, 'spectator')
    await listen('game:?:chat', result.moderation, 'moderation')

    const events: Array<[string, GameEvent]> = [
      ['game:42:join', { player: 'nova' }],
      ['game:42:score', { player: 'nova', points: 10 }], // matches game:*:score and game:42:*
      ['game:7:score', { player: 'rex', points: 5 }],
      ['game:7:chat', { player: 'rex', text: 'gg' }],
      ['game:42:chat', { player: 'nova', text: 'nice' }], // 42 is two characters: not game:?:chat
      ['lobby:news', { player: 'admin', text: 'no pattern matches this' }],
    ]
    let expected = 0
    for (const [channel, event] of events) {
      const receivers = await server.publish(channel, event)
      say(`${channel} → ${receivers} pattern match${receivers === 1 ? '' : 'es'}`)
      expected += receivers
    }
    await arrivals.until(expected, 'the game events')
    return result
  } finally {
    await Promise.all([server.close(), services.close()])
  }
}

runIfMain('game-events', main)
