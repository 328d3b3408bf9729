#pragma once
/// The hands-free pipeline of `radnode serve` (docs/pipeline.md): series completion, pairing of
/// CT series with their tumour RTSTRUCT/SEG, the analysis jobs and the delivery jobs, on the
/// durable queue of storage/job_queue.h. Each step is a function that does one unit of work on
/// its own database connection, so the threads and the tests run the same code.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "storage/database.h"
#include "storage/file_store.h"
#include "storage/job_queue.h"
#include "tools/radnode/case_analysis.h"

namespace radnode::tools {

inline constexpr const char* kAnalyzeJob = "analyze";
inline constexpr const char* kExportJob = "export";

class Pipeline {
public:
    Pipeline(const config::Config& config, storage::FileStore& files, std::filesystem::path database_file,
             storage::MillisClock clock = storage::SystemNowMillis);
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    /// Starts the scheduler, pipeline.workers analysis workers and one delivery worker; recovers
    /// expired leases first (jobs of a process that died go back to pending).
    void Start();
    /// Asks every thread to stop after its current step and joins them.
    void Stop();

    /// Marks quiet series complete and turns complete series into analysis jobs: a CT with the
    /// study's tumour objects (one job per object), a CT without one after the grace period, a
    /// tumour object that arrives for an already analysed CT (a re-analysis). Returns the jobs
    /// created.
    std::size_t ScheduleOnce(storage::Database& db);
    /// Claims one analysis job and runs it to the end (results, SEG, SR, delivery jobs). False
    /// when there was none.
    bool AnalyseOnce(storage::Database& db, const std::string& owner);
    /// Claims one delivery job and sends its files. False when there was none.
    bool ExportOnce(storage::Database& db, const std::string& owner);

private:
    void Loop(const std::string& name, bool (Pipeline::*step)(storage::Database&, const std::string&));
    void SchedulerLoop();
    /// Waits `period`, or less when Stop() or Signal() is called; false when stopping.
    bool Wait(std::chrono::milliseconds period);
    /// Wakes the waiting threads now: new jobs are ready.
    void Signal();

    config::Config config_;
    /// The analysis options, read once from pipeline.radiomics_params and pipeline.signatures;
    /// when they cannot be read, every analysis job fails with `analysis_error_`.
    LoadedAnalysisOptions analysis_;
    std::string analysis_error_;
    storage::FileStore& files_;
    std::filesystem::path database_file_;
    storage::MillisClock clock_;
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::uint64_t signals_ = 0; ///< bumped by Signal()
    bool stopping_ = false;
};

} // namespace radnode::tools
