import { Type, type Static } from 'typebox'

const Id = Type.Integer({ minimum: 1 })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const PlanStatus = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')], {
  description: 'draft (editable), published, archived; only drafts accept edits',
})
export type PlanStatus = Static<typeof PlanStatus>

/** Parameters a plan is measured against; every bound is optional. */
export const PlanParams = Type.Object(
  {
    weight: Type.Optional(Type.Union([Type.Literal('population'), Type.Literal('households')], { description: 'grid weight; default population' })),
    min: Type.Optional(Type.Number({ minimum: 0, description: 'grid band lower bound (in the weight)' })),
    max: Type.Optional(Type.Number({ minimum: 0, description: 'grid band upper bound' })),
    target: Type.Optional(Type.Number({ minimum: 0 })),
    cellMin: Type.Optional(Type.Integer({ minimum: 1, description: 'grids per police cell, default 5' })),
    cellMax: Type.Optional(Type.Integer({ minimum: 1, description: 'grids per police cell, default 6' })),
    seed: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true },
)
export type PlanParams = Static<typeof PlanParams>

export const Plan = Type.Object({
  id: Type.Integer(),
  districtId: Type.Integer(),
  name: Type.String(),
  status: PlanStatus,
  version: Type.Integer({ description: 'increases with every accepted edit; send it back as If-Match' }),
  params: PlanParams,
  copiedFrom: Nullable(Type.Integer()),
  createdBy: Nullable(Type.Integer()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  grids: Type.Integer({ description: 'number of grids' }),
  cells: Type.Integer({ description: 'number of police cells' }),
  assignedUnits: Type.Integer(),
})
export type Plan = Static<typeof Plan>

export const PlanList = Type.Object({ plans: Type.Array(Plan) })

export const GridInfo = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Nullable(Type.String()),
  communityId: Nullable(Type.Integer()),
  cellId: Nullable(Type.Integer()),
  locked: Type.Boolean(),
})
export const CellInfo = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Nullable(Type.String()),
  jurisdictionId: Nullable(Type.Integer()),
  locked: Type.Boolean(),
})
export const PlanDetail = Type.Intersect([Plan, Type.Object({ gridList: Type.Array(GridInfo), cellList: Type.Array(CellInfo) })])

export const Assignments = Type.Object({
  planId: Type.Integer(),
  version: Type.Integer(),
  units: Type.Array(Type.Integer(), { description: 'unit ids, parallel to grids' }),
  grids: Type.Array(Type.Integer(), { description: 'grid id of each unit' }),
})

export const PlanUnits = Type.Object({
  version: Type.Integer({ description: 'the plan version the grid column belongs to' }),
  units: Type.Object(
    {
      id: Type.Array(Type.Integer(), { description: 'database unit ids, ascending' }),
      extId: Type.Array(Type.String(), { description: 'external unit ids (as in CSVs, leading zeros kept)' }),
      population: Type.Array(Type.Number()),
      households: Type.Array(Type.Number()),
      community: Type.Array(Nullable(Type.Integer()), { description: 'community id' }),
      grid: Type.Array(Nullable(Type.Integer()), { description: 'grid id in the plan; null when unassigned' }),
    },
    { description: 'every unit of the plan\'s district, no geometry, as parallel arrays (one entry per unit, same order)' },
  ),
})
export const UnitsNotModified = Type.Null({ description: 'Not modified: the If-None-Match tag is the current version' })
export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ description: 'an ETag of this route; 304 when it is current' })),
})

export const PlanIdParams = Type.Object({ id: Id })
export type PlanIdParams = Static<typeof PlanIdParams>
export const CompareParams = Type.Object({ a: Id, b: Id })

export const ListPlansQuery = Type.Object({
  district: Type.Optional(Id),
  status: Type.Optional(PlanStatus),
})

export const CreatePlan = Type.Object(
  {
    districtId: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    params: Type.Optional(PlanParams),
  },
  { additionalProperties: false },
)
export type CreatePlan = Static<typeof CreatePlan>

export const ImportPlan = Type.Object(
  {
    districtId: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    params: Type.Optional(PlanParams),
    csv: Type.String({
      minLength: 1,
      maxLength: 20_000_000,
      description: 'header `unit_id,grid_id[,cell_id]`; unit_id is the unit’s external id, grid_id and cell_id are codes (leading zeros kept)',
    }),
  },
  { additionalProperties: false },
)
export type ImportPlan = Static<typeof ImportPlan>

