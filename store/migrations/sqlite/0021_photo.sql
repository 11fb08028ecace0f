-- Photos people attach (issue 20: a wish's photo, its fulfilment's; issue 21 will add field
-- reports). `subject` names what the photo belongs to (`wish:12`), `purpose` why (`wish`,
-- `fulfilment`); the bytes are the checked, metadata-free image. Erasing an account deletes the
-- photos it uploaded (they may show the person).
CREATE TABLE photo (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    subject    TEXT   NOT NULL,
    purpose    TEXT   NOT NULL,
    owner_id   BIGINT REFERENCES app_user (id),
    mime       TEXT   NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    bytes      BLOB   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX photo_subject ON photo (subject, purpose);
CREATE INDEX photo_owner ON photo (owner_id);
