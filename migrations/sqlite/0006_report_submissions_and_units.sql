-- Reports sent to the province, and the units that own plans.

-- A board's yearly report sent to the province (seed III.1, due before 22 February of the
-- next year): the figures frozen as they stood (JSON), the board's remarks, who sent it and
-- when. A correction is a new row; earlier ones stay. The province may return one, with a
-- reason.
CREATE TABLE report_submission (
    submission_id INTEGER PRIMARY KEY,
    district_id   INTEGER NOT NULL REFERENCES district (district_id),
    year          INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    figures       TEXT NOT NULL,
    achievements  TEXT NOT NULL,
    difficulties  TEXT NOT NULL,
    proposals     TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    returned_by   TEXT,
    returned_at   TEXT,
    return_reason TEXT
);
CREATE INDEX report_submission_year ON report_submission (year, district_id, submission_id);

-- The kinds of unit that draft yearly plans (the boards of the district, town and city Party
-- committees, of the Party committees directly under the province, …): data the province
-- keeps, names included.
CREATE TABLE unit_kind (
    unit_kind_id INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- A unit that owns plans is a row of `district`, of a kind. A district is a place of the
-- travel matrix; a unit without a place of its own (a Party committee under the province) is
-- seated in one, and travels as it does.
ALTER TABLE district ADD COLUMN unit_kind_id INTEGER REFERENCES unit_kind (unit_kind_id);
ALTER TABLE district ADD COLUMN seat_district_id INTEGER REFERENCES district (district_id);
