/** The one small database interface every part of the server uses; two adapters implement it. */

export interface QueryResult<T> {
  rows: T[]
}

export interface QueryOptions {
  /**
   * A hot statement whose text is a constant: PostgreSQL keeps it prepared on each pooled connection (named
   * by a hash of the text), so it is parsed and planned once per connection instead of once per call.
   * The embedded database ignores it.
   */
  prepare?: boolean
}

export interface Queryable {
  /** One parameterised statement ($1, $2, …). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<QueryResult<T>>
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

export type BackendKind = 'postgres' | 'pglite'

export interface Db extends Queryable {
  kind: BackendKind
  /** Runs fn in one transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
  /**
   * Embedded database only (undefined on PostgreSQL, where other processes write too): `load`'s result,
   * remembered under `key` until this process sends any other statement. `load` must only read, and
   * only through the `q` it is given. See pglite.ts.
   */
  memo?<T>(key: string, load: (q: Queryable) => Promise<T>): Promise<T>
}
