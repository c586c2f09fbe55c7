-- Coverage, quality dimensions and unknown source counts.
--
-- 1. events.source_count may be NULL: an empty number_of_sources cell (or a
--    dataset without the column, as ACLED) is NULL, UCDP's "not known" code
--    -1 is stored as -1, exactly as published. ACLED never had the column:
--    its 0s become NULL. (Empty UCDP cells were stored as 0 before and
--    cannot be told apart; importing the file again stores them as NULL.)
--    SQLite cannot drop NOT NULL, so there the column is made anew.
--@ sqlite
ALTER TABLE events ADD COLUMN source_count_new INTEGER;
UPDATE events SET source_count_new = CASE WHEN dataset_id IN (SELECT id FROM datasets WHERE name = 'ucdp') THEN source_count END;
ALTER TABLE events DROP COLUMN source_count;
ALTER TABLE events RENAME COLUMN source_count_new TO source_count;
--@ postgres
ALTER TABLE events ALTER COLUMN source_count DROP NOT NULL;
UPDATE events SET source_count = NULL WHERE dataset_id NOT IN (SELECT id FROM datasets WHERE name = 'ucdp');
--@ end

-- 2. Two boolean dimensions of both aggregate tables, for the "Clear events
--    only" and "precise locations only" re-runs:
--    clear:   UCDP code_status = 'Clear'; ACLED has no code status, so all
--             its events are clear;
--    precise: UCDP where_prec 1-2 and date_prec 1-2 (exact place or within
--             25 km, date exact or within 2-6 days); ACLED geo_precision 1
--             and time_precision 1-2. Codes outside the codebooks (0,
--             empty) are not precise.
--    The aggregates are recounted from the events; country_iso3 keeps what
--    the importer had found for each dataset's spelling of a country.
--    Both flags are key columns; on SQLite a CHECK keeps them 0 or 1.
CREATE TABLE migrate_0010_iso3 AS
	SELECT dataset_id, country, max(country_iso3) AS iso3 FROM monthly_aggregates GROUP BY dataset_id, country;
DROP TABLE monthly_aggregates;
DROP TABLE actor_monthly_aggregates;

CREATE TABLE monthly_aggregates (
	dataset_id       {{bigint}} NOT NULL REFERENCES datasets(id),
	country          TEXT NOT NULL,
	country_iso3     TEXT NOT NULL DEFAULT '', -- ISO 3166-1 alpha-3, '' when unknown
	admin1           TEXT NOT NULL,
	year             INTEGER NOT NULL,
	month            TEXT NOT NULL,
	violence_type    TEXT NOT NULL,
--@ sqlite
	clear            INTEGER NOT NULL CHECK (clear IN (0, 1)),
	precise          INTEGER NOT NULL CHECK (precise IN (0, 1)),
--@ postgres
	clear            BOOLEAN NOT NULL,
	precise          BOOLEAN NOT NULL,
--@ end
	events           {{bigint}} NOT NULL,
	deaths_best      {{bigint}} NOT NULL,
	deaths_low       {{bigint}} NOT NULL,
	deaths_high      {{bigint}} NOT NULL,
	deaths_civilians {{bigint}} NOT NULL,
	PRIMARY KEY (dataset_id, country, admin1, year, month, violence_type, clear, precise)
);
CREATE INDEX monthly_aggregates_area ON monthly_aggregates (dataset_id, country_iso3, month);

CREATE TABLE actor_monthly_aggregates (
	dataset_id       {{bigint}} NOT NULL REFERENCES datasets(id),
	actor_id         {{bigint}} NOT NULL REFERENCES actors(id),
	country_iso3     TEXT NOT NULL,
	admin1           TEXT NOT NULL,
	year             INTEGER NOT NULL,
	month            TEXT NOT NULL,
	violence_type    TEXT NOT NULL,
--@ sqlite
	clear            INTEGER NOT NULL CHECK (clear IN (0, 1)),
	precise          INTEGER NOT NULL CHECK (precise IN (0, 1)),
--@ postgres
	clear            BOOLEAN NOT NULL,
	precise          BOOLEAN NOT NULL,
--@ end
	events           {{bigint}} NOT NULL,
	deaths_best      {{bigint}} NOT NULL,
	deaths_low       {{bigint}} NOT NULL,
	deaths_high      {{bigint}} NOT NULL,
	deaths_civilians {{bigint}} NOT NULL,
	PRIMARY KEY (dataset_id, actor_id, country_iso3, admin1, year, month, violence_type, clear, precise)
);

CREATE TABLE migrate_0010_events AS
	SELECT e.id, e.dataset_id, e.version_id, e.country, COALESCE(i.iso3, '') AS iso3, e.admin1, e.year, substr(e.date_start, 1, 7) AS month,
		e.violence_type,
		(d.name <> 'ucdp' OR e.code_status = 'Clear') AS clear,
		((d.name = 'ucdp' AND e.where_precision BETWEEN 1 AND 2 AND e.date_precision BETWEEN 1 AND 2) OR
		 (d.name <> 'ucdp' AND e.where_precision = 1 AND e.date_precision BETWEEN 1 AND 2)) AS precise,
		e.deaths_best, e.deaths_low, e.deaths_high, e.deaths_civilians
	FROM events e JOIN datasets d ON d.id = e.dataset_id
	LEFT JOIN migrate_0010_iso3 i ON i.dataset_id = e.dataset_id AND i.country = e.country;

