-- Actors that connect: one actor for a state or organisation that the
-- datasets, the ledger and the interventions name differently.
--
-- A merged actor's row stays, marked with the actor it went into, so that
-- its old address still leads somewhere and nothing that once named it
-- points nowhere; everything it had (spellings, events, ledger records)
-- moves to the surviving actor. actor_merges keeps what was merged — name,
-- kind, spellings, external ids — and who merged it, so that a merge can
-- be checked and undone by hand.
ALTER TABLE actors ADD COLUMN merged_into {{bigint}} REFERENCES actors(id);

CREATE TABLE actor_merges (
	id           {{id_never_reused}},
	into_id      {{bigint}} NOT NULL REFERENCES actors(id),
	merged_id    {{bigint}} NOT NULL REFERENCES actors(id),
	name         TEXT NOT NULL,
	kind         TEXT NOT NULL,
	aliases      TEXT NOT NULL DEFAULT '[]',
	external_ids TEXT NOT NULL DEFAULT '[]',
	-- Whether anybody might see the merged actor when it was merged: the
	-- name of an actor only an internal record named is not shown to
	-- visitors of the actor it went into.
	public       {{bool}} NOT NULL DEFAULT {{false}},
	user_id      {{bigint}},
	at           TEXT NOT NULL,
	CHECK (into_id <> merged_id)
);
CREATE INDEX actor_merges_into ON actor_merges (into_id);
CREATE UNIQUE INDEX actor_merges_merged ON actor_merges (merged_id);

-- Every backer of a stored intervention is an actor with a page, even one
-- no dataset names (France, the European Union): the store adds one for
-- each new backer name; these are the backers stored before. Kind "other"
-- here: the name alone does not say state or organisation in SQL.
INSERT INTO actors (name, kind)
	SELECT min(x.name), 'other' FROM intervention_actors x WHERE x.role = 'backer'
	AND NOT EXISTS (SELECT 1 FROM actors a WHERE lower(a.name) = lower(x.name))
	AND NOT EXISTS (SELECT 1 FROM intervention_actor_aliases ia JOIN actor_aliases aa ON aa.dataset = ia.dataset AND aa.name = ia.name
		WHERE ia.intervention_actor_id = x.id)
	GROUP BY lower(x.name);
