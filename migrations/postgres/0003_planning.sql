-- From plan to published schedule: programs and their modules, annual plans and their
-- classes, class requests, classes, briefings, the sessions they make, solve runs with their
-- drafts, pins, and the published schedule with every version kept.

CREATE TABLE program (
    program_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A program's modules in teaching order; each needs a lecturer holding its topic.
CREATE TABLE program_module (
    program_id       BIGINT NOT NULL REFERENCES program (program_id) ON DELETE CASCADE,
    position         BIGINT NOT NULL CHECK (position >= 1),
    topic_id         BIGINT NOT NULL REFERENCES topic (topic_id),
    half_days        BIGINT NOT NULL CHECK (half_days >= 1),
    min_theory_level TEXT CHECK (min_theory_level IN ('elementary', 'intermediate', 'advanced')),
    PRIMARY KEY (program_id, position)
);

-- A district's annual plan (kế hoạch đào tạo, bồi dưỡng hằng năm): drafted, then approved.
CREATE TABLE plan (
    plan_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES district (district_id),
    year        INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    status      TEXT NOT NULL CHECK (status IN ('draft', 'approved')),
    approved_by TEXT,                        -- username of whoever approved it
    approved_at TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (district_id, year)
);

CREATE TABLE planned_class (
    planned_class_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id          BIGINT NOT NULL REFERENCES plan (plan_id) ON DELETE CASCADE,
    program_id       BIGINT NOT NULL REFERENCES program (program_id),
    center_id        BIGINT NOT NULL REFERENCES center (center_id),
    name             TEXT NOT NULL,
    months           TEXT NOT NULL,          -- intended months, e.g. "3,4"
    trainees         BIGINT NOT NULL CHECK (trainees >= 0),
    women            BIGINT NOT NULL CHECK (women BETWEEN 0 AND trainees),
    ethnic_minority  BIGINT NOT NULL CHECK (ethnic_minority BETWEEN 0 AND trainees)
);
CREATE INDEX planned_class_plan ON planned_class (plan_id);

-- A center asks for lecturers for a planned class: submitted, then accepted (it becomes a
-- class), rejected with a reason, or scheduled once its sessions are published.
CREATE TABLE class_request (
    request_id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    planned_class_id BIGINT NOT NULL REFERENCES planned_class (planned_class_id),
    district_id      BIGINT NOT NULL REFERENCES district (district_id),  -- the venue's
    venue            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'rejected', 'scheduled')),
    reason           TEXT,                   -- why it was rejected
    requested_by     TEXT NOT NULL,
    decided_by       TEXT,
    decided_at       TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX class_request_planned_class ON class_request (planned_class_id);

-- The half-days a request asks for, in order: the modules' sessions fill them in turn.
CREATE TABLE request_slot (
    request_id BIGINT NOT NULL REFERENCES class_request (request_id) ON DELETE CASCADE,
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, starts_at)
);

-- An accepted request: one run of a program at a center.
CREATE TABLE course_class (
    class_id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id       BIGINT NOT NULL UNIQUE REFERENCES class_request (request_id),
    planned_class_id BIGINT NOT NULL REFERENCES planned_class (planned_class_id),
    created_at       TIMESTAMPTZ NOT NULL
);

-- A conference presenting a resolution (hội nghị học tập, quán triệt nghị quyết).
CREATE TABLE briefing (
    briefing_id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic_id          BIGINT NOT NULL REFERENCES topic (topic_id),
    district_id       BIGINT NOT NULL REFERENCES district (district_id),
    venue             TEXT NOT NULL,
    title             TEXT NOT NULL,
    audience_level    TEXT NOT NULL CHECK (audience_level IN ('grassroots', 'district', 'province')),
    language          TEXT,
    language_required BOOLEAN NOT NULL DEFAULT FALSE,
    rapporteurs       BIGINT NOT NULL CHECK (rapporteurs >= 1),
    deadline          DATE,                  -- a date by which it must happen
    created_by        TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL
);

