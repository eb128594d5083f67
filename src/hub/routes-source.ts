import { readFile } from 'node:fs/promises'
import { InvalidArgumentError, RoutesError } from '../errors.js'
import { parseRoutes, type RoutesReading } from './parse-routes.js'
import type { Routes } from './routes-model.js'

/** Where a hub's routes come from: a routes file's path (YAML or JSON), or the same shape as an object. */
export type RoutesSource = string | Readonly<Record<string, unknown>>

/** Reads a routes file; a file that cannot be read is an InvalidArgumentError saying which and why. */
export async function readRoutesFile(path: string): Promise<RoutesReading> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    throw new InvalidArgumentError(`cannot read the routes file ${path}: ${reason}`)
  }
  return parseRoutes(text)
}

/** The routes of a source, checked: RoutesError (with every problem) when it has errors. */
export async function loadRoutes(source: RoutesSource): Promise<Routes> {
  if (typeof source !== 'string' && (typeof source !== 'object' || source === null)) {
    throw new InvalidArgumentError('hub() takes a routes file path or a routes object ({ routes: { … } })')
  }
  const reading = typeof source === 'string' ? await readRoutesFile(source) : parseRoutes(source)
  if (!reading.routes)
    throw new RoutesError(reading.problems, typeof source === 'string' ? source : undefined)
  return reading.routes
}
