import { Type, type Static } from 'typebox'

export const JobKind = Type.Union([Type.Literal('partition'), Type.Literal('cells'), Type.Literal('rebalance')], {
  description: 'partition: automatic grids (locked grids kept); cells: police cells from the grids; rebalance: fix out-of-band grids moving few units',
})

export const JobStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
])

export const Job = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  planId: Type.Union([Type.Integer(), Type.Null()]),
  status: JobStatus,
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  message: Type.Union([Type.String(), Type.Null()]),
  params: Type.Record(Type.String(), Type.Unknown()),
  result: Type.Unknown({ description: 'on success: new plan version, part count, exceptions, feasibility' }),
  error: Type.Union([Type.String(), Type.Null()]),
  cancelRequested: Type.Boolean(),
  createdBy: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
})
export type Job = Static<typeof Job>

export const JobList = Type.Object({ jobs: Type.Array(Job) })

export const JobIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const CreateJob = Type.Object(
  {
    kind: JobKind,
    params: Type.Optional(
      Type.Object(
        {
          min: Type.Optional(Type.Number({ minimum: 0, description: 'grid band (partition, rebalance) or grids per cell (cells); default from the plan params' })),
          max: Type.Optional(Type.Number({ minimum: 0 })),
          target: Type.Optional(Type.Number({ minimum: 0 })),
          seed: Type.Optional(Type.Integer()),
          cells: Type.Optional(Type.Integer({ minimum: 0, description: 'requested number of police cells (cells)' })),
          timeBudgetMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type CreateJob = Static<typeof CreateJob>
