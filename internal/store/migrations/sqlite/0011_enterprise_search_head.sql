-- The search entries gain a head token (enterprise.HeadPrefix and the
-- first bigram of the name): a name prefix is found through it instead of
-- the positions of every entry holding the bigram (BENCHMARKS.md, issue 3).
-- The table is made anew and refilled from the enterprises by the
-- migration's backfill (store.rebuildEnterpriseSearch). PostgreSQL finds
-- name prefixes through its name_key index and needs no change.

DROP TABLE enterprise_search;
CREATE VIRTUAL TABLE enterprise_search USING fts5(
    tokens, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
