/** Configuration from the environment; every setting has a safe default for a newcomer's machine. */
export interface Config {
  host: string
  port: number
  databaseUrl?: string
  dataDir: string
  logLevel: string
  /** REQUEST_TIMEOUT_MS: a request still incomplete after this long is dropped (slow bodies). */
  requestTimeoutMs?: number
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${env.PORT}".`)
  }
  return {
    host: env.HOST || '127.0.0.1',
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR || '.data',
    logLevel: env.LOG_LEVEL || 'info',
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS ? Number(env.REQUEST_TIMEOUT_MS) : undefined,
  }
}
