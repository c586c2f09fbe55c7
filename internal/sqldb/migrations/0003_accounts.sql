-- Accounts: organisations, users, memberships with a role, sessions and
-- API tokens. Secrets are stored only as hashes (argon2id for passwords,
-- SHA-256 for random tokens); TOTP secrets as the app needs them.

CREATE TABLE organisations (
	id         {{id}},
	slug       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE users (
	id            {{id}},
	email         TEXT NOT NULL UNIQUE, -- stored lower-cased
	name          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	totp_secret   TEXT NOT NULL DEFAULT '',
	disabled      {{bool}} NOT NULL DEFAULT {{false}},
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until  TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
);

CREATE TABLE memberships (
	user_id {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	org_id  {{bigint}} NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	role    TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'researcher', 'contributor', 'viewer')),
	PRIMARY KEY (user_id, org_id)
);

CREATE TABLE recovery_codes (
	user_id   {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash TEXT NOT NULL,
	used_at   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id         {{id}},
	user_id    {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	revoked_at TEXT NOT NULL DEFAULT ''
);
