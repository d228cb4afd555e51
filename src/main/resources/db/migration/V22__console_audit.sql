-- What ops did to dead letters from the console or the ops API: who, when, what (replay or discard), which queue,
-- which message (null: all of them) and how many messages it moved.
CREATE TABLE audit_log (
    id         BIGSERIAL    PRIMARY KEY,
    at         TIMESTAMPTZ  NOT NULL DEFAULT now(),
    actor      VARCHAR(200) NOT NULL,
    action     VARCHAR(40)  NOT NULL,
    queue      VARCHAR(300) NOT NULL,
    message_id VARCHAR(300),
    count      INTEGER      NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
