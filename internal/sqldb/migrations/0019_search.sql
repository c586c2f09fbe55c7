-- Search (internal/sqldb/search.go): one document per record of every
-- kind but testimony, whose text is never indexed (docs/security.md,
-- "Searching testimony"). SQLite keeps the words in an FTS5 table without
-- content (snippets are cut from the records themselves); PostgreSQL keeps
-- a tsvector per document under a GIN index.
CREATE TABLE search_docs (
	id        {{id}},
	kind      TEXT NOT NULL,
	record_id {{bigint}} NOT NULL,
	-- For events, the content_hash that was indexed: a changed event is
	-- not found by its old words even before the index catches up.
	stamp     {{bigint}} NOT NULL DEFAULT 0,
--@ postgres
	doc       tsvector NOT NULL,
--@ end
	UNIQUE (kind, record_id)
);
--@ sqlite
-- porter stems English words; unicode61 folds case and diacritics
-- (réfugiés = refugies) and splits Arabic into words without stemming.
CREATE VIRTUAL TABLE search_fts USING fts5(body, content='', contentless_delete=1,
	tokenize='porter unicode61 remove_diacritics 2');
--@ postgres
CREATE INDEX search_docs_doc ON search_docs USING GIN (doc);
--@ end

-- Records written since the index last caught up. Events are not marked
-- row by row, so the import's hot path gains nothing: the index compares
-- events' content hashes after each import instead (search_state).
CREATE TABLE search_stale (
	kind      TEXT NOT NULL,
	record_id {{bigint}} NOT NULL,
	PRIMARY KEY (kind, record_id)
);

-- events_stamp names the imports (their count and last id) the events'
-- index is being caught up with, up to the event id events_cursor; the
-- largest 64-bit number there means done.
CREATE TABLE search_state (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	events_stamp  TEXT NOT NULL DEFAULT '',
	events_cursor {{bigint}} NOT NULL DEFAULT 0
);
INSERT INTO search_state (id) VALUES (1);

-- What exists already is indexed at the first catch-up.
INSERT INTO search_stale (kind, record_id) SELECT 'intervention', id FROM interventions;
INSERT INTO search_stale (kind, record_id) SELECT 'actor', id FROM actors;
INSERT INTO search_stale (kind, record_id) SELECT 'source', id FROM sources;
INSERT INTO search_stale (kind, record_id) SELECT 'decision', id FROM decisions;
INSERT INTO search_stale (kind, record_id) SELECT 'inquiry', id FROM inquiries;
INSERT INTO search_stale (kind, record_id) SELECT 'recommendation', id FROM recommendations;
INSERT INTO search_stale (kind, record_id) SELECT 'claim', id FROM claims;
INSERT INTO search_stale (kind, record_id) SELECT 'brief', id FROM briefs;

--@ sqlite
CREATE TRIGGER interventions_search_insert AFTER INSERT ON interventions BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('intervention', NEW.id); END;
CREATE TRIGGER interventions_search_update AFTER UPDATE ON interventions BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('intervention', NEW.id); END;
CREATE TRIGGER interventions_search_delete AFTER DELETE ON interventions BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('intervention', OLD.id); END;
CREATE TRIGGER actors_search_insert AFTER INSERT ON actors BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('actor', NEW.id); END;
CREATE TRIGGER actors_search_update AFTER UPDATE ON actors BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('actor', NEW.id); END;
CREATE TRIGGER actors_search_delete AFTER DELETE ON actors BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('actor', OLD.id); END;
CREATE TRIGGER sources_search_insert AFTER INSERT ON sources BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('source', NEW.id); END;
CREATE TRIGGER sources_search_update AFTER UPDATE ON sources BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('source', NEW.id); END;
CREATE TRIGGER sources_search_delete AFTER DELETE ON sources BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('source', OLD.id); END;
CREATE TRIGGER decisions_search_insert AFTER INSERT ON decisions BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('decision', NEW.id); END;
CREATE TRIGGER decisions_search_update AFTER UPDATE ON decisions BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('decision', NEW.id); END;
CREATE TRIGGER decisions_search_delete AFTER DELETE ON decisions BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('decision', OLD.id); END;
CREATE TRIGGER inquiries_search_insert AFTER INSERT ON inquiries BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('inquiry', NEW.id); END;
CREATE TRIGGER inquiries_search_update AFTER UPDATE ON inquiries BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('inquiry', NEW.id); END;
CREATE TRIGGER inquiries_search_delete AFTER DELETE ON inquiries BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('inquiry', OLD.id); END;
CREATE TRIGGER recommendations_search_insert AFTER INSERT ON recommendations BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('recommendation', NEW.id); END;
CREATE TRIGGER recommendations_search_update AFTER UPDATE ON recommendations BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('recommendation', NEW.id); END;
CREATE TRIGGER recommendations_search_delete AFTER DELETE ON recommendations BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('recommendation', OLD.id); END;
CREATE TRIGGER claims_search_insert AFTER INSERT ON claims BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('claim', NEW.id); END;
CREATE TRIGGER claims_search_update AFTER UPDATE ON claims BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('claim', NEW.id); END;
CREATE TRIGGER claims_search_delete AFTER DELETE ON claims BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('claim', OLD.id); END;
CREATE TRIGGER briefs_search_insert AFTER INSERT ON briefs BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('brief', NEW.id); END;
CREATE TRIGGER briefs_search_update AFTER UPDATE ON briefs BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('brief', NEW.id); END;
CREATE TRIGGER briefs_search_delete AFTER DELETE ON briefs BEGIN INSERT OR IGNORE INTO search_stale (kind, record_id) VALUES ('brief', OLD.id); END;
--@ postgres
CREATE FUNCTION search_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		INSERT INTO search_stale (kind, record_id) VALUES (TG_ARGV[0], OLD.id) ON CONFLICT DO NOTHING;
	ELSE
		INSERT INTO search_stale (kind, record_id) VALUES (TG_ARGV[0], NEW.id) ON CONFLICT DO NOTHING;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER interventions_search AFTER INSERT OR UPDATE OR DELETE ON interventions FOR EACH ROW EXECUTE FUNCTION search_mark('intervention');
CREATE TRIGGER actors_search AFTER INSERT OR UPDATE OR DELETE ON actors FOR EACH ROW EXECUTE FUNCTION search_mark('actor');
CREATE TRIGGER sources_search AFTER INSERT OR UPDATE OR DELETE ON sources FOR EACH ROW EXECUTE FUNCTION search_mark('source');
CREATE TRIGGER decisions_search AFTER INSERT OR UPDATE OR DELETE ON decisions FOR EACH ROW EXECUTE FUNCTION search_mark('decision');
CREATE TRIGGER inquiries_search AFTER INSERT OR UPDATE OR DELETE ON inquiries FOR EACH ROW EXECUTE FUNCTION search_mark('inquiry');
CREATE TRIGGER recommendations_search AFTER INSERT OR UPDATE OR DELETE ON recommendations FOR EACH ROW EXECUTE FUNCTION search_mark('recommendation');
CREATE TRIGGER claims_search AFTER INSERT OR UPDATE OR DELETE ON claims FOR EACH ROW EXECUTE FUNCTION search_mark('claim');
CREATE TRIGGER briefs_search AFTER INSERT OR UPDATE OR DELETE ON briefs FOR EACH ROW EXECUTE FUNCTION search_mark('brief');
--@ end
