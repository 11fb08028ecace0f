-- Editing the party organisation: term length per unit, dissolution kept in history (never
-- deleted), who changed a unit last, and a change log per unit (who, when, what, reason, 文号).
ALTER TABLE party_unit ADD COLUMN term_years BIGINT NOT NULL DEFAULT 3;
ALTER TABLE party_unit ADD COLUMN dissolved_at BIGINT;
ALTER TABLE party_unit ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
-- Community-level committees serve five years, most others three.
UPDATE party_unit SET term_years = 5 WHERE level IN ('working-committee', 'committee');

CREATE TABLE unit_change (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES party_unit (id),
    at      BIGINT NOT NULL,
    actor   TEXT   NOT NULL,
    action  TEXT   NOT NULL CHECK (action IN ('create', 'rename', 'move', 'dissolve', 'reinstate', 'details', 'import')),
    -- Short JSON of what changed, before and after (phones masked).
    before  TEXT   NOT NULL DEFAULT '',
    after   TEXT   NOT NULL DEFAULT '',
    reason  TEXT   NOT NULL DEFAULT '',
    doc_no  TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX unit_change_unit ON unit_change (unit_id, id);
-- A person taken off a unit is kept (removed_at) so an undo brings them back with their phone.
ALTER TABLE party_role ADD COLUMN removed_at BIGINT;
CREATE INDEX party_role_unit_role ON party_role (unit_id, role);
