-- 0001: the instance index. studies ← series ← instances, one row per SOP Instance UID.
-- Patient names are deliberately not stored. Timestamps are UTC ISO-8601 with milliseconds.
-- Counts are maintained by the triggers below, so every write path keeps them right.
-- Rows are deleted children first (no ON DELETE CASCADE), so the count triggers always find the parent.

CREATE TABLE studies (
    id                 INTEGER PRIMARY KEY,
    study_uid          TEXT NOT NULL UNIQUE,
    patient_id         TEXT NOT NULL DEFAULT '',
    study_date         TEXT NOT NULL DEFAULT '',
    study_description  TEXT NOT NULL DEFAULT '',
    accession_number   TEXT NOT NULL DEFAULT '',
    series_count       INTEGER NOT NULL DEFAULT 0,
    instance_count     INTEGER NOT NULL DEFAULT 0,
    first_received_at  TEXT NOT NULL,
    last_received_at   TEXT NOT NULL
) STRICT;

CREATE TABLE series (
    id                     INTEGER PRIMARY KEY,
    study_id               INTEGER NOT NULL REFERENCES studies (id),
    series_uid             TEXT NOT NULL UNIQUE,
    modality               TEXT NOT NULL DEFAULT '',
    series_number          INTEGER,
    series_description     TEXT NOT NULL DEFAULT '',
    frame_of_reference_uid TEXT NOT NULL DEFAULT '',
    instance_count         INTEGER NOT NULL DEFAULT 0,
    first_received_at      TEXT NOT NULL,
    last_received_at       TEXT NOT NULL
) STRICT;

CREATE INDEX series_by_study ON series (study_id, series_number);

CREATE TABLE instances (
    id                     INTEGER PRIMARY KEY,
    series_id              INTEGER NOT NULL REFERENCES series (id),
    sop_instance_uid       TEXT NOT NULL UNIQUE,
    sop_class_uid          TEXT NOT NULL,
    instance_number        INTEGER,
    -- ImagePositionPatient (mm) and ImageOrientationPatient (row cosines, then column cosines); NULL when absent.
    position_x             REAL,
    position_y             REAL,
    position_z             REAL,
    orientation_row_x      REAL,
    orientation_row_y      REAL,
    orientation_row_z      REAL,
    orientation_col_x      REAL,
    orientation_col_y      REAL,
    orientation_col_z      REAL,
    number_of_frames       INTEGER NOT NULL DEFAULT 1,
    transfer_syntax_uid    TEXT NOT NULL,
    calling_ae             TEXT NOT NULL DEFAULT '',
    calling_host           TEXT NOT NULL DEFAULT '',
    file_path              TEXT NOT NULL,          -- relative to the file store root
    file_size              INTEGER NOT NULL,
    content_hash           TEXT NOT NULL,          -- XXH3-128 hex of the dataset after the Part 10 meta header
    received_at            TEXT NOT NULL
) STRICT;

CREATE INDEX instances_by_series ON instances (series_id, instance_number);

CREATE TRIGGER series_counted AFTER INSERT ON series
BEGIN
    UPDATE studies SET series_count = series_count + 1 WHERE id = NEW.study_id;
END;

CREATE TRIGGER series_uncounted AFTER DELETE ON series
BEGIN
    UPDATE studies SET series_count = series_count - 1 WHERE id = OLD.study_id;
END;

CREATE TRIGGER instance_counted AFTER INSERT ON instances
BEGIN
    UPDATE series SET instance_count = instance_count + 1 WHERE id = NEW.series_id;
    UPDATE studies SET instance_count = instance_count + 1
     WHERE id = (SELECT study_id FROM series WHERE id = NEW.series_id);
END;

CREATE TRIGGER instance_uncounted AFTER DELETE ON instances
BEGIN
    UPDATE series SET instance_count = instance_count - 1 WHERE id = OLD.series_id;
    UPDATE studies SET instance_count = instance_count - 1
     WHERE id = (SELECT study_id FROM series WHERE id = OLD.series_id);
END;

CREATE TRIGGER instance_moved AFTER UPDATE OF series_id ON instances
WHEN OLD.series_id <> NEW.series_id
BEGIN
    UPDATE series SET instance_count = instance_count - 1 WHERE id = OLD.series_id;
    UPDATE studies SET instance_count = instance_count - 1
     WHERE id = (SELECT study_id FROM series WHERE id = OLD.series_id);
    UPDATE series SET instance_count = instance_count + 1 WHERE id = NEW.series_id;
    UPDATE studies SET instance_count = instance_count + 1
     WHERE id = (SELECT study_id FROM series WHERE id = NEW.series_id);
END;