export const ImportReport = Type.Object({
  rows: Type.Integer(),
  grids: Type.Integer(),
  cells: Type.Integer(),
  unassignedUnits: Type.Integer({ description: 'units of the district that no row mentions' }),
})
export const ImportedPlan = Type.Object({ plan: Plan, import: ImportReport })

export const CopyPlan = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false })

export const UpdatePlan = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    status: Type.Optional(PlanStatus),
    params: Type.Optional(PlanParams),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdatePlan = Static<typeof UpdatePlan>

// ---- edits ----

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'the plan version the edit was made on, e.g. `7` or `"7"`; required' })),
})

const AllowDisconnected = Type.Optional(
  Type.Boolean({ description: 'accept a result that leaves a grid in several pieces (reported as a violation); default false' }),
)

export const EditBody = Type.Union(
  [
    Type.Object(
      {
        op: Type.Literal('move'),
        units: Type.Array(Id, { minItems: 1, maxItems: 100_000 }),
        grid: Type.Union([Id, Type.Null()], { description: 'the target grid, or null to leave the units unassigned (the eraser; reported as unassigned until painted again)' }),
        allowDisconnected: AllowDisconnected,
      },
      { additionalProperties: false, description: 'move units to a grid (same community), or out of every grid' },
    ),
    Type.Object(
      {
        op: Type.Literal('split'),
        grid: Id,
        units: Type.Array(Id, { minItems: 1, maxItems: 100_000, description: 'units of the grid that form the new grid' }),
        code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        name: Type.Optional(Type.String({ maxLength: 200 })),
        allowDisconnected: AllowDisconnected,
      },
      { additionalProperties: false, description: 'split some units of a grid off into a new grid in the same community and cell' },
    ),
    Type.Object(
      { op: Type.Literal('merge'), into: Id, grids: Type.Array(Id, { minItems: 1, maxItems: 1000 }), allowDisconnected: AllowDisconnected },
      { additionalProperties: false, description: 'merge grids into `into` (same community); the merged grids are removed' },
    ),
    Type.Object(
      {
        op: Type.Literal('create-grid'),
        communityId: Id,
        code: Type.String({ minLength: 1, maxLength: 64 }),
        name: Type.Optional(Type.String({ maxLength: 200 })),
        units: Type.Optional(Type.Array(Id, { maxItems: 100_000, description: 'units (unassigned or of unlocked grids) to put in it' })),
        allowDisconnected: AllowDisconnected,
      },
      { additionalProperties: false, description: 'a new grid in a community' },
    ),
    Type.Object(
      {
        op: Type.Literal('create-cell'),
        jurisdictionId: Id,
        code: Type.String({ minLength: 1, maxLength: 64 }),
        name: Type.Optional(Type.String({ maxLength: 200 })),
      },
      { additionalProperties: false, description: 'a new, empty police cell in a jurisdiction' },
    ),
    Type.Object(
      { op: Type.Literal('assign'), grids: Type.Array(Id, { minItems: 1, maxItems: 1000 }), cell: Nullable(Id) },
      { additionalProperties: false, description: 'assign grids to a police cell of their jurisdiction (null: to none)' },
    ),
    Type.Object(
      {
        op: Type.Literal('lock'),
        target: Type.Union([Type.Literal('grid'), Type.Literal('cell')]),
        ids: Type.Array(Id, { minItems: 1, maxItems: 10_000 }),
        locked: Type.Boolean(),
      },
      { additionalProperties: false, description: 'lock or unlock grids or cells' },
    ),
    Type.Object(
      {
        op: Type.Literal('rename'),
        target: Type.Union([Type.Literal('grid'), Type.Literal('cell')]),
        id: Id,
        code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
      },
      { additionalProperties: false, description: 'change the code or name of a grid or cell' },
    ),
  ],
  { description: 'one edit; `op` selects the kind' },
)
export type EditBody = Static<typeof EditBody>

export const GridMetrics = Type.Object({
  gridId: Type.Integer(),
  code: Type.String(),
  communityId: Nullable(Type.Integer()),
  cellId: Nullable(Type.Integer()),
  locked: Type.Boolean(),
  units: Type.Integer(),
  population: Type.Number(),
  households: Type.Number(),
  weight: Type.Number({ description: 'the plan’s weight (population or households)' }),
  deviation: Nullable(Type.Number({ description: '% from the target' })),
  inBand: Nullable(Type.Boolean()),
  area: Type.Number({ description: 'm²' }),
  perimeter: Type.Number({ description: 'm' }),
  polsbyPopper: Type.Number(),
  pieces: Type.Integer({ description: '1 = contiguous, 0 = empty' }),
  crossesCommunity: Type.Boolean(),
  crossings: Type.Integer({ description: 'internal edges along a hard barrier or across a community border' }),
})
export type GridMetrics = Static<typeof GridMetrics>

