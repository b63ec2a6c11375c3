-- The audit log: one row per command, append-only, hash-chained (see AuditChain). The chain has one
-- writer at a time (the audit log grain); Sequence as the key means a second writer that somehow ran
-- beside it (a brief double activation) fails on its first row instead of forking the chain. Nothing
-- in the system updates or deletes rows; the trigger makes an accidental UPDATE or DELETE fail loudly.
CREATE TABLE IF NOT EXISTS AuditLog
(
    Sequence     bigint      NOT NULL PRIMARY KEY,
    At           text        NOT NULL, -- ISO 8601 UTC with 100 ns digits, exactly as hashed (timestamptz keeps only µs)
    Subject      text        NOT NULL,
    Role         text        NOT NULL,
    Scope        text        NOT NULL,
    Rpc          text        NOT NULL,
    RequestId    text        NULL,
    IncidentId   text        NULL,
    Outcome      text        NOT NULL,
    Detail       text        NULL,
    PreviousHash text        NOT NULL,
    Hash         text        NOT NULL
);

CREATE INDEX IF NOT EXISTS IX_AuditLog_Incident ON AuditLog (IncidentId, Sequence);
CREATE INDEX IF NOT EXISTS IX_AuditLog_At ON AuditLog (At);

CREATE OR REPLACE FUNCTION AuditLog_AppendOnly() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;

DROP TRIGGER IF EXISTS AuditLog_NoChange ON AuditLog;
CREATE TRIGGER AuditLog_NoChange BEFORE UPDATE OR DELETE ON AuditLog
FOR EACH ROW EXECUTE FUNCTION AuditLog_AppendOnly();
