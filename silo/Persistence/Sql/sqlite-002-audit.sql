-- The audit log: one row per command, append-only, hash-chained (see AuditChain). Nothing in the
-- system updates or deletes rows; the triggers make an accidental UPDATE or DELETE fail loudly.
-- (A determined attacker with the file can drop the triggers: that is what the hash chain detects.)
CREATE TABLE IF NOT EXISTS AuditLog
(
    Sequence     INTEGER NOT NULL PRIMARY KEY,
    At           TEXT    NOT NULL,
    Subject      TEXT    NOT NULL,
    Role         TEXT    NOT NULL,
    Scope        TEXT    NOT NULL,
    Rpc          TEXT    NOT NULL,
    RequestId    TEXT    NULL,
    IncidentId   TEXT    NULL,
    Outcome      TEXT    NOT NULL,
    Detail       TEXT    NULL,
    PreviousHash TEXT    NOT NULL,
    Hash         TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS IX_AuditLog_Incident ON AuditLog (IncidentId, Sequence);
CREATE INDEX IF NOT EXISTS IX_AuditLog_At ON AuditLog (At);

CREATE TRIGGER IF NOT EXISTS AuditLog_NoUpdate BEFORE UPDATE ON AuditLog
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER IF NOT EXISTS AuditLog_NoDelete BEFORE DELETE ON AuditLog
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
