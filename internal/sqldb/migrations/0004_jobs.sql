-- Background jobs (imports started from the web), stored so that a crash
-- or restart loses none: a job left running is queued again at start, and
-- the import's own transaction makes the rerun exact.
CREATE TABLE jobs (
	id          {{id}},
	kind        TEXT NOT NULL CHECK (kind IN ('import')),
	state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
	dataset     TEXT NOT NULL,
	version     TEXT NOT NULL DEFAULT '',
	file_path   TEXT NOT NULL,
	file_name   TEXT NOT NULL,
	done_bytes  {{bigint}} NOT NULL DEFAULT 0,
	total_bytes {{bigint}} NOT NULL DEFAULT 0,
	summary     TEXT NOT NULL DEFAULT '',
	error       TEXT NOT NULL DEFAULT '',
	created_by  {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	created_at  TEXT NOT NULL,
	started_at  TEXT NOT NULL DEFAULT '',
	heartbeat_at TEXT NOT NULL DEFAULT '', -- a running job's last sign of life
	finished_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_state ON jobs (state, id);
