-- Audiences: who may see a record. Datasets (and so their events),
-- interventions and sources carry an audience and, for internal and
-- partners records, an owning organisation (none: every organisation of
-- the instance). Records written before audiences existed were all
-- shown publicly, so they stay public.

ALTER TABLE datasets ADD COLUMN audience TEXT NOT NULL DEFAULT 'public'
	CHECK (audience IN ('confidential', 'internal', 'partners', 'public'));
ALTER TABLE datasets ADD COLUMN owner_org_id {{bigint}} REFERENCES organisations(id);
ALTER TABLE interventions ADD COLUMN audience TEXT NOT NULL DEFAULT 'public'
	CHECK (audience IN ('confidential', 'internal', 'partners', 'public'));
ALTER TABLE interventions ADD COLUMN owner_org_id {{bigint}} REFERENCES organisations(id);
ALTER TABLE sources ADD COLUMN audience TEXT NOT NULL DEFAULT 'public'
	CHECK (audience IN ('confidential', 'internal', 'partners', 'public'));
ALTER TABLE sources ADD COLUMN owner_org_id {{bigint}} REFERENCES organisations(id);

-- An organisation shares its partners records with these organisations.
CREATE TABLE org_partners (
	org_id     {{bigint}} NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	partner_id {{bigint}} NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	PRIMARY KEY (org_id, partner_id)
);
CREATE INDEX org_partners_partner ON org_partners (partner_id);

-- The people named on a confidential record: only they see it.
CREATE TABLE record_readers (
	record_type TEXT NOT NULL,
	record_id   {{bigint}} NOT NULL,
	user_id     {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (record_type, record_id, user_id)
);
