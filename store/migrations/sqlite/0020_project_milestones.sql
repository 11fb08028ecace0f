-- A project's milestones (意见征集 → 方案公示 → 施工 → 验收), as JSON `[{"title":…,"done":…}]`,
-- checked by domain::service::listing::parse_milestones before they are written.
ALTER TABLE service_listing ADD COLUMN milestones TEXT NOT NULL DEFAULT '[]';
