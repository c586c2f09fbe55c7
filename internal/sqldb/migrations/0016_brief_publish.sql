-- Briefs gain a last state, published: approved is what its reviewers
-- accepted, published is what its audience beyond the organisation sees,
-- once the publishing checks (briefs_publish.go) have passed.
--@ sqlite
-- SQLite cannot change a CHECK in place: the table is rebuilt. The steps
-- are set aside first, since dropping briefs would cascade to them, and
-- the id sequence is carried over so that no id is ever reused.
CREATE TABLE briefs_new (
	id           {{id_never_reused}},
	slug         TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL DEFAULT '',
	language     TEXT NOT NULL CHECK (language IN ('en', 'fr', 'ar')),
	body         TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'in_review', 'approved', 'published')),
	audience     TEXT NOT NULL DEFAULT 'internal'
		CHECK (audience IN ('confidential', 'internal', 'partners', 'public')),
	owner_org_id {{bigint}} REFERENCES organisations(id),
	edited_by    {{bigint}} REFERENCES users(id),
	approved_by  {{bigint}} REFERENCES users(id),
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
INSERT INTO briefs_new SELECT id, slug, title, summary, language, body, state, audience, owner_org_id, edited_by, approved_by, created_at, updated_at FROM briefs;
INSERT INTO sqlite_sequence (name, seq) SELECT 'briefs_new', seq FROM sqlite_sequence WHERE name = 'briefs'
	AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'briefs_new');
UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'briefs')) WHERE name = 'briefs_new';
CREATE TEMP TABLE brief_steps_keep AS SELECT * FROM brief_steps;
DROP TABLE brief_steps;
DROP TABLE briefs;
ALTER TABLE briefs_new RENAME TO briefs;
CREATE INDEX briefs_updated ON briefs (updated_at, id);
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
INSERT INTO brief_steps SELECT id, brief_id, action, actor_user_id, from_state, to_state, note, at FROM brief_steps_keep;
DROP TABLE brief_steps_keep;
--@ postgres
ALTER TABLE briefs DROP CONSTRAINT briefs_state_check;
ALTER TABLE briefs ADD CONSTRAINT briefs_state_check CHECK (state IN ('draft', 'in_review', 'approved', 'published'));
--@ end
