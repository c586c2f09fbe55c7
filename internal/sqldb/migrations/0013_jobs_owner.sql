-- How many times a job was queued again because its server stopped under
-- it: after a few, it fails rather than take every new server down too.
ALTER TABLE jobs ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0;
