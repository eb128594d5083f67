import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy for fault tests: it forwards 127.0.0.1:<port> to a target, and can make the network
 * misbehave the way a dead NAT entry or a partition does, which killing or pausing the server
 * cannot: the server stays healthy while the path to it goes silent.
 *
 * - freeze(): existing connections stop forwarding in both directions, with no FIN or RST. Each
 *   end sees silence; what it writes piles up unread.
 * - blackhole(true): new connections are accepted (the TCP connect succeeds) and then nothing is
 *   ever forwarded or answered. They stay so after blackhole(false), as lost packets would.
 * - cut(): every connection is destroyed; close(): that, and the proxy stops listening.
 */

/** What the proxy knows of one client connection. */
export interface ProxiedConnection {
  readonly id: number
  /**
   * The first bytes the client sent, up to 4 KiB, as latin1: enough to tell connections apart by
   * their handshake (a Redis client's CLIENT SETNAME).
   */
  readonly greeting: string
  /** True when it was accepted into the black hole, and so never forwarded. */
  readonly blackholed: boolean
  readonly state: 'open' | 'frozen' | 'blackholed' | 'closed'
}

const GREETING_BYTES = 4096

class Link implements ProxiedConnection {
  readonly id: number
  readonly client: Socket
  readonly upstream: Socket | undefined
  readonly blackholed: boolean
  greeting = ''
  state: ProxiedConnection['state']

  constructor(id: number, client: Socket, upstream: Socket | undefined) {
    this.id = id
    this.client = client
    this.upstream = upstream
    this.blackholed = upstream === undefined
    this.state = upstream ? 'open' : 'blackholed'
    client.on('data', (chunk: Buffer) => {
      if (this.greeting.length < GREETING_BYTES) {
        this.greeting += chunk.subarray(0, GREETING_BYTES - this.greeting.length).toString('latin1')
      }
    })
    if (upstream) {
      this.#forward(client, upstream)
      this.#forward(upstream, client)
    }
  }

  /** Copies `from` to `to`, pausing `from` while `to` is full, and never while frozen. */
  #forward(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (to.write(chunk)) return
      from.pause()
      to.once('drain', () => {
        if (this.state === 'open') from.resume()
      })
    })
  }

  freeze(): void {
    if (this.state !== 'open') return
    this.state = 'frozen'
    // A paused socket emits no more 'data' (nor 'end'): nothing crosses, and no FIN is passed on.
    this.client.pause()
    this.upstream?.pause()
  }

  thaw(): void {
    if (this.state !== 'frozen') return
    this.state = 'open'
    this.client.resume()
    this.upstream?.resume()
  }

  destroy(): void {
    this.state = 'closed'
    this.client.destroy()
    this.upstream?.destroy()
  }
}

export class TcpProxy {
  readonly port: number
  readonly #server: Server
  /** The connections open now. */
  readonly #links = new Map<number, Link>()
  /** Every connection accepted, closed ones included. */
  readonly #all: Link[] = []
  #blackhole = false

  private constructor(server: Server, port: number) {
    this.#server = server
    this.port = port
  }

  /** Starts a proxy on a free port of 127.0.0.1 that forwards to `target`. */
  static async start(target: { port: number; host?: string }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined
    const server = createServer((client) => {
      if (proxy) proxy.#accept(client, target.host ?? '127.0.0.1', target.port)
      else client.destroy()
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', resolve)
    })
    const address = server.address()
    if (!address || typeof address === 'string') throw new Error('the proxy has no TCP address')
    proxy = new TcpProxy(server, address.port)
    return proxy
  }

  /** `redis://127.0.0.1:<port>`, for a Redis target. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /** Client connections accepted so far, black-holed ones included. */
  get accepted(): number {
    return this.#all.length
  }

  /** Connections accepted into the black hole so far. */
  get blackholed(): number {
    return this.#all.filter((link) => link.blackholed).length
  }

  /** The connections open now. */
  get connections(): ProxiedConnection[] {
    return [...this.#links.values()]
  }

  /** Every connection accepted so far, in order, closed ones included. */
  get history(): ProxiedConnection[] {
    return [...this.#all]
  }

  /**
   * Stops forwarding on the connections open now (those `match` accepts, else all), both ways,
   * without closing them. Connections made later are forwarded as usual.
   */
  freeze(match: (connection: ProxiedConnection) => boolean = () => true): ProxiedConnection[] {
    const frozen = [...this.#links.values()].filter((link) => link.state === 'open' && match(link))
    for (const link of frozen) link.freeze()
    return frozen
  }

  /** Forwards again on every frozen connection, including what piled up meanwhile. */
  thaw(): void {
    for (const link of this.#links.values()) link.thaw()
  }

  /** While on, new connections are accepted and then never forwarded nor answered. */
  blackhole(on: boolean): void {
    this.#blackhole = on
  }

  /** Destroys every connection, frozen and black-holed ones included. */
  cut(): void {
    for (const link of this.#links.values()) link.destroy()
    this.#links.clear()
  }

  /** Cuts every connection and stops listening. */
  async close(): Promise<void> {
    this.#blackhole = false
    this.cut()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(client: Socket, host: string, port: number): void {
    const id = this.#all.length + 1
    let upstream: Socket | undefined
    if (!this.#blackhole) {
      upstream = connect({ host, port })
      upstream.setNoDelay(true)
    }
    client.setNoDelay(true)
    const link = new Link(id, client, upstream)
    this.#links.set(id, link)
    this.#all.push(link)
    // Either end closing closes the other, as a real path would pass the FIN or RST on; a frozen
    // link hears of neither while paused.
    for (const socket of [client, upstream]) {
      socket?.on('error', () => socket.destroy())
      socket?.on('close', () => {
        link.destroy()
        this.#links.delete(id)
      })
    }
  }
}
