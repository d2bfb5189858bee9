-- The registry: districts and travel times, centers, topics (qualifications), people,
-- their roles, languages, qualifications and availability.
-- Timestamps are UTC, written by the service; periods are half-open [starts_at, ends_at).

CREATE TABLE district (
    district_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,     -- the board's short code, used in problem files
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Minutes to travel from one district to another; each direction is kept on its own.
CREATE TABLE travel_time (
    from_district_id BIGINT NOT NULL REFERENCES district (district_id) ON DELETE CASCADE,
    to_district_id   BIGINT NOT NULL REFERENCES district (district_id) ON DELETE CASCADE,
    minutes          INTEGER NOT NULL CHECK (minutes >= 0),
    PRIMARY KEY (from_district_id, to_district_id)
);

-- A district's political center, or the provincial political school.
CREATE TABLE center (
    center_id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('district_center', 'provincial_school')),
    district_id BIGINT NOT NULL REFERENCES district (district_id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- A curriculum module or a resolution; holding one is a qualification.
CREATE TABLE topic (
    topic_id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('module', 'resolution')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE person (
    person_id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,  -- the board's own ID
    full_name        TEXT NOT NULL,
    sort_key         TEXT COLLATE "C" NOT NULL, -- compared byte by byte: given name first (collation.rs)
    search_key       TEXT NOT NULL,         -- name and code without diacritics, lowercase
    rapporteur_level TEXT CHECK (rapporteur_level IN ('grassroots', 'district', 'province')),
    theory_level     TEXT CHECK (theory_level IN ('elementary', 'intermediate', 'advanced')),
    home_district_id BIGINT REFERENCES district (district_id),
    center_id        BIGINT REFERENCES center (center_id),
    gender           TEXT CHECK (gender IN ('female', 'male')),
    ethnicity        TEXT,
    phone            TEXT,
    email            TEXT,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    max_per_day      INTEGER CHECK (max_per_day >= 1),
    max_per_week     INTEGER CHECK (max_per_week >= 1),
    max_per_month    INTEGER CHECK (max_per_month >= 1),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX person_sort ON person (sort_key, person_id);
CREATE INDEX person_home_district ON person (home_district_id);
CREATE INDEX person_center ON person (center_id);

CREATE TABLE person_role (
    person_id BIGINT NOT NULL REFERENCES person (person_id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('lecturer_full_time', 'lecturer_part_time', 'rapporteur')),
    PRIMARY KEY (person_id, role)
);
CREATE INDEX person_role_role ON person_role (role, person_id);

-- ISO 639 codes: vi, km (Khmer), zh (Hoa), hmn (H'Mông), tyz (Tày), nut (Nùng), …
CREATE TABLE person_language (
    person_id BIGINT NOT NULL REFERENCES person (person_id) ON DELETE CASCADE,
    language  TEXT NOT NULL,
    PRIMARY KEY (person_id, language)
);
CREATE INDEX person_language_language ON person_language (language, person_id);

CREATE TABLE qualification (
    person_id BIGINT NOT NULL REFERENCES person (person_id) ON DELETE CASCADE,
    topic_id  BIGINT NOT NULL REFERENCES topic (topic_id),
    PRIMARY KEY (person_id, topic_id)
);
CREATE INDEX qualification_topic ON qualification (topic_id, person_id);

-- Leave, business trips, illness: the person cannot be scheduled in [starts_at, ends_at).
CREATE TABLE unavailability (
    unavailability_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id         BIGINT NOT NULL REFERENCES person (person_id) ON DELETE CASCADE,
    starts_at         TIMESTAMPTZ NOT NULL,
    ends_at           TIMESTAMPTZ NOT NULL,
    reason            TEXT,
    CHECK (starts_at < ends_at)
);
CREATE INDEX unavailability_person ON unavailability (person_id, starts_at);

-- The half-days a part-time lecturer can come; no rows means no weekly restriction.
CREATE TABLE weekly_availability (
    person_id BIGINT NOT NULL REFERENCES person (person_id) ON DELETE CASCADE,
    weekday   TEXT NOT NULL CHECK (weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')),
    half_day  TEXT NOT NULL CHECK (half_day IN ('morning', 'afternoon')),
    PRIMARY KEY (person_id, weekday, half_day)
);