-- A half-day to staff: of a class (one module) or of a briefing.
CREATE TABLE session (
    session_id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    class_id             BIGINT REFERENCES course_class (class_id),
    briefing_id          BIGINT REFERENCES briefing (briefing_id),
    module_position      BIGINT,           -- a class session's module in its program
    topic_id             BIGINT NOT NULL REFERENCES topic (topic_id),
    district_id          BIGINT NOT NULL REFERENCES district (district_id),
    venue                TEXT NOT NULL,
    starts_at            TIMESTAMPTZ NOT NULL,
    ends_at              TIMESTAMPTZ NOT NULL,
    needs                BIGINT NOT NULL CHECK (needs >= 1),
    min_theory_level     TEXT,
    min_rapporteur_level TEXT,
    language             TEXT,
    language_required    BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK ((class_id IS NULL) <> (briefing_id IS NULL)),
    CHECK (starts_at < ends_at)
);
CREATE INDEX session_starts ON session (starts_at);
CREATE INDEX session_venue ON session (district_id, venue, starts_at);

-- The board's weights for the scheduler's objective (one row).
CREATE TABLE scheduler_weights (
    weights_id    BIGINT PRIMARY KEY CHECK (weights_id = 1),
    uncovered     BIGINT NOT NULL CHECK (uncovered >= 0),
    travel_minute BIGINT NOT NULL CHECK (travel_minute >= 0),
    max_load      BIGINT NOT NULL CHECK (max_load >= 0),
    continuity    BIGINT NOT NULL CHECK (continuity >= 0),
    part_time     BIGINT NOT NULL CHECK (part_time >= 0),
    language      BIGINT NOT NULL CHECK (language >= 0),
    change        BIGINT NOT NULL CHECK (change >= 0)
);
INSERT INTO scheduler_weights VALUES (1, 10000, 1, 50, 30, 5, 200, 500);

-- A person the board has fixed on a session; every run keeps it.
CREATE TABLE pin (
    session_id BIGINT NOT NULL REFERENCES session (session_id) ON DELETE CASCADE,
    person_id  BIGINT NOT NULL REFERENCES person (person_id),
    pinned_by  TEXT NOT NULL,
    pinned_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, person_id)
);

-- A publication of a draft: the schedule's versions, in order.
CREATE TABLE schedule_version (
    version_id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    added        BIGINT NOT NULL,
    removed      BIGINT NOT NULL
);

-- Who takes which session, from the version that published it until the version that
-- removed it (NULL while current): the history the calendar feeds tell changes from.
CREATE TABLE assignment (
    assignment_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id    BIGINT NOT NULL REFERENCES session (session_id),
    person_id     BIGINT NOT NULL REFERENCES person (person_id),
    from_version  BIGINT NOT NULL REFERENCES schedule_version (version_id),
    to_version    BIGINT REFERENCES schedule_version (version_id)
);
CREATE UNIQUE INDEX assignment_current ON assignment (session_id, person_id) WHERE to_version IS NULL;
CREATE INDEX assignment_person ON assignment (person_id, session_id);

-- A scheduler run over a period (and optionally some districts). The problem is built when
-- the run is created; a worker claims it, solves it and keeps the best solution so far.
CREATE TABLE solve_run (
    run_id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period_start     DATE NOT NULL,          -- first day, local
    period_end       DATE NOT NULL,          -- last day, local
    districts        TEXT,                   -- district ids, comma-separated; NULL for all
    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'cancelled', 'failed', 'published')),
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    based_on_version BIGINT NOT NULL,       -- the latest schedule version when it was created
    problem          TEXT NOT NULL,          -- roster-problem/1
    solution         TEXT,                   -- roster-solution/1: the draft, or the best so far
    elapsed_seconds  DOUBLE PRECISION,
    incumbent        BIGINT,
    bound            BIGINT,
    failure          TEXT,
    worker           TEXT,
    heartbeat_at     TIMESTAMPTZ,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ
);
CREATE INDEX solve_run_status ON solve_run (status, run_id);
