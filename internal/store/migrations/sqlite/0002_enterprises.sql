-- The enterprise registry (R2). Search: a contentless FTS5 table whose rowid
-- is the enterprise id and whose one column holds the space-separated
-- bigram tokens of enterprise.Tokens. There is deliberately no b-tree index
-- on name: name prefixes are found through the index's first tokens, and an
-- index on a random key halves bulk import speed (BENCHMARKS.md).

CREATE TABLE enterprises (
    id            INTEGER PRIMARY KEY,
    uscc          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    industry      TEXT NOT NULL,
    employees     INTEGER,
    revenue_wan   REAL,
    assets_wan    REAL,
    size          TEXT NOT NULL CHECK (size IN ('large', 'medium', 'small', 'micro')),
    size_standard TEXT NOT NULL,
    size_checks   TEXT NOT NULL DEFAULT '[]',
    region_code   TEXT NOT NULL REFERENCES regions (code),
    address       TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX enterprises_region ON enterprises (region_code, id);

CREATE VIRTUAL TABLE enterprise_search USING fts5(
    tokens, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
