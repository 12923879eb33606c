import { Type, type Static } from 'typebox'

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('planner'), Type.Literal('police'), Type.Literal('analyst')], {
  description: 'admin (管理员), planner (规划人员: edits grids), police (民警: assigns grids to cells in its jurisdiction), analyst (分析人员: reads and exports)',
})
export type Role = Static<typeof Role>

export const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  jurisdictionId: Type.Union([Type.Integer(), Type.Null()], { description: 'required for police: the jurisdiction (街道/镇) it works in' }),
  mustChangePassword: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
})
export type User = Static<typeof User>

export const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$', description: 'letters, digits, _ . @ -' })
export const Password = Type.String({ minLength: 8, maxLength: 200, description: 'at least 8 characters' })

export const UserParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
export type UserParams = Static<typeof UserParams>

export const CreateUser = Type.Object(
  {
    username: Username,
    password: Password,
    role: Role,
    displayName: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    jurisdictionId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  },
  { additionalProperties: false },
)
export type CreateUser = Static<typeof CreateUser>

export const UpdateUser = Type.Object(
  {
    password: Type.Optional(Password),
    role: Type.Optional(Role),
    displayName: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    jurisdictionId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateUser = Static<typeof UpdateUser>

export const UserList = Type.Object({ users: Type.Array(User) })
