-- Which server process runs a job (host and process id, as the server
-- names itself): an operator with several servers sees whose import is
-- stuck, and whose death queued it again.
ALTER TABLE jobs ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
