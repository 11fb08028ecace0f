-- Context layers drawn beneath the grids (roads, buildings): lines in WGS84 as JSON.
CREATE TABLE map_layer (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    paths      TEXT    NOT NULL,
    vertices   BIGINT  NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);
