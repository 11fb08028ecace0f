-- Where an event takes place on the map: a grid (by code) and a point "lon,lat" (WGS84).
ALTER TABLE event ADD COLUMN grid_code TEXT;
ALTER TABLE event ADD COLUMN point TEXT;
