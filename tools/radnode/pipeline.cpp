#include "tools/radnode/pipeline.h"

#include <fmt/format.h>
#include <malloc.h>

#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "config/errors.h"
#include "config/log.h"
#include "dicom_node/store_scu.h"
#include "processing/regions/box_mask.h"
#include "storage/instance_index.h"
#include "storage/result_store.h"
#include "storage/series_tracker.h"
#include "storage/transaction.h"
#include "tools/radnode/case_reports.h"
#include "tools/radnode/ct_inputs.h"

namespace radnode::tools {
namespace {

namespace fs = std::filesystem;
using storage::EpochMillis;

/// Workers poll this often for jobs another process (or a lost signal) created.
constexpr std::chrono::milliseconds kPollPeriod{1000};
/// The scheduler looks for series that have become quiet this often: the slack it adds to
/// pipeline.stable_age_s.
constexpr std::chrono::milliseconds kSchedulePeriod{200};

bool IsTumourModality(const std::string& modality) { return modality == "RTSTRUCT" || modality == "SEG"; }

/// Job payloads are "key=value" lines (values without newlines; repeated keys allowed).
std::string Payload(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string text;
    for (const auto& [key, value] : items)
        text += key + "=" + value + "\n";
    return text;
}
std::multimap<std::string, std::string> ParsePayload(const std::string& text) {
    std::multimap<std::string, std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (const auto eq = line.find('='); eq != std::string::npos)
            out.emplace(line.substr(0, eq), line.substr(eq + 1));
    return out;
}
std::string First(const std::multimap<std::string, std::string>& p, const std::string& key) {
    const auto it = p.find(key);
    return it == p.end() ? std::string{} : it->second;
}

/// The tumour objects (latest instance of every RTSTRUCT/SEG series) of a study whose frame of
/// reference matches the CT's or is not recorded at the top level (RTSTRUCT keeps it nested).
std::vector<storage::StoredInstance> TumourObjects(storage::InstanceIndex& index, const std::string& study,
                                                   const std::string& frame_of_reference) {
    std::vector<storage::StoredInstance> out;
    for (const storage::SeriesSummary& s : index.ListStudySeries(study)) {
        if (!IsTumourModality(s.modality))
            continue;
        if (s.series_description == "radnode regions")
            continue; // radnode's own SEG, routed back by the PACS
        std::vector<storage::StoredInstance> instances = index.ListSeriesInstances(s.series_uid);
        if (instances.empty())
            continue;
        const storage::StoredInstance& latest = instances.back();
        if (!latest.frame_of_reference_uid.empty() && !frame_of_reference.empty() &&
            latest.frame_of_reference_uid != frame_of_reference)
            continue;
        out.push_back(latest);
    }
    return out;
}

std::string AnalyzeKey(const std::string& ct_series, const std::string& tumour_sop) {
    return ct_series + "|" + (tumour_sop.empty() ? "none" : tumour_sop);
}

bool WriteText(const fs::path& file, const std::string& text) {
    std::ofstream stream(file, std::ios::binary | std::ios::trunc);
    stream << text;
    return static_cast<bool>(stream.flush());
}

/// The analysis as the results store keeps it.
storage::AnalysisRecord ToRecord(const CaseAnalysis& a, const std::string& study, const std::string& ct_series,
                                 const std::string& tumour_sop, const std::string& hash) {
    namespace rg = processing::regions;
    storage::AnalysisRecord r;
    r.study_instance_uid = study;
    r.ct_series_instance_uid = ct_series;
    r.tumour_object_uid = tumour_sop;
    r.software_version = RADNODE_VERSION;
    r.settings_hash = hash;
    for (const rg::DerivedRegion* d : a.regions.Regions())
        r.regions.push_back({d->name, d->found, d->reason, static_cast<std::int64_t>(d->voxel_count), d->volume_ml,
                             std::nullopt});
    if (a.regions.peritumoral_computed)
        for (const rg::PeritumoralRegion& p : a.regions.peritumoral.regions)
            r.regions.push_back({p.name, p.voxel_count > 0, p.voxel_count > 0 ? "" : "empty",
                                 static_cast<std::int64_t>(p.voxel_count), p.volume_ml, p.clipped_fraction});
    for (const RegionRadiomics& rad : a.radiomics)
        for (const processing::radiomics::Feature& f : rad.features)
            r.features.push_back({rad.region, f.name, f.value});
    const processing::cac::CalciumScore& c = a.regions.cac;
    storage::CacResult cac;
    cac.computed = c.computed;
    cac.reason = c.reason;
    cac.agatston = c.agatston_scaled;
    cac.agatston_raw = c.agatston_raw;
    cac.volume_mm3 = c.volume_mm3;
    cac.mass_mg = c.mass_mg;
    cac.risk_category = c.risk_category;
    cac.lesion_count = static_cast<std::int64_t>(c.lesion_count);
    cac.threshold_hu = c.threshold_hu;
    cac.slice_increment_mm = c.slice_increment_mm;
    r.cac = cac;
    for (const SignatureOutcome& s : a.signatures)
        r.signatures.push_back({s.name, s.version, s.example, s.result.computable,
                                s.result.computable ? std::optional<double>(s.result.score) : std::nullopt,
                                s.result.group, s.result.reason});
    return r;
}

storage::JobQueue Queue(storage::Database& db, const config::Config& c, const storage::MillisClock& clock) {
    storage::QueueOptions options;
    options.default_max_attempts = static_cast<int>(c.pipeline_max_attempts);
    return storage::JobQueue(db, options, clock);
}

} // namespace

Pipeline::Pipeline(const config::Config& config, storage::FileStore& files, fs::path database_file,
                   storage::MillisClock clock)
    : config_(config), files_(files), database_file_(std::move(database_file)), clock_(std::move(clock)) {
    try {
        const std::vector<fs::path> signatures(config_.pipeline_signatures.begin(), config_.pipeline_signatures.end());
        analysis_ = LoadAnalysisOptions(config_, config_.pipeline_radiomics_params, signatures,
                                        config_.pipeline_radiomics_regions);
    } catch (const config::ConfigError& e) {
        analysis_error_ = e.what();
        RADNODE_LOG_ERROR(Category::Jobs, "analysis settings unusable: every analysis will fail",
                          {{"error", analysis_error_}});
    }
}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Start() {
    {
        storage::Database db = storage::Database::Open(database_file_);
        const int recovered = Queue(db, config_, clock_).RecoverExpiredLeases();
        if (recovered > 0)
            RADNODE_LOG_WARN(Category::Jobs, "jobs of a stopped process taken back", {{"jobs", recovered}});
    }
    threads_.emplace_back([this] { SchedulerLoop(); });
    for (std::int64_t n = 0; n < config_.pipeline_workers; ++n)
        threads_.emplace_back([this, n] { Loop(fmt::format("analysis-{}", n + 1), &Pipeline::AnalyseOnce); });
    threads_.emplace_back([this] { Loop("export", &Pipeline::ExportOnce); });
    RADNODE_LOG_INFO(Category::Jobs, "pipeline started",
                     {{"workers", config_.pipeline_workers}, {"destinations", config_.export_destinations.size()}});
}

void Pipeline::Stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_)
        if (t.joinable())
            t.join();
    threads_.clear();
}

