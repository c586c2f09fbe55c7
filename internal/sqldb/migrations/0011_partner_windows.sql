-- Dated dataset names: the days (inclusive, YYYY-MM-DD; '' unbounded) on
-- which a dataset's name means this backer or partner force. A dataset may
-- give the same name to another actor at another time (UCDP's "Government
-- of Afghanistan" is the Taliban after 15 August 2021). The actor's own
-- support window stays in intervention_actors.start_date and end_date.
ALTER TABLE intervention_actor_aliases ADD COLUMN from_date TEXT NOT NULL DEFAULT '';
ALTER TABLE intervention_actor_aliases ADD COLUMN to_date TEXT NOT NULL DEFAULT '';
