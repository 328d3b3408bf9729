#pragma once
/// The convolutional filters of IBSI 2 (arXiv:2006.05470) for IBSI mode: whole-volume
/// response maps of mean, Laplacian of Gaussian, Laws, Gabor, separable (undecimated) wavelet,
/// Simoncelli and Riesz-transformed filters, and the expansion of an IBSI image type into named
/// derived images. Conventions (checked against the IBSI 2 phase-1 reference response maps):
/// * index axes x, y, z as in Volume (x fastest); a "2D" filter runs slice by slice in the x-y
///   plane (index z constant);
/// * filtering is true convolution: a kernel written k[0..K) is centred on k[(K - 1) / 2] and
///   is the response to an impulse, so its first entry lies towards lower indices;
/// * separable kernels are listed per axis: "E5L5S5" is E5 along x, L5 along y, S5 along z;
/// * lengths (sigma, lambda) are in mm and converted with the image spacing.

#include "processing/radiomics/filters.h"
#include "processing/radiomics/settings.h"
#include "processing/volume.h"

#include <array>
#include <map>
#include <set>
#include <optional>
#include <string>

namespace radnode::processing::radiomics {

/// IBSI 2 boundary padding. Mirror is symmetric reflection that repeats the edge voxel
/// (... c b a | a b c ... ), numpy's "symmetric" / scipy.ndimage's "reflect".
enum class IbsiPadding { Constant, Nearest, Periodic, Mirror };

/// How the responses to the rotated kernels of a rotation-invariant filter are combined.
enum class IbsiPooling { Max, Mean, Min };

/// Mean over a cube (3D) or square (2D) of `support` voxels (odd).
Volume<double> IbsiMeanFilter(const Volume<double>& image, int support, bool two_d, IbsiPadding padding);

/// Laplacian of Gaussian: the sampled kernel -(1/s^2) (2 pi s^2)^(-d/2) (d - r^2/s^2)
/// exp(-r^2 / 2s^2) with s = sigma_mm / spacing per axis (voxel units), truncated to
/// 1 + 2 floor(cutoff * s + 0.5) voxels per axis; computed as a sum of separable terms.
Volume<double> IbsiLogFilter(const Volume<double>& image, double sigma_mm, double cutoff, bool two_d,
                             IbsiPadding padding);

/// Laws filter: `kernel` concatenates one 1D kernel per axis (L3 E3 S3 L5 E5 S5 W5 R5, each
/// scaled to unit L2 norm), two for 2D, three for 3D. Rotation invariance pools the responses
/// of the 24 (3D) or 4 (2D) right-angle rotations of the kernel; the energy map is the mean of
/// |response| over a (2 distance + 1) cube (square in 2D), with the same padding. Throws
/// std::invalid_argument for a kernel that is not 2 or 3 of those (ExpandIbsiImageType checks).
struct IbsiLawsParameters {
    std::string kernel;
    bool two_d = false;
    bool rotation_invariant = false;
    IbsiPooling pooling = IbsiPooling::Max;
    std::optional<int> energy_distance;
    IbsiPadding padding = IbsiPadding::Mirror;
};
Volume<double> IbsiLawsFilter(const Volume<double>& image, const IbsiLawsParameters& parameters);

/// Gabor filter, modulus of the complex response of the 2D kernel
/// exp(-(u^2 + gamma^2 v^2) / 2 sigma^2) exp(i 2 pi u / lambda), u = x cos(theta) + y sin(theta),
/// v = -x sin(theta) + y cos(theta), with sigma and lambda converted with the largest in-plane
/// spacing. The kernel spans the image plane (half-width floor(n_max / 2)), at most
/// ceil(6 sigma max(1, 1/gamma)) voxels. With `theta_step_deg` the moduli for theta,
/// theta + step, ... (a full turn) are averaged; with `orthogonal_planes` the filter also runs
/// in the x-z and y-z planes (kernel x, y = image x, z and y, z) and all responses are averaged.
struct IbsiGaborParameters {
    double sigma_mm = 1.0;
    double lambda_mm = 1.0;
    double gamma = 1.0;
    double theta_deg = 0.0;
    std::optional<double> theta_step_deg;
    bool orthogonal_planes = false;
    IbsiPadding padding = IbsiPadding::Mirror;
};
Volume<double> IbsiGaborFilter(const Volume<double>& image, const IbsiGaborParameters& parameters);

/// Undecimated separable wavelet at decomposition `level`: levels 1 .. level-1 convolve with
/// the low-pass filter along every axis, level `level` with `letters` ('L' = filters.low,
/// 'H' = filters.high, one per axis, x first), the filters upsampled by 2^(l-1) at level l
/// (a trous). An even-length filter gets a trailing zero, so its centre is entry len/2.
/// Rotation invariance pools over the rotations of the whole filter chain. Throws
/// std::invalid_argument for letters other than 2 or 3 of L/H or a level below 1.
struct IbsiWaveletParameters {
    WaveletFilters filters;
    std::string letters;
    int level = 1;
    bool rotation_invariant = false;
    IbsiPooling pooling = IbsiPooling::Mean;
    IbsiPadding padding = IbsiPadding::Mirror;
};
Volume<double> IbsiSeparableWaveletFilter(const Volume<double>& image, const IbsiWaveletParameters& parameters);

/// Riesz transform order per axis (x, y, z); all zero = no transform.
using RieszOrder = std::array<int, 3>;

/// Simoncelli wavelet at `level`, applied in the Fourier domain: cos(pi/2 log2(2 |w| / w_max))
/// for w_max / 4 <= |w| <= w_max, w_max = 2^(1 - level) (|w| in units of the Nyquist
/// frequency, on the reference implementation's grid: ReferenceGridFrequency in
/// ibsi_convolution.h), optionally Riesz-transformed; real part of the response. Periodic
/// padding uses the image grid itself; other modes pad by half the image size on each side.
/// Throws std::invalid_argument for a level below 1.
Volume<double> IbsiSimoncelliFilter(const Volume<double>& image, int level, const RieszOrder& riesz, bool two_d,
                                    IbsiPadding padding);

/// Riesz transform (Fourier multiplier, see RieszMultiplier in ibsi_convolution.h) of the
/// IbsiLogFilter kernel, real part of the response.
Volume<double> IbsiRieszLogFilter(const Volume<double>& image, double sigma_mm, double cutoff, const RieszOrder& riesz,
                                  bool two_d, IbsiPadding padding);

/// The derived images of an IBSI-mode image type (docs/radiomics.md, "IBSI mode filters"):
/// "Mean", "LaplacianOfGaussian", "Laws", "Gabor", "SeparableWavelet", "Simoncelli",
/// "RieszLaplacianOfGaussian". Each option may list several values; one derived image is made
/// per combination, named after its configuration (e.g. "mean-15-3D-mirror",
/// "laws-E5L5S5-3D-rotinv-max-energy7-mirror"). Every filter returns FilterInput::box of the
/// whole-image response: the filters of finite support (mean, LoG, Laws, Gabor, separable
/// wavelets) compute it on the crop of the image the box needs (the box grown by the filter's
/// reach, clamped to the image, kept whole along an axis where the padding would read past the
/// crop), the Fourier-domain ones (Simoncelli, Riesz) on the whole image.
/// `settings.force_2d` makes "2D" the default dimensionality.
/// Unknown image types, options or values give DerivedImageList::error naming the option.
DerivedImageList ExpandIbsiImageType(const ImageTypeSpec& spec, const ImageGeometry& geometry,
                                     const Settings& settings);

/// The IBSI-mode image types and the options each reads (anything else is refused).
const std::map<std::string, std::set<std::string>>& IbsiImageTypeOptions();

} // namespace radnode::processing::radiomics
