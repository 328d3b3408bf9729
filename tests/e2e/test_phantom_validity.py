"""The phantom's DICOM objects pass dicom3tools' IOD validator (dciodvfy).

Generates the default phantom with the real binary ($RADNODE_BIN) and runs
`dciodvfy` on one CT slice, rtstruct.dcm and seg.dcm (plus one slice of the
`--unsigned` variant). dciodvfy reports problems as "Error - ..." and
"Warning - ..." lines; any Error line fails the test. A missing dciodvfy is a
failure, not a skip: install dicom3tools with tools/setup.sh.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import make_phantom  # noqa: E402


def dciodvfy(path):
    """Runs dciodvfy on `path`; returns (exit status, combined output lines)."""
    executable = shutil.which("dciodvfy")
    if executable is None:
        raise AssertionError("dciodvfy not found: install dicom3tools (tools/setup.sh)")
    p = subprocess.run([executable, str(path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=120)
    return p.returncode, p.stdout.splitlines()


class PhantomValidity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="radnode-phantom-validity-")
        cls.out = os.path.join(cls.tmp.name, "default")
        cls.ct_files = make_phantom(cls.out)
        cls.unsigned_out = os.path.join(cls.tmp.name, "unsigned")
        cls.unsigned_ct_files = make_phantom(cls.unsigned_out, "--unsigned", "--slices", 40)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_valid(self, path, iod):
        status, lines = dciodvfy(path)
        report = "\n".join(lines)
        errors = [line for line in lines if line.startswith("Error")]
        self.assertEqual(errors, [], f"dciodvfy {path}:\n{report}")
        # dciodvfy exits non-zero when it found errors it did not print as such (e.g. unreadable input).
        self.assertEqual(status, 0, f"dciodvfy {path} exited with {status}:\n{report}")
        # Its first line names the IOD it recognised, so it really checked the object.
        self.assertIn(iod, lines, f"dciodvfy {path} did not recognise a {iod}:\n{report}")
        warnings = [line for line in lines if line.startswith("Warning")]
        if warnings:
            print(f"dciodvfy {os.path.basename(path)}: " + "; ".join(warnings), file=sys.stderr)

    def test_ct_slice_is_valid(self):
        self.assertEqual(len(self.ct_files), 100)
        # The middle slice of the default 100-slice series; CT0001 is the most superior.
        self.assert_valid(os.path.join(self.out, "ct", "CT0050.dcm"), "CTImage")

    def test_unsigned_ct_slice_is_valid(self):
        self.assertEqual(len(self.unsigned_ct_files), 40)
        self.assert_valid(self.unsigned_ct_files[len(self.unsigned_ct_files) // 2], "CTImage")

    def test_rtstruct_is_valid(self):
        self.assert_valid(os.path.join(self.out, "rtstruct.dcm"), "RTStructureSet")

    def test_seg_is_valid(self):
        self.assert_valid(os.path.join(self.out, "seg.dcm"), "Segmentation")

    def test_validator_reports_errors(self):
        """The check above is meaningful: a CT slice without PixelSpacing is reported."""
        broken = os.path.join(self.tmp.name, "broken.dcm")
        shutil.copyfile(os.path.join(self.out, "ct", "CT0050.dcm"), broken)
        if shutil.which("dcmodify") is None:
            self.fail("dcmodify not found: install dcmtk (tools/setup.sh)")
        subprocess.run(["dcmodify", "-nb", "-ea", "(0028,0030)", broken], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT, timeout=60)
        _, lines = dciodvfy(broken)
        self.assertTrue(any(line.startswith("Error") and "PixelSpacing" in line for line in lines), "\n".join(lines))


if __name__ == "__main__":
    unittest.main(verbosity=2)
