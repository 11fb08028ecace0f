-- The rates read a period's reports by when they were made (issue 21); the clock's escalation and
-- the lists read by state.
CREATE INDEX field_report_made_at ON field_report (made_at);
