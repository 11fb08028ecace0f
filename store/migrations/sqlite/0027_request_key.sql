-- Writes a phone may send again (issue 21 §4): an action on a field report or a grid save made
-- offline carries a key made once on the device. The key is claimed in the write's own
-- transaction, so a retry after a lost answer finds it and changes nothing twice.
CREATE TABLE request_key (
    user_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    made_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
