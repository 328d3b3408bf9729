#include "reference_data.h"

#include "processing/image_io.h"

#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace radnode::test {
namespace {

std::vector<std::string> SplitCsvLine(const std::string& line) {
    // The baseline cells hold Python dict/tuple literals with commas, always double-quoted.
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '"') {
            if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
                cell += '"';
                ++i;
            } else {
                quoted = !quoted;
            }
        } else if (c == ',' && !quoted) {
            cells.push_back(cell);
            cell.clear();
        } else if (c != '\r') {
            cell += c;
        }
    }
    cells.push_back(cell);
    return cells;
}

std::vector<std::vector<std::string>> ReadCsv(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in)
        throw std::runtime_error("cannot open " + file.string());
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line))
        rows.push_back(SplitCsvLine(line));
    return rows;
}

} // namespace

std::filesystem::path PyRadiomicsDataDir() { return std::filesystem::path(RADNODE_TEST_DATA_DIR) / "pyradiomics"; }

const ReferenceCase& LoadReferenceCase(const std::string& name) {
    static std::mutex mutex;
    static std::map<std::string, ReferenceCase> cache;
    const std::lock_guard lock(mutex);
    auto it = cache.find(name);
    if (it != cache.end())
        return it->second;
    ReferenceCase c;
    const auto dir = PyRadiomicsDataDir();
    if (auto r = processing::ReadImage(dir / (name + "_image.nrrd"), c.image); !r.IsOk())
        throw std::runtime_error(r.error);
    if (auto r = processing::ReadImage(dir / (name + "_label.nrrd"), c.mask); !r.IsOk())
        throw std::runtime_error(r.error);
    return cache.emplace(name, std::move(c)).first->second;
}

const std::vector<std::string>& ReferenceCaseNames() {
    static const std::vector<std::string> names{"brain1", "brain2", "breast1"};
    return names;
}

std::map<std::string, std::string> BaselineColumn(const std::string& cls, const std::string& column) {
    const auto rows = ReadCsv(PyRadiomicsDataDir() / "baseline" / ("baseline_" + cls + ".csv"));
    if (rows.empty())
        throw std::runtime_error("empty baseline for " + cls);
    std::size_t index = 0;
    for (std::size_t c = 1; c < rows[0].size(); ++c)
        if (rows[0][c] == column)
            index = c;
    if (index == 0)
        throw std::runtime_error("no column " + column + " in baseline_" + cls + ".csv");
    std::map<std::string, std::string> out;
    for (std::size_t r = 1; r < rows.size(); ++r)
        if (index < rows[r].size() && !rows[r][index].empty())
            out[rows[r][0]] = rows[r][index];
    return out;
}

std::vector<std::string> BaselineColumns(const std::string& cls) {
    const auto rows = ReadCsv(PyRadiomicsDataDir() / "baseline" / ("baseline_" + cls + ".csv"));
    return rows.empty() ? std::vector<std::string>{} : std::vector<std::string>(rows[0].begin() + 1, rows[0].end());
}

std::map<std::string, std::string> TwoColumnCsv(const std::filesystem::path& file) {
    std::map<std::string, std::string> out;
    for (const auto& row : ReadCsv(file))
        if (row.size() >= 2)
            out[row[0]] = row[1];
    return out;
}

std::map<std::string, std::string> PeerOutputs(const std::string& case_name) {
    return TwoColumnCsv(PyRadiomicsDataDir() / "peer_outputs" / (case_name + "_full_original_log_wavelet.csv"));
}

double NpyArray::At(std::size_t a, std::size_t b, std::size_t c) const {
    std::size_t index = a;
    if (shape.size() >= 2)
        index = index * shape[1] + b;
    if (shape.size() >= 3)
        index = index * shape[2] + c;
    return values.at(index);
}

NpyArray LoadNpy(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + file.string());
    char magic[8];
    in.read(magic, 8);
    if (std::string(magic + 1, 5) != "NUMPY")
        throw std::runtime_error(file.string() + " is not a .npy file");
    std::size_t header_length = 0;
    if (magic[6] == 1) {
        unsigned char b[2];
        in.read(reinterpret_cast<char*>(b), 2); // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
        header_length = b[0] | (static_cast<std::size_t>(b[1]) << 8U);
    } else {
        unsigned char b[4];
        in.read(reinterpret_cast<char*>(b), 4); // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
        header_length = b[0] | (static_cast<std::size_t>(b[1]) << 8U) | (static_cast<std::size_t>(b[2]) << 16U) |
                        (static_cast<std::size_t>(b[3]) << 24U);
    }
    std::string header(header_length, '\0');
    in.read(header.data(), static_cast<std::streamsize>(header_length));
    if (header.find("'<f8'") == std::string::npos)
        throw std::runtime_error(file.string() + ": only little-endian float64 is supported");
    const bool fortran = header.find("'fortran_order': True") != std::string::npos;
    NpyArray array;
    const std::size_t open = header.find('(', header.find("'shape'"));
    const std::size_t close = header.find(')', open);
    std::stringstream shape(header.substr(open + 1, close - open - 1));
    std::string dim;
    while (std::getline(shape, dim, ','))
        if (dim.find_first_of("0123456789") != std::string::npos)
            array.shape.push_back(std::stoul(dim));
    std::size_t count = 1;
    for (const std::size_t d : array.shape)
        count *= d;
    std::vector<double> raw(count);
    in.read(reinterpret_cast<char*>(raw.data()), // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
            static_cast<std::streamsize>(count * sizeof(double)));
    if (!in)
        throw std::runtime_error(file.string() + ": truncated");
    if (fortran) { // reorder to C order
        array.values.resize(count);
        std::vector<std::size_t> index(array.shape.size(), 0);
        for (std::size_t f = 0; f < count; ++f) {
            std::size_t c = 0;
            for (std::size_t d = 0; d < array.shape.size(); ++d)
                c = c * array.shape[d] + index[d];
            array.values[c] = raw[f];
            for (std::size_t d = 0; d < array.shape.size(); ++d) { // Fortran: first index fastest
                if (++index[d] < array.shape[d])
                    break;
                index[d] = 0;
            }
        }
    } else {
        array.values = std::move(raw);
    }
    if (array.shape.size() > 1 && array.shape[0] == 1)
        array.shape.erase(array.shape.begin());
    return array;
}

bool WithinParity(double actual, double expected, double relative, double absolute) {
    if (std::isnan(expected))
        return std::isnan(actual);
    const double diff = std::abs(actual - expected);
    return diff <= absolute || diff <= relative * std::abs(expected);
}

} // namespace radnode::test
