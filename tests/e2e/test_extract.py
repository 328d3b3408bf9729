"""`radnode extract` against PyRadiomics' own baselines.

- brain1, brain2, breast1 with tests/data/pyradiomics/params/baseline_original.yaml: every
  original_* value of the CSV equals the baseline_<class>.csv value of that case (relative
  1e-6), and the set of features is exactly the baseline's; brain1's four stale shape cells
  (PyRadiomics 2.0.1b1, see tests/data/pyradiomics/README.md) are compared with
  peer_outputs/brain1_full_original_log_wavelet.csv instead;
- the image and mask hashes equal PyRadiomics' (diagnostics_*-original_Hash);
- a batch with one unusable case: the other cases run, the bad one carries its error,
  the exit code says a case failed;
- an invalid parameter file: exit 2 before anything runs;
- brain1's whole-process time is printed (not asserted).
"""
import csv
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import RADNODE, make_phantom  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "pyradiomics")
PARAMS = os.path.join(DATA, "params", "baseline_original.yaml")
CASES = ["brain1", "brain2", "breast1"]
CLASSES = ["shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"]
STALE = {("brain1", "original_shape_" + f) for f in ("MeshVolume", "SurfaceArea", "Sphericity", "SurfaceVolumeRatio")}
EXIT_CASE_FAILED = 3
EXIT_BAD_INPUT = 2


def load_baseline():
    """{case: {row name: value}} over every baseline_<class>.csv (rows = names, columns = cases)."""
    out = {case: {} for case in CASES}
    for cls in CLASSES:
        with open(os.path.join(DATA, "baseline", f"baseline_{cls}.csv"), newline="") as f:
            rows = list(csv.reader(f))
        header = rows[0]
        for case in CASES:
            col = header.index(case)
            for row in rows[1:]:
                if row[col] != "":
                    out[case][row[0]] = row[col]
    return out


def load_peer(case):
    path = os.path.join(DATA, "peer_outputs", f"{case}_full_original_log_wavelet.csv")
    with open(path, newline="") as f:
        return {row[0]: row[1] for row in csv.reader(f)}


