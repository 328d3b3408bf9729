// `radnode serve`: open the store, migrate the index, listen for DICOM until SIGINT/SIGTERM.
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "config/log.h"
#include "dicom_node/dicom_server.h"
#include "storage/database.h"
#include "storage/file_store.h"
#include "tools/radnode/commands.h"
#include "tools/radnode/pipeline.h"
#include "tools/radnode/rest_routes.h"

namespace radnode::tools {
namespace {

void PrintBanner(const config::Config& c, const std::filesystem::path& data_dir) {
    std::cout << fmt::format(
                     "radnode {} listening: AE title {} on DICOM port {} (data in {})\n"
                     "Send a study from this machine with DCMTK, for example:\n"
                     "  storescu -aec {} -R 127.0.0.1 {} +sd +r path/to/dicom-folder\n"
                     "  radnode phantom --out /tmp/phantom && storescu -aec {} -R 127.0.0.1 {} +sd +r +sp '*.dcm' /tmp/phantom\n"
                     "Health: curl http://{}:{}/health (http.port 0 disables the REST API)\n"
                     "Stop with Ctrl-C.\n",
                     RADNODE_VERSION, c.ae_title, c.dicom_port, data_dir.string(), c.ae_title, c.dicom_port,
                     c.ae_title, c.dicom_port, c.http_bind, c.http_port)
              << std::flush;
}

int Serve(const CommonOptions& common) {
    const config::Config c = common.Load();
    log::Configure(log::ParseLevel(c.log_level), c.log_file);

    // Signals are taken synchronously by one thread, so the handler can do real work (stop the pool).
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    const std::filesystem::path data_dir = std::filesystem::absolute(c.data_dir).lexically_normal();
    std::filesystem::create_directories(data_dir);
    storage::FileStore files(data_dir);
    const std::filesystem::path database_file = data_dir / "index.sqlite";
    {
        auto db = storage::Database::Open(database_file); // applies pending migrations
        RADNODE_LOG_INFO(Category::Db, "index ready",
                         {{"file", database_file.string()}, {"schema_version", db.SchemaVersion()}});
    }

    dicom_node::DicomServer server(c, files, database_file);
    std::unique_ptr<dicom_node::HttpServer> rest;
    if (c.http_port != 0) {
        rest = std::make_unique<dicom_node::HttpServer>(c.http_bind, static_cast<std::uint16_t>(c.http_port),
                                                        MakeRestHandler({c, server, files, database_file}));
        rest->Start();
        RADNODE_LOG_INFO(Category::Http, "REST API listening",
                         {{"url", fmt::format("http://{}:{}/health", c.http_bind, rest->Port())}});
    }
    std::atomic<bool> listener_done{false};
    std::thread signal_waiter([&server, &listener_done, signals] {
        int received = 0;
        sigwait(&signals, &received);
        if (!listener_done) {
            RADNODE_LOG_INFO(Category::Main, "stopping after current associations", {{"signal", received}});
            server.Stop();
        }
    });
    std::unique_ptr<Pipeline> pipeline;
    if (c.pipeline_enabled) {
        pipeline = std::make_unique<Pipeline>(c, files, database_file);
        pipeline->Start();
    }
    PrintBanner(c, data_dir);
    const Status status = server.Run();
    if (pipeline)
        pipeline->Stop(); // after the listener: jobs left running are taken back at the next start
    // Wake the signal thread if Run() ended on its own (e.g. the port was taken).
    listener_done = true;
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
    signal_waiter.join();
    if (rest)
        rest->Stop();
    if (!status) {
        RADNODE_LOG_ERROR(Category::Main, "listener failed", {{"reason", status.message}});
        return 1;
    }
    return 0;
}

} // namespace

void AddServeCommand(CLI::App& app, CommonOptions& common) {
    CLI::App* cmd = app.add_subcommand("serve", "Run the DICOM node in the foreground");
    common.AddTo(*cmd);
    cmd->callback([&common] { SetExitCode(Serve(common)); });
}

} // namespace radnode::tools
