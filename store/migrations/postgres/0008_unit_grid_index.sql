-- The map lists each grid with its linked party unit: look units up by grid.
CREATE INDEX party_unit_grid ON party_unit (grid_id);
