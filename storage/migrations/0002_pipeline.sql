-- 0002: the hands-free pipeline's durable state: the job queue and series-completion tracking.
-- Every time in this file is INTEGER milliseconds since the Unix epoch (UTC), taken from the caller's clock
-- (JobQueue / SeriesTracker take an injectable clock), unlike the ISO-8601 text times of 0001.

-- One row per unit of work. UNIQUE (kind, job_key) makes enqueueing the same work twice return the first row.
-- States:
--   pending  waiting to be claimed once not_before <= now (a new job, or a retry after a retryable failure:
--            there is no separate 'failed' state, a retry is pending with a later not_before and last_error set)
--   running  claimed; lease_owner holds it until lease_expires_at, extended by heartbeats
--   done     finished; result holds what the worker returned
--   dead     dead letter: failed max_attempts times, or failed with a non-retryable error; never retried
--            unless requeued explicitly
-- attempts counts claims (so a claim whose worker died counts too); it is also the lease's fencing token.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,                 -- e.g. 'analyze', 'export'
    job_key          TEXT NOT NULL,                 -- identifies the work within its kind, e.g. a series UID
    payload          TEXT NOT NULL DEFAULT '',      -- JSON written by the caller
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'running', 'done', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    not_before       INTEGER NOT NULL,              -- earliest time a pending job may be claimed
    lease_owner      TEXT,                          -- worker holding (running) or that last held the job
    lease_expires_at INTEGER,                       -- NULL unless running
    heartbeat_at     INTEGER,                       -- last claim or heartbeat
    last_error       TEXT NOT NULL DEFAULT '',
    result           TEXT,                          -- set when done
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (kind, job_key)
) STRICT;

-- Claiming (state = 'pending', by not_before, id) without a sort; also serves counts, listings and the lease
-- recovery scan (state = 'running': at most one row per worker).
CREATE INDEX jobs_by_state ON jobs (state, not_before, id);

-- Completion state of each received series, so a restart does not forget a series waiting to become stable.
-- A series is due when it is 'receiving' and no instance has arrived for the configured stable age.
--   receiving  instances are (or may still be) arriving
--   complete   judged complete (stable); the pipeline has not yet queued its work
--   queued     its work has been enqueued
-- A late instance moves a complete or queued series back to receiving.
CREATE TABLE series_progress (
    series_instance_uid TEXT PRIMARY KEY,
    study_instance_uid  TEXT NOT NULL,
    modality            TEXT NOT NULL DEFAULT '',
    first_received_at   INTEGER NOT NULL,
    last_received_at    INTEGER NOT NULL,
    instance_count      INTEGER NOT NULL DEFAULT 0,
    state               TEXT NOT NULL DEFAULT 'receiving'
                        CHECK (state IN ('receiving', 'complete', 'queued')),
    completed_at        INTEGER,                    -- when it was last marked complete; NULL while receiving
    updated_at          INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX series_progress_receiving ON series_progress (last_received_at) WHERE state = 'receiving';
CREATE INDEX series_progress_by_study ON series_progress (study_instance_uid);
