-- Foundation: settings, the platform network, people, sessions, tokens, audit.
-- Times are stored in UTC by the driver ("2006-01-02 15:04:05.999999999+00:00"),
-- which sorts and compares correctly as text. Dates are 'YYYY-MM-DD' text.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE brand_assets (
    name         TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('city', 'district', 'street')),
    parent_code TEXT REFERENCES regions (code),
    key_street  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE tier_standards (
    tier             TEXT PRIMARY KEY CHECK (tier IN ('city', 'district', 'street', 'specialised')),
    min_area_m2      REAL NOT NULL,
    min_smes_served  INTEGER NOT NULL,
    min_satisfaction REAL NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
INSERT INTO tier_standards (tier, min_area_m2, min_smes_served, min_satisfaction, updated_at) VALUES
    ('city', 4000, 20000, 0.9, '2026-01-01 00:00:00+00:00'),
    ('district', 300, 5000, 0.9, '2026-01-01 00:00:00+00:00'),
    ('street', 100, 100, 0.9, '2026-01-01 00:00:00+00:00'),
    ('specialised', 200, 100, 0.9, '2026-01-01 00:00:00+00:00');

CREATE TABLE platforms (
    code               TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    tier               TEXT NOT NULL CHECK (tier IN ('city', 'district', 'street', 'specialised')),
    region_code        TEXT NOT NULL REFERENCES regions (code),
    parent_code        TEXT REFERENCES platforms (code),
    path               TEXT NOT NULL,
    legal_status       TEXT NOT NULL DEFAULT '',
    operating_body     TEXT NOT NULL DEFAULT '',
    funding_source     TEXT NOT NULL DEFAULT '',
    funding_wan        REAL NOT NULL DEFAULT 0,
    staff_count        INTEGER NOT NULL DEFAULT 0,
    professional_staff INTEGER NOT NULL DEFAULT 0,
    area_m2            REAL NOT NULL DEFAULT 0,
    hotline            TEXT NOT NULL DEFAULT '',
    address            TEXT NOT NULL DEFAULT '',
    established_on     TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX platforms_path ON platforms (path);
CREATE INDEX platforms_parent ON platforms (parent_code);
CREATE INDEX platforms_region ON platforms (region_code);
CREATE UNIQUE INDEX platforms_one_per_region ON platforms (region_code, tier) WHERE tier <> 'specialised';

CREATE TABLE departments (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE department_categories (
    department_code TEXT NOT NULL REFERENCES departments (code) ON DELETE CASCADE,
    category        TEXT NOT NULL,
    PRIMARY KEY (department_code, category)
);
CREATE INDEX department_categories_category ON department_categories (category);

CREATE TABLE institutions (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    platform_code TEXT REFERENCES platforms (code),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL,
    org_code             TEXT NOT NULL DEFAULT '',
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret          TEXT NOT NULL DEFAULT '',
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step       INTEGER NOT NULL DEFAULT 0,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    locked_until         TIMESTAMP,
    password_changed_at  TIMESTAMP NOT NULL,
    last_login_at        TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX users_org ON users (org_code);

CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip       TEXT NOT NULL,
    at       TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_user_at ON login_failures (username, at);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    mfa_passed   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_entries (
    id            INTEGER PRIMARY KEY,
    at            TIMESTAMP NOT NULL,
    user_id       INTEGER,
    username      TEXT NOT NULL,
    role          TEXT NOT NULL,
    ip            TEXT NOT NULL,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    result        TEXT NOT NULL,
    before_digest TEXT NOT NULL DEFAULT '',
    after_digest  TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    request_id    TEXT NOT NULL DEFAULT '',
    seq           INTEGER UNIQUE,
    prev_hash     TEXT,
    hash          TEXT
);
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE INDEX audit_entries_user_at ON audit_entries (username, at);
CREATE INDEX audit_entries_unsealed ON audit_entries (id) WHERE seq IS NULL;

CREATE TABLE audit_anchor (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    seq       INTEGER NOT NULL,
    hash      TEXT NOT NULL,
    purged_at TIMESTAMP NOT NULL
);

CREATE TABLE idempotency_keys (
    user_id    INTEGER NOT NULL,
    key        TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    body_hash  TEXT NOT NULL,
    status     INTEGER NOT NULL DEFAULT 0,
    response   BLOB,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
