-- Foundation: datasets and their imports, events, actors, places, sources,
-- citations and the monthly aggregates that analysis reads.

CREATE TABLE datasets (
	id    {{id}},
	name  TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL DEFAULT ''
);

CREATE TABLE dataset_versions (
	id               {{id}},
	dataset_id       {{bigint}} NOT NULL REFERENCES datasets(id),
	version          TEXT NOT NULL,
	first_imported_at TEXT NOT NULL,
	UNIQUE (dataset_id, version)
);

-- One row per import run that changed something (or first brought a file).
CREATE TABLE imports (
	id          {{id}},
	version_id  {{bigint}} NOT NULL REFERENCES dataset_versions(id),
	file_name   TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	imported_at TEXT NOT NULL,
	rows_read   {{bigint}} NOT NULL,
	inserted    {{bigint}} NOT NULL,
	updated     {{bigint}} NOT NULL,
	unchanged   {{bigint}} NOT NULL,
	rejected    {{bigint}} NOT NULL
);
CREATE INDEX imports_version ON imports (version_id);

CREATE TABLE places (
	id          {{id}},
	kind        TEXT NOT NULL CHECK (kind IN ('country', 'admin1', 'admin2')),
	name        TEXT NOT NULL,
	parent_id   {{bigint}} REFERENCES places(id),
	iso_alpha3  TEXT NOT NULL DEFAULT '',
	iso_numeric INTEGER NOT NULL DEFAULT 0,
	gw_code     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX places_key ON places (kind, COALESCE(parent_id, 0), name);

CREATE TABLE actors (
	id   {{id}},
	name TEXT NOT NULL,
	kind TEXT NOT NULL DEFAULT ''
);

CREATE TABLE actor_aliases (
	actor_id {{bigint}} NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
	dataset  TEXT NOT NULL,
	name     TEXT NOT NULL,
	PRIMARY KEY (dataset, name)
);
CREATE INDEX actor_aliases_actor ON actor_aliases (actor_id);

CREATE TABLE actor_external_ids (
	actor_id {{bigint}} NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
	scheme   TEXT NOT NULL,
	value    TEXT NOT NULL,
	PRIMARY KEY (scheme, value)
);
CREATE INDEX actor_external_ids_actor ON actor_external_ids (actor_id);

CREATE TABLE actor_relations (
	id         {{id}},
	actor_id   {{bigint}} NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
	parent_id  {{bigint}} NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('command', 'administrative', 'informal')),
	start_date TEXT NOT NULL DEFAULT '',
	end_date   TEXT NOT NULL DEFAULT '',
	CHECK (actor_id <> parent_id)
);
CREATE INDEX actor_relations_actor ON actor_relations (actor_id);

-- events and event_actors carry no foreign keys on PostgreSQL: row-by-row
-- checks were 60% of import time. The importer is their only writer and
-- draws every id it writes within its transaction; DB.IntegrityCheck
-- verifies the references, and the tests run it after imports. Hence the
-- sections below.
CREATE TABLE events (
	id                 {{id}},
--@ sqlite
	dataset_id         INTEGER NOT NULL REFERENCES datasets(id),
	version_id         INTEGER NOT NULL REFERENCES dataset_versions(id),
--@ postgres
	dataset_id         BIGINT NOT NULL,
	version_id         BIGINT NOT NULL,
--@ end
	native_id          TEXT NOT NULL,
	content_hash       {{bigint}} NOT NULL,
	relid              TEXT NOT NULL,
	year               INTEGER NOT NULL,
	date_start         TEXT NOT NULL,
	date_end           TEXT NOT NULL,
	date_precision     INTEGER NOT NULL,
	violence_type      TEXT NOT NULL,
	sub_event_type     TEXT NOT NULL,
	disorder_type      TEXT NOT NULL,
	code_status        TEXT NOT NULL,
	clarity            INTEGER NOT NULL,
	conflict_id        TEXT NOT NULL,
	conflict_name      TEXT NOT NULL,
	dyad_id            TEXT NOT NULL,
	dyad_name          TEXT NOT NULL,
	country            TEXT NOT NULL,
	country_gw         INTEGER NOT NULL,
	country_iso        INTEGER NOT NULL,
--@ sqlite
	place_id           INTEGER REFERENCES places(id),
--@ postgres
	place_id           BIGINT,
--@ end
	region             TEXT NOT NULL,
	admin1             TEXT NOT NULL,
	admin2             TEXT NOT NULL,
	admin3             TEXT NOT NULL,
	location           TEXT NOT NULL,
	latitude           {{real}},
	longitude          {{real}},
	where_precision    INTEGER NOT NULL,
	deaths_a           {{bigint}} NOT NULL,
	deaths_b           {{bigint}} NOT NULL,
	deaths_civilians   {{bigint}} NOT NULL,
	deaths_unknown     {{bigint}} NOT NULL,
	deaths_low         {{bigint}} NOT NULL,
	deaths_best        {{bigint}} NOT NULL,
	deaths_high        {{bigint}} NOT NULL,
	civilian_targeting {{bool}} NOT NULL,
	source_count       INTEGER NOT NULL,
	source_text        TEXT NOT NULL,
	notes              TEXT NOT NULL,
	tags               TEXT NOT NULL,
	extra              TEXT NOT NULL,
	UNIQUE (dataset_id, native_id)
);
CREATE INDEX events_date ON events (dataset_id, date_start);
-- The events explorer lists newest first, with or without a country.
CREATE INDEX events_recent ON events (date_start, id);
CREATE INDEX events_country ON events (country, date_start);

