/** What a for-await loop over `iterable` reads, and the error it ended with, if any. */
export async function readAll<T>(iterable: AsyncIterable<T>): Promise<{ values: T[]; error?: unknown }> {
  const values: T[] = []
  try {
    for await (const value of iterable) values.push(value)
    return { values }
  } catch (error) {
    return { values, error }
  }
}
