import { InvalidUrlError } from '../errors.js'

/**
 * Connection URLs, parsed into typed descriptors without I/O. The WHATWG `URL` parser cannot be
 * used: it rejects the comma-separated host lists of `redis+sentinel://` and `redis+cluster://`.
 */

/** The URL schemes switchboard understands, and what each one connects to. */
export const URL_SCHEMES = {
  memory: 'the in-process broker: memory://name',
  redis: 'one Redis server: redis://[user:pass@]host:port[/db]',
  rediss: 'one Redis server over TLS: rediss://[user:pass@]host:port[/db]',
  'redis+sentinel': 'Redis through Sentinel: redis+sentinel://[user:pass@]h1:26379,h2:26379/masterName[/db]',
  'redis+cluster': 'Redis Cluster: redis+cluster://[user:pass@]h1:7000,h2:7001',
} as const

export type UrlScheme = keyof typeof URL_SCHEMES

export interface HostPort {
  host: string
  port: number
}

/** Credentials taken from the URL's user-info part, percent-decoded. */
export interface UrlCredentials {
  username: string | undefined
  password: string | undefined
}

export interface MemoryUrl {
  scheme: 'memory'
  /** Buses naming the same broker in one process share it. */
  name: string
}

export interface RedisUrl extends UrlCredentials {
  scheme: 'redis' | 'rediss'
  tls: boolean
  host: string
  port: number
  db: number
}

export interface SentinelUrl extends UrlCredentials {
  scheme: 'redis+sentinel'
  /** The Sentinel processes to ask for the current master. */
  sentinels: HostPort[]
  /** The name the Sentinels monitor the master under. */
  masterName: string
  db: number
}

export interface ClusterUrl extends UrlCredentials {
  scheme: 'redis+cluster'
  /** Seed nodes; the rest of the cluster is discovered from them. */
  nodes: HostPort[]
}

export type TransportUrl = MemoryUrl | RedisUrl | SentinelUrl | ClusterUrl

const DEFAULT_PORT = { redis: 6379, sentinel: 26379 } as const
const MEMORY_DEFAULT_NAME = 'default'

/**
 * Parses a connection URL. Throws InvalidUrlError naming the (masked) URL and the problem.
 *
 * No message quotes the user-info part (everything up to the last "@", which maskUrl hides):
 * it is split off first, and only what follows it is ever quoted.
 */
export function parseUrl(url: string): TransportUrl {
  const masked = maskUrl(url)
  const fail = (reason: string): never => {
    throw new InvalidUrlError(masked, reason)
  }
  const sep = url.indexOf('://')
  if (sep <= 0) return fail(`expected <scheme>://...; valid schemes: ${validSchemes()}`)
  const scheme = url.slice(0, sep).toLowerCase()
  const rest = url.slice(sep + 3)
  if (!isScheme(scheme)) return fail(`unknown scheme "${scheme}"; valid schemes: ${validSchemes()}`)
  if (rest.includes('?') || rest.includes('#')) return fail('query strings and fragments are not supported')

  if (scheme === 'memory') {
    const name = rest === '' ? MEMORY_DEFAULT_NAME : decode(rest, 'the broker name', fail)
    if (name.includes('/') || name.includes('@'))
      return fail('a memory broker name cannot contain "/" or "@"')
    return { scheme, name }
  }

  const at = rest.lastIndexOf('@')
  const userInfo = at === -1 ? undefined : rest.slice(0, at)
  if (userInfo?.includes('/')) {
    // By the URL standard the host would end at that "/", and the rest of the password would be
    // read as host, port and path; refusing says what to do without quoting any of it.
    return fail(
      'the part before "@" holds a "/": percent-encode "/" in a password as %2F (and "@" in a master name as %40)',
    )
  }
  const credentials = parseCredentials(userInfo, fail)
  const afterUser = at === -1 ? rest : rest.slice(at + 1)
  const slash = afterUser.indexOf('/')
  const hostList = slash === -1 ? afterUser : afterUser.slice(0, slash)
  const path = slash === -1 ? '' : afterUser.slice(slash + 1)

  if (scheme === 'redis' || scheme === 'rediss') {
    if (hostList.includes(','))
      return fail(`${scheme}:// takes one host; use redis+sentinel:// for several (through Sentinel)`)
    const { host, port } = parseHost(hostList, DEFAULT_PORT.redis, fail)
    return { scheme, tls: scheme === 'rediss', host, port, db: parseDb(path, fail), ...credentials }
  }

  const hosts = parseHostList(
    hostList,
    scheme === 'redis+sentinel' ? DEFAULT_PORT.sentinel : DEFAULT_PORT.redis,
    fail,
  )
  if (scheme === 'redis+cluster') {
    if (path !== '') return fail('redis+cluster:// takes no path: a cluster has only database 0')
    return { scheme, nodes: hosts, ...credentials }
  }
  const [rawMaster = '', rawDb, ...extra] = path.split('/')
  if (rawMaster === '')
    return fail('redis+sentinel:// needs the master name as its path: redis+sentinel://h:26379/mymaster')
  if (extra.length > 0) return fail('redis+sentinel:// path must be /masterName or /masterName/db')
  return {
    scheme,
    sentinels: hosts,
    masterName: decode(rawMaster, `the master name "${rawMaster}"`, fail),
    db: parseDb(rawDb ?? '', fail),
    ...credentials,
  }
}

