-- One occurrence of a series with its own title or place (an imported RECURRENCE-ID override).
ALTER TABLE occurrence ADD COLUMN title TEXT;
ALTER TABLE occurrence ADD COLUMN location TEXT;
