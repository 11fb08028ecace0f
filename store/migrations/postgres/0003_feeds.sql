-- Private calendar feeds: one revocable token per user; only its SHA-256 is stored.
CREATE TABLE feed_token (
    user_id    BIGINT PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
