-- Which events are stored, as blocks of 16-byte fingerprints (MurmurHash3, 128 bits, of each event's key) filed by
-- source and minute of the event's time: one row per batch and minute instead of one row per event (see
-- dev.tailor.store.SeenEvents). V7 moves the keys of ingested_event here and drops it.
CREATE TABLE ingested_minute (
    source     VARCHAR(16) NOT NULL,
    event_minute BIGINT      NOT NULL, -- minutes since 1970-01-01T00:00Z
    blocks     INTEGER     NOT NULL,
    PRIMARY KEY (source, event_minute)
);

CREATE TABLE ingested_block (
    source       VARCHAR(16) NOT NULL,
    event_minute   BIGINT      NOT NULL,
    block_no     INTEGER     NOT NULL,
    fingerprints BYTEA       NOT NULL,
    PRIMARY KEY (source, event_minute, block_no),
    FOREIGN KEY (source, event_minute) REFERENCES ingested_minute (source, event_minute)
);
