-- GetKeyLastUsage reads a key's last successful cryptographic use from the audit trail, which
-- already records every call of every replica (migration 0005): nothing more is written on the
-- request path. This index makes that read one index probe however many other events the key
-- has (DescribeKey calls, failed or dry-run uses): it holds only successful uses, newest last.
-- Its predicate is the statement's (db/key_usage.py), so the planner can use it; the actions are
-- the catalog's for the operations AWS's KeyLastUsageTrackingOperation lists (ReEncrypt is
-- ReEncryptFrom on the source key and ReEncryptTo on the destination key).
-- The index is built inside this migration's transaction (CREATE INDEX CONCURRENTLY cannot be):
-- on a trail of many millions of events that takes a while, during which audit batches wait in
-- their replicas' memory (up to the backlog) rather than being written.
CREATE INDEX audit_events_key_use ON audit_events (key_arn, seq)
    WHERE outcome = 'ok'
      AND action IN (
          'kms:Decrypt',
          'kms:DeriveSharedSecret',
          'kms:Encrypt',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyPair',
          'kms:GenerateDataKeyPairWithoutPlaintext',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:GenerateMac',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:Sign',
          'kms:Verify',
          'kms:VerifyMac'
      );
