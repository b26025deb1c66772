-- Service records (R4.3): one service delivered to one enterprise on one
-- day, by a platform, or by a department for a ticket it closed. A record is
-- never edited: a correction marks it cancelled (cancelled_at, cancelled_by,
-- cancel_reason, corrected_by) and inserts its replacement (corrects). What
-- statistics count are the live rows (cancelled_at IS NULL), by platform,
-- year of served_on, kind, service area and enterprise; a ticket has at most
-- one live row.

CREATE TABLE service_records (
    id              INTEGER PRIMARY KEY,
    platform_code   TEXT REFERENCES platforms (code),
    department_code TEXT REFERENCES departments (code),
    enterprise_uscc TEXT NOT NULL REFERENCES enterprises (uscc),
    kind            TEXT NOT NULL,
    service_area    TEXT NOT NULL,
    served_on       TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL,
    ticket_id       INTEGER REFERENCES tickets (id),
    corrects        INTEGER REFERENCES service_records (id),
    corrected_by    INTEGER,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    cancelled_at    TIMESTAMP,
    cancelled_by    TEXT NOT NULL DEFAULT '',
    cancel_reason   TEXT NOT NULL DEFAULT '',
    CHECK ((platform_code IS NULL) <> (department_code IS NULL))
);
CREATE INDEX service_records_platform ON service_records (platform_code, served_on, id);
CREATE INDEX service_records_department ON service_records (department_code, served_on, id) WHERE department_code IS NOT NULL;
CREATE INDEX service_records_enterprise ON service_records (enterprise_uscc, served_on, id);
CREATE INDEX service_records_served_on ON service_records (served_on, id);
CREATE UNIQUE INDEX service_records_ticket ON service_records (ticket_id) WHERE ticket_id IS NOT NULL AND cancelled_at IS NULL;

-- A ledger imported through the pages: its counts, the first problems (to
-- show) and the rejection report (to download), kept for the importer and
-- the city.
CREATE TABLE service_record_imports (
    id         INTEGER PRIMARY KEY,
    file_name  TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    rows_read  INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    skipped    INTEGER NOT NULL,
    rejected   INTEGER NOT NULL,
    problems   TEXT NOT NULL DEFAULT '[]',
    truncated  BOOLEAN NOT NULL DEFAULT FALSE,
    report     BLOB
);
CREATE INDEX service_record_imports_by ON service_record_imports (created_by, id);
