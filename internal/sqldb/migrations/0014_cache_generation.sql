-- The audience generation: one counter, raised in the same transaction as
-- every change of who may see a record (its audience, owner or named
-- readers, an organisation's partner sharing, a testimony's audience).
-- Every serve process sharing the database reads it (one primary-key
-- read) before it serves a cached public page and drops its cache when it
-- has moved, so a record whose audience was narrowed leaves the public
-- pages of all of them at once (internal/web/cache.go).
CREATE TABLE cache_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO cache_generation (id, n) VALUES (1, 0);
