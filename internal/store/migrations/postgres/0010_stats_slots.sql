-- Counter slots: a handler's counts for a month (and its yearly volumes)
-- may be spread over several rows, told apart by slot, and every reader
-- sums them. On PostgreSQL concurrent writers add to different slots, so
-- tickets of one platform created at the same moment no longer queue on one
-- row lock held until commit (measured: the intake load spent most of its
-- time waiting on the stats_activity row). SQLite has one writer and always
-- writes slot 0; a rebuild writes slot 0.
ALTER TABLE stats_activity ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE stats_activity DROP CONSTRAINT stats_activity_pkey,
    ADD PRIMARY KEY (owner_type, owner_code, year, month, slot);
ALTER TABLE stats_breakdown ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE stats_breakdown DROP CONSTRAINT stats_breakdown_pkey,
    ADD PRIMARY KEY (owner_type, owner_code, year, dim, item, slot);
