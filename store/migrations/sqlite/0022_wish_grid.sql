-- A wish may name the grid it is in (where the help is needed), so the map's service layer can
-- show it with the needs of that grid.
ALTER TABLE service_wish ADD COLUMN grid_id BIGINT REFERENCES grid (id);
CREATE INDEX service_wish_grid ON service_wish (grid_id);
