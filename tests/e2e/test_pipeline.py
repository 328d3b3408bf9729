"""The hands-free pipeline: a study stored into radnode comes back to the PACS as an SR and a SEG
with nobody touching it. Two real peers on 127.0.0.1 play the PACS: Orthanc (the study is
uploaded into it and Orthanc sends it to radnode through its REST /modalities/{id}/store call;
SR and SEG are checked through Orthanc's REST API), and DCMTK's storescp for the failure
variants.

- CT + RTSTRUCT stored: after completion (pipeline.stable_age_s) one SR and one SEG arrive, with
  the study's patient and study UIDs and the phantom's CAC score;
- CT first, RTSTRUCT later: the CT is analysed without tumour after the grace period, the late
  RTSTRUCT starts a re-analysis whose SR references the first as its predecessor;
- the PACS down while radnode delivers (storescp; Orthanc stopped right after its store call and
  started again on the same storage and ports): the objects arrive once it is up;
- radnode killed with SIGKILL mid-analysis and restarted (storescp; Orthanc, the node back on
  the port Orthanc knows): exactly one SR arrives;
- the SR and SEG received read back (dsrdump, DCMTK's DcmSegmentation via tests/tools/seg_readback)
  to the values of the node's results tables (readback.py).
Radiomics are limited to the tumour and its 3 mm ring (pipeline.radiomics_regions) to keep the
analysis short; waits poll for a condition with a deadline.
"""
import glob
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Node, NodeTestCase, free_port, make_phantom, require_tools, run  # noqa: E402
import readback  # noqa: E402



