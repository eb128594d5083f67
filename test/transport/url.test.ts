import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidUrlError } from '../../src/errors.js'
import { maskUrl, parseUrl } from '../../src/transport/url.js'

function parseError(url: string): InvalidUrlError {
  let caught: unknown
  try {
    parseUrl(url)
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(InvalidUrlError)
  return caught as InvalidUrlError
}

describe('parseUrl', () => {
  it('memory://name, with "default" when the name is left out', () => {
    expect(parseUrl('memory://orders')).toEqual({ scheme: 'memory', name: 'orders' })
    expect(parseUrl('memory://')).toEqual({ scheme: 'memory', name: 'default' })
  })

  it('redis:// with host, port and database', () => {
    expect(parseUrl('redis://10.0.0.5:6380/2')).toEqual({
      scheme: 'redis',
      tls: false,
      host: '10.0.0.5',
      port: 6380,
      db: 2,
      username: undefined,
      password: undefined,
    })
  })

  it('redis:// defaults: port 6379, database 0, localhost', () => {
    expect(parseUrl('redis://cache')).toMatchObject({ host: 'cache', port: 6379, db: 0 })
    expect(parseUrl('redis://cache/')).toMatchObject({ host: 'cache', port: 6379, db: 0 })
    expect(parseUrl('redis://')).toMatchObject({ host: 'localhost', port: 6379 })
  })

  it('user and password, percent-decoded', () => {
    expect(parseUrl('redis://alice:s%40cr%2Ft@h:1')).toMatchObject({ username: 'alice', password: 's@cr/t' })
    expect(parseUrl('redis://:only-pass@h:1')).toMatchObject({ username: undefined, password: 'only-pass' })
    expect(parseUrl('redis://bob@h:1')).toMatchObject({ username: 'bob', password: undefined })
    // An "@" inside the password is taken up to the last "@".
    expect(parseUrl('redis://u:p@ss@h:1')).toMatchObject({ username: 'u', password: 'p@ss', host: 'h' })
  })

  it('rediss:// is TLS', () => {
    expect(parseUrl('rediss://h:6380')).toMatchObject({ scheme: 'rediss', tls: true, host: 'h', port: 6380 })
  })

  it('IPv6 literals in brackets', () => {
    expect(parseUrl('redis://[::1]:6390')).toMatchObject({ host: '::1', port: 6390 })
    expect(parseUrl('redis://[::1]')).toMatchObject({ host: '::1', port: 6379 })
  })

  it('the scheme is case-insensitive', () => {
    expect(parseUrl('REDIS://h:1')).toMatchObject({ scheme: 'redis' })
  })

  it('redis+sentinel:// with several sentinels, the master name and an optional database', () => {
    expect(parseUrl('redis+sentinel://s1:26379,s2,[::1]:26380/mymaster')).toEqual({
      scheme: 'redis+sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      masterName: 'mymaster',
      db: 0,
      username: undefined,
      password: undefined,
    })
    expect(parseUrl('redis+sentinel://:pw@s1/mymaster/3')).toMatchObject({
      masterName: 'mymaster',
      db: 3,
      password: 'pw',
    })
  })

  it('redis+cluster:// with seed nodes', () => {
    expect(parseUrl('redis+cluster://h:7000,h:7001')).toEqual({
      scheme: 'redis+cluster',
      nodes: [
        { host: 'h', port: 7000 },
        { host: 'h', port: 7001 },
      ],
      username: undefined,
      password: undefined,
    })
  })

  const bad: Array<[url: string, reason: RegExp]> = [
    [
      'http://h:1',
      /unknown scheme "http".*memory:\/\/, redis:\/\/, rediss:\/\/, redis\+sentinel:\/\/, redis\+cluster:\/\/$/,
    ],
    ['localhost:6379', /expected <scheme>:\/\/.*valid schemes/],
    ['redis://h:notaport', /port "notaport"/],
    ['redis://h:0', /port "0"/],
    ['redis://h:70000', /port "70000"/],
    ['redis://h:1/x', /database "x"/],
    ['redis://h:1,h:2', /takes one host/],
    ['redis://h:1?db=2', /query strings/],
    ['redis://::1:6379', /IPv6/],
    ['redis://[::1:6379', /unclosed/],
    ['redis+sentinel://s1:26379', /master name/],
    ['redis+sentinel://s1:26379/m/1/2', /masterName\/db/],
    ['redis+sentinel:///m', /at least one host/],
    ['redis+cluster://h:1,,h:2', /empty host/],
    ['redis+cluster://h:1/0', /no path/],
    ['memory://a/b', /cannot contain/],
    ['redis://u:%E0%A4%A@h', /percent-encoding/],
  ]

  it.each(bad)('rejects %s, naming the URL and the problem', (url, reason) => {
    const error = parseError(url)
    expect(error.code).toBe('INVALID_URL')
    expect(error.message).toMatch(reason)
    expect(error.url).toBe(maskUrl(url))
    expect(error.message).toContain(maskUrl(url))
  })

  it('never puts the password in the error', () => {
    expect(() => parseUrl('redis://u:hunter2@h:bad')).toThrow(/redis:\/\/u:\*\*\*@h:bad/)
    expect(() => parseUrl('redis://u:hunter2@h:bad')).not.toThrow(/hunter2/)
  })
})

describe('maskUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(maskUrl('redis://alice:secret@h:6379/1')).toBe('redis://alice:***@h:6379/1')
    expect(maskUrl('rediss://:secret@h')).toBe('rediss://:***@h')
    expect(maskUrl('redis+sentinel://u:secret@s1,s2/m')).toBe('redis+sentinel://u:***@s1,s2/m')
  })

  it('leaves URLs without a password alone', () => {
    expect(maskUrl('redis://h:6379')).toBe('redis://h:6379')
    expect(maskUrl('redis://bob@h:6379')).toBe('redis://bob@h:6379')
    expect(maskUrl('memory://x')).toBe('memory://x')
    expect(maskUrl('not a url')).toBe('not a url')
  })

  it('masks passwords that hold "@" or an unencoded "/"', () => {
    expect(maskUrl('redis://u:p@ss@h:1')).toBe('redis://u:***@h:1')
    expect(maskUrl('redis://u:pa/ss@h:1')).toBe('redis://u:***@h:1')
  })
})

