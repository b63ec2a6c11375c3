-- Every command now has two records sharing a call id: one written before it runs ("Started"), one
-- with its outcome. Older rows have no call id and hash as they always did.
ALTER TABLE AuditLog ADD COLUMN Call TEXT NULL;
