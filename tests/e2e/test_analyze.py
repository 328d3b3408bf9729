"""`radnode analyze`: the whole offline analysis of a DICOM CT folder.

Checked against independent answers:
- CAC against the phantom's closed-form truth (truth.json);
- the tumour's radiomics against `radnode extract` on the same CT and RTSTRUCT with the same
  parameter file (the path validated against PyRadiomics in test_extract.py and the unit tests);
- the example signature's score recomputed here from its file's formula and the features in
  results.json;
- the settings fingerprint: equal for equal settings, different when a setting changes;
- an invalid signature file: exit 2 before anything runs;
- the DICOM SEG and TID 1500 SR it writes: no dciodvfy errors, pixelmed's DicomSRValidator finds
  no errors (on a small-parameter run: the validator needs gigabytes for thousands of features),
  and dsrdump/dcmdump read back the CAC score, volumes and segments of results.json;
- the SR read back with dsrdump: every measurement of every group equals a results.json value
  and vice versa; the SEG read back with DCMTK's DcmSegmentation (tests/tools/seg_readback):
  segments, exact voxel counts and property codes of the found regions (readback.py).
Radiomics run on the tumour and its rings only (--regions), which keeps the test short; the
default region list adds the lungs and the heart region.
"""
import csv
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import RADNODE, make_phantom, run  # noqa: E402
import readback  # noqa: E402

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLE = os.path.join(REPO, "config", "signatures", "example_radscore.yaml")


def radnode(*args, check=True):
    return run([RADNODE, *map(str, args)], timeout=900, check=check)


def read_example_signature():
    """The example's terms from its YAML, read with a minimal parser (no PyYAML here)."""
    terms, term = [], None
    intercept = 0.0
    with open(EXAMPLE) as f:
        lines = f.read().splitlines()
    for raw in lines:
        line = raw.split("#", 1)[0].rstrip()
        if line.startswith("intercept:"):
            intercept = float(line.split(":", 1)[1])
        elif line.strip().startswith("- feature:"):
            term = {"feature": line.split(":", 1)[1].strip()}
            terms.append(term)
        elif term is not None and line.startswith("    ") and ":" in line:
            key, value = (x.strip() for x in line.split(":", 1))
            if key in ("mean", "sd", "coefficient"):
                term[key] = float(value)
    return intercept, terms


