import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface PackageRoot {
  dir: string
  version: string
  scripts: Record<string, string>
}

/** The nearest directory at or above `start` whose package.json is switchboard's own. */
export function findPackageRoot(start: string): PackageRoot | undefined {
  let dir = start
  for (;;) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
          name?: unknown
          version?: unknown
          scripts?: unknown
        }
        if (pkg.name === 'switchboard') {
          const scripts =
            typeof pkg.scripts === 'object' && pkg.scripts !== null
              ? (pkg.scripts as Record<string, string>)
              : {}
          return { dir, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0', scripts }
        }
      } catch {
        // not a readable package.json: keep looking
      }
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The package the running CLI file belongs to (dist/cli.js → the installed switchboard). */
export function ownPackageRoot(): PackageRoot | undefined {
  const script = process.argv[1]
  if (!script) return undefined
  try {
    return findPackageRoot(dirname(realpathSync(script)))
  } catch {
    return undefined
  }
}
