-- Briefs: a text in one language with embeds of the project's records,
-- placed like every record (audience, owner, named readers) and reviewed
-- before it is shown beyond its organisation. edited_by is who last
-- changed the text: for partners or the public someone else approves.
CREATE TABLE briefs (
	id           {{id_never_reused}},
	slug         TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL DEFAULT '',
	language     TEXT NOT NULL CHECK (language IN ('en', 'fr', 'ar')),
	body         TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'in_review', 'approved')),
	audience     TEXT NOT NULL DEFAULT 'internal'
		CHECK (audience IN ('confidential', 'internal', 'partners', 'public')),
	owner_org_id {{bigint}} REFERENCES organisations(id),
	edited_by    {{bigint}} REFERENCES users(id),
	approved_by  {{bigint}} REFERENCES users(id),
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX briefs_updated ON briefs (updated_at, id);

-- The review history, in order; notes say why a brief was returned.
CREATE TABLE brief_steps (
	id            {{id}},
	brief_id      {{bigint}} NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
	action        TEXT NOT NULL,
	actor_user_id {{bigint}} REFERENCES users(id),
	from_state    TEXT NOT NULL,
	to_state      TEXT NOT NULL,
	note          TEXT NOT NULL DEFAULT '',
	at            TEXT NOT NULL
);
CREATE INDEX brief_steps_brief ON brief_steps (brief_id, id);
