-- Linli foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- same tables, same columns, same meaning; only the dialect differs.
-- Times are Unix seconds (BIGINT); calendar dates and local times are ISO text.

CREATE TABLE app_user (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    username            TEXT    NOT NULL UNIQUE,
    display_name        TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    role                TEXT    NOT NULL CHECK (role IN ('admin', 'organiser', 'grid-worker', 'resident')),
    scope               TEXT,
    disabled            BIGINT  NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at          BIGINT  NOT NULL,
    password_changed_at BIGINT  NOT NULL
);

-- Server-side sessions: the cookie carries a random token, the table keeps only its SHA-256.
CREATE TABLE user_session (
    token_hash   TEXT   PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

-- Login throttling per account ('user:NAME') and per client address ('addr:IP').
CREATE TABLE login_throttle (
    key          TEXT   PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Append-only: triggers refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    ts            BIGINT NOT NULL,
    actor_user_id BIGINT,
    actor         TEXT   NOT NULL,
    ip            TEXT   NOT NULL,
    action        TEXT   NOT NULL,
    object        TEXT   NOT NULL,
    result        TEXT   NOT NULL,
    detail        TEXT   NOT NULL
);
CREATE INDEX audit_log_ts ON audit_log (ts);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE grid (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT    NOT NULL UNIQUE,
    parent_id  BIGINT  REFERENCES grid (id),
    level      BIGINT  NOT NULL CHECK (level BETWEEN 1 AND 9),
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('basic', 'dedicated')),
    households BIGINT  NOT NULL DEFAULT 0 CHECK (households >= 0),
    population BIGINT  NOT NULL DEFAULT 0 CHECK (population >= 0),
    -- GeoJSON Polygon coordinates, WGS84, exterior ring counter-clockwise.
    geometry   TEXT    NOT NULL,
    valid_from TEXT,
    valid_to   TEXT,
    version    BIGINT  NOT NULL DEFAULT 1,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX grid_parent ON grid (parent_id);

CREATE TABLE party_unit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT    NOT NULL UNIQUE,
    parent_id  BIGINT  REFERENCES party_unit (id),
    level      TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    grid_id    BIGINT  REFERENCES grid (id),
    term_start TEXT,
    version    BIGINT  NOT NULL DEFAULT 1,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX party_unit_parent ON party_unit (parent_id);

-- Secretaries, committee members and part-time members: a role on a unit, not a second parent.
CREATE TABLE party_role (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       BIGINT NOT NULL REFERENCES party_unit (id) ON DELETE CASCADE,
    role          TEXT   NOT NULL,
    person_name   TEXT   NOT NULL,
    phone         TEXT   NOT NULL DEFAULT '',
    resident_unit TEXT
);
CREATE INDEX party_role_unit ON party_role (unit_id);

CREATE TABLE event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     BIGINT NOT NULL REFERENCES party_unit (id),
    title       TEXT   NOT NULL,
    description TEXT   NOT NULL DEFAULT '',
    category    TEXT   NOT NULL,
    location    TEXT   NOT NULL DEFAULT '',
    -- Local Asia/Shanghai wall time, YYYY-MM-DDTHH:MM.
    starts_at   TEXT   NOT NULL,
    ends_at     TEXT   NOT NULL,
    rrule       TEXT,
    capacity    BIGINT NOT NULL CHECK (capacity > 0),
    visibility  TEXT   NOT NULL DEFAULT 'public',
    status      TEXT   NOT NULL DEFAULT 'scheduled',
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX event_starts ON event (starts_at);
