// radnode: the composition root. Each subcommand wires the modules together.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <malloc.h>

#include <iostream>
#include <limits>

#include "config/config.h"
#include "config/log.h"
#include "tools/phantom/phantom_command.h"
#include "tools/radnode/commands.h"

int main(int argc, char** argv) {
    // The analysis allocates and frees volume-sized buffers (tens to hundreds of MB) for every
    // region and derived image. glibc serves those with fresh mmap()s the kernel must zero and
    // fault in each time (a fifth of an analysis' CPU time); from the heap they are reused.
    // One arena: a worker thread's own arena lives in 64 MB mmap()ed heaps that glibc unmaps
    // as soon as they empty, so volume-sized buffers there were faulted in afresh every time.
    // The hot loops do not allocate, so the arena's lock is not contended.
    // The pipeline hands freed memory back to the system after each job (malloc_trim).
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    CLI::App app{"radnode: a DICOM node that turns thoracic CT into quantitative results"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string{RADNODE_VERSION});

    radnode::tools::CommonOptions common;
    radnode::tools::AddServeCommand(app, common);
    radnode::tools::AddConfigCommand(app, common);
    radnode::tools::AddPhantomCommand(app);
    radnode::tools::AddConvertCommand(app, common);
    radnode::tools::AddExtractCommand(app, common);
    radnode::tools::AddSegmentCommand(app, common);
    radnode::tools::AddAnalyzeCommand(app, common);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const radnode::config::ConfigError& e) {
        std::cerr << "radnode: configuration error: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "radnode: " << e.what() << "\n";
        return 1;
    }
    return radnode::tools::ExitCode();
}
