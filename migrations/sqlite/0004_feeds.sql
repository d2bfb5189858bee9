-- Calendar feeds: who to call at a center, and the secret feed links of people.

ALTER TABLE center ADD COLUMN contact TEXT;   -- e.g. "Đ/c Lan, 0912 345 678", shown in feeds

-- A person's feed is fetched without a login, by a secret in its URL; only its hash is kept.
-- One link per person at a time: issuing a new one revokes the old.
CREATE TABLE feed_token (
    feed_token_id INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES person (person_id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,              -- the first characters, to recognise a link
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);
CREATE UNIQUE INDEX feed_token_active ON feed_token (person_id) WHERE revoked_at IS NULL;
CREATE INDEX session_class ON session (class_id);