export const CellMetrics = Type.Object({
  cellId: Type.Integer(),
  code: Type.String(),
  jurisdictionId: Nullable(Type.Integer()),
  locked: Type.Boolean(),
  grids: Type.Integer(),
  units: Type.Integer(),
  population: Type.Number(),
  households: Type.Number(),
  pieces: Type.Integer(),
  inBand: Type.Boolean({ description: 'grid count within cellMin..cellMax' }),
  crossesJurisdiction: Type.Boolean(),
})
export type CellMetrics = Static<typeof CellMetrics>

export const Violation = Type.Object({
  code: Type.String({
    description:
      'unassigned | not-contiguous | cross-community | crosses-barrier | out-of-band | empty-grid | no-cell | cell-size | cell-not-contiguous | cross-jurisdiction',
  }),
  gridId: Type.Optional(Type.Integer()),
  cellId: Type.Optional(Type.Integer()),
  unitIds: Type.Optional(Type.Array(Type.Integer())),
  message: Type.String(),
})
export type Violation = Static<typeof Violation>

export const EditResult = Type.Object({
  planId: Type.Integer(),
  version: Type.Integer(),
  editId: Type.Integer(),
  op: Type.String(),
  grids: Type.Array(GridMetrics, { description: 'new metrics of the touched grids' }),
  cells: Type.Array(CellMetrics, { description: 'new metrics of the touched cells' }),
  violations: Type.Array(Violation, { description: 'rule violations among the touched grids and cells (soft ones are accepted)' }),
  removedGrids: Type.Array(Type.Integer()),
  createdGrids: Type.Array(Type.Integer()),
  createdCells: Type.Array(Type.Integer()),
})
export type EditResult = Static<typeof EditResult>

export const EditLogEntry = Type.Object({
  id: Type.Integer(),
  version: Type.Integer(),
  op: Type.String(),
  undone: Type.Boolean(),
  userId: Nullable(Type.Integer()),
  createdAt: Type.String(),
  request: Type.Unknown({ description: 'what the client asked for' }),
})
export const EditLog = Type.Object({ edits: Type.Array(EditLogEntry), canUndo: Type.Boolean(), canRedo: Type.Boolean() })

export const PlanSummaryMetrics = Type.Object({
  grids: Type.Integer(),
  cells: Type.Integer(),
  units: Type.Integer(),
  unassigned: Type.Integer(),
  population: Type.Number(),
  households: Type.Number(),
  target: Type.Number(),
  minWeight: Type.Number(),
  maxWeight: Type.Number(),
  inBandShare: Nullable(Type.Number()),
  maxAbsDeviation: Type.Number(),
  nonContiguous: Type.Integer(),
  meanPolsbyPopper: Type.Number(),
  cutLength: Type.Number({ description: 'total length of grid boundaries inside the district, m' }),
  cellsInBand: Type.Integer(),
  valid: Type.Boolean({ description: 'no violation' }),
})
export type PlanSummaryMetrics = Static<typeof PlanSummaryMetrics>

export const PlanMetricsReply = Type.Object({
  planId: Type.Integer(),
  version: Type.Integer(),
  params: PlanParams,
  summary: PlanSummaryMetrics,
  grids: Type.Array(GridMetrics),
  cells: Type.Array(CellMetrics),
  violations: Type.Array(Violation),
})

export const CompareReply = Type.Object({
  a: Type.Object({ planId: Type.Integer(), version: Type.Integer(), summary: PlanSummaryMetrics }),
  b: Type.Object({ planId: Type.Integer(), version: Type.Integer(), summary: PlanSummaryMetrics }),
  unitsMoved: Type.Integer(),
  peopleMoved: Type.Number(),
  householdsMoved: Type.Number(),
  gridsAdded: Type.Array(Type.String({ description: 'grid codes in b only' })),
  gridsRemoved: Type.Array(Type.String({ description: 'grid codes in a only' })),
  summaryDelta: Type.Record(Type.String(), Type.Number(), { description: 'b − a for each numeric summary field' }),
  gridDeltas: Type.Array(
    Type.Object({ code: Type.String(), populationA: Type.Number(), populationB: Type.Number(), unitsA: Type.Integer(), unitsB: Type.Integer() }),
    { description: 'grids present in both plans (by code) whose units changed' },
  ),
  changes: Type.Object({
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(Type.Unknown(), { description: 'changed units: properties unitId, extId, population, from (grid code in a), to (grid code in b)' }),
  }),
})
