-- Polled sources (kanaal.sources.<id>): where each one's next poll starts (its watermark, moved only by a poll
-- whose records were all taken in), when it last polled and succeeded, its failures in a row (a failing source
-- backs off until next_attempt_at), and how many records it gave that were taken in or rejected.
CREATE TABLE source_state (
    source          TEXT PRIMARY KEY,
    watermark       TEXT,
    last_poll_at    TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    failures        INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    last_error      TEXT,
    taken           BIGINT      NOT NULL DEFAULT 0,
    rejected        BIGINT      NOT NULL DEFAULT 0
);
