import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorRef } from '../../schemas/common.js'
import { ChangePasswordBody, LoginBody, LoginReply } from '../../schemas/auth.js'
import { User } from '../../schemas/users.js'
import { getPasswordHash, getUser, getUserForLogin, updateUser } from '../../repo/users.js'
import { audit } from '../../repo/edits.js'
import { HttpError } from '../../plugins/errors.js'
import { dummyPasswordHash, hashPassword, signToken, TOKEN_TTL_S, verifyPassword } from '../../plugins/auth.js'

/** Attempts per client address per window on POST /api/auth/login; LOGIN_RATE_LIMIT overrides. */
const LOGIN_MAX = Number(process.env.LOGIN_RATE_LIMIT) > 0 ? Number(process.env.LOGIN_RATE_LIMIT) : 10

const auth: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/auth/login',
    {
      config: { rateLimit: { max: LOGIN_MAX, timeWindow: '1 minute' } },
      schema: {
        summary: 'Sign in: returns a bearer token (rate-limited per client address)',
        tags: ['auth'],
        body: LoginBody,
        response: { 200: LoginReply, 400: ErrorRef, 401: ErrorRef, 429: ErrorRef, 500: ErrorRef },
      },
    },
    async (req) => {
      const found = await getUserForLogin(app.db, req.body.username)
      // Check a hash even for an unknown name so the answer time does not reveal which names exist.
      const ok = await verifyPassword(req.body.password, found?.passwordHash ?? (await dummyPasswordHash()))
      if (!found || !ok) throw new HttpError(401, 'Wrong username or password.')
      const { passwordHash, ...user } = found
      return { token: signToken(app, user, passwordHash), tokenType: 'Bearer' as const, expiresIn: TOKEN_TTL_S, user }
    },
  )

  app.get(
    '/api/auth/me',
    {
      onRequest: app.authenticate,
      schema: {
        summary: 'The signed-in user',
        tags: ['auth'],
        response: { 200: User, 401: ErrorRef, 500: ErrorRef },
      },
    },
    async (req) => {
      const user = await getUser(app.db, req.user.id)
      if (!user) throw new HttpError(401, 'The user no longer exists; sign in again.')
      return user
    },
  )

  app.post(
    '/api/auth/password',
    {
      onRequest: app.authenticate,
      schema: {
        summary: 'Change your own password (required after a one-time password); returns a new token, older tokens stop working',
        tags: ['auth'],
        body: ChangePasswordBody,
        response: { 200: LoginReply, 400: ErrorRef, 401: ErrorRef, 422: ErrorRef, 500: ErrorRef },
      },
    },
    async (req) => {
      const hash = await getPasswordHash(app.db, req.user.id)
      if (!hash || !(await verifyPassword(req.body.currentPassword, hash))) {
        throw new HttpError(422, 'currentPassword is wrong; nothing was changed.', { field: 'body.currentPassword', reason: 'wrong password' })
      }
      if (req.body.newPassword === req.body.currentPassword) {
        throw new HttpError(422, 'newPassword must differ from currentPassword.', { field: 'body.newPassword', reason: 'unchanged' })
      }
      const passwordHash = await hashPassword(req.body.newPassword)
      return app.db.transaction(async (tx) => {
        const user = await updateUser(tx, req.user.id, { passwordHash, mustChangePassword: false })
        if (!user) throw new HttpError(401, 'The user no longer exists; sign in again.')
        await audit(tx, { userId: req.user.id, action: 'change_password', entity: 'user', entityId: user.id })
        return { token: signToken(app, user, passwordHash), tokenType: 'Bearer' as const, expiresIn: TOKEN_TTL_S, user }
      })
    },
  )
}
export default auth