def extract(*args, timeout=600):
    return subprocess.run([RADNODE, "extract", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def read_csv_text(text):
    return list(csv.DictReader(io.StringIO(text)))


class Extract(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.baseline = load_baseline()
        cls.tmp = tempfile.TemporaryDirectory(prefix="radnode-extract-")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_case(self, case):
        out = os.path.join(self.tmp.name, f"{case}.csv")
        start = time.monotonic()
        p = extract("--image", os.path.join(DATA, f"{case}_image.nrrd"), "--mask",
                    os.path.join(DATA, f"{case}_label.nrrd"), "--params", PARAMS, "--out", out)
        seconds = time.monotonic() - start
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 1)
        return rows[0], seconds

    def test_baseline_values(self):
        peer = load_peer("brain1")
        for case in CASES:
            with self.subTest(case=case):
                row, seconds = self.run_case(case)
                if case == "brain1":
                    print(f"\nbrain1: radnode extract took {seconds:.3f} s (whole process)", file=sys.stderr)
                expected = {k: v for k, v in self.baseline[case].items() if k.startswith("original_")}
                got = {k: v for k, v in row.items() if k.startswith("original_")}
                self.assertEqual(sorted(set(expected) - set(got)), [], "features missing from radnode's output")
                self.assertEqual(sorted(set(got) - set(expected)), [], "features the baseline does not have")
                bad = []
                for name, text in sorted(got.items()):
                    reference = peer[name] if (case, name) in STALE else expected[name]
                    value, ref = float(text), float(reference)
                    if not math.isclose(value, ref, rel_tol=1e-6, abs_tol=1e-12):
                        bad.append(f"{name}: radnode {text}, PyRadiomics {reference}")
                self.assertEqual(bad, [], f"{case}: {len(bad)} values differ")
                for key in ("diagnostics_Image-original_Hash", "diagnostics_Mask-original_Hash"):
                    self.assertEqual(row[key], self.baseline[case][key], key)
                # Column order as PyRadiomics writes it: inputs, diagnostics, features.
                names = list(row.keys())
                self.assertEqual(names[:2], ["Image", "Mask"])
                first_feature = next(i for i, n in enumerate(names) if n.startswith("original_"))
                self.assertTrue(all(n.startswith("diagnostics_") for n in names[2:first_feature]))
                self.assertTrue(all(n.startswith("original_") for n in names[first_feature:]))

    def test_batch_with_a_bad_case(self):
        batch = os.path.join(self.tmp.name, "cases.csv")
        with open(batch, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["Image", "Mask", "Label", "Patient"])
            w.writerow([os.path.join(DATA, "brain1_image.nrrd"), os.path.join(DATA, "brain1_label.nrrd"), "1", "p1"])
            w.writerow([os.path.join(self.tmp.name, "missing.nrrd"), os.path.join(DATA, "brain1_label.nrrd"), "", "p2"])
            # Label 7 is absent from the mask: the extractor refuses the case.
            w.writerow([os.path.join(DATA, "brain2_image.nrrd"), os.path.join(DATA, "brain2_label.nrrd"), "7", "p3"])
            w.writerow([os.path.join(DATA, "breast1_image.nrrd"), os.path.join(DATA, "breast1_label.nrrd"), "", "p4"])
        p = extract("--batch", batch, "--params", PARAMS)
        self.assertEqual(p.returncode, EXIT_CASE_FAILED, p.stderr)
        rows = read_csv_text(p.stdout)
        self.assertEqual([r["Patient"] for r in rows], ["p1", "p2", "p3", "p4"])
        self.assertEqual(list(rows[0].keys())[:5], ["Image", "Mask", "Label", "Patient", "Error"])
        for ok in (rows[0], rows[3]):
            self.assertEqual(ok["Error"], "")
            self.assertNotEqual(ok["original_firstorder_Mean"], "")
        self.assertIn("missing.nrrd", rows[1]["Error"])
        self.assertEqual(rows[1]["original_firstorder_Mean"], "")
        self.assertNotEqual(rows[2]["Error"], "")
        self.assertEqual(rows[2]["original_firstorder_Mean"], "")
        self.assertIn("2 of 4 cases failed", p.stderr)

    def test_json_output(self):
        out = os.path.join(self.tmp.name, "breast1.json")
        p = extract("--image", os.path.join(DATA, "breast1_image.nrrd"), "--mask",
                    os.path.join(DATA, "breast1_label.nrrd"), "--params", PARAMS, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            cases = json.load(f)
        self.assertEqual(len(cases), 1)
        expected = float(self.baseline["breast1"]["original_firstorder_Mean"])
        self.assertTrue(math.isclose(cases[0]["original_firstorder_Mean"], expected, rel_tol=1e-6))

    def test_dicom_inputs(self):
        """A DICOM CT folder with its RTSTRUCT ROI or SEG segment, as `radnode convert` reads them."""
        phantom = os.path.join(self.tmp.name, "phantom")
        make_phantom(phantom)
        for mask, roi in (("rtstruct.dcm", "GTV-1"), ("seg.dcm", None)):
            with self.subTest(mask=mask):
                args = ["--image", os.path.join(phantom, "ct"), "--mask", os.path.join(phantom, mask), "--params",
                        PARAMS] + (["--roi", roi] if roi else [])
                p = extract(*args)
                self.assertEqual(p.returncode, 0, p.stderr)
                row = read_csv_text(p.stdout)[0]
                self.assertGreater(int(row["diagnostics_Mask-original_VoxelNum"]), 1000)
                self.assertEqual(len(row["diagnostics_Image-original_Hash"]), 40)
                self.assertGreater(float(row["original_shape_MeshVolume"]), 0.0)
        p = extract("--image", os.path.join(phantom, "ct"), "--mask", os.path.join(phantom, "rtstruct.dcm"),
                    "--roi", "no such roi")
        self.assertEqual(p.returncode, EXIT_CASE_FAILED)
        self.assertIn("no ROI named 'no such roi'", read_csv_text(p.stdout)[0]["Error"])

    def test_invalid_params_file(self):
        params = os.path.join(self.tmp.name, "bad.yaml")
        with open(params, "w") as f:
            f.write("setting:\n  binWidth: -25\n")
        p = extract("--image", os.path.join(DATA, "brain1_image.nrrd"), "--mask",
                    os.path.join(DATA, "brain1_label.nrrd"), "--params", params)
        self.assertEqual(p.returncode, EXIT_BAD_INPUT)
        self.assertIn("setting.binWidth", p.stderr)
        self.assertEqual(p.stdout, "")


if __name__ == "__main__":
    unittest.main()