bool Pipeline::Wait(std::chrono::milliseconds period) {
    std::unique_lock lock(mutex_);
    const std::uint64_t seen = signals_;
    wake_.wait_for(lock, period, [&] { return stopping_ || signals_ != seen; });
    return !stopping_;
}

void Pipeline::Signal() {
    {
        const std::lock_guard lock(mutex_);
        ++signals_;
    }
    wake_.notify_all();
}

void Pipeline::SchedulerLoop() {
    try {
        storage::Database db = storage::Database::Open(database_file_);
        do {
            try {
                if (ScheduleOnce(db) > 0)
                    Signal();
                if (const int recovered = Queue(db, config_, clock_).RecoverExpiredLeases(); recovered > 0)
                    RADNODE_LOG_WARN(Category::Jobs, "expired leases taken back", {{"jobs", recovered}});
            } catch (const std::exception& e) {
                RADNODE_LOG_ERROR(Category::Jobs, "scheduler step failed", {{"error", e.what()}});
            }
        } while (Wait(kSchedulePeriod));
    } catch (const std::exception& e) {
        RADNODE_LOG_ERROR(Category::Jobs, "scheduler stopped", {{"error", e.what()}});
    }
}

void Pipeline::Loop(const std::string& name, bool (Pipeline::*step)(storage::Database&, const std::string&)) {
    const std::string owner = fmt::format("{}@{}", name, ::getpid());
    try {
        storage::Database db = storage::Database::Open(database_file_);
        for (;;) {
            bool worked = false;
            try {
                worked = (this->*step)(db, owner);
            } catch (const std::exception& e) {
                RADNODE_LOG_ERROR(Category::Jobs, "worker step failed", {{"worker", owner}, {"error", e.what()}});
            }
            {
                const std::lock_guard lock(mutex_);
                if (stopping_)
                    return;
            }
            if (!worked && !Wait(kPollPeriod))
                return;
        }
    } catch (const std::exception& e) {
        RADNODE_LOG_ERROR(Category::Jobs, "worker stopped", {{"worker", owner}, {"error", e.what()}});
    }
}

