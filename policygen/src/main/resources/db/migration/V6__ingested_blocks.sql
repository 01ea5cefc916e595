-- Which events are stored, as blocks of 16-byte fingerprints (MurmurHash3, 128 bits, of each event's key) filed by
-- source and hour of the event's time: one row per batch and hour instead of one row per event (see
-- dev.tailor.store.SeenEvents). V7 moves the keys of ingested_event here and drops it.
CREATE TABLE ingested_hour (
    source     VARCHAR(16) NOT NULL,
    event_hour BIGINT      NOT NULL, -- hours since 1970-01-01T00:00Z
    blocks     INTEGER     NOT NULL,
    PRIMARY KEY (source, event_hour)
);

CREATE TABLE ingested_block (
    source       VARCHAR(16) NOT NULL,
    event_hour   BIGINT      NOT NULL,
    block_no     INTEGER     NOT NULL,
    fingerprints BYTEA       NOT NULL,
    PRIMARY KEY (source, event_hour, block_no),
    FOREIGN KEY (source, event_hour) REFERENCES ingested_hour (source, event_hour)
);