describe('a password never appears in an error', () => {
  const SECRET = 'S3cr3t-pa55'
  const leaky: Array<[url: string, reason: RegExp]> = [
    // An unencoded "/" made the rest of the password the port.
    [`redis://:${SECRET}/x@h:1`, /percent-encode "\/" in a password as %2F/],
    [`redis://u:${SECRET}/x@h:1/2`, /percent-encode/],
    [`redis+sentinel://:${SECRET}/x@s1,s2/mymaster`, /percent-encode/],
    [`redis+cluster://u:${SECRET}/@h:7000`, /percent-encode/],
    // Bad percent-encoding used to quote the text it could not decode.
    [`redis://u:${SECRET}%E0%A4%A@h:1`, /bad percent-encoding in the password/],
    [`redis://u%ZZ:${SECRET}@h:1`, /bad percent-encoding in the user name/],
    [`memory://u:${SECRET}%ZZ@h`, /bad percent-encoding in the broker name/],
    [`memory://u:${SECRET}@h`, /cannot contain/],
    // Whatever is wrong after the "@" is quoted; the password before it is not.
    [`redis://:${SECRET}@h:notaport`, /port "notaport"/],
    [`redis://u:${SECRET}@h:1/x`, /database "x"/],
    [`redis://:${SECRET}?@h:1`, /query strings/],
    [`redis://:${SECRET}#@h:1`, /query strings/],
    [`redis://:p@${SECRET}@h:1,h:2`, /takes one host/],
    [`redis+cluster://:${SECRET}@h:1,,h:2`, /empty host/],
    [`redis+sentinel://:${SECRET}@s1`, /master name/],
    [`redis+sentinel://:${SECRET}@s1/m%ZZ`, /bad percent-encoding in the master name "m%ZZ"/],
  ]

  it.each(leaky)('%s', (url, reason) => {
    const error = parseError(url)
    expect(error.message).toMatch(reason)
    expect(`${error.message} ${error.url} ${error.stack}`).not.toContain(SECRET)
    expect(`${error.message}`).not.toContain('S3cr')
  })

  it('whatever the password holds, a failed parse never shows it', () => {
    const templates = [
      (p: string) => `redis://:${p}@h:1`,
      (p: string) => `redis://user:${p}@h:bad`,
      (p: string) => `rediss://user:${p}@[::1:6379`,
      (p: string) => `redis+sentinel://:${p}@s1:26379,s2/m/x`,
      (p: string) => `redis+cluster://u:${p}@h:7000,h:0`,
      (p: string) => `memory://u:${p}@x`,
    ]
    fc.assert(
      fc.property(
        fc.string({ minLength: 6, maxLength: 24, unit: 'grapheme-ascii' }),
        fc.integer({ min: 0, max: templates.length - 1 }),
        (password, which) => {
          // Marked at both ends, so that any piece of it that shows, from either end, is seen.
          const url = templates[which]?.(`HEADQ${password}ZTAIL`) ?? ''
          try {
            parseUrl(url)
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidUrlError)
            const { message, url: shown } = error as InvalidUrlError
            for (const marker of ['HEADQ', 'ZTAIL']) expect(`${message} ${shown}`).not.toContain(marker)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('a password with "@", ":" or percent-encoded "/" still parses', () => {
    expect(parseUrl('redis://u:a@b:c%2Fd@h:1')).toMatchObject({ username: 'u', password: 'a@b:c/d', port: 1 })
  })
})

describe('redis+cluster://', () => {
  it('parses, and is offered in the list of schemes an error gives', () => {
    expect(parseUrl('redis+cluster://127.0.0.1:7000,127.0.0.1:7001').scheme).toBe('redis+cluster')
    expect(() => parseUrl('rediz://127.0.0.1:1')).toThrow(/redis\+cluster:\/\//)
  })
})
