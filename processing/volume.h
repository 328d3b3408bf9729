#pragma once
// Minimal image domain types shared by the processing core: a voxel grid
// geometry and a dense 3D volume. Deliberately free of ITK and DICOM so every
// module can include it cheaply.

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <utility>
#include <vector>

namespace radnode::processing {

/// A 3D point or vector in patient coordinates (DICOM LPS), millimetres.
using Point3 = std::array<double, 3>;

/// Geometry of a regular voxel grid, following the ITK/DICOM conventions.
///
/// Index axes: 0 = i (columns, fastest), 1 = j (rows), 2 = k (slices).
/// `direction` is a row-major 3x3 matrix whose column c is the unit vector of
/// index axis c in patient space, so physical = origin + direction * (spacing .* index).
/// For an axial DICOM series, column 0 is the ImageOrientationPatient row
/// direction, column 1 the column direction and column 2 the slice normal.
struct ImageGeometry {
    std::array<std::size_t, 3> size{0, 0, 0};
    std::array<double, 3> spacing{1.0, 1.0, 1.0};
    /// Physical position of the centre of voxel (0, 0, 0).
    Point3 origin{0.0, 0.0, 0.0};
    std::array<double, 9> direction{1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0};

    /// Number of voxels in the grid.
    [[nodiscard]] std::size_t VoxelCount() const { return size[0] * size[1] * size[2]; }
    /// Number of voxels in one slice (k = const).
    [[nodiscard]] std::size_t SliceVoxelCount() const { return size[0] * size[1]; }
    /// Volume of one voxel in mm³.
    [[nodiscard]] double VoxelVolume() const { return spacing[0] * spacing[1] * spacing[2]; }
    /// Area of one in-slice pixel in mm².
    [[nodiscard]] double PixelArea() const { return spacing[0] * spacing[1]; }

    /// Linear offset of voxel (i, j, k) in x-fastest order.
    [[nodiscard]] std::size_t LinearIndex(std::size_t i, std::size_t j, std::size_t k) const {
        assert(i < size[0] && j < size[1] && k < size[2]);
        return i + size[0] * (j + size[1] * k);
    }

    /// Physical point of a (possibly fractional) continuous index.
    [[nodiscard]] Point3 IndexToPhysical(double i, double j, double k) const {
        const double a = i * spacing[0];
        const double b = j * spacing[1];
        const double c = k * spacing[2];
        return {origin[0] + direction[0] * a + direction[1] * b + direction[2] * c,
                origin[1] + direction[3] * a + direction[4] * b + direction[5] * c,
                origin[2] + direction[6] * a + direction[7] * b + direction[8] * c};
    }

    /// Continuous index of a physical point; assumes an orthonormal direction
    /// matrix (true for every DICOM volume), whose inverse is its transpose.
    [[nodiscard]] Point3 PhysicalToContinuousIndex(const Point3& p) const {
        const double dx = p[0] - origin[0];
        const double dy = p[1] - origin[1];
        const double dz = p[2] - origin[2];
        return {(direction[0] * dx + direction[3] * dy + direction[6] * dz) / spacing[0],
                (direction[1] * dx + direction[4] * dy + direction[7] * dz) / spacing[1],
                (direction[2] * dx + direction[5] * dy + direction[8] * dz) / spacing[2]};
    }

    /// True when both geometries describe the same grid (exact comparison).
    friend bool operator==(const ImageGeometry&, const ImageGeometry&) = default;
};

/// Allocation of voxel storage: large blocks are 2 MiB aligned and advised for transparent
/// huge pages (one fault per 2 MiB instead of per 4 KiB, which dominates filling a
/// 150 MB CT volume), and default construction leaves voxels uninitialised so the
/// producer that writes every voxel, possibly on several threads, is the first to touch
/// the memory. Implemented in volume.cpp.
void* AllocateVoxelStorage(std::size_t bytes);
void FreeVoxelStorage(void* block, std::size_t bytes) noexcept;

template <typename T> struct VoxelAllocator {
    using value_type = T;
    VoxelAllocator() = default;
    template <typename U> VoxelAllocator(const VoxelAllocator<U>& /*other*/) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(AllocateVoxelStorage(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { FreeVoxelStorage(p, n * sizeof(T)); }
    /// Value-less construction is default-initialisation: no zero fill.
    template <typename U> void construct(U* p) noexcept { ::new (static_cast<void*>(p)) U; }
    template <typename U, typename... Args> void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    template <typename U> friend bool operator==(const VoxelAllocator&, const VoxelAllocator<U>&) { return true; }
};

/// Voxel storage of a volume (a std::vector with VoxelAllocator).
template <typename T> using VoxelVector = std::vector<T, VoxelAllocator<T>>;

/// Tag selecting the constructor that leaves voxel values unspecified.
struct UninitializedTag {};
inline constexpr UninitializedTag kUninitialized{};

/// A dense 3D volume: geometry plus voxel values stored x-fastest
/// (index = i + size[0] * (j + size[1] * k)), one contiguous slice per k.
template <typename T> class Volume {
public:
    Volume() = default;
    /// Allocates a volume of the given geometry filled with `fill`.
    explicit Volume(ImageGeometry geometry, T fill = T{})
        : geometry_(std::move(geometry)), data_(geometry_.VoxelCount(), fill) {}
    /// Allocates a volume whose voxels the caller must all write before reading.
    Volume(ImageGeometry geometry, UninitializedTag /*tag*/)
        : geometry_(std::move(geometry)), data_(geometry_.VoxelCount()) {}

    [[nodiscard]] const ImageGeometry& Geometry() const { return geometry_; }
    [[nodiscard]] VoxelVector<T>& Data() { return data_; }
    [[nodiscard]] const VoxelVector<T>& Data() const { return data_; }

    [[nodiscard]] T& At(std::size_t i, std::size_t j, std::size_t k) { return data_[geometry_.LinearIndex(i, j, k)]; }
    [[nodiscard]] const T& At(std::size_t i, std::size_t j, std::size_t k) const {
        return data_[geometry_.LinearIndex(i, j, k)];
    }

    /// The voxels of slice k, row by row (x fastest).
    [[nodiscard]] std::span<T> Slice(std::size_t k) {
        return {data_.data() + k * geometry_.SliceVoxelCount(), geometry_.SliceVoxelCount()};
    }
    [[nodiscard]] std::span<const T> Slice(std::size_t k) const {
        return {data_.data() + k * geometry_.SliceVoxelCount(), geometry_.SliceVoxelCount()};
    }

private:
    ImageGeometry geometry_;
    VoxelVector<T> data_;
};

/// CT intensities in Hounsfield units.
using CtVolume = Volume<std::int16_t>;
/// Per-voxel class labels (0 = background unless a producer documents otherwise).
using LabelMap = Volume<std::uint8_t>;

} // namespace radnode::processing
