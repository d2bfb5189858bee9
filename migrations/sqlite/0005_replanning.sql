-- A run sets aside the published assignments around it that break a rule today (JSON: the
-- assignments with their rules in words), leaving them to be re-planned.
ALTER TABLE solve_run ADD COLUMN set_aside TEXT;
