-- Grid editing: assigned grid workers, and every saved change kept (who, when, before and after).
ALTER TABLE grid ADD COLUMN workers TEXT NOT NULL DEFAULT '';
ALTER TABLE grid ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';

CREATE TABLE grid_revision (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    -- No foreign key: the history of a deleted grid stays readable.
    grid_id    BIGINT  NOT NULL,
    code       TEXT    NOT NULL,
    -- The grid's version after this change (the deleted version for deletions).
    version    BIGINT  NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore', 'import')),
    actor      TEXT    NOT NULL,
    at         BIGINT  NOT NULL,
    -- JSON of the grid's state before and after (NULL for before a creation / after a deletion).
    before     TEXT,
    after      TEXT
);
CREATE INDEX grid_revision_grid ON grid_revision (grid_id, id);
