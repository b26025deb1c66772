-- The working-day calendar (R3.3): the city's overrides of single days, and
-- official holiday schedules loaded at run time (the holiday-cn JSON of one
-- year, as the calendar package accepted it). Years shipped with Qifu are
-- embedded in the binary, not stored. Dates are 'YYYY-MM-DD' text.

CREATE TABLE calendar_overrides (
    date       TEXT PRIMARY KEY,
    off        BOOLEAN NOT NULL,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE calendar_years (
    year      INTEGER PRIMARY KEY,
    data      TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);
