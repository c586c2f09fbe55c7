-- Interventions: who intervened, with what, where, when, through which
-- partner forces. Citations use the citations table (record_type
-- 'intervention'). Lists of words are stored as JSON arrays.

CREATE TABLE interventions (
	id              {{id}},
	slug            TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL,
	instruments     TEXT NOT NULL DEFAULT '[]',
	objectives      TEXT NOT NULL DEFAULT '[]',
	budget_amount   {{real}},
	budget_currency TEXT NOT NULL DEFAULT '',
	budget_year     INTEGER NOT NULL DEFAULT 0,
	budget_note     TEXT NOT NULL DEFAULT '',
	notes           TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);

-- Backers and partner forces, with the spellings the datasets use for
-- them; links to dataset actors follow from actor_aliases, so events
-- imported later link too.
CREATE TABLE intervention_actors (
	id              {{id}},
	intervention_id {{bigint}} NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
	role            TEXT NOT NULL CHECK (role IN ('backer', 'partner')),
	position        INTEGER NOT NULL,
	name            TEXT NOT NULL,
	start_date      TEXT NOT NULL DEFAULT '',
	end_date        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX intervention_actors_intervention ON intervention_actors (intervention_id);

CREATE TABLE intervention_actor_aliases (
	intervention_actor_id {{bigint}} NOT NULL REFERENCES intervention_actors(id) ON DELETE CASCADE,
	dataset               TEXT NOT NULL,
	name                  TEXT NOT NULL,
	PRIMARY KEY (intervention_actor_id, dataset, name)
);
CREATE INDEX intervention_actor_aliases_name ON intervention_actor_aliases (dataset, name);

CREATE TABLE intervention_areas (
	intervention_id {{bigint}} NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
	position        INTEGER NOT NULL,
	country         TEXT NOT NULL,
	admin1          TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (intervention_id, country, admin1)
);

CREATE TABLE intervention_phases (
	intervention_id {{bigint}} NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
	position        INTEGER NOT NULL,
	name            TEXT NOT NULL DEFAULT '',
	start_date      TEXT NOT NULL,
	end_date        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (intervention_id, position)
);

CREATE UNIQUE INDEX sources_identifier ON sources (identifier) WHERE identifier <> '';
