-- The instance's own settings, set by an admin on /admin/settings: the
-- organisation's name and logo shown in every page's header. One row;
-- the logo is kept in the database (at most 256 KiB, PNG or JPEG) so that
-- every serve process sharing it shows the same one, with its SHA-256
-- for the address it is served at (a new logo is a new address).
CREATE TABLE site_settings (
    -- SMALLINT, not INTEGER: on SQLite an INTEGER PRIMARY KEY would be the
    -- rowid, which the database assigns; this one row is inserted here.
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    org_name TEXT NOT NULL DEFAULT '',
    logo {{blob}},
    logo_type TEXT NOT NULL DEFAULT '' CHECK (logo_type IN ('', 'image/png', 'image/jpeg')),
    logo_sha256 TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL DEFAULT '',
    updated_by {{bigint}} REFERENCES users(id)
);
INSERT INTO site_settings (id) VALUES (1);

-- One-time links to create the first admin in the browser: `aftermath
-- serve` prints one while no user exists. Only the token's SHA-256 is
-- kept; a link works once, until it expires, and while no user exists.
CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
