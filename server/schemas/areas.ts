import { Type, type Static } from 'typebox'

export const AreaLevel = Type.Union(
  [Type.Literal('district'), Type.Literal('jurisdiction'), Type.Literal('community')],
  { description: 'district (区), jurisdiction (街道/镇) or community (社区/村)' },
)
export type AreaLevel = Static<typeof AreaLevel>

export const AreasQuery = Type.Object({
  level: AreaLevel,
  district: Type.Optional(Type.String({ description: 'district code; default: every district' })),
})
export type AreasQuery = Static<typeof AreasQuery>
