-- Where an edit changed what a map shows: the box around every unit it moved and every unit of the grids
-- and police cells it touched (after the edit). A tile of a plan cut at version v is still the tile at a
-- later version w when every version in (v, w] is an edit whose footprint misses the tile (with its
-- buffer). NULL, or a version with no edit row (jobs, imports), means anything may have changed.
ALTER TABLE plan_edits ADD COLUMN footprint geometry(Geometry, 4326);
