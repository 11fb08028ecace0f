-- 双报到 (issue 20): party members and resident units report to the community they live or sit in
-- (its committee, unit_id); the organiser accepts or declines. One standing report (pending or
-- accepted) per account and community. A member may name an accepted resident unit as their
-- workplace (member_of): that unit's contact then sees what they did in the community.
CREATE TABLE service_report (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT   NOT NULL CHECK (kind IN ('member', 'unit')),
    user_id     BIGINT NOT NULL REFERENCES app_user (id),
    unit_id     BIGINT NOT NULL REFERENCES org_unit (id),
    org_name    TEXT   NOT NULL,
    unit_name   TEXT   NOT NULL DEFAULT '',
    contact     TEXT   NOT NULL DEFAULT '',
    phone       TEXT   NOT NULL DEFAULT '',
    offers      TEXT   NOT NULL DEFAULT '',
    grid_code   TEXT,
    member_of   BIGINT REFERENCES service_report (id),
    state       TEXT   NOT NULL CHECK (state IN ('pending', 'accepted', 'declined', 'withdrawn')),
    reason      TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT   NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX service_report_standing ON service_report (user_id, unit_id) WHERE state IN ('pending', 'accepted');
CREATE INDEX service_report_unit ON service_report (unit_id, state);
CREATE INDEX service_report_member_of ON service_report (member_of);