class Analyze(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="radnode-analyze-")
        cls.study = os.path.join(cls.tmp, "study")
        make_phantom(cls.study)
        with open(os.path.join(cls.study, "truth.json")) as f:
            cls.truth = json.load(f)
        cls.out = os.path.join(cls.tmp, "out")
        cls.p = radnode("analyze", "--input", cls.study, "--out", cls.out, "--signatures", EXAMPLE,
                        "--regions", "tumour,ring_*")
        with open(os.path.join(cls.out, "results.json")) as f:
            cls.results = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def features(self, region):
        for r in self.results["radiomics"]:
            if r["region"] == region:
                self.assertNotIn("error", r)
                return r["features"]
        raise AssertionError(f"no radiomics for {region}")

    def test_cac_matches_truth(self):
        cac, truth = self.results["cac"], self.truth["cac"]
        self.assertTrue(cac["computed"], cac)
        for key, true_key in (("agatston", "agatston_scaled_to_3mm"), ("volume_mm3", "volume_mm3"),
                              ("mass_mg", "mass_mg")):
            self.assertLessEqual(abs(cac[key] - truth[true_key]), 0.005 * truth[true_key], key)

    def test_tumour_features_equal_radnode_extract(self):
        params = os.path.join(self.tmp, "default.yaml")
        with open(params, "w") as f:
            f.write(radnode("analyze", "--show-params").stdout)
        table = os.path.join(self.tmp, "extract.csv")
        radnode("extract", "--image", self.study, "--mask", os.path.join(self.study, "rtstruct.dcm"),
                "--params", params, "--out", table)
        with open(table) as f:
            row = next(csv.DictReader(f))
        ours = self.features("tumour")
        self.assertGreater(len(ours), 1000)  # original + 5 LoG + 8 wavelet images
        compared = 0
        for name, value in ours.items():
            self.assertIn(name, row)
            self.assertAlmostEqual(value, float(row[name]), delta=1e-9 * max(1.0, abs(value)), msg=name)
            compared += 1
        self.assertEqual(compared, len(ours))

    def test_rings_have_radiomics(self):
        for ring in ("ring_3mm", "ring_6mm", "ring_9mm"):
            f = self.features(ring)
            self.assertIn("original_firstorder_Mean", f)
            self.assertFalse([k for k, v in f.items() if v != v], ring)  # no NaN

    def test_example_signature_recomputed(self):
        sig = self.results["signatures"]
        self.assertEqual(len(sig), 1)
        self.assertTrue(sig[0]["example"])
        self.assertTrue(sig[0]["computable"], sig[0])
        intercept, terms = read_example_signature()
        self.assertEqual(len(terms), 4)
        f = self.features("tumour")
        score = intercept + sum(t["coefficient"] * (f[t["feature"]] - t["mean"]) / t["sd"] for t in terms)
        self.assertAlmostEqual(sig[0]["score"], score, delta=1e-9 * max(1.0, abs(score)))
        self.assertEqual(sig[0]["group"], "high" if score >= 0 else "low")

    def test_csv_and_fingerprint(self):
        with open(os.path.join(self.out, "features.csv")) as f:
            rows = list(csv.DictReader(f))
        names = {(r["region"], r["feature"]) for r in rows}
        self.assertIn(("tumour", "volume_ml"), names)
        self.assertIn(("tumour", "original_shape_MeshVolume"), names)
        self.assertIn(("coronary", "cac_agatston"), names)
        self.assertIn(("signature", "example-aerts2014-features"), names)
        self.assertEqual(self.results["software"]["name"], "radnode")
        # Same settings, same fingerprint; another setting, another one (cheap runs: no radiomics).
        a = os.path.join(self.tmp, "fp-a")
        b = os.path.join(self.tmp, "fp-b")
        c = os.path.join(self.tmp, "fp-c")
        for out, extra in ((a, ()), (b, ()), (c, ("--set", "cac.threshold_hu=140"))):
            radnode("analyze", "--input", self.study, "--out", out, "--no-tumour", "--regions", "none", *extra)
        hashes = []
        for out in (a, b, c):
            with open(os.path.join(out, "results.json")) as f:
                hashes.append(json.load(f)["settings_hash"])
        self.assertEqual(hashes[0], hashes[1])
        self.assertNotEqual(hashes[0], hashes[2])

    def test_seg_and_sr_are_valid_and_carry_the_results(self):
        seg, sr = os.path.join(self.out, "seg.dcm"), os.path.join(self.out, "sr.dcm")
        for path in (seg, sr):
            p = run(["dciodvfy", path], check=False)
            errors = [line for line in p.stdout.splitlines() if line.startswith("Error")]
            self.assertEqual(errors, [], path)
        found = [r["name"] for r in self.results["regions"]["regions"] if r["found"]]
        found += [r["name"] for r in self.results["regions"]["peritumoral"]["regions"] if r["voxel_count"] > 0]
        dump = run(["dcmdump", "+P", "SegmentDescription", seg]).stdout
        described = re.findall(r"\[([^\]]*)\]", dump)
        self.assertEqual(sorted(described), sorted(found))
        text = run(["dsrdump", sr]).stdout
        agatston = re.search(r'"Coronary artery calcium score"\)="([0-9.]+)"', text)
        self.assertIsNotNone(agatston, text[:2000])
        self.assertAlmostEqual(float(agatston.group(1)), self.results["cac"]["agatston"], places=2)
        for path in (seg, sr):
            header = run(["dcmdump", "+P", "StudyInstanceUID", "+P", "PatientID", path]).stdout
            self.assertIn(self.truth["dicom"]["study_instance_uid"], header, path)
            self.assertIn(self.truth["dicom"]["patient_id"], header, path)

    def test_sr_reads_back_to_results_json(self):
        """Every NUM and CODE of every measurement group of the SR (read with dsrdump) is a value of
        results.json at the SR's Decimal String precision, coded as docs/sr.md says, and every value
        of results.json (region volumes, all radiomics features, CAC, signatures) is in the SR."""
        expected = readback.expected_from_results_json(self.results)
        seg = readback.read_seg(os.path.join(self.out, "seg.dcm")) if readback.SEG_READBACK else None
        problems, counts = readback.sr_mismatches(readback.parse_sr(os.path.join(self.out, "sr.dcm")), expected, seg)
        self.assertEqual(problems, [])
        self.assertEqual(counts["volumes"], len(expected["regions"]))
        self.assertEqual(counts["features"], sum(len(f) for f in expected["features"].values()))
        self.assertGreater(counts["features"], 4 * 1000)  # tumour and three rings
        self.assertEqual(counts["feature_classes"],
                         {"shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"})
        self.assertGreaterEqual(len(counts["image_types"]), 14)  # original, 5 LoG, 8 wavelet
        self.assertEqual(counts["cac"], 4)
        self.assertEqual(counts["signatures"], 1)

    def test_seg_reads_back_to_results_json(self):
        """The SEG read by DCMTK's DcmSegmentation (tests/tools/seg_readback): one segment per found
        region, exactly its voxel count, SCT property codes (private PTRING for the rings)."""
        seg = readback.read_seg(os.path.join(self.out, "seg.dcm"))
        expected = readback.expected_from_results_json(self.results)
        self.assertEqual(readback.seg_mismatches(seg, expected), [])
        self.assertEqual(len(seg["segments"]), len(expected["regions"]))
        by_region = {s["description"]: s for s in seg["segments"]}
        self.assertEqual(by_region["tumour"]["voxels"],
                         next(r["voxels"] for r in self.results["radiomics"] if r["region"] == "tumour"))
        self.assertEqual((by_region["tumour"]["type"]["value"], by_region["tumour"]["type"]["scheme"]),
                         ("372087000", "SCT"))  # Neoplasm, Primary (docs/sr.md, CID 7151)

    def test_small_sr_passes_pixelmed(self):
        jar = "/usr/share/java/pixelmed.jar"
        if not os.path.exists(jar) or shutil.which("java") is None:
            self.skipTest("pixelmed-apps is not installed")
        params = os.path.join(self.tmp, "small.yaml")
        with open(params, "w") as f:
            f.write("setting:\n  binWidth: 25\n  label: 1\nimageType:\n  Original: {}\n"
                    "featureClass:\n  firstorder: [Mean, Energy]\n  shape: [Sphericity, MeshVolume]\n"
                    "  glrlm: [GrayLevelNonUniformity]\n")
        out = os.path.join(self.tmp, "small")
        radnode("analyze", "--input", self.study, "--out", out, "--params", params, "--regions", "tumour",
                "--signatures", EXAMPLE)
        p = run(["java", "-Djdk.xml.xpathExprGrpLimit=0", "-Djdk.xml.xpathExprOpLimit=0",
                 "-Djdk.xml.xpathTotalOpLimit=0", "-Xmx4g", "-cp", jar, "com.pixelmed.validate.DicomSRValidator",
                 os.path.join(out, "sr.dcm")], timeout=600, check=False)
        self.assertIn("Found Root Template TID_1500", p.stdout)
        self.assertNotIn("Exception", p.stdout)
        errors = [line for line in p.stdout.splitlines() if line.startswith("Error")]
        self.assertEqual(errors, [], p.stdout[-3000:])

    def test_invalid_signature_is_refused(self):
        bad = os.path.join(self.tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("name: x\nterms: []\nintercept: 0\n")
        p = radnode("analyze", "--input", self.study, "--out", os.path.join(self.tmp, "bad-out"),
                    "--signatures", bad, check=False)
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "bad-out", "results.json")))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], *sys.argv[1:]])
