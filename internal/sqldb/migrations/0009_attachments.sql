-- Attachments of testimony: photos and notes, their metadata removed
-- (internal/scrub) before storing. Name, SHA-256 and content are sealed
-- with the testimony's data key, so destroying the testimony's key
-- destroys them too, and a seized database cannot even confirm that it
-- holds a known photo by its hash.
CREATE TABLE testimony_attachments (
	id           {{id}},
	testimony_id {{bigint}} NOT NULL REFERENCES testimonies(id) ON DELETE CASCADE,
	media_type   TEXT NOT NULL,
	size         {{bigint}} NOT NULL,
	meta         {{blob}} NOT NULL, -- sealed JSON: file name and SHA-256
	content      {{blob}} NOT NULL, -- sealed
	created_by   {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	created_at   TEXT NOT NULL
);
CREATE INDEX testimony_attachments_testimony ON testimony_attachments (testimony_id);