INSERT INTO monthly_aggregates (dataset_id, country, country_iso3, admin1, year, month, violence_type, clear, precise,
		events, deaths_best, deaths_low, deaths_high, deaths_civilians)
	SELECT dataset_id, country, max(iso3), admin1, year, month, violence_type, clear, precise,
		count(*), sum(deaths_best), sum(deaths_low), sum(deaths_high), sum(deaths_civilians)
	FROM migrate_0010_events GROUP BY dataset_id, country, admin1, year, month, violence_type, clear, precise;

-- The primary actor of an event is its side A (UCDP) or actor 1 (ACLED).
INSERT INTO actor_monthly_aggregates (dataset_id, actor_id, country_iso3, admin1, year, month, violence_type, clear, precise,
		events, deaths_best, deaths_low, deaths_high, deaths_civilians)
	SELECT x.dataset_id, p.actor_id, x.iso3, x.admin1, x.year, x.month, x.violence_type, x.clear, x.precise,
		count(*), sum(x.deaths_best), sum(x.deaths_low), sum(x.deaths_high), sum(x.deaths_civilians)
	FROM migrate_0010_events x
	JOIN (SELECT event_id, min(actor_id) AS actor_id FROM event_actors WHERE role IN ('side_a', 'actor1') GROUP BY event_id) p ON p.event_id = x.id
	GROUP BY x.dataset_id, p.actor_id, x.iso3, x.admin1, x.year, x.month, x.violence_type, x.clear, x.precise;

-- 3. What each dataset version covers: the months (YYYY-MM, inclusive),
--    the countries (ISO 3166-1 alpha-3, comma-separated; '' for every
--    country) and how that was decided (basis: 'stated', 'file name',
--    'dates'; '' when not known).
ALTER TABLE dataset_versions ADD COLUMN covers_from TEXT NOT NULL DEFAULT '';
ALTER TABLE dataset_versions ADD COLUMN covers_to TEXT NOT NULL DEFAULT '';
ALTER TABLE dataset_versions ADD COLUMN countries TEXT NOT NULL DEFAULT '';
ALTER TABLE dataset_versions ADD COLUMN basis TEXT NOT NULL DEFAULT '';

-- Existing versions are backfilled from their events, by the rules an
-- import follows: a UCDP monthly candidate (version YY.0.M) covers its
-- month; other UCDP versions the whole years of their events' year column
-- (GED is coded by calendar year); ACLED versions the first to the last
-- month of their events; a version whose events are all in one country
-- covers only that country. A monthly candidate's version is matched
-- with GLOB on SQLite and a regular expression on PostgreSQL, each
-- dialect having only its own.
UPDATE dataset_versions SET
	covers_from = CASE
		WHEN dataset_id IN (SELECT id FROM datasets WHERE name = 'ucdp')
--@ sqlite
			AND (version GLOB '[0-9][0-9].0.[1-9]' OR version GLOB '[0-9][0-9].0.1[0-2]')
			THEN '20' || substr(version, 1, 2) || '-' || CASE WHEN length(version) = 6 THEN '0' || substr(version, 6, 1) ELSE substr(version, 6, 2) END
--@ postgres
			AND version ~ '^[0-9]{2}\.0\.([1-9]|1[0-2])$'
			THEN '20' || substr(version, 1, 2) || '-' || lpad(split_part(version, '.', 3), 2, '0')
--@ end
		WHEN dataset_id IN (SELECT id FROM datasets WHERE name = 'ucdp')
			THEN (SELECT CAST(min(x.year) AS TEXT) || '-01' FROM migrate_0010_events x WHERE x.version_id = dataset_versions.id)
		ELSE (SELECT min(x.month) FROM migrate_0010_events x WHERE x.version_id = dataset_versions.id)
	END,
	covers_to = CASE
		WHEN dataset_id IN (SELECT id FROM datasets WHERE name = 'ucdp')
--@ sqlite
			AND (version GLOB '[0-9][0-9].0.[1-9]' OR version GLOB '[0-9][0-9].0.1[0-2]')
			THEN '20' || substr(version, 1, 2) || '-' || CASE WHEN length(version) = 6 THEN '0' || substr(version, 6, 1) ELSE substr(version, 6, 2) END
--@ postgres
			AND version ~ '^[0-9]{2}\.0\.([1-9]|1[0-2])$'
			THEN '20' || substr(version, 1, 2) || '-' || lpad(split_part(version, '.', 3), 2, '0')
--@ end
		WHEN dataset_id IN (SELECT id FROM datasets WHERE name = 'ucdp')
			THEN (SELECT CAST(max(x.year) AS TEXT) || '-12' FROM migrate_0010_events x WHERE x.version_id = dataset_versions.id)
		ELSE (SELECT max(x.month) FROM migrate_0010_events x WHERE x.version_id = dataset_versions.id)
	END,
	countries = COALESCE((SELECT CASE WHEN count(DISTINCT x.country) = 1 THEN max(x.iso3) ELSE '' END
		FROM migrate_0010_events x WHERE x.version_id = dataset_versions.id), ''),
	basis = CASE
		WHEN dataset_id IN (SELECT id FROM datasets WHERE name = 'ucdp')
--@ sqlite
			AND (version GLOB '[0-9][0-9].0.[1-9]' OR version GLOB '[0-9][0-9].0.1[0-2]') THEN 'file name'
--@ postgres
			AND version ~ '^[0-9]{2}\.0\.([1-9]|1[0-2])$' THEN 'file name'
--@ end
		ELSE 'dates'
	END
WHERE EXISTS (SELECT 1 FROM migrate_0010_events x WHERE x.version_id = dataset_versions.id);

DROP TABLE migrate_0010_events;
DROP TABLE migrate_0010_iso3;
