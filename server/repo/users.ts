import type { Queryable } from '../db/index.js'

export type Role = 'admin' | 'planner' | 'police' | 'analyst'

export interface UserRow {
  id: number
  username: string
  displayName: string | null
  role: Role
  jurisdictionId: number | null
  mustChangePassword: boolean
  createdAt: string
}

const COLS = `id, username, display_name AS "displayName", role, jurisdiction_id AS "jurisdictionId",
  must_change_password AS "mustChangePassword", to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt"`

export async function listUsers(db: Queryable): Promise<UserRow[]> {
  return (await db.query<UserRow>(`SELECT ${COLS} FROM users ORDER BY id`)).rows
}

export async function getUser(db: Queryable, id: number): Promise<UserRow | undefined> {
  return (await db.query<UserRow>(`SELECT ${COLS} FROM users WHERE id = $1`, [id])).rows[0]
}

/** The user and its password hash, for login. */
export async function getUserForLogin(db: Queryable, username: string) {
  return (
    await db.query<UserRow & { passwordHash: string }>(`SELECT ${COLS}, password_hash AS "passwordHash" FROM users WHERE username = $1`, [username])
  ).rows[0]
}

/** The user and its password hash, by id (authentication compares the token's password stamp). */
/** The statement getUserWithHash runs, for the user id parameter `param` (e.g. '$1'), for reads that join it to more. */
export const userWithHashSql = (param: string) => `SELECT ${COLS}, password_hash AS "passwordHash" FROM users WHERE id = ${param}`

export async function getUserWithHash(db: Queryable, id: number) {
  return (await db.query<UserRow & { passwordHash: string }>(userWithHashSql('$1'), [id], { prepare: true })).rows[0]
}

export async function getPasswordHash(db: Queryable, id: number): Promise<string | undefined> {
  return (await db.query<{ h: string }>('SELECT password_hash AS h FROM users WHERE id = $1', [id])).rows[0]?.h
}

export interface NewUser {
  username: string
  displayName?: string | null
  passwordHash: string
  role: Role
  jurisdictionId?: number | null
  mustChangePassword?: boolean
}

export async function insertUser(db: Queryable, u: NewUser): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (username, display_name, password_hash, role, jurisdiction_id, must_change_password)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLS}`,
    [u.username, u.displayName ?? null, u.passwordHash, u.role, u.jurisdictionId ?? null, u.mustChangePassword ?? false],
  )
  return rows[0]
}

export interface UserPatch {
  displayName?: string | null
  passwordHash?: string
  role?: Role
  jurisdictionId?: number | null
  mustChangePassword?: boolean
}

/** Updates the given fields only; undefined fields keep their value. */
export async function updateUser(db: Queryable, id: number, p: UserPatch): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET
       display_name = CASE WHEN $2 THEN $3 ELSE display_name END,
       password_hash = COALESCE($4, password_hash),
       role = COALESCE($5, role),
       jurisdiction_id = CASE WHEN $6 THEN $7::bigint ELSE jurisdiction_id END,
       must_change_password = COALESCE($8, must_change_password),
       updated_at = now()
     WHERE id = $1 RETURNING ${COLS}`,
    [
      id,
      p.displayName !== undefined,
      p.displayName ?? null,
      p.passwordHash ?? null,
      p.role ?? null,
      p.jurisdictionId !== undefined,
      p.jurisdictionId ?? null,
      p.mustChangePassword ?? null,
    ],
  )
  return rows[0]
}

export async function deleteUser(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('DELETE FROM users WHERE id = $1 RETURNING id', [id])).rows.length > 0
}

export async function countAdmins(db: Queryable, lock = false): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    lock ? `SELECT count(*)::int AS n FROM (SELECT id FROM users WHERE role = 'admin' FOR UPDATE) a` : `SELECT count(*)::int AS n FROM users WHERE role = 'admin'`,
  )
  return rows[0].n
}

export async function jurisdictionExists(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('SELECT 1 FROM jurisdictions WHERE id = $1', [id])).rows.length > 0
}

/** Serialises admin bootstrapping across replicas starting at once (transaction-scoped). */
export async function lockUsersBootstrap(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [727_007])
}
