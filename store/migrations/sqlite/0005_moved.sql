-- Moving one occurrence of a series: its new time (RECURRENCE-ID stays the original start).
ALTER TABLE occurrence ADD COLUMN moved_starts_at TEXT;
ALTER TABLE occurrence ADD COLUMN moved_ends_at TEXT;