CREATE TABLE event_actors (
--@ sqlite
	event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	actor_id INTEGER NOT NULL REFERENCES actors(id),
--@ postgres
	event_id BIGINT NOT NULL,
	actor_id BIGINT NOT NULL,
--@ end
	role     TEXT NOT NULL,
	inter    TEXT NOT NULL,
	PRIMARY KEY (event_id, role, actor_id)
--@ sqlite
) WITHOUT ROWID; -- rows kept in key order; PostgreSQL has no such clause
--@ postgres
);
--@ end
CREATE INDEX event_actors_actor ON event_actors (actor_id);

CREATE TABLE sources (
	id             {{id}},
	identifier     TEXT NOT NULL DEFAULT '',
	title          TEXT NOT NULL,
	publisher      TEXT NOT NULL DEFAULT '',
	date           TEXT NOT NULL DEFAULT '',
	url            TEXT NOT NULL DEFAULT '',
	archive_sha256 TEXT NOT NULL DEFAULT '',
	reliability    TEXT NOT NULL DEFAULT '',
	language       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE citations (
	id          {{id}},
	record_type TEXT NOT NULL,
	record_id   {{bigint}} NOT NULL,
	field       TEXT NOT NULL,
	source_id   {{bigint}} NOT NULL REFERENCES sources(id),
	page        TEXT NOT NULL DEFAULT '',
	quote       TEXT NOT NULL DEFAULT '',
	confidence  TEXT NOT NULL CHECK (confidence IN ('low', 'medium', 'high'))
);
CREATE INDEX citations_record ON citations (record_type, record_id);
CREATE INDEX citations_source ON citations (source_id);

-- dataset × country × admin-1 × year × month × violence type, kept current
-- by every import so that analysis never scans raw events.
CREATE TABLE monthly_aggregates (
	dataset_id       {{bigint}} NOT NULL REFERENCES datasets(id),
	country          TEXT NOT NULL,
	country_iso3     TEXT NOT NULL DEFAULT '', -- ISO 3166-1 alpha-3, '' when unknown
	admin1           TEXT NOT NULL,
	year             INTEGER NOT NULL,
	month            TEXT NOT NULL,
	violence_type    TEXT NOT NULL,
	events           {{bigint}} NOT NULL,
	deaths_best      {{bigint}} NOT NULL,
	deaths_low       {{bigint}} NOT NULL,
	deaths_high      {{bigint}} NOT NULL,
	deaths_civilians {{bigint}} NOT NULL,
	PRIMARY KEY (dataset_id, country, admin1, year, month, violence_type)
);
CREATE INDEX monthly_aggregates_area ON monthly_aggregates (dataset_id, country_iso3, month);

-- The same, per primary actor (UCDP side A, ACLED actor 1): what the forces
-- an intervention backs did, without scanning events.
CREATE TABLE actor_monthly_aggregates (
	dataset_id       {{bigint}} NOT NULL REFERENCES datasets(id),
	actor_id         {{bigint}} NOT NULL REFERENCES actors(id),
	country_iso3     TEXT NOT NULL,
	admin1           TEXT NOT NULL,
	year             INTEGER NOT NULL,
	month            TEXT NOT NULL,
	violence_type    TEXT NOT NULL,
	events           {{bigint}} NOT NULL,
	deaths_best      {{bigint}} NOT NULL,
	deaths_low       {{bigint}} NOT NULL,
	deaths_high      {{bigint}} NOT NULL,
	deaths_civilians {{bigint}} NOT NULL,
	PRIMARY KEY (dataset_id, actor_id, country_iso3, admin1, year, month, violence_type)
);
