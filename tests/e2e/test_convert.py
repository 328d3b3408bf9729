"""`radnode convert`: DICOM CT + RTSTRUCT to NRRD, checked against independent answers.

- the synthetic phantom: geometry and voxelised tumour volume from its truth.json;
- plastimatch (an independent RTSTRUCT rasteriser) on the phantom and on the IBSI CT
  radiomics phantom (tests/data/ibsi_ct_phantom): Dice and volume;
- the IBSI phantom's own NIfTI mask of the same ROI: Dice;
- unusable input (a missing slice, a foreign frame of reference): exit code 2.

numpy is not available: the NRRD and NIfTI-1 readers below use struct/array only.
Masks are compared as sets of radnode voxel indices; the peer's voxels are mapped there
through physical (LPS) coordinates, so differing grids or axis flips cannot hide.
"""
import array
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import RADNODE, make_phantom, require_tools, run  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "ibsi_ct_phantom")
NRRD_TYPES = {"unsigned char": "B", "uchar": "B", "uint8": "B", "short": "h", "int16": "h", "signed short": "h",
              "unsigned short": "H", "uint16": "H", "int": "i", "int32": "i", "float": "f", "double": "d"}
NIFTI_TYPES = {2: "B", 4: "h", 8: "i", 16: "f", 64: "d", 256: "b", 512: "H", 768: "I"}


