-- Voices: testimony with consent, envelope encryption, review and
-- redaction; a codebook of themes; a hash-chained audit log.
--
-- Columns of type {{blob}} hold values sealed by internal/vault with the
-- record's own data key: nothing a speaker said, and nothing that names or
-- describes them, is stored in clear. The clear columns are what the
-- database must see to decide access, count and purge.

-- One data key per record, wrapped by the key-encryption key (which is
-- never stored here). Deleting the row destroys the record's content.
CREATE TABLE data_keys (
	record_type TEXT NOT NULL,
	record_id   {{bigint}} NOT NULL,
	kek_id      TEXT NOT NULL,
	wrapped     {{blob}} NOT NULL,
	created_at  TEXT NOT NULL,
	PRIMARY KEY (record_type, record_id)
);
CREATE INDEX data_keys_kek ON data_keys (kek_id);

CREATE TABLE themes (
	id          {{id}},
	slug        TEXT NOT NULL UNIQUE,
	name_en     TEXT NOT NULL,
	name_fr     TEXT NOT NULL DEFAULT '',
	name_ar     TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT ''
);

-- Ids are never reused, so the audit log's record ids always name one
-- testimony.
CREATE TABLE testimonies (
	id             {{id_never_reused}},
	date           TEXT NOT NULL,               -- YYYY, YYYY-MM or YYYY-MM-DD
	country        TEXT NOT NULL,               -- ISO 3166-1 alpha-3
	admin1         TEXT NOT NULL DEFAULT '',
	language       TEXT NOT NULL,
	owner_org_id   {{bigint}} NOT NULL REFERENCES organisations(id),
	partner_org_id {{bigint}} REFERENCES organisations(id),
	audience       TEXT NOT NULL CHECK (audience IN ('confidential', 'internal', 'partners', 'public')),
	consent_level  TEXT NOT NULL CHECK (consent_level IN ('internal-only', 'anonymous-publication', 'attributed-publication')),
	state          TEXT NOT NULL CHECK (state IN ('submitted', 'in_review', 'approved', 'returned')),
	retain_until   TEXT NOT NULL,               -- YYYY-MM-DD
	created_by     {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	body           {{blob}} NOT NULL,               -- sealed
	translations   {{blob}},                        -- sealed JSON {lang: text}
	details        {{blob}},                        -- sealed JSON {locality, profile}
	consent        {{blob}} NOT NULL,               -- sealed JSON consent record
	redaction      {{blob}},                        -- sealed JSON {spans, body, translations}
	-- The database refuses, whatever the code does, an audience wider than consent allows.
	CHECK (consent_level <> 'internal-only' OR audience IN ('confidential', 'internal'))
);
CREATE INDEX testimonies_owner ON testimonies (owner_org_id, state);
CREATE INDEX testimonies_retain ON testimonies (retain_until);
CREATE INDEX testimonies_created_by ON testimonies (created_by);

-- The speaker's identity, apart from the content, under its own data key.
CREATE TABLE testimony_identities (
	testimony_id {{bigint}} PRIMARY KEY REFERENCES testimonies(id) ON DELETE CASCADE,
	sealed       {{blob}} NOT NULL,                 -- sealed JSON {name, contact}
	created_at   TEXT NOT NULL
);

CREATE TABLE testimony_reviews (
	id            {{id_never_reused}},
	testimony_id  {{bigint}} NOT NULL REFERENCES testimonies(id) ON DELETE CASCADE,
	at            TEXT NOT NULL,
	actor_user_id {{bigint}} REFERENCES users(id) ON DELETE SET NULL,
	action        TEXT NOT NULL,
	from_state    TEXT NOT NULL,
	to_state      TEXT NOT NULL,
	audience      TEXT NOT NULL DEFAULT '',
	note          {{blob}}                          -- sealed with the testimony's data key
);
CREATE INDEX testimony_reviews_testimony ON testimony_reviews (testimony_id);

CREATE TABLE testimony_themes (
	testimony_id {{bigint}} NOT NULL REFERENCES testimonies(id) ON DELETE CASCADE,
	theme_id     {{bigint}} NOT NULL REFERENCES themes(id),
	PRIMARY KEY (testimony_id, theme_id)
);
CREATE INDEX testimony_themes_theme ON testimony_themes (theme_id);

CREATE TABLE testimony_interventions (
	testimony_id    {{bigint}} NOT NULL REFERENCES testimonies(id) ON DELETE CASCADE,
	intervention_id {{bigint}} NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
	PRIMARY KEY (testimony_id, intervention_id)
);
CREATE TABLE testimony_actors (
	testimony_id {{bigint}} NOT NULL REFERENCES testimonies(id) ON DELETE CASCADE,
	actor_id     {{bigint}} NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
	PRIMARY KEY (testimony_id, actor_id)
);
CREATE TABLE testimony_places (
	testimony_id {{bigint}} NOT NULL REFERENCES testimonies(id) ON DELETE CASCADE,
	place_id     {{bigint}} NOT NULL REFERENCES places(id) ON DELETE CASCADE,
	PRIMARY KEY (testimony_id, place_id)
);

-- Append-only, hash-chained: each entry's hash covers its fields and the
-- previous entry's hash (see internal/sqldb/audit.go). The triggers stop
-- mistakes; the chain is what reveals deliberate tampering. No foreign
-- keys: the log outlives the accounts and records it names.
CREATE TABLE audit_log (
	id            {{bigint}} PRIMARY KEY,
	at            TEXT NOT NULL,
	actor_user_id {{bigint}},
	action        TEXT NOT NULL,
	record_type   TEXT NOT NULL DEFAULT '',
	record_id     {{bigint}},
	detail        TEXT NOT NULL DEFAULT '',
	prev_hash     TEXT NOT NULL,
	hash          TEXT NOT NULL
);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id);
-- Triggers are written in each dialect's own language; PostgreSQL's also
-- refuses TRUNCATE, which SQLite does not have.
--@ sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--@ postgres
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
--@ end

