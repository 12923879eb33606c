-- Auth, edit history and job control (issue 7).

-- Server-wide settings shared by every replica, e.g. the JWT signing secret generated on first start
-- when JWT_SECRET is not set, so restarts and replicas verify each other's tokens.
CREATE TABLE settings (
  key text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 128),
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The first admin gets a printed one-time password and must replace it.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Redo stack: an undone edit stays redoable until a new (non-undo/redo) edit is made on the plan.
ALTER TABLE plan_edits ADD COLUMN redoable boolean NOT NULL DEFAULT false;
CREATE INDEX plan_edits_plan_idx ON plan_edits (plan_id, version DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

-- Jobs: a human-readable stage, a cancel request the worker polls, and the pg-boss job id.
ALTER TABLE jobs ADD COLUMN message text;
ALTER TABLE jobs ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN boss_id text;
ALTER TABLE jobs ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
