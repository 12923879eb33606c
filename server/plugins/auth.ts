import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto'
import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db, Queryable } from '../db/index.js'
import { getOrCreateSetting } from '../repo/settings.js'
import { countAdmins, getUserWithHash, insertUser, lockUsersBootstrap, type Role, type UserRow } from '../repo/users.js'
import { audit } from '../repo/edits.js'
import { HttpError } from './errors.js'

export type { Role } from '../repo/users.js'
export const ROLES: readonly Role[] = ['admin', 'planner', 'police', 'analyst']

/** A user row with its password hash, as authentication reads it. */
export type UserWithHash = Pick<UserRow, 'id' | 'username' | 'role' | 'jurisdictionId' | 'mustChangePassword'> & { passwordHash: string }

/** The signed-in user as routes see it on `req.user`. */
export interface AuthUser {
  id: number
  username: string
  role: Role
  jurisdictionId: number | null
}

type PreHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<void>

declare module '@fastify/jwt' {
  interface FastifyJWT {
    /** sub: user id; pw: stamp of the password hash, so changing the password ends older tokens. */
    payload: { sub: string; role: Role; pw: string }
    user: AuthUser
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: 401 unless a valid bearer token of an existing user; sets `req.user`. */
    authenticate: PreHandler
    /**
     * `authenticate` for a hot route that needs one more read: `load` reads the user (as getUserWithHash
     * does) and whatever else the route needs in one round trip; the user is admitted or refused as by
     * `authenticate`, and load's result returned. On the embedded database it goes through the read memo
     * under `key` + user id.
     */
    authenticateWith<T extends { user: UserWithHash | undefined }>(
      req: FastifyRequest,
      key: string,
      load: (q: Queryable, userId: number) => Promise<T>,
    ): Promise<T>
    /** preHandler factory: 401 when not signed in, 403 when the user's role is not one of `roles`. */
    requireRole: (...roles: Role[]) => PreHandler
  }
}

/** Routes a user with a one-time password may still call. */
const PASSWORD_ROUTES = new Set(['/api/auth/me', '/api/auth/password'])

/** Token lifetime in seconds. */
export const TOKEN_TTL_S = 12 * 3600

// ---- passwords: scrypt with a per-user salt, compared in constant time ----
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 }

function scrypt(pw: BinaryLike, salt: BinaryLike, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(pw, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))))
}

/** `scrypt$N$r$p$salt$hash` (base64): parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password.normalize('NFC'), salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p })
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number)
  const salt = Buffer.from(parts[4], 'base64')
  const want = Buffer.from(parts[5], 'base64')
  const got = await scrypt(password.normalize('NFC'), salt, want.length, { N, r, p, maxmem: 256 * N * r })
  return timingSafeEqual(got, want)
}

// A real hash to check against when the username does not exist, so timing does not reveal usernames.
let dummyHash: Promise<string> | undefined
export function dummyPasswordHash(): Promise<string> {
  return (dummyHash ??= hashPassword(randomBytes(12).toString('hex')))
}

/**
 * First start: when there is no admin, creates one with a random one-time password that must be changed
 * at first login, and returns `{ username, password }` for the caller to print once; null when an admin
 * exists. Safe when several replicas start at once.
 */
export async function ensureAdminAccount(db: Db): Promise<{ username: string; password: string } | null> {
  // The common case (an admin exists) costs one query, not a password hash.
  if ((await countAdmins(db)) > 0) return null
  const password = randomBytes(12).toString('base64url')
  const passwordHash = await hashPassword(password)
  return db.transaction(async (tx) => {
    await lockUsersBootstrap(tx)
    if ((await countAdmins(tx)) > 0) return null
    const taken = await tx.query('SELECT 1 FROM users WHERE username = $1', ['admin'])
    const username = taken.rows.length ? `admin-${randomBytes(3).toString('hex')}` : 'admin'
    const user = await insertUser(tx, { username, passwordHash, role: 'admin', mustChangePassword: true, displayName: 'Administrator' })
    await audit(tx, { userId: null, action: 'create', entity: 'user', entityId: user.id, after: { username, role: 'admin', bootstrap: true } })
    return { username, password }
  })
}

/** `ensureAdminAccount` returning only the one-time password (the username is `admin` unless taken). */
export async function ensureAdmin(db: Db): Promise<string | null> {
  return (await ensureAdminAccount(db))?.password ?? null
}

