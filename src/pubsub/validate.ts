import type { StandardSchemaV1 } from '@standard-schema/spec'
import { ValidationError } from '../errors.js'

/**
 * Runs a Standard Schema (zod, valibot, arktype...). Synchronous schemas answer without a
 * promise, which keeps the common path free of microtasks.
 */
export function validate<T>(
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
  where: string,
): T | ValidationError | Promise<T | ValidationError> {
  const result = schema['~standard'].validate(value)
  if (result instanceof Promise)
    return result.then((r) => (r.issues ? new ValidationError(where, r.issues) : r.value))
  return result.issues ? new ValidationError(where, result.issues) : result.value
}
