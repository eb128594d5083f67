/** The child's side of the role protocol (see role-process.ts). */

export function signalReady(): void {
  process.stdout.write('@ready\n')
}

export function sendResult(result: object): Promise<void> {
  return new Promise((resolve) =>
    process.stdout.write(`@result ${JSON.stringify(result)}\n`, () => resolve()),
  )
}

/** Resolves when the parent closes stdin (or is gone). */
export function stdinClosed(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.on('end', resolve)
    process.stdin.on('close', resolve)
    process.stdin.resume()
  })
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
