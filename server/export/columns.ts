/**
 * The attribute columns of each exported layer, shared by every format so a GeoJSON, a Shapefile and a
 * FlatGeobuf of the same layer carry the same fields. Names stay within 10 ASCII characters, the
 * Shapefile (.dbf) limit, so no format has to rename anything.
 */
export type ExportLayer = 'units' | 'grids' | 'cells'
export const EXPORT_LAYERS: readonly ExportLayer[] = ['units', 'grids', 'cells']

export type ColumnKind = 'text' | 'int' | 'float' | 'bool'
export interface Column {
  name: string
  kind: ColumnKind
}

const c = (name: string, kind: ColumnKind): Column => ({ name, kind })

/**
 * units: one row per unit of the plan's district, with its grid and cell (null when unassigned).
 * grids/cells: one row per grid or cell with totals over its units. `parent` is the grid's cell code,
 * the cell's jurisdiction code, the unit's grid code. `weight` is the plan's balancing weight
 * (plans.params.weight: population, households or a numeric attrs field; default population).
 */
export const COLUMNS: Record<ExportLayer, readonly Column[]> = {
  units: [
    c('unit_id', 'text'), c('name', 'text'), c('parent', 'text'), c('grid_id', 'int'), c('grid_code', 'text'),
    c('cell_id', 'int'), c('cell_code', 'text'), c('community', 'text'), c('population', 'int'),
    c('households', 'int'), c('weight', 'float'), c('locked', 'bool'),
  ],
  grids: [
    c('grid_id', 'int'), c('code', 'text'), c('name', 'text'), c('parent', 'text'), c('cell_id', 'int'),
    c('community', 'text'), c('units', 'int'), c('population', 'int'), c('households', 'int'),
    c('weight', 'float'), c('locked', 'bool'),
  ],
  cells: [
    c('cell_id', 'int'), c('code', 'text'), c('name', 'text'), c('parent', 'text'), c('grids', 'int'),
    c('units', 'int'), c('population', 'int'), c('households', 'int'), c('weight', 'float'), c('locked', 'bool'),
  ],
}

/** One exported feature as the repository returns it: paging key, GeoJSON geometry text, attributes. */
export interface ExportRow {
  key: number
  /** RFC 7946 geometry text (MultiPolygon, exterior rings counter-clockwise), or null when empty. */
  geometry: string | null
  [column: string]: unknown
}
