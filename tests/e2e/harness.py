"""Shared helpers for radnode's end-to-end tests.

Every peer runs on 127.0.0.1 only. The node under test is the real `radnode serve`
binary (path in $RADNODE_BIN), started on a free port with its own data folder;
readiness is awaited by polling C-ECHO, never by sleeping a fixed time.
"""
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import tempfile
import time
import unittest

RADNODE = os.environ.get("RADNODE_BIN", "radnode")
DCMTK_TIMEOUT = ["-to", "30", "-ta", "30", "-td", "60"]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_tools(*names):
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        raise unittest.SkipTest("missing tools (run tools/setup.sh): " + ", ".join(missing))


def run(cmd, timeout=300, check=True, env=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stdout}")
    return p


def make_phantom(out_dir, *extra):
    run([RADNODE, "phantom", "--out", str(out_dir), *map(str, extra)], timeout=120)
    return sorted(os.path.join(out_dir, "ct", f) for f in os.listdir(os.path.join(out_dir, "ct")))


class Node:
    """A running `radnode serve` with its own data folder and log file."""

    def __init__(self, workdir, settings=None, ae_title="RADNODE"):
        self.workdir = workdir
        self.data_dir = os.path.join(workdir, "data")
        self.port = free_port()
        self.ae_title = ae_title
        # The pipeline is off unless a test turns it on: ingest tests must not start analyses.
        self.settings = {"node.data_dir": self.data_dir, "dicom.port": str(self.port),
                         "dicom.ae_title": ae_title, "http.port": "0", "pipeline.enabled": "false"}
        self.settings.update(settings or {})
        self.log_path = os.path.join(workdir, f"radnode-{self.port}.log")
        self.proc = None
        self.killed = False

    def start(self, timeout=30, probe_ae="ECHOSCU"):
        args = [RADNODE, "serve"]
        for k, v in self.settings.items():
            args += ["--set", f"{k}={v}"]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"radnode exited with {self.proc.returncode}:\n{self.log_text()}")
            if self.echo(calling=probe_ae).returncode == 0:
                return self
            time.sleep(0.1)
        raise AssertionError("radnode did not answer C-ECHO in time:\n" + self.log_text())

    def echo(self, calling="ECHOSCU", called=None):
        return run(["echoscu", "-aet", calling, "-aec", called or self.ae_title, "127.0.0.1", str(self.port),
                    *DCMTK_TIMEOUT], check=False, timeout=60)

    def store(self, files, calling="STORESCU", called=None, extra=(), check=False):
        # -R: propose exactly the SOP classes of the files (storescu's default list lacks some, e.g. SEG)
        return run(["storescu", "-v", "-nh", "-R", "-aet", calling, "-aec", called or self.ae_title, *DCMTK_TIMEOUT,
                    *extra, "127.0.0.1", str(self.port), *files], check=check, timeout=600)

    def stop(self):
        """SIGTERM, wait; returns the exit code (None if the node was killed or never started)."""
        if self.proc is None or self.killed:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()
        return self.proc.returncode

    def kill9(self):
        self.killed = True
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def db(self):
        return sqlite3.connect(os.path.join(self.data_dir, "index.sqlite"), timeout=30)

    def instances(self):
        with self.db() as c:
            return {row[0]: row[1] for row in c.execute("SELECT sop_instance_uid, file_path FROM instances")}


def dataset_bytes(path):
    """The bytes after the Part 10 meta header (preamble, DICM, group 0002)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[128:132] == b"DICM", path
    # (0002,0000) UL group length, explicit VR: tag(4) VR(2) len(2) value(4)
    tag, vr, length = struct.unpack_from("<I2sH", data, 132)
    assert tag == 0x00000002 and vr == b"UL", path
    group_length = struct.unpack_from("<I", data, 140)[0]
    return data[144 + group_length:]


def attribute(path, keyword):
    out = run(["dcmdump", "-q", "+P", keyword, path]).stdout
    m = re.search(r"\[(.*?)\]", out)
    return m.group(1) if m else None


def store_responses(storescu_output):
    """(file, status) for each store request storescu reported a response to."""
    results, current = [], None
    for line in storescu_output.splitlines():
        m = re.search(r"Sending file: (.*)$", line)
        if m:
            current = m.group(1).strip()
            continue
        m = re.search(r"Received Store Response(?: \((.*)\))?", line)
        if m and current:
            results.append((current, m.group(1) or ""))
            current = None
    return results


class NodeTestCase(unittest.TestCase):
    """Gives each test a temp folder; nodes started with start_node() are stopped at the end."""

    def setUp(self):
        require_tools("storescu", "echoscu", "dcmdump")
        self.tmp = tempfile.mkdtemp(prefix="radnode-e2e-")
        self.nodes = []

    def tearDown(self):
        codes = [(n, n.stop()) for n in self.nodes]
        for node, code in codes:
            # a clean shutdown on SIGTERM, with no sanitizer report
            self.assertIn(code, (0, None), f"radnode exited with {code}:\n{node.log_text()[-4000:]}")
        if not os.environ.get("RADNODE_KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def start_node(self, settings=None, probe_ae="ECHOSCU", **kw):
        node = Node(tempfile.mkdtemp(dir=self.tmp), settings, **kw)
        self.nodes.append(node)
        return node.start(probe_ae=probe_ae)