/** The secret tokens are signed with: JWT_SECRET, else one generated once and kept in the database. */
export async function jwtSecret(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.JWT_SECRET) {
    if (env.JWT_SECRET.length < 32) throw new Error('JWT_SECRET must be at least 32 characters; unset it to let the server generate one.')
    return env.JWT_SECRET
  }
  return getOrCreateSetting(db, 'jwt_secret', () => randomBytes(48).toString('base64url'))
}

/**
 * Bearer-token auth for every route: `app.authenticate` and `app.requireRole(...)`. Use them as
 * `onRequest` hooks so an unauthenticated request is refused before its body is read or validated
 * (as `preHandler` they also work, but then a bad body answers 400 before the 401).
 * The user is re-read on each request (on the embedded database from a memo that any other statement
 * clears), so a deleted user's or a changed role's token stops working at once.
 * Also registers @fastify/rate-limit with `global: false`; routes opt in with `config.rateLimit`.
 */
export default fp(
  async function auth(app: FastifyInstance) {
    await app.register(jwt, { secret: await jwtSecret(app.db), sign: { expiresIn: TOKEN_TTL_S } })
    await app.register(rateLimit, { global: false })

    /** The user id of a valid bearer token and its password stamp; 401 otherwise. No database. */
    const verifyToken = async (req: FastifyRequest): Promise<{ userId: number; pw: string | undefined }> => {
      const header = req.headers.authorization
      if (!header) throw new HttpError(401, 'Sign in first: send `Authorization: Bearer <token>` from POST /api/auth/login.')
      if (!/^Bearer\s+\S+$/i.test(header)) throw new HttpError(401, 'The Authorization header must be `Bearer <token>`.')
      let payload: { sub: string; pw?: string }
      try {
        payload = await req.jwtVerify<{ sub: string; pw?: string }>()
      } catch {
        throw new HttpError(401, 'The token is invalid or expired; sign in again.')
      }
      return { userId: Number(payload.sub), pw: payload.pw }
    }

    /** Admits the user a verified token names as `req.user`, or refuses it (deleted, new password, one-time password). */
    const admit = (req: FastifyRequest, pw: string | undefined, user: UserWithHash | undefined) => {
      if (!user) throw new HttpError(401, 'The token belongs to a user that no longer exists; sign in again.')
      if (pw !== passwordStamp(user.passwordHash)) throw new HttpError(401, 'The password was changed since this token was issued; sign in again.')
      // A one-time (bootstrap or admin-set) password opens only the way to replace it.
      if (user.mustChangePassword && !PASSWORD_ROUTES.has(req.routeOptions.url ?? '')) {
        throw new HttpError(403, 'Replace your one-time password first: POST /api/auth/password.', { reason: 'must-change-password' })
      }
      req.user = { id: user.id, username: user.username, role: user.role, jurisdictionId: user.jurisdictionId }
    }

    // The user is read on every request: from PostgreSQL each time (another replica may have changed
    // it), from the embedded database's read memo, which any statement this process sends clears.
    const read = <T>(key: string, load: (q: Queryable) => Promise<T>): Promise<T> => (app.db.memo ? app.db.memo(key, load) : load(app.db))

    const authenticate: PreHandler = async (req) => {
      if (req.user && typeof (req.user as AuthUser).id === 'number') return
      const { userId, pw } = await verifyToken(req)
      admit(req, pw, await read(`auth:user:${userId}`, (q) => getUserWithHash(q, userId)))
    }

    app.decorate('authenticateWith', async <T extends { user: UserWithHash | undefined }>(
      req: FastifyRequest,
      key: string,
      load: (q: Queryable, userId: number) => Promise<T>,
    ): Promise<T> => {
      const { userId, pw } = await verifyToken(req)
      const got = await read(`${key}:user:${userId}`, (q) => load(q, userId))
      admit(req, pw, got.user)
      return got
    })
    app.decorate('authenticate', authenticate)
    app.decorate('requireRole', (...roles: Role[]): PreHandler => {
      for (const r of roles) if (!ROLES.includes(r)) throw new Error(`requireRole: unknown role "${r}"`)
      return async (req, reply) => {
        await authenticate(req, reply)
        if (!roles.includes(req.user.role)) {
          throw new HttpError(403, `This needs the role ${roles.join(' or ')}; you are signed in as ${req.user.role}.`)
        }
      }
    })
  },
  { name: 'auth', dependencies: [] },
)

/** A short digest of the password hash: tokens carry it, so a new password ends every older token. */
export function passwordStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16)
}

/** Signs a token for a user (login, tests). */
export function signToken(app: FastifyInstance, user: { id: number; role: Role }, passwordHash: string): string {
  return app.jwt.sign({ sub: String(user.id), role: user.role, pw: passwordStamp(passwordHash) })
}
