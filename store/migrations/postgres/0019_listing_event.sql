-- A need may name the event it serves (a service day on the 15th or 25th): the event page lists
-- the needs it serves, the need links to the event. Removing the event keeps the need.
ALTER TABLE service_listing ADD COLUMN event_id BIGINT REFERENCES event (id) ON DELETE SET NULL;
CREATE INDEX service_listing_event ON service_listing (event_id);
