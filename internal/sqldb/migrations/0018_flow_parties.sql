-- A backer's or partner's state and force for the money-and-arms
-- figures, as a user confirmed or corrected them ('' : suggested from
-- the names).
ALTER TABLE intervention_actors ADD COLUMN flows_state TEXT NOT NULL DEFAULT '';
ALTER TABLE intervention_actors ADD COLUMN flows_force TEXT NOT NULL DEFAULT '';
