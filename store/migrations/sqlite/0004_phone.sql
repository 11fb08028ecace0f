-- A contact phone for accounts (optional). Shown masked everywhere; revealing it is audited.
ALTER TABLE app_user ADD COLUMN phone TEXT NOT NULL DEFAULT '';
