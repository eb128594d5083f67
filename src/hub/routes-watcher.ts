import { type FSWatcher, watch } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'

/** How long a burst of file events (an editor writes, renames, touches) settles before one reload. */
const SETTLE_MS = 100

/**
 * Calls `onChange` once a burst of changes to `file` settles. It watches the folder, not the file:
 * editors that save by writing a new file and renaming it over the old would end a file watch.
 */
export class RoutesWatcher {
  readonly #watcher: FSWatcher
  #timer: NodeJS.Timeout | undefined

  constructor(file: string, onChange: () => void) {
    const path = resolve(file)
    const name = basename(path)
    this.#watcher = watch(dirname(path), (_event, changed) => {
      if (changed !== null && changed.toString() !== name) return
      clearTimeout(this.#timer)
      this.#timer = setTimeout(onChange, SETTLE_MS)
    })
    this.#watcher.unref()
  }

  close(): void {
    clearTimeout(this.#timer)
    this.#watcher.close()
  }
}
