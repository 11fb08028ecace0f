-- Service matching (issue 20), the people's side. A claim names its claimant by account id (the
-- table had no rows yet: nothing called it), so erasing an account anonymises its claims, wishes and
-- hours with the account row. Micro-wishes belong to a community's committee; service hours are
-- recorded once per source (a check-in, a confirmed claim, a confirmed wish) as 民政部令第67号 asks:
-- who served, what, when, how long, who organised, who confirmed.
DROP TABLE service_claim;
CREATE TABLE service_claim (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id  BIGINT NOT NULL REFERENCES service_listing (id) ON DELETE CASCADE,
    claimant_id BIGINT NOT NULL REFERENCES app_user (id),
    amount      BIGINT NOT NULL CHECK (amount >= 1),
    state       TEXT   NOT NULL CHECK (state IN ('offered', 'claimed', 'in-progress', 'done', 'confirmed', 'declined', 'withdrawn')),
    note        TEXT   NOT NULL DEFAULT '',
    reason      TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT   NOT NULL
);
CREATE INDEX service_claim_listing ON service_claim (listing_id, state);
CREATE INDEX service_claim_claimant ON service_claim (claimant_id);

CREATE TABLE service_wish (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     BIGINT NOT NULL REFERENCES org_unit (id),
    owner_id    BIGINT REFERENCES app_user (id),
    beneficiary TEXT   NOT NULL DEFAULT '',
    title       TEXT   NOT NULL,
    description TEXT   NOT NULL DEFAULT '',
    category    TEXT   NOT NULL,
    state       TEXT   NOT NULL CHECK (state IN ('submitted', 'verified', 'rejected', 'claimed', 'fulfilled', 'confirmed', 'withdrawn')),
    reason      TEXT   NOT NULL DEFAULT '',
    claimant_id BIGINT REFERENCES app_user (id),
    note        TEXT   NOT NULL DEFAULT '',
    minutes     BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT   NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX service_wish_unit ON service_wish (unit_id, state);
CREATE INDEX service_wish_owner ON service_wish (owner_id);
CREATE INDEX service_wish_claimant ON service_wish (claimant_id);

CREATE TABLE service_hours (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    unit_id      BIGINT NOT NULL REFERENCES org_unit (id),
    served_on    TEXT   NOT NULL,
    minutes      BIGINT NOT NULL CHECK (minutes >= 0 AND minutes <= 1440),
    what         TEXT   NOT NULL,
    organiser    TEXT   NOT NULL,
    confirmed_by TEXT   NOT NULL,
    source       TEXT   NOT NULL CHECK (source IN ('check-in', 'claim', 'wish')),
    source_id    BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX service_hours_user ON service_hours (user_id, served_on);
CREATE INDEX service_hours_unit ON service_hours (unit_id, served_on);
