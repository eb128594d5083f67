// Checks the published type declarations (run after `npm run build`): nothing marked @internal,
// and none of the layers' internal interfaces, reach dist/index.d.ts or dist/index.d.cts.
// Usage: node scripts/check-dts.mjs [dist directory]; exits 1 and lists what leaked.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const dist = process.argv[2] ?? 'dist'

/**
 * The types only the layers share (each would drag internal methods into the public types), and
 * the methods the public Bus once carried as @internal for rpc/ and service/.
 */
const { internalTypes: INTERNAL_TYPES, formerBusMethods: FORMER_BUS_INTERNALS } = JSON.parse(
  readFileSync(new URL('./internal-names.json', import.meta.url), 'utf8'),
)

/** The body of `declare class <name>`, up to its closing brace at the start of a line. */
function classBody(text, name) {
  const start = text.search(new RegExp(`declare class ${name}\\b`))
  if (start < 0) return ''
  const end = text.indexOf('\n}', start)
  return text.slice(start, end < 0 ? undefined : end)
}

const problems = []
for (const file of ['index.d.ts', 'index.d.cts']) {
  const text = readFileSync(join(dist, file), 'utf8')
  if (text.includes('@internal')) problems.push(`${file}: a declaration marked @internal`)
  for (const type of INTERNAL_TYPES) {
    if (new RegExp(`(interface|class|type) ${type}\\b`).test(text)) problems.push(`${file}: declares ${type}`)
  }
  for (const cls of ['PubSubBus', 'Bus']) {
    const body = classBody(text, cls)
    if (body === '') problems.push(`${file}: no declaration of class ${cls}`)
    for (const method of FORMER_BUS_INTERNALS) {
      if (new RegExp(`^\\s+${method}[<(]`, 'm').test(body)) problems.push(`${file}: ${cls}.${method}()`)
    }
  }
}

if (problems.length > 0) {
  console.error(`internal names in the published types:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(`${dist}/index.d.ts and index.d.cts: no internal names`)
