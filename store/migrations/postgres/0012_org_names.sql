-- One name for an organisation unit and its edits from the UI to the table (issue 17):
-- party_unit → org_unit, party_role → org_role, unit_change → org_change.
ALTER TABLE party_unit RENAME TO org_unit;
ALTER TABLE party_role RENAME TO org_role;
ALTER TABLE unit_change RENAME TO org_change;
ALTER INDEX party_unit_parent RENAME TO org_unit_parent;
ALTER INDEX party_unit_grid RENAME TO org_unit_grid;
ALTER INDEX party_role_unit RENAME TO org_role_unit;
ALTER INDEX party_role_unit_role RENAME TO org_role_unit_role;
ALTER INDEX unit_change_unit RENAME TO org_change_unit;
ALTER INDEX party_unit_pkey RENAME TO org_unit_pkey;
ALTER INDEX party_role_pkey RENAME TO org_role_pkey;
ALTER INDEX unit_change_pkey RENAME TO org_change_pkey;
ALTER INDEX party_unit_code_key RENAME TO org_unit_code_key;