/**
 * Hides the password of a URL so it can appear in logs and errors: `redis://u:***@h:6379`.
 * Works on strings that do not parse, so an error about a bad URL never leaks its secret.
 */
export function maskUrl(url: string): string {
  const sep = url.indexOf('://')
  if (sep === -1) return url
  const start = sep + 3
  // The last "@" anywhere, not only before the first "/": an unencoded "/" in a password must
  // not stop the mask. Over-masking a URL that is malformed anyway is the safe side.
  const at = url.lastIndexOf('@')
  if (at < start) return url
  const userInfo = url.slice(start, at)
  const colon = userInfo.indexOf(':')
  if (colon === -1) return url
  return `${url.slice(0, start)}${userInfo.slice(0, colon)}:***${url.slice(at)}`
}

type Fail = (reason: string) => never

function isScheme(scheme: string): scheme is UrlScheme {
  return Object.hasOwn(URL_SCHEMES, scheme)
}

function validSchemes(): string {
  return Object.keys(URL_SCHEMES)
    .map((s) => `${s}://`)
    .join(', ')
}

/** Percent-decodes `text`; a failure names `what`, which must never be the text of a secret. */
function decode(text: string, what: string, fail: Fail): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return fail(`bad percent-encoding in ${what}: write "%" as %25, and each escape as % and two hex digits`)
  }
}

function parseCredentials(userInfo: string | undefined, fail: Fail): UrlCredentials {
  if (userInfo === undefined) return { username: undefined, password: undefined }
  const colon = userInfo.indexOf(':')
  const user = colon === -1 ? userInfo : userInfo.slice(0, colon)
  const pass = colon === -1 ? undefined : userInfo.slice(colon + 1)
  return {
    username: user === '' ? undefined : decode(user, 'the user name', fail),
    // `redis://user:@host` carries no password, as in node-redis.
    password: pass === undefined || pass === '' ? undefined : decode(pass, 'the password', fail),
  }
}

function parseHostList(list: string, defaultPort: number, fail: Fail): HostPort[] {
  if (list === '') return fail('expected at least one host')
  return list.split(',').map((entry) => {
    if (entry === '') return fail('empty host in the host list')
    return parseHost(entry, defaultPort, fail)
  })
}

function parseHost(text: string, defaultPort: number, fail: Fail): HostPort {
  let host: string
  let portText: string | undefined
  if (text.startsWith('[')) {
    // An IPv6 literal: [::1]:6379
    const close = text.indexOf(']')
    if (close === -1) return fail(`unclosed "[" in host "${text}"`)
    host = text.slice(1, close)
    const after = text.slice(close + 1)
    if (after !== '' && !after.startsWith(':')) return fail(`unexpected "${after}" after host "[${host}]"`)
    portText = after === '' ? undefined : after.slice(1)
  } else {
    const colon = text.lastIndexOf(':')
    host = colon === -1 ? text : text.slice(0, colon)
    portText = colon === -1 ? undefined : text.slice(colon + 1)
    if (host.includes(':')) return fail(`host "${text}" looks like an IPv6 address; write it as [addr]:port`)
  }
  if (host === '') host = 'localhost'
  if (portText === undefined || portText === '') return { host, port: defaultPort }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return fail(`port "${portText}" of host "${host}" is not a number from 1 to 65535`)
  }
  return { host, port: Number(portText) }
}

function parseDb(path: string, fail: Fail): number {
  if (path === '') return 0
  if (!/^\d{1,5}$/.test(path)) return fail(`database "${path}" is not a non-negative integer`)
  return Number(path)
}
