-- Service matching (issue 20): the community's lists (needs, resources, projects) and the claims
-- members and resident units make on them. A claim holds part of its listing's amount until it is
-- declined or withdrawn; the store checks what is left inside the transaction that writes a claim
-- (domain::service::claims::check_claim), with the listing row locked.
CREATE TABLE service_listing (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT   NOT NULL CHECK (kind IN ('need', 'resource', 'project')),
    unit_id     BIGINT NOT NULL REFERENCES org_unit (id),
    title       TEXT   NOT NULL,
    description TEXT   NOT NULL DEFAULT '',
    category    TEXT   NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount >= 1),
    measure     TEXT   NOT NULL DEFAULT 'people' CHECK (measure IN ('people', 'hours')),
    deadline    TEXT,
    status      TEXT   NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'closed')),
    grid_id     BIGINT REFERENCES grid (id),
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    created_by  TEXT   NOT NULL
);
CREATE INDEX service_listing_unit ON service_listing (unit_id, kind, status);

CREATE TABLE service_claim (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id  BIGINT NOT NULL REFERENCES service_listing (id) ON DELETE CASCADE,
    claimant    TEXT   NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount >= 1),
    state       TEXT   NOT NULL CHECK (state IN ('offered', 'claimed', 'in-progress', 'done', 'confirmed', 'declined', 'withdrawn')),
    note        TEXT   NOT NULL DEFAULT '',
    reason      TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT   NOT NULL
);
CREATE INDEX service_claim_listing ON service_claim (listing_id, state);
CREATE INDEX service_claim_claimant ON service_claim (claimant);
