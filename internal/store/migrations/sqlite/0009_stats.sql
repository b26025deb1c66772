-- Statistics (R5.2, R1.2, R1.8): rollups the dashboards read instead of the
-- raw records and tickets, kept in the same transaction as the changes that
-- move them (see internal/stats for the rules and why).
--
-- stats_activity: additive counts of one handler (a platform or a
-- department) for one month: its live service records (by service date),
-- and, by the CST month its tickets were created, the state of the tickets
-- it holds now (received, closed, on time, rated …) and what happened to
-- them while it held them (dispatched to it, returned, extended, reopened).
-- A district's or the city's counts are sums of these rows.
CREATE TABLE stats_activity (
    owner_type        TEXT NOT NULL CHECK (owner_type IN ('platform', 'department')),
    owner_code        TEXT NOT NULL,
    year              INTEGER NOT NULL,
    month             INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    records           INTEGER NOT NULL DEFAULT 0,
    tickets           INTEGER NOT NULL DEFAULT 0,
    closed            INTEGER NOT NULL DEFAULT 0,
    sign_due          INTEGER NOT NULL DEFAULT 0,
    sign_on_time      INTEGER NOT NULL DEFAULT 0,
    handle_due        INTEGER NOT NULL DEFAULT 0,
    handle_on_time    INTEGER NOT NULL DEFAULT 0,
    overdue           INTEGER NOT NULL DEFAULT 0,
    rated_final       INTEGER NOT NULL DEFAULT 0,
    final_sat_flag    INTEGER NOT NULL DEFAULT 0,
    final_noscore_sat INTEGER NOT NULL DEFAULT 0,
    score1            INTEGER NOT NULL DEFAULT 0,
    score2            INTEGER NOT NULL DEFAULT 0,
    score3            INTEGER NOT NULL DEFAULT 0,
    score4            INTEGER NOT NULL DEFAULT 0,
    score5            INTEGER NOT NULL DEFAULT 0,
    dispatched        INTEGER NOT NULL DEFAULT 0,
    returns           INTEGER NOT NULL DEFAULT 0,
    extensions        INTEGER NOT NULL DEFAULT 0,
    reopens           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_type, owner_code, year, month)
);
CREATE INDEX stats_activity_year ON stats_activity (year, owner_type, owner_code);

-- stats_breakdown: yearly volumes of one handler by a dimension: its tickets
-- by channel and category, its records by service area and kind.
CREATE TABLE stats_breakdown (
    owner_type TEXT NOT NULL CHECK (owner_type IN ('platform', 'department')),
    owner_code TEXT NOT NULL,
    year       INTEGER NOT NULL,
    dim        TEXT NOT NULL CHECK (dim IN ('channel', 'category', 'service_area', 'kind')),
    item       TEXT NOT NULL,
    n          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_type, owner_code, year, dim, item)
);
CREATE INDEX stats_breakdown_year ON stats_breakdown (year, owner_type, owner_code);

-- stats_members: distinct counts are not additive, so each scope keeps who
-- it served in a year: n live records, the first of them on first_on. A
-- scope is a platform's own records, a tree (a city or district platform and
-- every platform below it), a department, or the city (every platform and
-- department). Rows with n = 0 are deleted.
CREATE TABLE stats_members (
    scope_type      TEXT NOT NULL CHECK (scope_type IN ('platform', 'department', 'tree', 'city')),
    scope_code      TEXT NOT NULL,
    year            INTEGER NOT NULL,
    enterprise_uscc TEXT NOT NULL,
    n               INTEGER NOT NULL,
    first_on        TEXT NOT NULL,
    PRIMARY KEY (scope_type, scope_code, year, enterprise_uscc)
);
CREATE INDEX stats_members_enterprise ON stats_members (enterprise_uscc);

-- stats_reach: the SMEs a scope served for the first time in the year in
-- each month (members with n > 0 whose enterprise is not large, by the
-- month of first_on). The SMEs served in a year is the sum of its months.
CREATE TABLE stats_reach (
    scope_type TEXT NOT NULL CHECK (scope_type IN ('platform', 'department', 'tree', 'city')),
    scope_code TEXT NOT NULL,
    year       INTEGER NOT NULL,
    month      INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    smes_new   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope_type, scope_code, year, month)
);
CREATE INDEX stats_reach_year ON stats_reach (year, scope_type, scope_code);

-- An enterprise re-classified as large leaves every count of SMEs served
-- (and one re-classified back returns to them), whatever path wrote the
-- change (the form, the API, an import): the trigger moves its members'
-- months by one. Every member's month has a stats_reach row (written with
-- the member, possibly with 0), so the update finds it.
CREATE TRIGGER stats_enterprise_size AFTER UPDATE OF size ON enterprises
WHEN (OLD.size = 'large') <> (NEW.size = 'large')
BEGIN
    UPDATE stats_reach SET smes_new = smes_new + (CASE WHEN NEW.size = 'large' THEN -1 ELSE 1 END)
    WHERE (scope_type, scope_code, year, month) IN (
        SELECT scope_type, scope_code, year, CAST(SUBSTR(first_on, 6, 2) AS INTEGER) FROM stats_members
        WHERE enterprise_uscc = NEW.uscc AND n > 0);
END;

-- The network's yearly targets (R1.8), set by the city: how many
-- specialised demonstration platforms, and what share of the key streets
-- (regions.key_street) with a street platform of their own.
CREATE TABLE stats_network_targets (
    year                    INTEGER PRIMARY KEY,
    demonstration_platforms INTEGER,
    key_street_coverage     REAL,
    updated_at              TIMESTAMP NOT NULL,
    updated_by              TEXT NOT NULL
);

-- Demonstration platforms (示范平台): a specialised platform certified as
-- exemplary from certified_on, until revoked_on when its yearly re-check
-- fails. Kept, never deleted.
CREATE TABLE demonstration_platforms (
    platform_code TEXT PRIMARY KEY REFERENCES platforms (code),
    certified_on  TEXT NOT NULL,
    revoked_on    TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMP NOT NULL,
    updated_by    TEXT NOT NULL
);