std::size_t Pipeline::ScheduleOnce(storage::Database& db) {
    const EpochMillis now = clock_();
    storage::SeriesTracker tracker(db, clock_);
    const std::chrono::milliseconds stable{config_.pipeline_stable_age_s * 1000};
    for (const storage::SeriesProgress& s : tracker.DueSeries(now, stable))
        if (tracker.MarkComplete(s.series_uid, now, stable))
            RADNODE_LOG_INFO(Category::Jobs, "series complete",
                             {{"study", s.study_uid}, {"series", s.series_uid}, {"instances", s.instance_count}});

    storage::InstanceIndex index(db);
    storage::JobQueue queue = Queue(db, config_, clock_);
    std::size_t created = 0;
    const auto enqueue = [&](const std::string& study, const std::string& ct, const std::string& tumour_sop) {
        const storage::Enqueued e = queue.Enqueue(
            kAnalyzeJob, AnalyzeKey(ct, tumour_sop), Payload({{"study", study}, {"ct_series", ct}, {"tumour_sop", tumour_sop}}));
        if (e.created) {
            ++created;
            RADNODE_LOG_INFO(Category::Jobs, "analysis queued",
                             {{"job", e.id}, {"study", study}, {"series", ct},
                              {"tumour", tumour_sop.empty() ? std::string("none") : tumour_sop}});
        }
    };
    const std::chrono::milliseconds grace{config_.pipeline_tumour_grace_s * 1000};
    for (const storage::SeriesProgress& s : tracker.ListSeries(storage::SeriesState::Complete)) {
        storage::Transaction transaction(db, storage::TransactionMode::Immediate);
        const auto series = index.FindSeries(s.series_uid);
        bool done = true;
        if (series && series->modality == "CT") {
            const std::vector<storage::StoredInstance> tumours =
                TumourObjects(index, s.study_uid, series->frame_of_reference_uid);
            if (!tumours.empty()) {
                for (const storage::StoredInstance& t : tumours)
                    enqueue(s.study_uid, s.series_uid, t.sop_instance_uid);
            } else if (now - s.completed_at.value_or(now) >= grace.count()) {
                enqueue(s.study_uid, s.series_uid, "");
            } else {
                done = false; // waiting for a tumour object
            }
        } else if (series && IsTumourModality(series->modality) && series->series_description != "radnode regions") {
            // A tumour object for CTs already handed on: a (re-)analysis with it. CTs still waiting for
            // one pick it up themselves.
            const auto instances = index.ListSeriesInstances(s.series_uid);
            for (const storage::SeriesSummary& other : index.ListStudySeries(s.study_uid)) {
                if (other.modality != "CT" || instances.empty())
                    continue;
                const auto progress = tracker.Get(other.series_uid);
                if (progress && progress->state == storage::SeriesState::Queued)
                    enqueue(s.study_uid, other.series_uid, instances.back().sop_instance_uid);
            }
        }
        if (done)
            tracker.MarkQueued(s.series_uid);
        transaction.Commit();
    }
    return created;
}

