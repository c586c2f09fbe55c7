-- Money and arms: SIPRI trade registers and IATI activities, as their
-- publishers export them. Both are public data, read by every viewer.

-- One SIPRI export scope ("All countries → All countries", "All
-- countries → Ukraine, 2000–2024"): a newer export of the same scope
-- updates its deals, and removes those it no longer lists.
CREATE TABLE arms_registers (
	id          {{id}},
	title       TEXT NOT NULL UNIQUE,
	layout      TEXT NOT NULL,
	suppliers   TEXT NOT NULL,
	recipients  TEXT NOT NULL,
	from_year   INTEGER NOT NULL DEFAULT 0,
	to_year     INTEGER NOT NULL DEFAULT 0,
	generated   TEXT NOT NULL DEFAULT '',
	file        TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	imported_at TEXT NOT NULL
);

-- Amounts of TIV are in thousandths (millions of TIV × 1000), so sums
-- are exact; NULL is SIPRI's empty cell, which is not zero.
CREATE TABLE arms_deals (
	id                         {{id}},
	register_id                {{bigint}} NOT NULL REFERENCES arms_registers(id) ON DELETE CASCADE,
	deal_key                   TEXT NOT NULL,
	sipri_id                   TEXT NOT NULL DEFAULT '',
	line                       INTEGER NOT NULL,
	supplier                   TEXT NOT NULL,
	recipient                  TEXT NOT NULL,
	supplier_iso3              TEXT NOT NULL DEFAULT '',
	recipient_iso3             TEXT NOT NULL DEFAULT '',
	order_year                 INTEGER NOT NULL,
	order_year_uncertain       {{bool}} NOT NULL DEFAULT {{false}},
	number_ordered             {{bigint}},
	number_ordered_uncertain   {{bool}} NOT NULL DEFAULT {{false}},
	designation                TEXT NOT NULL,
	description                TEXT NOT NULL DEFAULT '',
	category                   TEXT NOT NULL DEFAULT '',
	number_delivered           {{bigint}},
	number_delivered_uncertain {{bool}} NOT NULL DEFAULT {{false}},
	delivery_years             TEXT NOT NULL DEFAULT '',
	delivery_years_uncertain   {{bool}} NOT NULL DEFAULT {{false}},
	status                     TEXT NOT NULL DEFAULT '',
	comments                   TEXT NOT NULL DEFAULT '',
	tiv_unit                   {{bigint}},
	tiv_order                  {{bigint}},
	tiv_delivered              {{bigint}},
	sipri_estimate             TEXT NOT NULL DEFAULT '',
	local_production           TEXT NOT NULL DEFAULT '',
	hash                       {{bigint}} NOT NULL,
	UNIQUE (register_id, deal_key)
);
CREATE INDEX arms_deals_recipient ON arms_deals (recipient_iso3, order_year);
CREATE INDEX arms_deals_supplier ON arms_deals (supplier, order_year);

-- A deal's deliveries by year: as published in the newer layout; in the
-- classic register, which gives no split, the delivered TIV spread
-- evenly over the delivery years (estimate true, number unknown).
CREATE TABLE arms_deliveries (
	deal_id          {{bigint}} NOT NULL REFERENCES arms_deals(id) ON DELETE CASCADE,
	year             INTEGER NOT NULL,
	year_uncertain   {{bool}} NOT NULL DEFAULT {{false}},
	number           {{bigint}},
	number_uncertain {{bool}} NOT NULL DEFAULT {{false}},
	tiv              {{bigint}},
	estimate         {{bool}} NOT NULL DEFAULT {{false}},
	PRIMARY KEY (deal_id, year)
);

-- Each imported IATI file, for provenance.
CREATE TABLE aid_files (
	id          {{id}},
	file        TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	activities  {{bigint}} NOT NULL DEFAULT 0,
	imported_at TEXT NOT NULL
);

-- One IATI activity; identifiers are global in IATI, so a later file
-- with the same identifier replaces it. doc holds the whole activity as
-- read (participants, narratives, budgets, markers) as JSON.
CREATE TABLE aid_activities (
	id               {{id}},
	file_id          {{bigint}} NOT NULL REFERENCES aid_files(id),
	identifier       TEXT NOT NULL UNIQUE,
	line             INTEGER NOT NULL,
	reporting_ref    TEXT NOT NULL DEFAULT '',
	reporting_name   TEXT NOT NULL DEFAULT '',
	reporting_type   TEXT NOT NULL DEFAULT '',
	title            TEXT NOT NULL DEFAULT '',
	description      TEXT NOT NULL DEFAULT '',
	default_currency TEXT NOT NULL DEFAULT '',
	humanitarian     {{bool}} NOT NULL DEFAULT {{false}},
	status           INTEGER NOT NULL DEFAULT 0,
	last_updated     TEXT NOT NULL DEFAULT '',
	doc              TEXT NOT NULL,
	hash             {{bigint}} NOT NULL
);

-- The activity's recipient countries and vocabulary-1 sectors with their
-- percentages (NULL: none given), for the splits of docs/method.md.
CREATE TABLE aid_activity_countries (
	activity_id {{bigint}} NOT NULL REFERENCES aid_activities(id) ON DELETE CASCADE,
	code        TEXT NOT NULL,
	percentage  {{real}},
	PRIMARY KEY (activity_id, code)
);
CREATE INDEX aid_activity_countries_code ON aid_activity_countries (code);

CREATE TABLE aid_activity_sectors (
	activity_id {{bigint}} NOT NULL REFERENCES aid_activities(id) ON DELETE CASCADE,
	vocabulary  TEXT NOT NULL,
	code        TEXT NOT NULL,
	percentage  {{real}},
	PRIMARY KEY (activity_id, vocabulary, code)
);

CREATE TABLE aid_policy_markers (
	activity_id  {{bigint}} NOT NULL REFERENCES aid_activities(id) ON DELETE CASCADE,
	vocabulary   TEXT NOT NULL,
	code         TEXT NOT NULL,
	significance INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (activity_id, vocabulary, code)
);

CREATE TABLE aid_participants (
	activity_id {{bigint}} NOT NULL REFERENCES aid_activities(id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	role        INTEGER NOT NULL DEFAULT 0,
	ref         TEXT NOT NULL DEFAULT '',
	type        TEXT NOT NULL DEFAULT '',
	name        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (activity_id, seq)
);

-- A transaction: value in its own currency, or the activity's default
-- (currency is then the default, resolved at import). sector is its own
-- vocabulary-1 sector and recipient_country its own, '' when it names
-- none (the activity's then apply).
CREATE TABLE aid_transactions (
	id                {{id}},
	activity_id       {{bigint}} NOT NULL REFERENCES aid_activities(id) ON DELETE CASCADE,
	seq               INTEGER NOT NULL,
	line              INTEGER NOT NULL,
	ref               TEXT NOT NULL DEFAULT '',
	type              INTEGER NOT NULL,
	date              TEXT NOT NULL DEFAULT '',
	year              INTEGER NOT NULL DEFAULT 0,
	value             {{real}} NOT NULL,
	currency          TEXT NOT NULL DEFAULT '',
	value_date        TEXT NOT NULL DEFAULT '',
	humanitarian      {{bool}},
	sector            TEXT NOT NULL DEFAULT '',
	recipient_country TEXT NOT NULL DEFAULT '',
	recipient_region  TEXT NOT NULL DEFAULT '',
	provider_ref      TEXT NOT NULL DEFAULT '',
	provider_name     TEXT NOT NULL DEFAULT '',
	receiver_ref      TEXT NOT NULL DEFAULT '',
	receiver_name     TEXT NOT NULL DEFAULT '',
	receiver_type     TEXT NOT NULL DEFAULT '',
	UNIQUE (activity_id, seq)
);
CREATE INDEX aid_transactions_year ON aid_transactions (year, type);

-- IATI codelists (CC BY 4.0): names by language, for sectors,
-- countries, regions and organisation types.
CREATE TABLE iati_codes (
	list     TEXT NOT NULL,
	code     TEXT NOT NULL,
	name_en  TEXT NOT NULL DEFAULT '',
	name_fr  TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (list, code)
);
