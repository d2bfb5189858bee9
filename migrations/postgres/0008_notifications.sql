-- Notifications: an outbox written in the transaction of the change that causes each message,
-- delivered in the background by e-mail and by the province's webhook.

-- Where a unit's board and a center receive notifications by e-mail (a person's address is
-- person.email).
ALTER TABLE district ADD COLUMN email TEXT;
ALTER TABLE center ADD COLUMN email TEXT;

-- How a recipient (a person, a center or a unit's board) wants to be told. No row: by every
-- channel it can be reached on, with reminders the day before each session.
CREATE TABLE notification_preference (
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('person', 'center', 'unit')),
    recipient_id   BIGINT NOT NULL,
    by_email       BOOLEAN NOT NULL,
    by_webhook     BOOLEAN NOT NULL,
    day_before     BOOLEAN NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (recipient_kind, recipient_id)
);

-- The webhook the province sets: where every message goes as a signed JSON document (one row).
CREATE TABLE webhook_setting (
    webhook_setting_id INTEGER PRIMARY KEY CHECK (webhook_setting_id = 1),
    url                TEXT NOT NULL,
    secret             TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);

-- One message to one recipient by one channel. `pending` until it is due (the combining
-- window, then each retry's backoff); `sending` while a sender holds it (until
-- claimed_until); then `sent` or `failed`; `combined` when merged into another one's message,
-- `dropped` when the messages combined into it cancel out (a session given, then taken back).
CREATE TABLE notification (
    notification_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_kind  TEXT NOT NULL CHECK (recipient_kind IN ('person', 'center', 'unit', 'test')),
    recipient_id    BIGINT,
    recipient_name  TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    email           TEXT,                   -- the recipient's address, if it has one
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,          -- JSON: the lines to tell (notify::message)
    dedupe_key      TEXT UNIQUE,            -- reminders: once per session and person, per step
    idempotency_key TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'combined', 'dropped')),
    combined_into   BIGINT REFERENCES notification (notification_id),
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    due_at          TIMESTAMPTZ NOT NULL,
    claimed_by      TEXT,
    claimed_until   TIMESTAMPTZ,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX notification_due ON notification (status, due_at);
CREATE INDEX notification_recipient ON notification (recipient_kind, recipient_id, channel, kind, status);
CREATE INDEX notification_created ON notification (created_at, notification_id);