bool Pipeline::AnalyseOnce(storage::Database& db, const std::string& owner) {
    storage::JobQueue queue = Queue(db, config_, clock_);
    const std::vector<std::string> kinds{kAnalyzeJob};
    const std::chrono::milliseconds lease{config_.pipeline_lease_s * 1000};
    const std::optional<storage::Job> job = queue.Claim(owner, kinds, lease);
    if (!job)
        return false;
    // Declared before the job's data, destroyed after it: once the job's volumes are freed, the heap they grew
    // (main.cpp keeps large buffers off mmap) goes back to the system.
    struct TrimHeapOnExit {
        TrimHeapOnExit() = default;
        TrimHeapOnExit(const TrimHeapOnExit&) = delete;
        TrimHeapOnExit& operator=(const TrimHeapOnExit&) = delete;
        ~TrimHeapOnExit() { malloc_trim(0); }
    } trim_heap_on_exit;
    const storage::Lease held = storage::LeaseOf(*job);
    const auto payload = ParsePayload(job->payload);
    const std::string study = First(payload, "study"), ct_series = First(payload, "ct_series"),
                      tumour_sop = First(payload, "tumour_sop");
    const EpochMillis started = clock_();
    RADNODE_LOG_INFO(Category::Jobs, "analysis started",
                     {{"job", job->id}, {"attempt", job->attempts}, {"study", study}, {"series", ct_series}});

    // Renew the lease while the analysis runs (its own connection: one per thread).
    std::atomic<bool> finished{false};
    std::thread heartbeat([&] {
        try {
            storage::Database hb_db = storage::Database::Open(database_file_);
            storage::JobQueue hb = Queue(hb_db, config_, clock_);
            std::unique_lock lock(mutex_);
            while (!finished && !wake_.wait_for(lock, lease / 4, [&] { return finished.load() || stopping_; })) {
                lock.unlock();
                if (!hb.Heartbeat(held, lease))
                    RADNODE_LOG_WARN(Category::Jobs, "lease lost", {{"job", job->id}});
                lock.lock();
            }
        } catch (const std::exception& e) {
            RADNODE_LOG_ERROR(Category::Jobs, "heartbeat failed", {{"job", job->id}, {"error", e.what()}});
        }
    });
    const auto stop_heartbeat = [&] {
        finished = true;
        wake_.notify_all();
        if (heartbeat.joinable())
            heartbeat.join();
    };
    const auto fail = [&](const std::string& error, bool retryable) {
        stop_heartbeat();
        const auto state = queue.Fail(held, error, retryable);
        RADNODE_LOG_ERROR(Category::Jobs, "analysis failed",
                          {{"job", job->id}, {"study", study}, {"series", ct_series}, {"error", error},
                           {"state", state ? std::string(storage::JobStateName(*state)) : std::string("lease lost")}});
        return true;
    };

    try {
        storage::InstanceIndex index(db);
        const std::vector<storage::StoredInstance> instances = index.ListSeriesInstances(ct_series);
        if (instances.empty())
            return fail("the CT series has no stored instance", false);
        const fs::path series_dir = files_.Absolute(instances.front().file_path).parent_path();
        CtInput ct = LoadCtFolder(series_dir, config_);
        if (!ct.error.empty())
            return fail(ct.error, false);

        if (!analysis_error_.empty())
            return fail(analysis_error_, false);
        processing::regions::BoxMask tumour;
        if (!tumour_sop.empty()) {
            const auto object = index.Find(tumour_sop);
            if (!object)
                return fail("tumour object " + tumour_sop + " is not stored", false);
            CaseTumour t = LoadCaseTumour(files_.Absolute(object->file_path), "", ct, config_);
            if (!t.error.empty())
                return fail("tumour object unusable: " + t.error, false);
            tumour = std::move(t.mask);
        }
        const double loaded_seconds = static_cast<double>(clock_() - started) / 1000.0;
        const CaseAnalysisOptions& options = analysis_.options;
        const CaseAnalysis analysis = RunCaseAnalysis(ct.volume, ct.kvp, tumour, options);
        const EpochMillis analysed = clock_();

        // Results of this job, written whole into a fresh folder and then moved into place, so a
        // job killed half-way leaves nothing that looks finished.
        const fs::path results = files_.Root() / "results" / study / std::to_string(job->id);
        const fs::path staging = files_.Root() / "results" / ".staging" / fmt::format("{}-{}", job->id, job->attempts);
        fs::remove_all(staging);
        fs::create_directories(staging);
        const std::string& hash = analysis_.fingerprint;
        if (!WriteText(staging / "results.json", CaseAnalysisJson(analysis, ct.volume.Geometry(), hash)) ||
            !WriteText(staging / "features.csv", CaseAnalysisCsv(analysis)))
            return fail("cannot write results in " + staging.string(), true);
        storage::ResultStore store(db);
        const std::optional<storage::StoredAnalysis> previous = store.LatestForSeries(ct_series);
        CaseReportOptions report;
        report.software_version = RADNODE_VERSION;
        report.uid_seed = fmt::format("{}|{}", job->key, study); // same UIDs when the job reruns
        report.series_seed = ct_series;
        if (previous && previous->job_id != job->id && !previous->sr_sop_instance_uid.empty())
            report.predecessor_sr_sop_uid = previous->sr_sop_instance_uid;
        report.parameters = {"settings " + hash, config_.pipeline_radiomics_params.empty()
                                                      ? std::string("default analysis parameters")
                                                      : config_.pipeline_radiomics_params};
        const CaseReports reports = WriteCaseReports(ct, analysis, staging, report);
        const double report_seconds = static_cast<double>(clock_() - analysed) / 1000.0;
        fs::remove_all(results);
        fs::create_directories(results.parent_path());
        fs::rename(staging, results);
        stop_heartbeat();

        // Results, delivery jobs and completion in one transaction: exactly one set per analysis.
        storage::Transaction transaction(db, storage::TransactionMode::Immediate);
        storage::AnalysisRecord record = ToRecord(analysis, study, ct_series, tumour_sop, hash);
        record.started_at = started;
        record.finished_at = clock_();
        record.job_id = job->id;
        if (reports.error.empty()) {
            record.sr_sop_instance_uid = reports.sr_sop_instance_uid;
            record.seg_sop_instance_uid = reports.seg_sop_instance_uid;
            record.sr_path = (results / "sr.dcm").string();
            record.seg_path = (results / "seg.dcm").string();
        }
        store.RecordAnalysis(record);
        if (reports.error.empty())
            for (const std::string& destination : config_.export_destinations)
                queue.Enqueue(kExportJob, fmt::format("{}|{}", job->id, destination),
                              // The report first: it is what a reader waits for.
                              Payload({{"study", study},
                                       {"destination", destination},
                                       {"file", (results / "sr.dcm").string()},
                                       {"file", (results / "seg.dcm").string()}}),
                              1'000'000);
        if (!queue.Complete(held, results.string())) {
            RADNODE_LOG_WARN(Category::Jobs, "analysis finished after its lease was lost; another attempt owns it",
                             {{"job", job->id}});
            return true; // the transaction rolls back: no delivery from this attempt
        }
        transaction.Commit();
        Signal(); // the delivery jobs
        RADNODE_LOG_INFO(Category::Jobs, "analysis done",
                         {{"job", job->id},
                          {"study", study},
                          {"series", ct_series},
                          {"load_seconds", loaded_seconds},
                          {"seconds", analysis.seconds},
                          {"report_seconds", report_seconds},
                          {"reports", reports.error.empty() ? std::string("sr.dcm, seg.dcm") : reports.error}});
        return true;
    } catch (const config::ConfigError& e) {
        return fail(e.what(), false);
    } catch (const std::exception& e) {
        return fail(e.what(), true);
    }
}

