-- Events: RSVP settings, iCalendar sequence; occurrences with their own capacity counter; RSVPs.
-- Keep in step with ../postgres/0002_rsvp.sql.

ALTER TABLE event ADD COLUMN guests_allowed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE event ADD COLUMN rsvp_deadline_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE event ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;

-- One row per occurrence somebody has answered for (created on first RSVP). `taken` is the guarded
-- counter that keeps capacity exact under concurrency; `next_seq` hands out arrival order.
CREATE TABLE occurrence (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id  BIGINT NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    starts_at TEXT   NOT NULL,
    capacity  BIGINT NOT NULL CHECK (capacity > 0),
    taken     BIGINT NOT NULL DEFAULT 0,
    next_seq  BIGINT NOT NULL DEFAULT 0,
    status    TEXT   NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    CHECK (taken >= 0 AND taken <= capacity),
    UNIQUE (event_id, starts_at)
);

CREATE TABLE rsvp (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    occurrence_id BIGINT NOT NULL REFERENCES occurrence (id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES app_user (id),
    status        TEXT   NOT NULL CHECK (status IN ('going', 'waitlisted', 'not-going')),
    seats         BIGINT NOT NULL CHECK (seats >= 1),
    seq           BIGINT NOT NULL,
    checkin_code  TEXT   NOT NULL UNIQUE,
    checked_in_at BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (occurrence_id, user_id)
);
CREATE INDEX rsvp_line ON rsvp (occurrence_id, status, seq);
CREATE INDEX rsvp_user ON rsvp (user_id);
