-- Consultations: a questionnaire put to partner organisations through
-- single-use links that need no account. Each response is stored as a
-- testimony (encrypted, with its consent record, reviewed like any other);
-- its choices and rankings are kept in clear beside it, linked to the
-- testimony, so that they can be counted (internal/sqldb/consultations.go).

-- Ids are never reused, so audit entries name one record.
CREATE TABLE consultations (
	id            {{id_never_reused}},
	title         TEXT NOT NULL,               -- JSON {lang: text}
	description   TEXT NOT NULL DEFAULT '{}',  -- JSON {lang: text}
	purpose       TEXT NOT NULL DEFAULT '{}',  -- JSON {lang: text}: what the answers will be used for, shown before consent
	questionnaire TEXT NOT NULL,               -- JSON consult.Questionnaire
	owner_org_id  {{bigint}} NOT NULL REFERENCES organisations(id),
	-- Who sees the consultation and its combined results (never the answers themselves).
	audience      TEXT NOT NULL CHECK (audience IN ('confidential', 'internal', 'partners', 'public')),
	state         TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed')),
	opens_on      TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD, '' for as soon as it is open
	closes_on     TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD, '' for until it is closed
	country       TEXT NOT NULL,               -- ISO 3166-1 alpha-3: where answers come from, unless the invitation says
	retain_until  TEXT NOT NULL,               -- YYYY-MM-DD: the responses' testimonies are destroyed after it
	created_by    {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE INDEX consultations_owner ON consultations (owner_org_id);

-- An invitation is a link for one organisation, usable once. Only the
-- SHA-256 hash of its token is stored: a copy of the database opens no
-- questionnaire.
CREATE TABLE consultation_invitations (
	id              {{id_never_reused}},
	consultation_id {{bigint}} NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
	partner_org_id  {{bigint}} REFERENCES organisations(id),
	org_name        TEXT NOT NULL DEFAULT '',  -- an organisation without an account here
	country         TEXT NOT NULL,
	token_hash      TEXT NOT NULL UNIQUE,
	created_by      {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	created_at      TEXT NOT NULL,
	expires_at      TEXT NOT NULL,
	used_at         TEXT,
	revoked_at      TEXT,
	testimony_id    {{bigint}} REFERENCES testimonies(id) ON DELETE SET NULL,
	CHECK (partner_org_id IS NOT NULL OR org_name <> '')
);
CREATE INDEX consultation_invitations_consultation ON consultation_invitations (consultation_id);

-- A response's choices and rankings, sealed with its testimony's data key
-- (its free text is only in the sealed testimony). It goes with its testimony: a testimony deleted
-- or purged takes its answers out of the results.
CREATE TABLE consultation_responses (
	testimony_id    {{bigint}} PRIMARY KEY REFERENCES testimonies(id) ON DELETE CASCADE,
	consultation_id {{bigint}} NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
	invitation_id   {{bigint}} REFERENCES consultation_invitations(id) ON DELETE SET NULL,
	answers         {{blob}} NOT NULL,             -- sealed JSON {question key: {choice | ranking}} (the testimony's data key)
	created_at      TEXT NOT NULL
);
CREATE INDEX consultation_responses_consultation ON consultation_responses (consultation_id);
