-- Records' texts in other languages than their own, one row per record,
-- field and language (a list item's field is "phases.0"), so a new
-- translatable field or language needs no new column. record_type is the
-- citations' record type ("intervention", "decision", …); the records'
-- own deletes remove their rows, as they do their citations.
CREATE TABLE translations (
	record_type TEXT NOT NULL,
	record_id   {{bigint}} NOT NULL,
	field       TEXT NOT NULL,
	lang        TEXT NOT NULL,
	text        TEXT NOT NULL,
	PRIMARY KEY (record_type, record_id, field, lang)
);

-- The language a record's own texts are written in, where it is not
-- English (no row: English).
CREATE TABLE record_languages (
	record_type TEXT NOT NULL,
	record_id   {{bigint}} NOT NULL,
	lang        TEXT NOT NULL,
	PRIMARY KEY (record_type, record_id)
);
