-- The grid's code in the system it came from ("SQ-3-2"): any text, kept beside Linli's code.
ALTER TABLE grid ADD COLUMN source_code TEXT NOT NULL DEFAULT '';