class Pacs:
    """storescp writing every received object into a folder."""

    def __init__(self, folder, ae_title="PACS"):
        self.folder = folder
        self.ae_title = ae_title
        self.port = free_port()
        self.proc = None
        os.makedirs(folder, exist_ok=True)

    def start(self):
        self.proc = subprocess.Popen(["storescp", "--fork", "-aet", self.ae_title, "-od", self.folder, "-uf",
                                      str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            p = run(["echoscu", "-aec", self.ae_title, "127.0.0.1", str(self.port)], check=False, timeout=30)
            if p.returncode == 0:
                return self
            time.sleep(0.1)
        raise AssertionError("storescp did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def objects(self, modality):
        out = []
        for path in glob.glob(os.path.join(self.folder, "*")):
            if run(["dcmdump", "-q", "+P", "Modality", path], check=False).stdout.find(f"[{modality}]") >= 0:
                out.append(path)
        return out

    def destination(self):
        return f"{self.ae_title}@127.0.0.1:{self.port}"


class Orthanc:
    """Orthanc with its own configuration and storage, DICOM and HTTP on 127.0.0.1."""

    def __init__(self, folder, radnode_port):
        self.folder = folder
        self.dicom_port = free_port()
        self.http_port = free_port()
        os.makedirs(folder, exist_ok=True)
        self.config = {"Name": "radnode-e2e", "StorageDirectory": os.path.join(folder, "storage"),
                       "IndexDirectory": os.path.join(folder, "index"), "DicomAet": "ORTHANC",
                       "DicomPort": self.dicom_port, "HttpPort": self.http_port, "RemoteAccessAllowed": False,
                       "AuthenticationEnabled": False, "DicomCheckCalledAet": False, "Plugins": [],
                       "DicomAlwaysAllowStore": True, "DicomAlwaysAllowEcho": True,
                       "DicomModalities": {"radnode": ["RADNODE", "127.0.0.1", radnode_port]}}
        self.proc = None

    def start(self, new_ports_on_failure=True):
        """Starts Orthanc and waits until its REST API answers. An Orthanc that exits at once
        (typically: a port picked by free_port() was taken by another process meanwhile) is
        started again on fresh ports, unless the ports must stay (a restart)."""
        log_path = os.path.join(self.folder, "orthanc.log")
        for attempt in range(3):
            path = os.path.join(self.folder, "orthanc.json")
            with open(path, "w") as f:
                json.dump(self.config, f)
            # "ab": a restart (same configuration, storage and ports) appends to the same log
            self.log = open(log_path, "ab")
            self.proc = subprocess.Popen(["Orthanc", path], stdout=self.log, stderr=subprocess.STDOUT)
            wait_for(lambda: self.alive() or self.proc.poll() is not None, 60, "Orthanc to answer")
            if self.proc.poll() is None:
                return self
            self.log.close()
            if not new_ports_on_failure or attempt == 2:
                with open(log_path, errors="replace") as f:
                    raise AssertionError(f"Orthanc exited with {self.proc.returncode}:\n{f.read()[-3000:]}")
            self.dicom_port = self.config["DicomPort"] = free_port()
            self.http_port = self.config["HttpPort"] = free_port()

    def alive(self):
        try:
            return self.get("/system") is not None
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        if self.proc:
            self.log.close()
        # Down for DICOM too: nothing answers on its port any more.
        wait_for(lambda: not port_open(self.dicom_port), 30, "Orthanc's DICOM port to close")

    def request(self, method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=body, method=method)
        with urllib.request.urlopen(req, timeout=300) as r:
            data = r.read()
        return json.loads(data) if data[:1] in (b"{", b"[") else data

    def get(self, path):
        return self.request("GET", path)

    def upload(self, path):
        with open(path, "rb") as f:
            return self.request("POST", "/instances", f.read())

    def destination(self):
        return f"ORTHANC@127.0.0.1:{self.dicom_port}"


def port_open(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def sr_text(path):
    return run(["dsrdump", path]).stdout


def header(path, *keywords):
    args = ["dcmdump", "-q"]
    for k in keywords:
        args += ["+P", k]
    return run([*args, path]).stdout


class Pipeline(NodeTestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("storescp", "storescu", "dsrdump", "dcmdump")
        cls.study_dir = tempfile.mkdtemp(prefix="radnode-pipeline-study-")
        make_phantom(cls.study_dir)
        with open(os.path.join(cls.study_dir, "truth.json")) as f:
            cls.truth = json.load(f)
        cls.ct = sorted(glob.glob(os.path.join(cls.study_dir, "ct", "*.dcm")))
        cls.rtstruct = os.path.join(cls.study_dir, "rtstruct.dcm")

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.study_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.pacs = Pacs(os.path.join(self.tmp, "pacs"))
        self.addCleanup(self.pacs.stop)

    def node(self, destination=None, port=None):
        settings = {"pipeline.enabled": "true", "pipeline.stable_age_s": "2", "pipeline.tumour_grace_s": "3",
                    "pipeline.radiomics_regions": "tumour,ring_3mm", "pipeline.lease_s": "10",
                    "export.destinations": destination or self.pacs.destination(), "export.retry_base_s": "1",
                    "export.retry_max_s": "2"}
        node = Node(tempfile.mkdtemp(dir=self.tmp), settings)
        if port is not None:  # a port the PACS was told about
            node.port = port
            node.settings["dicom.port"] = str(port)
        self.nodes.append(node)
        return node.start()

    def assert_sr_of_phantom(self, sr, with_tumour=True):
        head = header(sr, "PatientID", "StudyInstanceUID")
        self.assertIn(self.truth["dicom"]["patient_id"], head)
        self.assertIn(self.truth["dicom"]["study_instance_uid"], head)
        text = sr_text(sr)
        m = re.search(r'"Coronary artery calcium score"\)="([0-9.]+)"', text)
        self.assertIsNotNone(m, text[:3000])
        self.assertAlmostEqual(float(m.group(1)), self.truth["cac"]["agatston_scaled_to_3mm"], places=1)
        self.assertEqual("Neoplasm, Primary" in text, with_tumour)

    def start_orthanc(self):
        """Orthanc as the PACS, with radnode as its modality "radnode" on a port chosen here;
        returns (orthanc, that port)."""
        require_tools("Orthanc")
        radnode_port = free_port()
        orthanc = Orthanc(os.path.join(self.tmp, "orthanc"), radnode_port)
        self.addCleanup(orthanc.stop)
        orthanc.start()
        return orthanc, radnode_port

    def orthanc_send(self, orthanc, batches):
        """Uploads each batch of files into Orthanc and has Orthanc send it to radnode, in order
        (the REST store call returns once radnode has answered every C-STORE); returns Orthanc's
        study id."""
        study_id = None
        for batch in batches:
            resources = []
            for path in batch:
                answer = orthanc.upload(path)
                study_id = answer["ParentStudy"]
                resources.append(answer["ParentSeries"])
            orthanc.request("POST", "/modalities/radnode/store",
                            json.dumps({"Resources": sorted(set(resources))}).encode())
        return study_id

    def orthanc_sr_series(self, orthanc, study_id):
        return [s for s in orthanc.get(f"/studies/{study_id}/series") if s["MainDicomTags"].get("Modality") == "SR"]

    def orthanc_results(self, orthanc, study_id, timeout=400):
        """Waits for radnode's SR and SEG in Orthanc's study; checks one SR instance, one radnode SEG
        series, the study's patient and study UIDs; returns the SR and SEG files read from Orthanc."""
        def arrived():  # the study may hold the input SEG too: look for radnode's own series
            kinds = {(s["MainDicomTags"].get("Modality"), s["MainDicomTags"].get("SeriesDescription"))
                     for s in orthanc.get(f"/studies/{study_id}/series")}
            return any(m == "SR" for m, _ in kinds) and ("SEG", "radnode regions") in kinds
        wait_for(arrived, timeout, "radnode's SR and SEG in Orthanc")
        series = orthanc.get(f"/studies/{study_id}/series")
        sr_series = [s for s in series if s["MainDicomTags"].get("Modality") == "SR"]
        self.assertEqual(len(sr_series), 1)
        self.assertEqual(len(sr_series[0]["Instances"]), 1)
        seg_series = [s for s in series if s["MainDicomTags"].get("Modality") == "SEG"
                      and s["MainDicomTags"].get("SeriesDescription") == "radnode regions"]
        self.assertEqual(len(seg_series), 1)
        self.assertEqual(len(seg_series[0]["Instances"]), 1)
        study = orthanc.get(f"/studies/{study_id}")
        self.assertEqual(study["MainDicomTags"]["StudyInstanceUID"], self.truth["dicom"]["study_instance_uid"])
        self.assertEqual(study["PatientMainDicomTags"]["PatientID"], self.truth["dicom"]["patient_id"])
        files = []
        for name, s in (("sr", sr_series[0]), ("seg", seg_series[0])):
            path = os.path.join(self.tmp, f"from-orthanc-{name}.dcm")
            with open(path, "wb") as f:
                f.write(orthanc.get(f"/instances/{s['Instances'][0]}/file"))
            files.append(path)
        return files[0], files[1]

    def orthanc_round_trip(self, batches):
        """Uploads each batch of files into Orthanc and has Orthanc send it to radnode, in order;
        returns the SR file radnode sent back into Orthanc."""
        orthanc, radnode_port = self.start_orthanc()
        self.node(destination=orthanc.destination(), port=radnode_port)
        study_id = self.orthanc_send(orthanc, batches)
        return self.orthanc_results(orthanc, study_id)[0]

    def restart(self, node, same_port=False):
        """A new radnode on the killed node's data folder and settings: on the same DICOM port
        (the one a PACS was told about) or on a new one; its own log file."""
        settings = dict(node.settings)
        if not same_port:
            del settings["dicom.port"]
        restarted = Node(node.workdir, settings)
        if same_port:
            restarted.port = node.port
        restarted.log_path = os.path.join(node.workdir, "radnode-restarted.log")
        self.nodes.append(restarted)
        return restarted.start()

    def current_analysis(self, node):
        with node.db() as c:
            rows = c.execute("SELECT id, status, sr_sop_instance_uid, seg_sop_instance_uid FROM analyses "
                             "WHERE superseded = 0").fetchall()
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0][1], "ok")
        return rows[0]

    def assert_reads_back_to_results(self, node, sr, seg):
        """The SR (dsrdump) and SEG (seg_readback, DCMTK's DcmSegmentation) carry the values of the
        node's results tables: every NUM and CODE maps to a result and every result to the SR, the
        SEG has one segment per found region with exactly its voxel count."""
        analysis_id, _, sr_uid, seg_uid = self.current_analysis(node)
        self.assertIn(sr_uid, header(sr, "SOPInstanceUID"))
        self.assertIn(seg_uid, header(seg, "SOPInstanceUID"))
        with node.db() as c:
            expected = readback.expected_from_db(c, analysis_id)
        segmentation = readback.read_seg(seg)
        self.assertEqual(readback.seg_mismatches(segmentation, expected), [])
        problems, counts = readback.sr_mismatches(readback.parse_sr(sr), expected, segmentation)
        self.assertEqual(problems, [])
        self.assertEqual(counts["volumes"], len(expected["regions"]))
        self.assertEqual(counts["features"], sum(len(f) for f in expected["features"].values()))
        self.assertGreater(counts["features"], 1000)
        self.assertEqual(counts["cac"], 4)

    def test_orthanc_sends_the_study_and_gets_sr_and_seg_back(self):
        self.assert_sr_of_phantom(self.orthanc_round_trip([self.ct + [self.rtstruct]]))

    def test_orthanc_rtstruct_sent_before_the_ct(self):
        self.assert_sr_of_phantom(self.orthanc_round_trip([[self.rtstruct], self.ct]))

    def test_orthanc_seg_instead_of_rtstruct(self):
        seg = os.path.join(self.study_dir, "seg.dcm")
        self.assert_sr_of_phantom(self.orthanc_round_trip([self.ct + [seg]]))

    def test_ct_and_rtstruct_come_back_as_sr_and_seg(self):
        self.pacs.start()
        node = self.node()
        node.store(self.ct + [self.rtstruct], check=True)
        srs = wait_for(lambda: self.pacs.objects("SR"), 300, "the SR at the PACS")
        segs = wait_for(lambda: self.pacs.objects("SEG"), 60, "the SEG at the PACS")
        self.assertEqual(len(srs), 1)
        self.assertEqual(len(segs), 1)
        self.assert_sr_of_phantom(srs[0])
        seg_head = header(segs[0], "StudyInstanceUID", "NumberOfFrames")
        self.assertIn(self.truth["dicom"]["study_instance_uid"], seg_head)
        with node.db() as c:
            analyses = c.execute("SELECT status, sr_sop_instance_uid FROM analyses").fetchall()
            features = c.execute("SELECT count(*) FROM features WHERE region = 'tumour'").fetchone()[0]
        self.assertEqual(len(analyses), 1)
        self.assertEqual(analyses[0][0], "ok")
        self.assertGreater(features, 1000)
        self.assertIn(analyses[0][1], header(srs[0], "SOPInstanceUID"))
        self.assert_reads_back_to_results(node, srs[0], segs[0])

    def test_late_rtstruct_starts_a_reanalysis_with_predecessor(self):
        self.pacs.start()
        node = self.node()
        node.store(self.ct, check=True)
        first = wait_for(lambda: self.pacs.objects("SR"), 300, "the first SR (no tumour)")
        self.assertEqual(len(first), 1)
        self.assert_sr_of_phantom(first[0], with_tumour=False)
        first_uid = re.search(r"\[(.*?)\]", header(first[0], "SOPInstanceUID")).group(1)
        node.store([self.rtstruct], check=True)
        both = wait_for(lambda: (lambda s: s if len(s) >= 2 else None)(self.pacs.objects("SR")), 300,
                        "the second SR")
        second = [p for p in both if first_uid not in header(p, "SOPInstanceUID")]
        self.assertEqual(len(second), 1)
        self.assert_sr_of_phantom(second[0], with_tumour=True)
        predecessor = run(["dcmdump", "-q", "+p", "+P", "PredecessorDocumentsSequence", "+P",
                           "ReferencedSOPInstanceUID", second[0]]).stdout
        self.assertIn(first_uid, predecessor)

    def test_pacs_down_delays_but_does_not_drop(self):
        node = self.node()  # the PACS is not running yet
        node.store(self.ct + [self.rtstruct], check=True)
        wait_for(lambda: "delivery failed" in node.log_text(), 300, "a failed delivery attempt")
        self.assertEqual(self.pacs.objects("SR"), [])
        self.pacs.start()
        srs = wait_for(lambda: self.pacs.objects("SR"), 120, "the SR after the PACS came up")
        self.assertEqual(len(srs), 1)
        wait_for(lambda: self.pacs.objects("SEG"), 60, "the SEG after the PACS came up")

    def test_killed_mid_analysis_delivers_exactly_one_sr(self):
        self.pacs.start()
        node = self.node()
        node.store(self.ct + [self.rtstruct], check=True)
        wait_for(lambda: "analysis started" in node.log_text(), 120, "the analysis to start")
        node.kill9()
        self.assertEqual(self.pacs.objects("SR"), [])
        # Same data folder and settings, a new port.
        restarted = Node(node.workdir, {k: v for k, v in node.settings.items() if k != "dicom.port"})
        self.nodes.append(restarted)
        restarted.start()
        srs = wait_for(lambda: self.pacs.objects("SR"), 300, "the SR after the restart")
        wait_for(lambda: "attempt=2" in restarted.log_text(), 30, "the second attempt in the log")
        # Let a possible duplicate delivery happen before counting.
        wait_for(lambda: "delivered" in restarted.log_text(), 60, "the delivery")
        self.assertEqual(len(self.pacs.objects("SR")), 1)
        with restarted.db() as c:
            self.assertEqual(c.execute("SELECT count(*) FROM analyses").fetchone()[0], 1)
            self.assertEqual(c.execute("SELECT attempts FROM jobs WHERE kind = 'analyze'").fetchone()[0], 2)
        self.assertEqual(len(srs), 1)

    def test_orthanc_down_while_radnode_delivers(self):
        orthanc, radnode_port = self.start_orthanc()
        node = self.node(destination=orthanc.destination(), port=radnode_port)
        study_id = self.orthanc_send(orthanc, [self.ct + [self.rtstruct]])
        # The store call has returned: radnode has the study; its analysis takes seconds more.
        orthanc.stop()
        failed = wait_for(lambda: [line for line in node.log_text().splitlines() if "delivery failed" in line],
                          300, "a failed delivery attempt to the stopped Orthanc")
        self.assertIn(orthanc.destination(), failed[0])
        self.assertIn("state=pending", failed[0])  # connection refused: retried, not dead-lettered
        self.assertIn("analysis done", node.log_text())
        self.assertNotIn("delivered", node.log_text())
        orthanc.start(new_ports_on_failure=False)  # same configuration, storage, DICOM and HTTP ports
        self.assertEqual(self.orthanc_sr_series(orthanc, study_id), [])
        sr, seg = self.orthanc_results(orthanc, study_id, timeout=120)
        self.assert_sr_of_phantom(sr)
        wait_for(lambda: "delivered" in node.log_text(), 60, "the delivery in the log")
        self.assert_reads_back_to_results(node, sr, seg)  # what Orthanc kept is what radnode recorded
        with node.db() as c:
            self.assertEqual(c.execute("SELECT state, attempts > 1 FROM jobs WHERE kind != 'analyze'").fetchall(),
                             [("done", 1)])

    def test_orthanc_radnode_killed_mid_analysis_delivers_exactly_one_sr(self):
        orthanc, radnode_port = self.start_orthanc()
        node = self.node(destination=orthanc.destination(), port=radnode_port)
        study_id = self.orthanc_send(orthanc, [self.ct + [self.rtstruct]])
        wait_for(lambda: "analysis started" in node.log_text(), 120, "the analysis to start")
        node.kill9()
        self.assertEqual(self.orthanc_sr_series(orthanc, study_id), [])
        # Same data folder, settings and DICOM port: Orthanc's modality "radnode" reaches the new process.
        restarted = self.restart(node, same_port=True)
        orthanc.request("POST", "/modalities/radnode/echo", b"{}")
        wait_for(lambda: "attempt=2" in restarted.log_text(), 120, "the second attempt in the log")
        wait_for(lambda: "delivered" in restarted.log_text(), 300, "the delivery after the restart")
        sr, seg = self.orthanc_results(orthanc, study_id, timeout=60)
        self.assert_sr_of_phantom(sr)
        # After the delivery was logged: still exactly one SR instance in the study.
        self.assertEqual(sum(len(s["Instances"]) for s in self.orthanc_sr_series(orthanc, study_id)), 1)
        self.assertEqual([i["MainDicomTags"]["SOPInstanceUID"] for i in orthanc.get(f"/studies/{study_id}/instances")
                          if i["ID"] in self.orthanc_sr_series(orthanc, study_id)[0]["Instances"]],
                         [self.current_analysis(restarted)[2]])
        with restarted.db() as c:
            self.assertEqual(c.execute("SELECT count(*) FROM analyses").fetchone()[0], 1)
            self.assertEqual(c.execute("SELECT attempts FROM jobs WHERE kind = 'analyze'").fetchone()[0], 2)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], *sys.argv[1:]])
