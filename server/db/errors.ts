/**
 * Database faults a client should hear about by name (the error handler hides other 5xx details):
 * a full disk, a read-only data folder, a database that is restarting or out of reach. Same answers on
 * PostgreSQL and on the embedded database (PGlite reports PostgreSQL's SQLSTATE codes and file errors).
 */
export interface DatabaseFault {
  statusCode: 503 | 507
  error: string
  message: string
}

const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'])

export function databaseFault(err: unknown): DatabaseFault | null {
  if (!err || typeof err !== 'object') return null
  const code = String((err as { code?: unknown }).code ?? '')
  const message = String((err as { message?: unknown }).message ?? '')
  if (code === '53100' || code === 'ENOSPC' || /no space left on device/i.test(message))
    return {
      statusCode: 507,
      error: 'Insufficient Storage',
      message: "The database's disk is full, so the change was not saved. Free disk space on the server, then send it again.",
    }
  if (code === 'EROFS' || /read-only file system/i.test(message))
    return {
      statusCode: 507,
      error: 'Insufficient Storage',
      message: "The database's data folder is read-only, so the change was not saved. Make it writable on the server, then send it again.",
    }
  if (UNAVAILABLE.has(code) || /Connection terminated|connection is closed|Client has encountered a connection error|terminating connection due to administrator command/i.test(message))
    return {
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The database is unavailable (restarting or out of reach); try again in a few seconds.',
    }
  return null
}
