-- Units imported from another system keep that system's id, so a re-import of the same export
-- updates them instead of adding copies; the member count that system reports is kept beside the
-- members named in Linli.
ALTER TABLE org_unit ADD COLUMN source_id TEXT;
ALTER TABLE org_unit ADD COLUMN member_count BIGINT;
CREATE UNIQUE INDEX org_unit_source ON org_unit (source_id) WHERE source_id IS NOT NULL AND dissolved_at IS NULL;
