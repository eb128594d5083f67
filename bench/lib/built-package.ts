import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** The newest modification time (ms) of a file under `dir`. */
function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

/**
 * Makes sure dist/ is what `npm run build` makes of the sources as they are now: a start-up
 * measured on a stale or missing build would measure something no user gets. Builds when dist/
 * is missing or older than src/ or the build's configuration; says which it was.
 */
export function ensureBuilt(root: string): string {
  const outputs = ['index.js', 'cli.js'].map((file) => join(root, 'dist', file))
  const sources = Math.max(
    newest(join(root, 'src')),
    ...['package.json', 'tsup.config.ts'].map((file) => statSync(join(root, file)).mtimeMs),
  )
  const fresh = outputs.every((file) => existsSync(file) && statSync(file).mtimeMs >= sources)
  if (fresh) return 'the build in dist/ is newer than src/'
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return 'built now with npm run build'
}
