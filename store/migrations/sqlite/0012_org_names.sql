-- One name for an organisation unit and its edits from the UI to the table (issue 17):
-- party_unit → org_unit, party_role → org_role, unit_change → org_change.
ALTER TABLE party_unit RENAME TO org_unit;
ALTER TABLE party_role RENAME TO org_role;
ALTER TABLE unit_change RENAME TO org_change;
DROP INDEX party_unit_parent;
CREATE INDEX org_unit_parent ON org_unit (parent_id);
DROP INDEX party_unit_grid;
CREATE INDEX org_unit_grid ON org_unit (grid_id);
DROP INDEX party_role_unit;
CREATE INDEX org_role_unit ON org_role (unit_id);
DROP INDEX party_role_unit_role;
CREATE INDEX org_role_unit_role ON org_role (unit_id, role);
DROP INDEX unit_change_unit;
CREATE INDEX org_change_unit ON org_change (unit_id, id);
