import { Type, type Static } from 'typebox'

export const Health = Type.Object({
  status: Type.Literal('ok'),
  backend: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
  postgis: Type.String({ description: 'postgis_version()' }),
  postgres: Type.String({ description: 'server_version' }),
})
export type Health = Static<typeof Health>
