-- The names of the published columns an event keeps in events.extra,
-- stored once per list of names instead of on every row (they were a
-- fifth of an events row). An event written from now on keeps
-- [layout id, value, …] with its values in its layout's order, "" where
-- the cell was empty; events written before keep the JSON object
-- {"name": "value", …}, and every reader reads both (sqldb/extra.go).
CREATE TABLE event_extra_layouts (
    id {{id}},
    names TEXT NOT NULL UNIQUE -- JSON array of the names, in order
);
-- The same names one per row, for SQL that reads one value (the search
-- index): the value of name is element pos of the event's array.
CREATE TABLE event_extra_columns (
    layout_id {{bigint}} NOT NULL REFERENCES event_extra_layouts(id),
    pos INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (layout_id, name)
);
