-- Durable background jobs (internal/jobs) and the notification outbox with
-- the in-app inbox (internal/notify).

-- A job of a kind is enqueued once per key (a time slot or an object):
-- enqueueing it again does nothing. A worker claims a due job by setting it
-- running with a lease (locked_until); a job whose lease ran out is claimed
-- again, so the job of a crashed instance is not lost.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    run_at       TIMESTAMP NOT NULL,
    status       TEXT NOT NULL DEFAULT 'ready' CHECK (status IN ('ready', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    locked_by    TEXT,
    locked_until TIMESTAMP,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    UNIQUE (kind, key)
);
CREATE INDEX jobs_ready ON jobs (run_at) WHERE status = 'ready';
CREATE INDEX jobs_running ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('done', 'failed');

-- One row per message and channel. recipient is "user:NAME",
-- "enterprise:CREDIT CODE" or "phone:NUMBER". The text is rendered from
-- msg_key and params (JSON) when the message is sent, in the recipient's
-- language. A pending row is claimed by pushing next_attempt_at a lease
-- ahead; an inbox row becomes visible to its recipient once sent.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('inbox', 'sms', 'email')),
    recipient       TEXT NOT NULL,
    lang            TEXT NOT NULL DEFAULT '',
    msg_key         TEXT NOT NULL,
    params          TEXT NOT NULL DEFAULT '{}',
    link            TEXT NOT NULL DEFAULT '',
    object_type     TEXT NOT NULL DEFAULT '',
    object_id       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_by       TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    read_at         TIMESTAMP
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_failed ON notifications (id) WHERE status = 'failed';
CREATE INDEX notifications_inbox ON notifications (recipient, id) WHERE channel = 'inbox' AND status = 'sent';
CREATE INDEX notifications_unread ON notifications (recipient) WHERE channel = 'inbox' AND status = 'sent' AND read_at IS NULL;
