-- A resident unit (its accepted 双报到 report) can take on a need or a wish as a unit: its
-- contact acts, the claim names the unit.
ALTER TABLE service_claim ADD COLUMN unit_report_id BIGINT REFERENCES service_report (id);
ALTER TABLE service_wish ADD COLUMN claimant_report_id BIGINT REFERENCES service_report (id);
