-- Counter slots: a handler's counts for a month (and its yearly volumes)
-- may be spread over several rows, told apart by slot, and every reader
-- sums them. On PostgreSQL concurrent writers add to different slots, so
-- tickets of one platform created at the same moment no longer queue on one
-- row lock held until commit (measured: the intake load spent most of its
-- time waiting on the stats_activity row). SQLite has one writer and always
-- writes slot 0; a rebuild writes slot 0.
CREATE TABLE stats_activity_slotted (
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
    slot              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_type, owner_code, year, month, slot)
);
INSERT INTO stats_activity_slotted (owner_type, owner_code, year, month, records, tickets, closed, sign_due,
    sign_on_time, handle_due, handle_on_time, overdue, rated_final, final_sat_flag, final_noscore_sat,
    score1, score2, score3, score4, score5, dispatched, returns, extensions, reopens)
SELECT owner_type, owner_code, year, month, records, tickets, closed, sign_due,
    sign_on_time, handle_due, handle_on_time, overdue, rated_final, final_sat_flag, final_noscore_sat,
    score1, score2, score3, score4, score5, dispatched, returns, extensions, reopens FROM stats_activity;
DROP TABLE stats_activity;
ALTER TABLE stats_activity_slotted RENAME TO stats_activity;
CREATE INDEX stats_activity_year ON stats_activity (year, owner_type, owner_code);

CREATE TABLE stats_breakdown_slotted (
    owner_type TEXT NOT NULL CHECK (owner_type IN ('platform', 'department')),
    owner_code TEXT NOT NULL,
    year       INTEGER NOT NULL,
    dim        TEXT NOT NULL CHECK (dim IN ('channel', 'category', 'service_area', 'kind')),
    item       TEXT NOT NULL,
    n          INTEGER NOT NULL DEFAULT 0,
    slot       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_type, owner_code, year, dim, item, slot)
);
INSERT INTO stats_breakdown_slotted (owner_type, owner_code, year, dim, item, n)
SELECT owner_type, owner_code, year, dim, item, n FROM stats_breakdown;
DROP TABLE stats_breakdown;
ALTER TABLE stats_breakdown_slotted RENAME TO stats_breakdown;
CREATE INDEX stats_breakdown_year ON stats_breakdown (year, owner_type, owner_code);
