import { createRequire } from 'node:module'
import { MissingDependencyError } from '../errors.js'

let requireHere: NodeJS.Require | undefined

/**
 * Resolves packages from where switchboard is installed, as a peer dependency is. Synchronous, so
 * that `prometheusMetrics()` can be written inline in connect()'s options; and made on the first
 * call, so an application that never asks for metrics or traces loads nothing. The CommonJS build
 * knows its `__filename`; the ESM build has its URL (tsup's shims give each build the other).
 */
function here(): NodeJS.Require {
  requireHere ??= createRequire(typeof __filename === 'string' ? __filename : import.meta.url)
  return requireHere
}

function isNotFound(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  // Only the package itself missing: a package that is there but fails to load says so as it is.
  return (
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(`'${packageName}'`)
  )
}

/**
 * Loads an optional peer dependency, or throws MissingDependencyError naming the npm command
 * that turns `feature` on.
 */
export function loadOptional<T>(packageName: string, feature: string): T {
  try {
    return here()(packageName) as T
  } catch (error) {
    if (isNotFound(error, packageName))
      throw new MissingDependencyError(packageName, feature, { cause: error })
    throw error
  }
}
