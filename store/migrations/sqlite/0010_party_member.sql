-- Residents who are party members (党员) see events published for party members.
ALTER TABLE app_user ADD COLUMN party_member BIGINT NOT NULL DEFAULT 0;
