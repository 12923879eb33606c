import type { Problem } from '../../geo/validate/index.js'
import { HttpError } from '../plugins/errors.js'

/**
 * A refused import. status: 400 bad request or file, 413 a limit, 415 a format we cannot read,
 * 422 the file was read but its features have problems (listed, each with feature index and id).
 * Nothing has been written when one of these is thrown: the transaction rolls back.
 */
export class ImportError extends HttpError {
  constructor(
    statusCode: 400 | 413 | 415 | 422,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly problems: Problem[] = [],
    readonly totalProblems = problems.length,
  ) {
    super(statusCode, message, {
      code,
      ...(field ? { field } : {}),
      ...(problems.length ? { problems, totalProblems } : {}),
    })
  }
}
