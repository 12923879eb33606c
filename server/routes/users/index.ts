import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorRef } from '../../schemas/common.js'
import { CreateUser, UpdateUser, User, UserList, UserParams, type Role } from '../../schemas/users.js'
import { countAdmins, deleteUser, getUser, insertUser, jurisdictionExists, listUsers, updateUser } from '../../repo/users.js'
import { audit } from '../../repo/edits.js'
import type { Queryable } from '../../db/index.js'
import { HttpError } from '../../plugins/errors.js'
import { hashPassword } from '../../plugins/auth.js'


/** Police need a jurisdiction; a given jurisdiction must exist. */
async function checkJurisdiction(db: Queryable, role: Role, jurisdictionId: number | null | undefined) {
  if (role === 'police' && jurisdictionId == null) {
    throw new HttpError(422, 'A police user needs jurisdictionId: the jurisdiction (街道/镇) it works in.', {
      field: 'body.jurisdictionId',
      reason: 'required for role police',
    })
  }
  if (jurisdictionId != null && !(await jurisdictionExists(db, jurisdictionId))) {
    throw new HttpError(422, `jurisdictionId ${jurisdictionId} does not exist.`, { field: 'body.jurisdictionId', reason: 'unknown jurisdiction' })
  }
}

const users: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin'))

  app.get(
    '/api/users',
    { schema: { summary: 'List users (admin)', tags: ['users'], response: { 200: UserList, 401: ErrorRef, 403: ErrorRef, 500: ErrorRef } } },
    async () => ({ users: await listUsers(app.db) }),
  )

  app.get(
    '/api/users/:id',
    {
      schema: {
        summary: 'One user (admin)',
        tags: ['users'],
       
        params: UserParams,
        response: { 200: User, 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 500: ErrorRef },
      },
    },
    async (req) => {
      const user = await getUser(app.db, req.params.id)
      if (!user) throw new HttpError(404, `User ${req.params.id} does not exist.`)
      return user
    },
  )

  app.post(
    '/api/users',
    {
      schema: {
        summary: 'Create a user (admin)',
        tags: ['users'],
       
        body: CreateUser,
        response: { 201: User, 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 409: ErrorRef, 422: ErrorRef, 500: ErrorRef },
      },
    },
    async (req, reply) => {
      const b = req.body
      const passwordHash = await hashPassword(b.password)
      const user = await app.db.transaction(async (tx) => {
        await checkJurisdiction(tx, b.role, b.jurisdictionId)
        const taken = await tx.query('SELECT 1 FROM users WHERE username = $1', [b.username])
        if (taken.rows.length) throw new HttpError(409, `The username "${b.username}" is taken.`, { field: 'body.username', reason: 'taken' })
        const u = await insertUser(tx, { username: b.username, passwordHash, role: b.role, displayName: b.displayName, jurisdictionId: b.jurisdictionId })
        await audit(tx, { userId: req.user.id, action: 'create', entity: 'user', entityId: u.id, after: u })
        return u
      })
      reply.status(201)
      return user
    },
  )

  app.patch(
    '/api/users/:id',
    {
      schema: {
        summary: 'Change a user’s role, jurisdiction, display name or password (admin)',
        tags: ['users'],
       
        params: UserParams,
        body: UpdateUser,
        response: { 200: User, 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 409: ErrorRef, 422: ErrorRef, 500: ErrorRef },
      },
    },
    async (req) => {
      const b = req.body
      const passwordHash = b.password === undefined ? undefined : await hashPassword(b.password)
      return app.db.transaction(async (tx) => {
        const before = await getUser(tx, req.params.id)
        if (!before) throw new HttpError(404, `User ${req.params.id} does not exist.`)
        const role = b.role ?? before.role
        const jurisdictionId = b.jurisdictionId !== undefined ? b.jurisdictionId : before.jurisdictionId
        await checkJurisdiction(tx, role, jurisdictionId)
        if (before.role === 'admin' && role !== 'admin' && (await countAdmins(tx, true)) <= 1) {
          throw new HttpError(409, 'This is the last admin; make another user admin first.', { field: 'body.role', reason: 'last admin' })
        }
        const after = await updateUser(tx, req.params.id, {
          role: b.role,
          jurisdictionId: b.jurisdictionId,
          displayName: b.displayName,
          passwordHash,
          // An admin-set password is a temporary one the user replaces.
          mustChangePassword: passwordHash && req.params.id !== req.user.id ? true : undefined,
        })
        await audit(tx, { userId: req.user.id, action: 'update', entity: 'user', entityId: req.params.id, before, after })
        return after!
      })
    },
  )

  app.delete(
    '/api/users/:id',
    {
      schema: {
        summary: 'Delete a user (admin); not yourself, not the last admin',
        tags: ['users'],
       
        params: UserParams,
        response: { 204: Type.Null({ description: 'deleted' }), 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 409: ErrorRef, 500: ErrorRef },
      },
    },
    async (req, reply) => {
      if (req.params.id === req.user.id) throw new HttpError(409, 'You cannot delete yourself; ask another admin.')
      await app.db.transaction(async (tx) => {
        const before = await getUser(tx, req.params.id)
        if (!before) throw new HttpError(404, `User ${req.params.id} does not exist.`)
        if (before.role === 'admin' && (await countAdmins(tx, true)) <= 1) throw new HttpError(409, 'This is the last admin.')
        await deleteUser(tx, req.params.id)
        await audit(tx, { userId: req.user.id, action: 'delete', entity: 'user', entityId: req.params.id, before })
      })
      return reply.status(204).send(null)
    },
  )
}
export default users
