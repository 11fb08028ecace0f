-- Field reports and escalation (issue 21). A category carries its limits (acknowledge, resolve:
-- `{"unit":"hours","n":24}` or `{"unit":"working-days","n":7}`); departments are the bodies the
-- street whistles, with the accounts that act for them. A report keeps when it was made on the
-- device (`made_at`, where its clocks start) and when the server got it (`received_at`); its
-- idempotency key makes a retried upload a no-op. Steps are the report's stays at a level, each
-- with its own clock; `field_event` is every transition: who, when, what, why.
CREATE TABLE field_category (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT   NOT NULL UNIQUE,
    acknowledge TEXT   NOT NULL,
    resolve     TEXT   NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1,
    sort        BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE department (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    name   TEXT   NOT NULL UNIQUE,
    active BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE department_member (
    department_id BIGINT NOT NULL REFERENCES department (id),
    user_id       BIGINT NOT NULL REFERENCES app_user (id),
    PRIMARY KEY (department_id, user_id)
);

CREATE TABLE field_report (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT   NOT NULL UNIQUE,
    category_id     BIGINT NOT NULL REFERENCES field_category (id),
    description     TEXT   NOT NULL,
    lon             DOUBLE PRECISION NOT NULL,
    lat             DOUBLE PRECISION NOT NULL,
    grid_id         BIGINT REFERENCES grid (id),
    reporter_id     BIGINT NOT NULL REFERENCES app_user (id),
    made_at         BIGINT NOT NULL,
    received_at     BIGINT NOT NULL,
    state           TEXT   NOT NULL CHECK (state IN ('waiting', 'handling', 'whistled', 'sent-back', 'resolved', 'closed')),
    level           TEXT   NOT NULL CHECK (level IN ('grid', 'community', 'street', 'department')),
    departments     TEXT   NOT NULL DEFAULT '[]',
    resolved_by     BIGINT REFERENCES app_user (id),
    satisfaction    TEXT CHECK (satisfaction IN ('satisfied', 'basically', 'dissatisfied')),
    reopened        BIGINT NOT NULL DEFAULT 0,
    closed_at       BIGINT,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX field_report_grid ON field_report (grid_id, state);
CREATE INDEX field_report_reporter ON field_report (reporter_id);

CREATE TABLE field_step (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id       BIGINT NOT NULL REFERENCES field_report (id) ON DELETE CASCADE,
    level           TEXT   NOT NULL,
    started_at      BIGINT NOT NULL,
    acknowledge_by  BIGINT NOT NULL,
    resolve_by      BIGINT NOT NULL,
    acknowledged_at BIGINT,
    resolved_at     BIGINT
);
CREATE INDEX field_step_report ON field_step (report_id, id);

CREATE TABLE field_event (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id BIGINT NOT NULL REFERENCES field_report (id) ON DELETE CASCADE,
    at        BIGINT NOT NULL,
    actor_id  BIGINT REFERENCES app_user (id),
    action    TEXT   NOT NULL,
    detail    TEXT   NOT NULL DEFAULT '',
    state     TEXT   NOT NULL,
    level     TEXT   NOT NULL
);
CREATE INDEX field_event_report ON field_event (report_id, id);
