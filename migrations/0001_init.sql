-- gridweave: the domain of DESIGN.md §1. Geometry is EPSG:4326 (lng, lat) with GiST indexes.
-- Plans own grids and cells; assignment tables carry plan_id in composite foreign keys so a unit can
-- only be assigned to a grid of the same plan, and a grid only to a cell of the same plan.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
  display_name text,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'planner', 'police', 'analyst')),
  jurisdiction_id bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE districts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),
  name text NOT NULL,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX districts_geom_gist ON districts USING gist (geom);

-- A street or town; matched 1:1 with one police station's area.
CREATE TABLE jurisdictions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  district_id bigint NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text NOT NULL,
  kind text NOT NULL DEFAULT 'street' CHECK (kind IN ('street', 'town', 'township', 'other')),
  geom geometry(MultiPolygon, 4326) NOT NULL,
  UNIQUE (district_id, code)
);
CREATE INDEX jurisdictions_district_idx ON jurisdictions (district_id);
CREATE INDEX jurisdictions_geom_gist ON jurisdictions USING gist (geom);

ALTER TABLE users ADD CONSTRAINT users_jurisdiction_fk
  FOREIGN KEY (jurisdiction_id) REFERENCES jurisdictions (id) ON DELETE SET NULL;
-- A police user works inside one jurisdiction.
ALTER TABLE users ADD CONSTRAINT users_police_has_jurisdiction
  CHECK (role <> 'police' OR jurisdiction_id IS NOT NULL);

CREATE TABLE communities (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  jurisdiction_id bigint NOT NULL REFERENCES jurisdictions (id) ON DELETE CASCADE,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text NOT NULL,
  kind text NOT NULL DEFAULT 'community' CHECK (kind IN ('community', 'village', 'other')),
  geom geometry(MultiPolygon, 4326) NOT NULL,
  UNIQUE (jurisdiction_id, code)
);
CREATE INDEX communities_jurisdiction_idx ON communities (jurisdiction_id);
CREATE INDEX communities_geom_gist ON communities USING gist (geom);

-- Atomic polygons: residential compound, block or building footprint.
CREATE TABLE units (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  district_id bigint NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
  community_id bigint REFERENCES communities (id) ON DELETE SET NULL,
  ext_id text NOT NULL CHECK (length(ext_id) BETWEEN 1 AND 128),
  name text,
  population integer NOT NULL DEFAULT 0 CHECK (population >= 0),
  households integer NOT NULL DEFAULT 0 CHECK (households >= 0),
  -- other weights (shops, ground objects, workload) by name
  attrs jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attrs) = 'object'),
  geom geometry(MultiPolygon, 4326) NOT NULL,
  UNIQUE (district_id, ext_id)
);
CREATE INDEX units_community_idx ON units (community_id);
CREATE INDEX units_geom_gist ON units USING gist (geom);

CREATE TABLE barriers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  district_id bigint NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('main_road', 'road', 'railway', 'river', 'boundary', 'other')),
  hard boolean NOT NULL DEFAULT true,
  name text,
  geom geometry(MultiLineString, 4326) NOT NULL
);
CREATE INDEX barriers_district_idx ON barriers (district_id);
CREATE INDEX barriers_geom_gist ON barriers USING gist (geom);

-- Police stations (one per jurisdiction) and grid service stations.
CREATE TABLE stations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  district_id bigint NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
  jurisdiction_id bigint REFERENCES jurisdictions (id) ON DELETE SET NULL,
  kind text NOT NULL CHECK (kind IN ('police', 'service')),
  code text,
  name text NOT NULL,
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX stations_district_idx ON stations (district_id);
CREATE INDEX stations_geom_gist ON stations USING gist (geom);
CREATE UNIQUE INDEX stations_one_police_per_jurisdiction ON stations (jurisdiction_id) WHERE kind = 'police';

CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  district_id bigint NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('incident', 'mediation', 'demand')),
  occurred_on date NOT NULL,
  attrs jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attrs) = 'object'),
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX events_district_idx ON events (district_id, occurred_on);
CREATE INDEX events_geom_gist ON events USING gist (geom);