bool Pipeline::ExportOnce(storage::Database& db, const std::string& owner) {
    storage::QueueOptions options;
    options.backoff_base = std::chrono::milliseconds{config_.export_retry_base_s * 1000};
    options.backoff_cap = std::chrono::milliseconds{config_.export_retry_max_s * 1000};
    storage::JobQueue queue(db, options, clock_);
    const std::vector<std::string> kinds{kExportJob};
    const std::optional<storage::Job> job = queue.Claim(owner, kinds, std::chrono::minutes{10});
    if (!job)
        return false;
    const storage::Lease held = storage::LeaseOf(*job);
    const auto payload = ParsePayload(job->payload);
    const std::string destination_text = First(payload, "destination");
    const dicom_node::ParseDestinationResult destination = dicom_node::ParseDestination(destination_text);
    if (!destination.status) {
        queue.Fail(held, "bad destination: " + destination.status.message, false);
        return true;
    }
    std::vector<fs::path> files;
    for (auto [it, end] = payload.equal_range("file"); it != end; ++it)
        files.emplace_back(it->second);
    const dicom_node::StoreResult sent = dicom_node::SendFiles(destination.destination, files);
    if (sent.AllSent()) {
        queue.Complete(held, fmt::format("{} files sent", files.size()));
        RADNODE_LOG_INFO(Category::Jobs, "delivered",
                         {{"job", job->id}, {"study", First(payload, "study")}, {"destination", destination_text}});
        return true;
    }
    bool retryable = true;
    std::string why = sent.association_reason;
    for (const dicom_node::FileStoreResult& f : sent.files)
        if (f.outcome != dicom_node::FileOutcome::Sent) {
            retryable = retryable && f.retryable;
            if (why.empty())
                why = f.reason;
        }
    const bool too_old = clock_() - job->created_at > config_.export_max_age_h * 3'600'000;
    const auto state = queue.Fail(held, why, retryable && !too_old);
    RADNODE_LOG_WARN(Category::Jobs, "delivery failed",
                     {{"job", job->id},
                      {"study", First(payload, "study")},
                      {"destination", destination_text},
                      {"error", why},
                      {"state", state ? std::string(storage::JobStateName(*state)) : std::string("lease lost")}});
    return true;
}

} // namespace radnode::tools
