#pragma once
/// The decomposition filters of every discrete PyWavelets wavelet (generated data, see
/// tools/dev/wavelet_table.py), the wavelets PyRadiomics' Wavelet image type accepts.

#include <string_view>
#include <vector>

namespace radnode::processing::radiomics {

/// One wavelet: pywt.Wavelet(name).dec_lo, and dec_hi when it is not the orthogonal
/// quadrature mirror of dec_lo (empty for orthogonal wavelets: haar, db*, sym*, coif*, dmey
/// and bior1.1/rbio1.1).
struct WaveletTableEntry {
    std::string_view name;
    std::vector<double> dec_lo;
    std::vector<double> dec_hi;
};

/// Every entry, in pywt.wavelist(kind='discrete') order.
const std::vector<WaveletTableEntry>& WaveletTable();

} // namespace radnode::processing::radiomics