-- One version-controlled division of a district. `version` increases with every accepted edit.
CREATE TABLE plans (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  district_id bigint NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- band, weight field, seed and other parameters the plan was made with
  params jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(params) = 'object'),
  copied_from bigint REFERENCES plans (id) ON DELETE SET NULL,
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plans_district_idx ON plans (district_id);

CREATE TABLE grids (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plan_id bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  community_id bigint REFERENCES communities (id) ON DELETE SET NULL,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text,
  locked boolean NOT NULL DEFAULT false,
  -- dissolved outline, refreshed with the assignment
  geom geometry(MultiPolygon, 4326),
  UNIQUE (plan_id, code),
  UNIQUE (id, plan_id)
);
CREATE INDEX grids_geom_gist ON grids USING gist (geom);

-- Police cell (警格): 5–6 contiguous grids of one jurisdiction.
CREATE TABLE cells (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plan_id bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  jurisdiction_id bigint REFERENCES jurisdictions (id) ON DELETE SET NULL,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text,
  locked boolean NOT NULL DEFAULT false,
  geom geometry(MultiPolygon, 4326),
  UNIQUE (plan_id, code),
  UNIQUE (id, plan_id)
);
CREATE INDEX cells_geom_gist ON cells USING gist (geom);

-- unit -> grid within one plan: each unit at most once per plan (primary key), grid of the same plan.
CREATE TABLE unit_grids (
  plan_id bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  unit_id bigint NOT NULL REFERENCES units (id) ON DELETE CASCADE,
  grid_id bigint NOT NULL,
  PRIMARY KEY (plan_id, unit_id),
  FOREIGN KEY (grid_id, plan_id) REFERENCES grids (id, plan_id) ON DELETE CASCADE
);
CREATE INDEX unit_grids_grid_idx ON unit_grids (grid_id);

-- grid -> cell within one plan.
CREATE TABLE grid_cells (
  plan_id bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  grid_id bigint NOT NULL,
  cell_id bigint NOT NULL,
  PRIMARY KEY (plan_id, grid_id),
  FOREIGN KEY (grid_id, plan_id) REFERENCES grids (id, plan_id) ON DELETE CASCADE,
  FOREIGN KEY (cell_id, plan_id) REFERENCES cells (id, plan_id) ON DELETE CASCADE
);
CREATE INDEX grid_cells_cell_idx ON grid_cells (cell_id);

-- Every accepted edit of a plan, with its inverse for undo; `version` is the version it produced.
CREATE TABLE plan_edits (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plan_id bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  op text NOT NULL,
  payload jsonb NOT NULL,
  inverse jsonb NOT NULL,
  undone boolean NOT NULL DEFAULT false,
  user_id bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plan_id, version)
);

-- Who did what, when, to what: before and after.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  user_id bigint REFERENCES users (id) ON DELETE SET NULL,
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);

-- Long work (partition, cells, rebalance, import); queued through pg-boss, progress kept here.
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('partition', 'cells', 'rebalance', 'import')),
  plan_id bigint REFERENCES plans (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  progress real NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  result jsonb,
  error text,
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX jobs_plan_idx ON jobs (plan_id);

-- One record per import: what was read, what was converted or repaired.
CREATE TABLE imports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  district_id bigint REFERENCES districts (id) ON DELETE CASCADE,
  layer text NOT NULL CHECK (layer IN ('district', 'jurisdictions', 'communities', 'units', 'barriers', 'stations', 'events', 'assignments')),
  format text NOT NULL CHECK (format IN ('geojson', 'shapefile', 'csv', 'osm')),
  filename text,
  features integer NOT NULL DEFAULT 0 CHECK (features >= 0),
  mode text NOT NULL DEFAULT 'reject' CHECK (mode IN ('reject', 'repair')),
  crs_conversion text CHECK (crs_conversion IN ('gcj02', 'bd09')),
  report jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
