"""End-to-end ingest tests: the real `radnode serve` against dcmtk's echoscu/storescu on 127.0.0.1."""
import os
import shutil
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (NodeTestCase, Node, attribute, dataset_bytes, make_phantom, require_tools, run,  # noqa: E402
                     store_responses)

SLICES_SMALL = 40


class Verification(NodeTestCase):
    def test_echo_answers_success(self):
        node = self.start_node()
        p = node.echo()
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_unknown_calling_ae_is_refused(self):
        node = self.start_node({"dicom.allowed_callers": "PACS@127.0.0.1"}, probe_ae="PACS")
        self.assertEqual(node.echo(calling="PACS").returncode, 0)
        refused = node.echo(calling="STRANGER")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("Association Rejected", refused.stdout)
        self.assertIn("calling AE title/host not in dicom.allowed_callers", node.log_text())
        self.assertIn("calling_ae=STRANGER", node.log_text())

    def test_allowed_ae_from_another_host_is_refused(self):
        node = self.start_node({"dicom.allowed_callers": "PACS@192.0.2.1,PROBE@127.0.0.1"}, probe_ae="PROBE")
        refused = node.echo(calling="PACS")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("Association Rejected", refused.stdout)

    def test_associations_beyond_the_maximum_are_refused(self):
        node = self.start_node({"dicom.max_associations": "1"})
        accepted_before = node.log_text().count("association accepted")
        # one long-lived association: many C-ECHOs in a row
        holder = subprocess.Popen(["echoscu", "--repeat", "100000", "-aec", "RADNODE", "127.0.0.1", str(node.port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while node.log_text().count("association accepted") == accepted_before and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertIsNone(holder.poll(), "the holding association ended too early")
            second = node.echo()
            self.assertNotEqual(second.returncode, 0)
            self.assertIn("Association Rejected", second.stdout)
        finally:
            holder.terminate()
            holder.wait()
        # the slot is free again once the first association has gone
        deadline = time.monotonic() + 30
        while node.echo().returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(node.echo().returncode, 0)

    def test_wrong_called_ae_is_refused(self):
        node = self.start_node()
        p = node.echo(called="NOT_RADNODE")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Association Rejected", p.stdout)
        self.assertIn("called AE title is not ours", node.log_text())


class Health(NodeTestCase):
    def test_health_reports_listener_storage_and_index(self):
        import json
        import urllib.error
        import urllib.request
        from harness import free_port
        http_port = free_port()
        node = self.start_node({"http.port": str(http_port)})
        phantom = os.path.join(self.tmp, "phantom")
        files = make_phantom(phantom, "--slices", 40, "--rows", 128, "--columns", 128, "--pixel-spacing", 2.8)
        self.assertEqual(node.store(files[:5]).returncode, 0)
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/health", timeout=10) as r:
            self.assertEqual(r.status, 200)
            health = json.load(r)
        self.assertEqual(health["status"], "ok")
        self.assertEqual(health["dicom"]["port"], node.port)
        self.assertEqual(health["dicom"]["instances_stored"], 5)
        self.assertEqual(health["database"]["instances"], 5)
        self.assertGreater(health["storage"]["free_bytes"], 0)
        with self.assertRaises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{http_port}/no-such-thing", timeout=10)
        self.assertEqual(missing.exception.code, 404)
        self.assertEqual(json.load(missing.exception)["error"]["code"], "not_found")

    def test_health_is_degraded_when_disk_is_below_the_floor(self):
        import json
        import urllib.error
        import urllib.request
        from harness import free_port
        http_port = free_port()
        self.start_node({"http.port": str(http_port), "storage.min_free_mb": str(1 << 40)})
        with self.assertRaises(urllib.error.HTTPError) as degraded:
            urllib.request.urlopen(f"http://127.0.0.1:{http_port}/health", timeout=10)
        self.assertEqual(degraded.exception.code, 503)
        body = json.load(degraded.exception)
        self.assertEqual(body["status"], "degraded")
        self.assertFalse(body["dicom"]["accepting_stores"])


class Ingest(NodeTestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("storescu")
        import tempfile
        cls.phantom_dir = tempfile.mkdtemp(prefix="radnode-phantom-")
        cls.files = make_phantom(cls.phantom_dir, "--slices", SLICES_SMALL, "--rows", 256, "--columns", 256,
                                 "--pixel-spacing", 1.4)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.phantom_dir, ignore_errors=True)

    def assert_stored_identically(self, node, files):
        stored = node.instances()
        for f in files:
            uid = attribute(f, "SOPInstanceUID")
            self.assertIn(uid, stored, f"{f} not indexed")
            path = os.path.join(node.data_dir, stored[uid])
            self.assertEqual(dataset_bytes(path), dataset_bytes(f), f"{path} differs from {f}")

    def test_series_rtstruct_and_seg_are_indexed_byte_identical(self):
        node = self.start_node()
        everything = self.files + [os.path.join(self.phantom_dir, n) for n in ("rtstruct.dcm", "seg.dcm")]
        p = node.store(everything)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(len(node.instances()), len(everything))
        self.assert_stored_identically(node, everything)
        with node.db() as c:
            studies = c.execute("SELECT COUNT(*) FROM studies").fetchone()[0]
            series = c.execute("SELECT COUNT(*) FROM series").fetchone()[0]
            modalities = sorted(r[0] for r in c.execute("SELECT modality FROM series"))
            ct_z = [r[0] for r in c.execute("SELECT i.position_z FROM instances i JOIN series s ON i.series_id = s.id "
                                            "WHERE s.modality = 'CT' ORDER BY i.position_z")]
        self.assertEqual(studies, 1)
        self.assertEqual(series, 3)
        self.assertEqual(modalities, ["CT", "RTSTRUCT", "SEG"])
        self.assertEqual(len(ct_z), SLICES_SMALL)
        self.assertEqual(sorted(ct_z), sorted(float(attribute(f, "ImagePositionPatient").split("\\")[2])
                                              for f in self.files))
        self.assertNotIn("PHANTOM^THORAX", node.log_text())  # never log patient names

    def test_identical_resend_is_success_without_rewrite(self):
        node = self.start_node()
        self.assertEqual(node.store(self.files[:3]).returncode, 0)
        stored = node.instances()
        mtimes = {u: os.stat(os.path.join(node.data_dir, p)).st_mtime_ns for u, p in stored.items()}
        time.sleep(0.05)
        p = node.store(self.files[:3])
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(node.instances(), stored)
        for u, path in stored.items():
            self.assertEqual(os.stat(os.path.join(node.data_dir, path)).st_mtime_ns, mtimes[u])

    def modified_copy(self, source, *dcmodify_args):
        target = os.path.join(self.tmp, f"modified-{len(os.listdir(self.tmp))}.dcm")
        shutil.copy(source, target)
        run(["dcmodify", "-nb", "-ie", *dcmodify_args, target])
        return target

    def test_same_uid_different_content_keep_first(self):
        node = self.start_node()
        self.assertEqual(node.store(self.files[:1]).returncode, 0)
        changed = self.modified_copy(self.files[0], "-m", "SeriesDescription=changed")
        p = node.store([changed])
        self.assertEqual(p.returncode, 0, p.stdout)
        path = os.path.join(node.data_dir, next(iter(node.instances().values())))
        self.assertEqual(dataset_bytes(path), dataset_bytes(self.files[0]))
        self.assertIn("keeping the first", node.log_text())

    def test_same_uid_different_content_replace(self):
        node = self.start_node({"dicom.duplicate_policy": "replace"})
        self.assertEqual(node.store(self.files[:1]).returncode, 0)
        changed = self.modified_copy(self.files[0], "-m", "SeriesDescription=changed")
        self.assertEqual(node.store([changed]).returncode, 0)
        instances = node.instances()
        self.assertEqual(len(instances), 1)
        path = os.path.join(node.data_dir, next(iter(instances.values())))
        self.assertEqual(dataset_bytes(path), dataset_bytes(changed))

    def expect_failure(self, node, path, status_text, log_text):
        p = node.store([path])
        responses = store_responses(p.stdout)
        self.assertEqual(len(responses), 1, p.stdout)
        self.assertIn(status_text, responses[0][1], p.stdout)
        self.assertIn(log_text, node.log_text())
        self.assertNotIn(attribute(path, "SOPInstanceUID"), node.instances())

    def test_truncated_pixel_data_is_rejected(self):
        node = self.start_node()
        self.assertEqual(node.store(self.files[:2]).returncode, 0)
        with open(self.files[2], "rb") as f:
            data = f.read()
        at = data.rfind(b"\xe0\x7f\x10\x00OW\x00\x00")
        self.assertGreater(at, 0)
        length = struct.unpack_from("<I", data, at + 8)[0]
        truncated = os.path.join(self.tmp, "truncated.dcm")
        with open(truncated, "wb") as f:
            f.write(data[:at + 8] + struct.pack("<I", length // 2) + data[at + 12:at + 12 + length // 2])
        self.expect_failure(node, truncated, "DataSetDoesNotMatchSOPClass", "Pixel Data truncated")
        self.assertEqual(len(node.instances()), 2)  # what was stored before is intact

    def test_wrong_modality_is_rejected(self):
        node = self.start_node()
        bad = self.modified_copy(self.files[0], "-m", "Modality=MR")
        self.expect_failure(node, bad, "DataSetDoesNotMatchSOPClass", "Modality 'MR' is not valid")

    def test_missing_series_uid_is_rejected(self):
        node = self.start_node()
        bad = self.modified_copy(self.files[0], "-e", "SeriesInstanceUID")
        self.expect_failure(node, bad, "DataSetDoesNotMatchSOPClass", "Series Instance UID is missing")

    def test_disk_full_refuses_store_but_keeps_echo(self):
        node = self.start_node({"storage.min_free_mb": str(1 << 40)})
        p = node.store(self.files[:1])
        responses = store_responses(p.stdout)
        self.assertEqual(len(responses), 1, p.stdout)
        self.assertIn("Refused: OutOfResources", responses[0][1])
        self.assertEqual(node.instances(), {})
        self.assertEqual(node.echo().returncode, 0)

    def test_compressed_transfer_syntaxes_are_accepted_and_decode_to_the_same_pixels(self):
        require_tools("dcmcjpeg", "dcmcrle", "dcmdjpeg", "dcmdrle")
        node = self.start_node()
        for encoder, decoder, propose, name in (("dcmcjpeg", "dcmdjpeg", "-xs", "jpeg"),
                                                 ("dcmcrle", "dcmdrle", "-xr", "rle")):
            # a separate copy of the series, with new instance UIDs, per encoding
            compressed = []
            for i, f in enumerate(self.files[:4]):
                out = os.path.join(self.tmp, f"{name}-{i}.dcm")
                run([encoder, f, out])
                run(["dcmodify", "-nb", "-gin", out])
                compressed.append((f, out))
            p = node.store([c for _, c in compressed], extra=[propose])
            self.assertEqual(p.returncode, 0, p.stdout)
            stored = node.instances()
            for original, sent in compressed:
                uid = attribute(sent, "SOPInstanceUID")
                path = os.path.join(node.data_dir, stored[uid])
                self.assertEqual(attribute(path, "TransferSyntaxUID"), attribute(sent, "TransferSyntaxUID"))
                self.assertNotEqual(attribute(sent, "TransferSyntaxUID"), "1.2.840.10008.1.2.1")
                self.assertEqual(dataset_bytes(path), dataset_bytes(sent))
                decoded = path + ".decoded"
                run([decoder, path, decoded])
                self.assertEqual(pixel_bytes(decoded), pixel_bytes(original), f"{name} pixels differ")

    def test_parallel_associations_store_everything(self):
        node = self.start_node()
        halves = [self.files[: SLICES_SMALL // 2], self.files[SLICES_SMALL // 2:]]
        procs = [subprocess.Popen(["storescu", "-nh", "-aet", f"SENDER{i}", "-aec", "RADNODE", "127.0.0.1",
                                   str(node.port), *h], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for i, h in enumerate(halves)]
        for pr in procs:
            out, _ = pr.communicate(timeout=300)
            self.assertEqual(pr.returncode, 0, out)
        self.assertEqual(len(node.instances()), SLICES_SMALL)


def pixel_bytes(path):
    out = os.path.join(os.path.dirname(path), "pixels-" + os.path.basename(path))
    run(["dcmconv", "+te", path, out])
    with open(out, "rb") as f:
        data = f.read()
    at = data.rfind(b"\xe0\x7f\x10\x00")
    vr = data[at + 4:at + 6]
    assert vr in (b"OW", b"OB"), vr
    length = struct.unpack_from("<I", data, at + 8)[0]
    return data[at + 12:at + 12 + length]


class DiskFull(NodeTestCase):
    """A real ENOSPC: the data folder on a 12 MiB tmpfs, filled by a 40-slice series."""

    def setUp(self):
        super().setUp()
        self.mount = os.path.join(self.tmp, "small")
        os.makedirs(self.mount)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", self.mount],
                           capture_output=True, text=True)
        if p.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here (needs root): {p.stderr.strip()}")

    def tearDown(self):
        super().tearDown()
        subprocess.run(["umount", self.mount], capture_output=True)

    def test_full_disk_refuses_without_losing_what_was_acknowledged(self):
        files = make_phantom(os.path.join(self.tmp, "phantom"), "--slices", 40)
        node = Node(self.mount, {"storage.min_free_mb": "1"})
        self.nodes.append(node)
        node.start()
        first = node.store(files)
        acknowledged = [f for f, status in store_responses(first.stdout) if status.startswith("Success")]
        self.assertGreater(len(acknowledged), 5, first.stdout[-2000:])
        self.assertLess(len(acknowledged), len(files), "the disk never filled up")
        # A transfer cut by ENOSPC aborts its association (nothing acknowledged); once the free-space
        # floor is reached every further C-STORE is refused cleanly with 0xA700, and C-ECHO still works.
        again = node.store(files[len(acknowledged):])
        responses = store_responses(again.stdout)
        statuses = [status for _, status in responses]
        self.assertIn("Refused: OutOfResources", statuses, again.stdout[-2000:])
        first_refusal = statuses.index("Refused: OutOfResources")
        self.assertTrue(all(st.startswith("Success") for st in statuses[:first_refusal]), statuses)
        self.assertTrue(all(st == "Refused: OutOfResources" for st in statuses[first_refusal:]), statuses)
        acknowledged += [f for f, st in responses if st.startswith("Success")]
        self.assertEqual(node.echo().returncode, 0)
        stored = node.instances()
        for f in acknowledged:
            uid = attribute(f, "SOPInstanceUID")
            self.assertIn(uid, stored)
            self.assertEqual(dataset_bytes(os.path.join(node.data_dir, stored[uid])), dataset_bytes(f))
        self.assertEqual(len(stored), len(acknowledged))


class CrashSafety(NodeTestCase):
    """kill -9 of the node in the middle of a 120-slice transfer loses nothing acknowledged."""

    def test_kill9_mid_transfer_then_retry_completes(self):
        phantom = os.path.join(self.tmp, "phantom")
        files = make_phantom(phantom, "--slices", 120)
        self.assertEqual(len(files), 120)
        node = self.start_node()
        sender = subprocess.Popen(["storescu", "-v", "-nh", "-R", "-aet", "STORESCU", "-aec", "RADNODE",
                                   "127.0.0.1", str(node.port), *files],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(node.instances()) < 40:
            time.sleep(0.02)
        node.kill9()
        output, _ = sender.communicate(timeout=120)
        acknowledged = [f for f, status in store_responses(output) if status.startswith("Success")]
        self.assertGreaterEqual(len(acknowledged), 40, output[-2000:])
        self.assertLess(len(acknowledged), 120, "the kill came too late to test anything")

        restarted = Node(node.workdir, {k: v for k, v in node.settings.items() if k != "dicom.port"})
        restarted.data_dir = node.data_dir
        restarted.settings["node.data_dir"] = node.data_dir
        self.nodes.append(restarted)
        restarted.start()
        stored = restarted.instances()
        for f in acknowledged:
            uid = attribute(f, "SOPInstanceUID")
            self.assertIn(uid, stored, f"acknowledged {f} lost")
            path = os.path.join(restarted.data_dir, stored[uid])
            self.assertEqual(dataset_bytes(path), dataset_bytes(f))
            run(["dcmdump", "-q", path])  # readable
        for uid, rel in stored.items():  # nothing indexed is half-written
            self.assertTrue(os.path.isfile(os.path.join(restarted.data_dir, rel)), rel)
        self.assertEqual(os.listdir(os.path.join(restarted.data_dir, "tmp")), [])

        retry = restarted.store(files)
        self.assertEqual(retry.returncode, 0, retry.stdout[-2000:])
        self.assertEqual(len(restarted.instances()), 120)


if __name__ == "__main__":
    unittest.main(verbosity=2)