class Image:
    """A 3D scalar image: sizes, LPS affine (index -> mm) and voxels, x fastest."""

    def __init__(self, sizes, columns, origin, voxels):
        self.sizes = sizes
        self.columns = columns  # physical step of one index along axis 0, 1, 2
        self.origin = origin
        self.voxels = voxels

    def physical(self, i, j, k):
        c = self.columns
        return [self.origin[r] + c[0][r] * i + c[1][r] * j + c[2][r] * k for r in range(3)]

    def nonzero(self):
        nx, ny = self.sizes[0], self.sizes[1]
        return [(n % nx, (n // nx) % ny, n // (nx * ny)) for n, v in enumerate(self.voxels) if v != 0]

    def voxel_volume(self):
        c = self.columns
        return abs(c[0][0] * (c[1][1] * c[2][2] - c[1][2] * c[2][1]) - c[0][1] * (c[1][0] * c[2][2] - c[1][2] * c[2][0])
                   + c[0][2] * (c[1][0] * c[2][1] - c[1][1] * c[2][0]))

    def to_index(self, p):
        """Nearest voxel index of physical point p (inverse of the 3x3 affine by Cramer's rule)."""
        c = self.columns
        m = [[c[0][r], c[1][r], c[2][r]] for r in range(3)]
        d = [p[r] - self.origin[r] for r in range(3)]
        det = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
               + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))
        out = []
        for col in range(3):
            mm = [row[:] for row in m]
            for r in range(3):
                mm[r][col] = d[r]
            dc = (mm[0][0] * (mm[1][1] * mm[2][2] - mm[1][2] * mm[2][1])
                  - mm[0][1] * (mm[1][0] * mm[2][2] - mm[1][2] * mm[2][0])
                  + mm[0][2] * (mm[1][0] * mm[2][1] - mm[1][1] * mm[2][0]))
            out.append(round(dc / det))
        return tuple(out)


def read_nrrd(path):
    with open(path, "rb") as f:
        data = f.read()
    end = data.index(b"\n\n")
    header = {}
    for line in data[:end].decode("ascii").splitlines()[1:]:
        if line.startswith("#") or ":" not in line:
            continue
        key, value = line.split(":", 1)
        header[key.strip()] = value.strip().lstrip("=").strip()
    assert header.get("dimension") == "3", header
    assert header.get("space") in ("left-posterior-superior", "LPS"), header.get("space")
    sizes = [int(s) for s in header["sizes"].split()]
    vectors = [[float(x) for x in v.split(",")] for v in re.findall(r"\(([^)]*)\)", header["space directions"])]
    origin = [float(x) for x in re.findall(r"\(([^)]*)\)", header["space origin"])[0].split(",")]
    payload = data[end + 2:]
    encoding = header.get("encoding", "raw")
    if encoding in ("gzip", "gz"):
        payload = gzip.decompress(payload)
    else:
        assert encoding == "raw", encoding
    voxels = array.array(NRRD_TYPES[header["type"]])
    voxels.frombytes(payload[:voxels.itemsize * sizes[0] * sizes[1] * sizes[2]])
    if voxels.itemsize > 1 and header.get("endian", "little") != sys.byteorder:
        voxels.byteswap()
    return Image(sizes, vectors, origin, voxels)


def read_nifti(path):
    """NIfTI-1, single file; geometry from the sform (or the qform), converted from RAS to LPS."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    endian = "<" if struct.unpack_from("<i", data, 0)[0] == 348 else ">"
    assert struct.unpack_from(endian + "i", data, 0)[0] == 348, "not NIfTI-1"
    dims = struct.unpack_from(endian + "8h", data, 40)
    assert dims[0] == 3 or (dims[0] > 3 and all(d == 1 for d in dims[4:dims[0] + 1])), dims
    datatype = struct.unpack_from(endian + "h", data, 70)[0]
    pixdim = struct.unpack_from(endian + "8f", data, 76)
    vox_offset = int(struct.unpack_from(endian + "f", data, 108)[0])
    scl_slope, scl_inter = struct.unpack_from(endian + "2f", data, 112)
    assert scl_slope in (0.0, 1.0) and scl_inter == 0.0, (scl_slope, scl_inter)
    qform_code, sform_code = struct.unpack_from(endian + "2h", data, 252)
    if sform_code > 0:
        srow = struct.unpack_from(endian + "12f", data, 280)
        ras = [[srow[4 * r + c] for c in range(4)] for r in range(3)]
    else:
        assert qform_code > 0, "no qform/sform"
        b, c, d, qx, qy, qz = struct.unpack_from(endian + "6f", data, 256)
        a = max(0.0, 1.0 - (b * b + c * c + d * d)) ** 0.5
        rot = [[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
               [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
               [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]]
        qfac = -1.0 if pixdim[0] < 0 else 1.0
        scale = [pixdim[1], pixdim[2], pixdim[3] * qfac]
        ras = [[rot[r][col] * scale[col] for col in range(3)] + [(qx, qy, qz)[r]] for r in range(3)]
    lps = [[-v for v in ras[0]], [-v for v in ras[1]], ras[2]]
    columns = [[lps[r][col] for r in range(3)] for col in range(3)]
    origin = [lps[r][3] for r in range(3)]
    sizes = list(dims[1:4])
    voxels = array.array(NIFTI_TYPES[datatype])
    voxels.frombytes(data[vox_offset:vox_offset + voxels.itemsize * sizes[0] * sizes[1] * sizes[2]])
    if voxels.itemsize > 1 and (endian == "<") != (sys.byteorder == "little"):
        voxels.byteswap()
    return Image(sizes, columns, origin, voxels)


def mask_on_grid(mask, grid):
    """The non-zero voxels of `mask` as index tuples of `grid` (through their physical centres)."""
    return {grid.to_index(mask.physical(*ijk)) for ijk in mask.nonzero()}


def dice(a, b):
    return 2.0 * len(a & b) / (len(a) + len(b)) if (a or b) else 1.0


def convert(*args):
    """radnode convert; returns (exit code, stdout, stderr)."""
    p = subprocess.run([RADNODE, "convert", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


class ConvertTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="radnode-convert-")

    def tearDown(self):
        if not os.environ.get("RADNODE_KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def convert_ok(self, *args):
        code, out, err = convert(*args)
        self.assertEqual(code, 0, f"radnode convert failed:\n{out}\n{err}")
        self.assertRegex(out, r"convert: \d+x\d+x\d+ voxels")
        return out

    def plastimatch_mask(self, rtstruct, ct_dir, roi):
        require_tools("plastimatch")
        prefix = self.path("plastimatch")
        run(["plastimatch", "convert", "--input", rtstruct, "--referenced-ct", ct_dir, "--output-prefix", prefix,
             "--prefix-format", "nrrd", "--output-ss-list", self.path("plastimatch.txt")])
        return read_nrrd(os.path.join(prefix, roi + ".nrrd"))

    def compare(self, ours, peer, label, min_dice, volume_tolerance=None):
        radnode_voxels = set(ours.nonzero())
        peer_voxels = mask_on_grid(peer, ours)
        measured = dice(radnode_voxels, peer_voxels)
        ours_ml = len(radnode_voxels) * ours.voxel_volume() / 1000.0
        peer_ml = len(peer.nonzero()) * peer.voxel_volume() / 1000.0
        print(f"{label}: Dice {measured:.5f}, radnode {ours_ml:.4f} mL ({len(radnode_voxels)} voxels), "
              f"peer {peer_ml:.4f} mL ({len(peer_voxels)} voxels), volume difference "
              f"{100.0 * (ours_ml - peer_ml) / peer_ml:+.3f} %", file=sys.stderr)
        self.assertGreaterEqual(measured, min_dice, label)
        if volume_tolerance is not None:
            self.assertAlmostEqual(ours_ml, peer_ml, delta=volume_tolerance * peer_ml, msg=label)


class Phantom(ConvertTestCase):
    def setUp(self):
        super().setUp()
        self.phantom = self.path("phantom")
        make_phantom(self.phantom, "--slices", 60)
        with open(os.path.join(self.phantom, "truth.json")) as f:
            self.truth = json.load(f)
        self.output = self.convert_ok("--input", os.path.join(self.phantom, "ct"), "--rtstruct",
                                      os.path.join(self.phantom, "rtstruct.dcm"), "--out", self.path("ct.nrrd"),
                                      "--mask-out", self.path("mask.nrrd"))

    def test_geometry_and_volume_match_truth(self):
        ct = read_nrrd(self.path("ct.nrrd"))
        mask = read_nrrd(self.path("mask.nrrd"))
        geometry = self.truth["geometry"]
        for image in (ct, mask):
            self.assertEqual(image.sizes, geometry["size"])
            for got, want in zip(image.origin, geometry["origin_mm"]):
                self.assertAlmostEqual(got, want, places=4)
            for axis in range(3):
                self.assertAlmostEqual(image.columns[axis][axis], geometry["spacing_mm"][axis], places=5)
        self.assertEqual(ct.voxels.typecode, "h")
        self.assertEqual(set(mask.voxels), {0, 1})
        want = self.truth["tumour"]["voxelised_volume_mm3"]
        got = len(mask.nonzero()) * geometry["voxel_volume_mm3"]
        self.assertAlmostEqual(got, want, delta=0.01 * want)
        self.assertIn("GTV-1", self.output)

    def test_matches_plastimatch(self):
        peer = self.plastimatch_mask(os.path.join(self.phantom, "rtstruct.dcm"), os.path.join(self.phantom, "ct"),
                                     "GTV-1")
        self.compare(read_nrrd(self.path("mask.nrrd")), peer, "phantom vs plastimatch", 0.99, 0.01)


    def test_seg_mask_is_voxel_exact_and_agrees_with_rtstruct(self):
        out = self.convert_ok("--input", os.path.join(self.phantom, "ct"), "--seg",
                              os.path.join(self.phantom, "seg.dcm"), "--out", self.path("ct2.nrrd"),
                              "--mask-out", self.path("seg-mask.nrrd"))
        seg_mask = read_nrrd(self.path("seg-mask.nrrd"))
        self.assertEqual(len(seg_mask.nonzero()), self.truth["tumour"]["voxel_count"])
        self.compare(seg_mask, read_nrrd(self.path("mask.nrrd")), "phantom SEG vs RTSTRUCT", 0.98)
        self.assertIn("mask", out)


class IbsiPhantom(ConvertTestCase):
    def setUp(self):
        super().setUp()
        self.rtstruct = os.path.join(DATA, "dicom", "mask", "DCM_RS_00060.dcm")
        self.image_dir = os.path.join(DATA, "dicom", "image")
        # The ROI (GTV-1) has no interpreted type; the tumour selection picks it by name.
        self.convert_ok("--input", os.path.join(DATA, "dicom"), "--out", self.path("ct.nrrd"), "--mask-out",
                        self.path("mask.nrrd"))
        self.mask = read_nrrd(self.path("mask.nrrd"))

    def test_matches_plastimatch(self):
        peer = self.plastimatch_mask(self.rtstruct, self.image_dir, "GTV-1")
        self.compare(self.mask, peer, "IBSI vs plastimatch", 0.99, 0.01)

    def test_matches_ibsi_nifti_mask(self):
        peer = read_nifti(os.path.join(DATA, "nifti", "mask", "mask.nii.gz"))
        self.assertEqual(sorted(peer.sizes), sorted(self.mask.sizes))
        self.compare(self.mask, peer, "IBSI vs IBSI NIfTI mask", 0.98)


class BadInput(ConvertTestCase):
    def setUp(self):
        super().setUp()
        require_tools("dcmodify")
        self.phantom = self.path("phantom")
        self.ct_files = make_phantom(self.phantom, "--slices", 60)

    def test_missing_middle_slice(self):
        folder = self.path("gap")
        os.makedirs(folder)
        for n, f in enumerate(self.ct_files):
            if n != len(self.ct_files) // 2:
                shutil.copy(f, folder)
        code, out, err = convert("--input", folder, "--out", self.path("ct.nrrd"))
        self.assertEqual(code, 2, out + err)
        self.assertIn("missing", err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertFalse(os.path.exists(self.path("ct.nrrd")))

    def test_foreign_frame_of_reference(self):
        rtstruct = self.path("rtstruct.dcm")
        shutil.copy(os.path.join(self.phantom, "rtstruct.dcm"), rtstruct)
        run(["dcmodify", "-nb", "-m", "(3006,0010)[0].(0020,0052)=1.2.826.0.1.3680043.2.1125.999",
             "-m", "(3006,0020)[0].(3006,0024)=1.2.826.0.1.3680043.2.1125.999", rtstruct])
        code, out, err = convert("--input", os.path.join(self.phantom, "ct"), "--rtstruct", rtstruct, "--out",
                                 self.path("ct.nrrd"), "--mask-out", self.path("mask.nrrd"))
        self.assertEqual(code, 2, out + err)
        self.assertIn("frame of reference", err.lower())
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertFalse(os.path.exists(self.path("mask.nrrd")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
