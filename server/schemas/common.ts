import { Type, type Static } from 'typebox'

/** Body of every 4xx/5xx answer: a short error name, a sentence saying what to do, optional details. */
export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  },
  { $id: 'ErrorBody' },
)
export type ErrorBody = Static<typeof ErrorBody>

export const ErrorRef = Type.Ref('ErrorBody')

/** A GeoJSON FeatureCollection (RFC 7946); geometry is checked by geo/validate, not by the schema. */
export const FeatureCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.Optional(Type.Union([Type.String(), Type.Number()])),
      geometry: Type.Unknown(),
      properties: Type.Unknown(),
    }),
  ),
})
