-- Orleans' ADO.NET providers on PostgreSQL: grain state, cluster membership and reminders, written
-- for this project against the providers' contract. Each provider reads its named queries from
-- OrleansQuery at start and calls them with @-parameters; the result columns are read by name.
--
-- Parameters arrive untyped when their value is NULL, so every parameter that may be NULL, or whose
-- type PostgreSQL cannot infer from its use, is cast where it is used.
--
-- Conditional writes are single statements (data-modifying CTEs), so each one is atomic on its own
-- and none needs a function or a procedural block.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

---------------------------------------------------------------------------------------------------
-- Grain state. The contract: read returns PayloadBinary and Version; write and clear return one row
-- with NewGrainStateVersion when they wrote, and no row when the caller's version was stale or a
-- first write found a row already there (the provider turns that into InconsistentStateException,
-- which stops a second activation from overwriting state). Rows are keyed by the natural key; the
-- provider's hash columns are kept for its benefit but are not part of the key.
---------------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    ServiceId              varchar(150) NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainIdExtensionString varchar(512) NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainIdHash            integer      NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL,
    Version                integer      NOT NULL,
    PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString::varchar, '''');
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
WITH inserted AS (
    INSERT INTO OrleansStorage (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, GrainTypeHash, GrainIdHash, PayloadBinary, ModifiedOn, Version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString::varchar, ''''), @GrainTypeHash, @GrainIdHash, @PayloadBinary::bytea, now(), 1
    WHERE @GrainStateVersion::integer IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version
), updated AS (
    UPDATE OrleansStorage
    SET PayloadBinary = @PayloadBinary::bytea, ModifiedOn = now(), Version = Version + 1
    WHERE ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString::varchar, '''')
      AND Version = @GrainStateVersion::integer
    RETURNING Version
)
SELECT Version AS NewGrainStateVersion FROM inserted
UNION ALL
SELECT Version AS NewGrainStateVersion FROM updated;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString::varchar, '''')
  AND Version = @GrainStateVersion::integer
RETURNING Version AS NewGrainStateVersion;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

---------------------------------------------------------------------------------------------------
-- Cluster membership. One version row per deployment (cluster id); every change to a silo's row
-- also moves the version on, and only from the version the caller read, so two silos can never
-- both win a membership change. Inserts and updates answer with one value, 1 for done, 0 for not.
---------------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)  NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)   NOT NULL,
    Port         integer       NOT NULL,
    Generation   integer       NOT NULL,
    SiloName     varchar(150)  NOT NULL,
    HostName     varchar(150)  NOT NULL,
    Status       integer       NOT NULL,
    ProxyPort    integer       NULL,
    SuspectTimes varchar(8000) NULL,
    StartTime    timestamptz   NOT NULL,
    IAmAliveTime timestamptz   NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', '
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT COUNT(*)::integer FROM inserted;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- The version moves first, and only if the silo is not yet listed; the row goes in only if it moved.
-- Two silos inserting from the same version: the second waits on the version row, then finds it moved.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', '
WITH moved AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version::integer
      AND NOT EXISTS (
          SELECT 1 FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address::varchar AND Port = @Port::integer AND Generation = @Generation::integer)
    RETURNING DeploymentId
), inserted AS (
    INSERT INTO OrleansMembershipTable (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT DeploymentId, @Address::varchar, @Port::integer, @Generation::integer, @SiloName, @HostName, @Status::integer, @ProxyPort::integer, @StartTime::timestamptz, @IAmAliveTime::timestamptz
    FROM moved
    RETURNING 1
)
SELECT COUNT(*)::integer FROM inserted;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', '
WITH moved AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version::integer
      AND EXISTS (
          SELECT 1 FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address::varchar AND Port = @Port::integer AND Generation = @Generation::integer)
    RETURNING DeploymentId
), updated AS (
    UPDATE OrleansMembershipTable m
    SET Status = @Status::integer, SuspectTimes = @SuspectTimes::varchar, IAmAliveTime = @IAmAliveTime::timestamptz
    FROM moved
    WHERE m.DeploymentId = moved.DeploymentId AND m.Address = @Address::varchar AND m.Port = @Port::integer AND m.Generation = @Generation::integer
    RETURNING 1
)
SELECT COUNT(*)::integer FROM updated;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- A heartbeat: no version change, never expected to fail.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', '
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime::timestamptz
WHERE DeploymentId = @DeploymentId AND Address = @Address::varchar AND Port = @Port::integer AND Generation = @Generation::integer;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Reads return the version row even when no silo row matches (the provider needs the version).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId AND m.Address = @Address::varchar AND m.Port = @Port::integer AND m.Generation = @Generation::integer
WHERE v.DeploymentId = @DeploymentId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', '
WITH silos AS (DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId)
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- What Orleans clients (stand-alone gateways) connect to: the active silos' client ports.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', '
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status::integer AND ProxyPort > 0;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- Dead silos (status 6) that have not been heard from since the cut-off; both forms the provider uses.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime::timestamptz AND Status = 6;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Address = @Address::varchar AND Port = @Port::integer AND Generation = @Generation::integer
  AND Status = 6 AND IAmAliveTime <= @IAmAliveTime::timestamptz;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

---------------------------------------------------------------------------------------------------
-- Reminders. GrainHash is the grain's uniform hash stored as a signed integer; each silo reads the
-- reminders of its hash range (ReadRangeRows1Key when the range does not wrap, 2 when it does).
-- Version is the etag: an upsert moves it on; a delete only succeeds from the version it names.
---------------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150) NOT NULL,
    GrainId      varchar(512) NOT NULL,
    ReminderName varchar(150) NOT NULL,
    StartTime    timestamptz  NOT NULL,
    Period       bigint       NOT NULL,
    GrainHash    integer      NOT NULL,
    Version      integer      NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS IX_OrleansReminders_Hash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId::varchar, @ReminderName, @StartTime::timestamptz, @Period::bigint, @GrainHash::integer, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
SET StartTime = EXCLUDED.StartTime, Period = EXCLUDED.Period, GrainHash = EXCLUDED.GrainHash,
    Version = OrleansRemindersTable.Version + 1
RETURNING Version;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId::varchar;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId::varchar AND ReminderName = @ReminderName;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash::integer AND GrainHash <= @EndHash::integer;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash::integer OR GrainHash <= @EndHash::integer);
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
WITH deleted AS (
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId::varchar AND ReminderName = @ReminderName AND Version = @Version::integer
    RETURNING 1
)
SELECT COUNT(*)::integer FROM deleted;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
