#include "tools/radnode/rest_routes.h"

#include "config/errors.h"
#include "config/log.h"
#include "dicom_node/dicom_server.h"
#include "dicom_node/node_context.h"
#include "storage/database.h"
#include "storage/file_store.h"
#include "storage/instance_index.h"
#include "reporting/json_writer.h"

namespace radnode::tools {
namespace {

dicom_node::HttpResponse JsonError(ErrorCode code, std::string_view message) {
    reporting::JsonWriter json;
    json.BeginObject().Key("error").BeginObject();
    json.Key("code").String(GetErrorInfo(code).name).Key("message").String(message);
    json.EndObject().EndObject();
    return {GetErrorInfo(code).http_status, "application/json", json.Text() + "\n"};
}

/// 200 with "ok" when the index answers and the disk is above the free-space floor; 503 "degraded" otherwise.
dicom_node::HttpResponse Health(const RestContext& c) {
    const auto& counters = c.dicom.Counters();
    const std::uint64_t min_free = static_cast<std::uint64_t>(c.config.min_free_mb) * 1024 * 1024;
    std::uint64_t free_bytes = 0;
    bool disk_ok = false;
    try {
        free_bytes = c.files.FreeBytes();
        disk_ok = free_bytes >= min_free;
    } catch (const std::exception& e) {
        RADNODE_LOG_WARN(Category::Http, "health: free space unknown", {{"reason", e.what()}});
    }
    bool database_ok = false;
    int schema_version = 0;
    std::size_t instances = 0;
    std::string database_error;
    try {
        auto db = storage::Database::Open(c.database_file);
        schema_version = db.SchemaVersion();
        instances = storage::InstanceIndex(db).CountInstances();
        database_ok = true;
    } catch (const std::exception& e) {
        database_error = e.what();
    }
    const bool ok = disk_ok && database_ok;

    reporting::JsonWriter json;
    json.BeginObject();
    json.Key("status").String(ok ? "ok" : "degraded");
    json.Key("version").String(RADNODE_VERSION);
    json.Key("dicom").BeginObject();
    json.Key("ae_title").String(c.config.ae_title).Key("port").Integer(c.config.dicom_port);
    json.Key("accepting_stores").Bool(disk_ok);
    json.Key("associations").Unsigned(counters.associations.load());
    json.Key("associations_rejected").Unsigned(counters.associations_rejected.load());
    json.Key("instances_stored").Unsigned(counters.instances_stored.load());
    json.Key("instances_duplicate").Unsigned(counters.instances_duplicate.load());
    json.Key("instances_rejected").Unsigned(counters.instances_rejected.load());
    json.Key("bytes_stored").Unsigned(counters.bytes_stored.load());
    json.EndObject();
    json.Key("storage").BeginObject();
    json.Key("free_bytes").Unsigned(free_bytes).Key("min_free_bytes").Unsigned(min_free);
    json.EndObject();
    json.Key("database").BeginObject();
    json.Key("status").String(database_ok ? "ok" : "error");
    if (database_ok)
        json.Key("schema_version").Integer(schema_version).Key("instances").Unsigned(instances);
    else
        json.Key("error").String(database_error);
    json.EndObject();
    json.EndObject();
    return {ok ? 200 : 503, "application/json", json.Text() + "\n"};
}

} // namespace

dicom_node::HttpHandler MakeRestHandler(RestContext context) {
    return [c = std::move(context)](const dicom_node::HttpRequest& request) -> dicom_node::HttpResponse {
        const std::string path = request.target.substr(0, request.target.find('?'));
        if (path != "/health")
            return JsonError(ErrorCode::NotFound, "no such resource: " + path);
        if (request.method != "GET")
            return {405, "application/json", R"({"error":{"code":"method_not_allowed","message":"use GET"}})" "\n"};
        return Health(c);
    };
}

} // namespace radnode::tools
