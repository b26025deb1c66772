-- Tickets (一线一网, R3): the ticket, its append-only events, the
-- organisations that handled or help with it, the routing rules and time
-- limits the city edits, and attachments. "open" mirrors the status (work
-- left) so the work queues are index range scans ordered by deadline.

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL,
    category        TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    enterprise_uscc TEXT NOT NULL DEFAULT '',
    enterprise_name TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL,
    content         TEXT NOT NULL,
    region_code     TEXT NOT NULL REFERENCES regions (code),
    contact_name    TEXT NOT NULL DEFAULT '',
    contact_phone   TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    open            BOOLEAN NOT NULL,
    assignee_type   TEXT NOT NULL,
    assignee_code   TEXT NOT NULL,
    assignee_path   TEXT NOT NULL DEFAULT '',
    dispatcher      TEXT NOT NULL DEFAULT '',
    sign_due_at     TIMESTAMP NOT NULL,
    due_at          TIMESTAMP NOT NULL,
    due_provisional BOOLEAN NOT NULL DEFAULT FALSE,
    dispatched_at   TIMESTAMP NOT NULL,
    signed_at       TIMESTAMP,
    replied_at      TIMESTAMP,
    closed_at       TIMESTAMP,
    extended_days   INTEGER NOT NULL DEFAULT 0,
    reply           TEXT NOT NULL DEFAULT '',
    satisfied       BOOLEAN,
    score           INTEGER,
    rated_by        TEXT NOT NULL DEFAULT '',
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    public          BOOLEAN NOT NULL DEFAULT FALSE,
    overdue         BOOLEAN NOT NULL DEFAULT FALSE,
    sign_overdue    BOOLEAN NOT NULL DEFAULT FALSE,
    supervised      BOOLEAN NOT NULL DEFAULT FALSE,
    urged           INTEGER NOT NULL DEFAULT 0,
    warned          BOOLEAN NOT NULL DEFAULT FALSE,
    duplicate_of    INTEGER,
    merged_into     INTEGER,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tickets_queue ON tickets (assignee_code, open, due_at, id);
CREATE INDEX tickets_path ON tickets (assignee_path, open, due_at, id);
CREATE INDEX tickets_open_due ON tickets (open, due_at, id);
CREATE INDEX tickets_enterprise ON tickets (enterprise_uscc, category, created_at);

CREATE TABLE ticket_events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    at          TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    internal    BOOLEAN NOT NULL DEFAULT FALSE,
    data        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE ticket_parties (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    party_type TEXT NOT NULL,
    party_code TEXT NOT NULL,
    role       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, party_type, party_code, role)
);

CREATE TABLE ticket_rules (
    id          INTEGER PRIMARY KEY,
    category    TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL DEFAULT '',
    target_type TEXT NOT NULL,
    target_code TEXT NOT NULL,
    priority    INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE ticket_limits (
    category           TEXT NOT NULL,
    urgency            TEXT NOT NULL,
    sign_hours         INTEGER NOT NULL DEFAULT 0,
    sign_days          INTEGER NOT NULL DEFAULT 0,
    handle_hours       INTEGER NOT NULL DEFAULT 0,
    handle_days        INTEGER NOT NULL DEFAULT 0,
    max_extension_days INTEGER NOT NULL DEFAULT 0,
    return_days        INTEGER NOT NULL DEFAULT 0,
    updated_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (category, urgency)
);

CREATE TABLE ticket_attachments (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TIMESTAMP NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id);