-- The starter codebook; admins edit it from here.
INSERT INTO themes (slug, name_en, name_fr, name_ar, description) VALUES
('counter-terrorism-laws-against-dissent',
 'Counter-terrorism laws used against dissent',
 'Lois antiterroristes utilisées contre la contestation',
 'استخدام قوانين مكافحة الإرهاب ضد المعارضة',
 'Counter-terrorism or security laws used to arrest, prosecute, surveil or silence activists, journalists, human-rights defenders and critics.'),
('shrinking-civic-space',
 'Shrinking civic space',
 'Rétrécissement de l''espace civique',
 'تقلّص الفضاء المدني',
 'Restrictions on association, assembly, expression and funding that narrow what civil society can do.'),
('pcve-funding-steering-civil-society',
 'P/CVE funding steering civil society',
 'Financements de prévention de l''extrémisme violent qui orientent la société civile',
 'تمويل برامج منع التطرف العنيف ومكافحته الذي يوجّه المجتمع المدني',
 'Funding for preventing and countering violent extremism (P/CVE) that reshapes the priorities, language or independence of civil-society organisations.'),
('womens-rights-organisations-sidelined',
 'Women''s rights organisations sidelined',
 'Organisations de défense des droits des femmes mises à l''écart',
 'تهميش منظمات حقوق المرأة',
 'Women''s rights organisations excluded, instrumentalised or defunded in security and peace processes.'),
('harm-from-military-operations',
 'Harm from military operations',
 'Préjudices causés par les opérations militaires',
 'الأضرار الناجمة عن العمليات العسكرية',
 'Civilian deaths, injuries, displacement and destruction caused by military operations, including air and drone strikes.'),
('abuses-by-backed-partner-forces',
 'Abuses by backed partner forces',
 'Exactions commises par les forces partenaires soutenues',
 'انتهاكات القوات الشريكة المدعومة',
 'Abuses committed by local forces that receive training, equipment, funding or other support from an intervening state.'),
('migration-control',
 'Migration control',
 'Contrôle des migrations',
 'ضبط الهجرة',
 'Security cooperation aimed at stopping migration, and its effects on migrants, refugees and border communities.'),
('exclusion-from-security-decision-making',
 'Exclusion from security decision-making',
 'Exclusion de la prise de décision en matière de sécurité',
 'الإقصاء من صنع القرار الأمني',
 'Affected communities and civil society left out of decisions about the security policies and operations that concern them.'),
('arms-sales-and-vested-interests',
 'Arms sales and vested interests',
 'Ventes d''armes et intérêts particuliers',
 'مبيعات الأسلحة والمصالح الخاصة',
 'Arms transfers and the commercial or political interests that shape security policy.');
