"""`radnode segment`: automatic regions and coronary calcium of DICOM CTs, checked against the
synthetic phantom's closed-form truth (truth.json), and the documented outcomes when there is
no heart in view, no tumour, a juxtapleural tumour or unusable input.

- lungs: left/right volumes within 3 % of truth (lung plus the tumour voxels that replaced it);
  every tumour voxel inside the lung mask;
- rings 3/6/9 mm written, disjoint from the tumour, inside the lungs (peritumoral.clip = lungs);
- CAC: Agatston, volume and mass within 0.5 % of truth at 3 mm and at 1.5 mm slices (scaled by
  the slice increment / 3 mm), risk category equal;
- an upper-chest slab without a heart: exit 0, heart not found, CAC "computed": false with a
  reason (never 0);
- --no-tumour: no peritumoral regions, said so;
- a folder without CT, or two RTSTRUCTs: exit 2 with a reason.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import RADNODE, make_phantom, run  # noqa: E402
from test_convert import read_nrrd  # noqa: E402


def segment(*args, check=True):
    return run([RADNODE, "segment", *map(str, args)], timeout=600, check=check)


def region(doc, name):
    for r in doc["regions"]:
        if r["name"] == name:
            return r
    raise AssertionError(f"no region {name} in regions.json")


def voxels(path):
    return set(n for n, v in enumerate(read_nrrd(path).voxels) if v != 0)


class SegmentTestCase(unittest.TestCase):
    phantom_args = ()

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="radnode-segment-")
        cls.study = os.path.join(cls.tmp, "study")
        make_phantom(cls.study, *cls.phantom_args)
        with open(os.path.join(cls.study, "truth.json")) as f:
            cls.truth = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_segment(self, name, *extra, check=True):
        out = os.path.join(self.tmp, name)
        p = segment("--input", self.study, "--out", out, *extra, check=check)
        docs = {}
        for doc in ("regions", "cac"):
            path = os.path.join(out, doc + ".json")
            if os.path.exists(path):
                with open(path) as f:
                    docs[doc] = json.load(f)
        return out, p, docs

    def assert_close(self, value, expected, rel, what):
        self.assertLessEqual(abs(value - expected), rel * abs(expected), f"{what}: {value} vs truth {expected}")


class DefaultPhantom(SegmentTestCase):
    """512 x 512 x 100 at 0.7 x 0.7 x 3 mm, tumour in the right upper lung."""

    def test_lungs_tumour_rings_and_cac(self):
        out, p, docs = self.run_segment("seg")
        regions, cac = docs["regions"], docs["cac"]
        for side in ("right", "left"):
            r = region(regions, "lung_" + side)
            self.assertTrue(r["found"], r)
            self.assert_close(r["volume_ml"], self.truth["lungs"][side]["volume_with_tumour_ml"], 0.03,
                              f"{side} lung volume")
        tumour = voxels(os.path.join(out, "tumour.nrrd"))
        lungs = voxels(os.path.join(out, "lungs.nrrd"))
        # Rasterised from the RTSTRUCT's contours, so within 1 % of the voxelised sphere.
        self.assert_close(len(tumour), self.truth["tumour"]["voxel_count"], 0.01, "tumour voxels")
        self.assertTrue(tumour <= lungs, "tumour voxels outside the lung mask")

        self.assertTrue(regions["peritumoral"]["computed"], regions["peritumoral"])
        names = [r["name"] for r in regions["peritumoral"]["regions"]]
        self.assertEqual(names, ["ring_3mm", "ring_6mm", "ring_9mm"])
        previous = 0
        for r in regions["peritumoral"]["regions"]:
            ring = voxels(os.path.join(out, r["file"]))
            self.assertEqual(len(ring), r["voxel_count"])
            self.assertFalse(ring & tumour, r["name"] + " overlaps the tumour")
            self.assertTrue(ring <= lungs, r["name"] + " leaves the lungs")
            self.assertGreater(len(ring), previous)
            previous = len(ring)

        truth = self.truth["cac"]
        self.assertTrue(cac["computed"], cac)
        self.assert_close(cac["agatston"], truth["agatston_scaled_to_3mm"], 0.005, "Agatston")
        self.assert_close(cac["volume_mm3"], truth["volume_mm3"], 0.005, "volume score")
        self.assert_close(cac["mass_mg"], truth["mass_mg"], 0.005, "mass score")
        self.assertEqual(cac["risk_category"], truth["risk_category"])
        self.assertEqual(cac["lesion_count_3d"], truth["lesions_scored"])
        self.assertEqual(cac["kvp"], 120)
        for name in ("body", "heart", "coronary_candidates", "aorta", "airways"):
            self.assertTrue(region(regions, name)["found"], name)
            self.assertTrue(os.path.exists(os.path.join(out, name + ".nrrd")), name)

    def test_no_tumour(self):
        out, p, docs = self.run_segment("no-tumour", "--no-tumour")
        self.assertFalse(docs["regions"]["peritumoral"]["computed"])
        self.assertIn("no tumour", docs["regions"]["peritumoral"]["reason"])
        self.assertFalse(region(docs["regions"], "tumour")["found"])
        self.assertFalse(os.path.exists(os.path.join(out, "ring_3mm.nrrd")))
        self.assertTrue(docs["cac"]["computed"])  # calcium does not need a tumour

    def test_ambiguous_tumour_files_are_refused(self):
        second = os.path.join(self.tmp, "two-rtstructs")
        shutil.copytree(self.study, second)
        shutil.copy(os.path.join(second, "rtstruct.dcm"), os.path.join(second, "rtstruct-copy.dcm"))
        p = segment("--input", second, "--out", os.path.join(self.tmp, "two-out"), check=False)
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("--tumour", p.stdout)
        # Naming the file resolves it; the SEG gives the same tumour.
        out, p, docs = self.run_segment("seg-from-seg", "--tumour", os.path.join(self.study, "seg.dcm"))
        self.assertEqual(region(docs["regions"], "tumour")["voxel_count"], self.truth["tumour"]["voxel_count"])

    def test_bad_input(self):
        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty)
        p = segment("--input", empty, "--out", os.path.join(self.tmp, "empty-out"), check=False)
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("no CT", p.stdout)


class ThinSlices(SegmentTestCase):
    """1.5 mm slices: the Agatston score is scaled by 1.5 / 3."""
    phantom_args = ("--slice-thickness", "1.5", "--slices", "200")

    def test_cac_scaled(self):
        out, p, docs = self.run_segment("seg", "--no-tumour")
        cac, truth = docs["cac"], self.truth["cac"]
        self.assertTrue(cac["computed"], cac)
        self.assertEqual(cac["slice_increment_mm"], 1.5)
        self.assertIn("1.5", cac["scaling"])
        self.assert_close(cac["agatston"], truth["agatston_scaled_to_3mm"], 0.005, "Agatston (scaled)")
        self.assert_close(cac["agatston_raw"], truth["agatston_raw"], 0.005, "Agatston (raw)")
        self.assert_close(cac["volume_mm3"], truth["volume_mm3"], 0.005, "volume score")
        self.assert_close(cac["mass_mg"], truth["mass_mg"], 0.005, "mass score")


class UpperChest(SegmentTestCase):
    """A slab above the heart (z 10-130 mm): lungs yes, heart and CAC no."""
    phantom_args = ("--slab-centre-z", "70", "--slices", "40")

    def test_no_heart_no_cac(self):
        out, p, docs = self.run_segment("seg")
        regions, cac = docs["regions"], docs["cac"]
        self.assertTrue(region(regions, "lung_right")["found"])
        self.assertTrue(region(regions, "lung_left")["found"])
        heart = region(regions, "heart")
        self.assertFalse(heart["found"], heart)
        self.assertTrue(heart["reason"])
        self.assertFalse(os.path.exists(os.path.join(out, "heart.nrrd")))
        self.assertFalse(cac["computed"])
        self.assertIn("heart", cac["reason"])
        self.assertNotIn("agatston", cac)
        self.assertTrue(regions["peritumoral"]["computed"])


class Juxtapleural(SegmentTestCase):
    """A tumour touching the chest wall: inside the lung mask, rings clipped to the lungs."""
    phantom_args = ("--tumour-centre", "-128,-5,40", "--juxtapleural")

    def test_tumour_in_lungs_rings_clipped(self):
        out, p, docs = self.run_segment("seg")
        tumour = voxels(os.path.join(out, "tumour.nrrd"))
        lungs = voxels(os.path.join(out, "lungs.nrrd"))
        self.assertTrue(tumour <= lungs, "tumour voxels outside the lung mask")
        for r in docs["regions"]["peritumoral"]["regions"]:
            self.assertGreater(r["clipped_fraction"], 0.05, r)
            self.assertTrue(voxels(os.path.join(out, r["file"])) <= lungs, r["name"])
        self.assertTrue(docs["cac"]["computed"])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], *sys.argv[1:]])
