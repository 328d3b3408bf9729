-- 0003: analysis results (storage/result_store.h). One `analyses` row per analysis run of a CT series, with
-- its regions, features, calcium score and signatures in child tables. Times are INTEGER milliseconds since
-- the Unix epoch (UTC), like 0002. No table here has a column for the patient's name: it is never stored.
--
-- A re-analysis of a series supersedes the previous one: the previous row gets superseded = 1 and the new row
-- references it through predecessor_analysis_id, so the chain of versions (and of SR versions) is kept.
-- At most one analysis per series is current (superseded = 0), enforced by analyses_current_by_series.
CREATE TABLE analyses (
    id                      INTEGER PRIMARY KEY,
    study_instance_uid      TEXT NOT NULL,
    ct_series_instance_uid  TEXT NOT NULL,
    tumour_object_uid       TEXT,              -- SOP Instance UID of the RTSTRUCT/SEG used; NULL without tumour
    software_version        TEXT NOT NULL,
    settings_hash           TEXT NOT NULL,     -- hash of the analysis parameters and settings used
    started_at              INTEGER NOT NULL,
    finished_at             INTEGER NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error                   TEXT NOT NULL DEFAULT '',
    sr_sop_instance_uid     TEXT,              -- set once the report is written (ResultStore::SetReportFiles)
    seg_sop_instance_uid    TEXT,
    sr_path                 TEXT,              -- relative to the data directory
    seg_path                TEXT,
    predecessor_analysis_id INTEGER REFERENCES analyses (id),
    superseded              INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
    -- The queue job that produced it. Not a foreign key: job rows may be purged while results are kept.
    job_id                  INTEGER
) STRICT;

CREATE INDEX analyses_by_study ON analyses (study_instance_uid, id);
CREATE INDEX analyses_by_series ON analyses (ct_series_instance_uid, id);
-- "The latest analysis of a series", and the set of current analyses scanned by the research export.
CREATE UNIQUE INDEX analyses_current_by_series ON analyses (ct_series_instance_uid) WHERE superseded = 0;
-- A job that is rerun after it wrote its results finds them here instead of recording them twice.
CREATE UNIQUE INDEX analyses_by_job ON analyses (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX analyses_by_predecessor ON analyses (predecessor_analysis_id) WHERE predecessor_analysis_id IS NOT NULL;

-- One row per region the analysis derived or looked for (found = 0 with the reason when it was not found).
CREATE TABLE region_results (
    analysis_id      INTEGER NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    region           TEXT NOT NULL,             -- e.g. 'tumour', 'lung_right', 'ring_0_5mm'
    found            INTEGER NOT NULL CHECK (found IN (0, 1)),
    reason           TEXT NOT NULL DEFAULT '',
    voxel_count      INTEGER NOT NULL DEFAULT 0,
    volume_ml        REAL NOT NULL DEFAULT 0,
    clipped_fraction REAL,                      -- peritumoral regions only: share removed by the clip mask
    PRIMARY KEY (analysis_id, region)
) STRICT;                                       -- a rowid table: rowid keeps the analysis' region order

-- One row per region and feature (PyRadiomics names, e.g. 'original_firstorder_Mean').
-- value is NULL for a NaN (SQLite stores NaN as NULL); infinities are stored as such.
CREATE TABLE features (
    analysis_id INTEGER NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    region      TEXT NOT NULL,
    feature     TEXT NOT NULL,
    value       REAL,
    PRIMARY KEY (analysis_id, region, feature)
) STRICT, WITHOUT ROWID;

-- The research export: one feature (and region) across all studies.
CREATE INDEX features_by_name ON features (feature, region, analysis_id);

-- The coronary calcium score (at most one per analysis; computed = 0 with the reason when it was not).
CREATE TABLE cac_results (
    analysis_id        INTEGER PRIMARY KEY REFERENCES analyses (id) ON DELETE CASCADE,
    computed           INTEGER NOT NULL CHECK (computed IN (0, 1)),
    reason             TEXT NOT NULL DEFAULT '',
    agatston           REAL NOT NULL DEFAULT 0,   -- scaled to the reference slice increment
    agatston_raw       REAL NOT NULL DEFAULT 0,
    volume_mm3         REAL NOT NULL DEFAULT 0,
    mass_mg            REAL NOT NULL DEFAULT 0,
    risk_category      TEXT NOT NULL DEFAULT '',  -- '0', '1-10', '11-100', '101-400', '>400'
    lesion_count       INTEGER NOT NULL DEFAULT 0,
    threshold_hu       REAL NOT NULL DEFAULT 0,
    slice_increment_mm REAL NOT NULL DEFAULT 0
) STRICT;

-- One row per configured signature (computable = 0 with the reason, e.g. a missing feature).
CREATE TABLE signature_results (
    analysis_id INTEGER NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    version     TEXT NOT NULL DEFAULT '',
    example     INTEGER NOT NULL DEFAULT 0 CHECK (example IN (0, 1)), -- 1: an example, not a validated model
    computable  INTEGER NOT NULL CHECK (computable IN (0, 1)),
    score       REAL,                                                 -- NULL when not computable
    risk_group  TEXT NOT NULL DEFAULT '',                             -- empty without cutoffs
    reason      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (analysis_id, name)
) STRICT;                                                             -- rowid keeps the configured order
