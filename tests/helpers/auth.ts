import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../server/db/index.js'
import { hashPassword, signToken, type Role } from '../../server/plugins/auth.js'
import { insertUser } from '../../server/repo/users.js'

export interface TokenOptions {
  username?: string
  /** Police default to the first jurisdiction in the database. */
  jurisdictionId?: number | null
  password?: string
}

// One hash reused for every test user: scrypt is deliberately slow.
let sharedHash: Promise<string> | undefined

/** Creates a user of `role` and returns its id, name and a ready `{ authorization: 'Bearer …' }` header. */
export async function userFor(app: FastifyInstance, db: Db, role: Role, opts: TokenOptions = {}) {
  let jurisdictionId = opts.jurisdictionId ?? null
  if (role === 'police' && opts.jurisdictionId === undefined) {
    const { rows } = await db.query<{ id: number }>('SELECT id FROM jurisdictions ORDER BY id LIMIT 1')
    if (!rows.length) throw new Error('tokenFor(police) needs a jurisdiction: load one first or pass opts.jurisdictionId.')
    jurisdictionId = rows[0].id
  }
  const passwordHash = opts.password ? await hashPassword(opts.password) : await (sharedHash ??= hashPassword('test-password'))
  const username = opts.username ?? `${role}-${randomBytes(4).toString('hex')}`
  const user = await insertUser(db, { username, passwordHash, role, jurisdictionId })
  return { user, headers: { authorization: `Bearer ${signToken(app, user, passwordHash)}` } }
}

/** A bearer header for a new user of `role`: `app.inject({ headers: await tokenFor(app, db, 'planner') })`. */
export async function tokenFor(app: FastifyInstance, db: Db, role: Role, opts: TokenOptions = {}): Promise<{ authorization: string }> {
  return (await userFor(app, db, role, opts)).headers
}
