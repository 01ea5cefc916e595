-- How far back the store keeps observations (the webhook's tailor.store.retention): what was observed before
-- kept_from has been forgotten — aggregates last seen before it with their day rows, day rows of the days before its
-- own, decisions, the fingerprints of the events of its minutes, the identities of pods that no longer exist — and an
-- event older than it is not stored again (the fingerprint that said it was counted is gone with its counts). One
-- row: 1970 until the first prune.
CREATE TABLE store_horizon (
    kept_from TIMESTAMP WITH TIME ZONE NOT NULL
);
INSERT INTO store_horizon (kept_from) VALUES (TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00');
