-- Accounts, browser sessions, API tokens and the audit log.

-- An account's role sets what it may do; district, center or person sets where.
CREATE TABLE app_user (
    user_id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,             -- argon2id, PHC string
    role          TEXT NOT NULL CHECK (role IN ('province_admin', 'district_board', 'center_coordinator', 'lecturer')),
    district_id   BIGINT REFERENCES district (district_id),
    center_id     BIGINT REFERENCES center (center_id),
    person_id     BIGINT REFERENCES person (person_id),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK ((role = 'district_board') = (district_id IS NOT NULL)),
    CHECK ((role = 'center_coordinator') = (center_id IS NOT NULL)),
    CHECK ((role = 'lecturer') = (person_id IS NOT NULL))
);

-- Only a hash of the cookie value is kept, so a copy of the database opens no session.
CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_token (
    api_token_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,               -- the first characters, to recognise a token
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

-- Every write: who, what, when, and the entity before and after (JSON).
CREATE TABLE audit_log (
    audit_log_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT REFERENCES app_user (user_id) ON DELETE SET NULL,
    actor        TEXT NOT NULL,               -- username, or "cli" for the command line
    action       TEXT NOT NULL,               -- create, update, delete, import, …
    entity       TEXT NOT NULL,               -- person, district, …
    entity_id    TEXT,
    before       JSONB,
    after        JSONB,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);
