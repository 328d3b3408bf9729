#!/usr/bin/env python3
"""Ingest benchmark: wall time to receive a 300-slice 512x512 CT series over loopback.

Receivers, measured in the same run with the same sender (dcmtk's storescu):
  - dcmtk storescp writing files to disk (no fsync, no index),
  - Orthanc (Debian package) with its SQLite index,
  - radnode serve (fsync of every file and of the SQLite WAL before each Success).
Each receiver gets the series `--repeat` times into a fresh data folder; the median is
reported with the ratios the issue asks for. Everything runs on 127.0.0.1.

Usage: tests/benchmarks/ingest_bench.py --radnode build/release/tools/radnode [--slices 300] [--repeat 3]
"""
import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_echo(port, aet, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"receiver exited early ({proc.returncode})")
        r = subprocess.run(["echoscu", "-aec", aet, "127.0.0.1", str(port)], capture_output=True)
        if r.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("receiver did not answer C-ECHO")


def send(port, aet, files, env):
    t0 = time.perf_counter()
    r = subprocess.run(["storescu", "-nh", "-aec", aet, "127.0.0.1", str(port), *files],
                       capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"storescu failed: {r.stdout}{r.stderr}")
    return elapsed


class Receiver:
    def __init__(self, name, aet):
        self.name, self.aet, self.proc = name, aet, None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class StoreScp(Receiver):
    def start(self, workdir, port, env):
        out = os.path.join(workdir, "out")
        os.makedirs(out)
        self.proc = subprocess.Popen(["storescp", "-aet", self.aet, "-od", out, str(port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Orthanc(Receiver):
    def start(self, workdir, port, env):
        cfg = {"Name": "bench", "StorageDirectory": os.path.join(workdir, "storage"),
               "IndexDirectory": os.path.join(workdir, "index"), "DicomAet": self.aet, "DicomPort": port,
               "HttpPort": free_port(), "RemoteAccessAllowed": False, "HttpServerEnabled": True,
               "DicomCheckCalledAet": False, "StorageCompression": False, "Plugins": [],
               "DicomAlwaysAllowStore": True, "DicomAlwaysAllowEcho": True}
        path = os.path.join(workdir, "orthanc.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        self.proc = subprocess.Popen(["Orthanc", path], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)


class Radnode(Receiver):
    def __init__(self, name, aet, binary):
        super().__init__(name, aet)
        self.binary = binary

    def start(self, workdir, port, env):
        self.proc = subprocess.Popen([self.binary, "serve", "--set", f"node.data_dir={workdir}/data",
                                      "--set", f"dicom.port={port}", "--set", "http.port=0",
                                      "--set", "log.level=warn", "--set", "storage.min_free_mb=0"],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def durable_write_floor(files, root):
    """What any receiver that fsyncs before acknowledging must pay on this disk, with no network and
    no parsing: per file, write its bytes to a temp file, fdatasync, rename into a folder, fsync that folder."""
    workdir = tempfile.mkdtemp(prefix="floor-", dir=root)
    final = os.path.join(workdir, "final")
    os.makedirs(final)
    payloads = [open(f, "rb").read() for f in files]
    os.sync()
    t0 = time.perf_counter()
    dir_fd = os.open(final, os.O_RDONLY)
    for i, data in enumerate(payloads):
        temp = os.path.join(workdir, f"{i}.part")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.fdatasync(fd)
        os.close(fd)
        os.rename(temp, os.path.join(final, f"{i}.dcm"))
        os.fsync(dir_fd)
    os.close(dir_fd)
    elapsed = time.perf_counter() - t0
    shutil.rmtree(workdir, ignore_errors=True)
    return elapsed


def measure(receiver, files, repeat, env, root):
    times = []
    for i in range(repeat):
        workdir = tempfile.mkdtemp(prefix=f"{receiver.name}-", dir=root)
        port = free_port()
        os.sync()  # start every run with no dirty pages from the previous receiver's writes
        receiver.start(workdir, port, env)
        try:
            wait_for_echo(port, receiver.aet, receiver.proc)
            times.append(send(port, receiver.aet, files, env))
        finally:
            receiver.stop()
            shutil.rmtree(workdir, ignore_errors=True)
    return statistics.median(times), times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radnode", required=True)
    ap.add_argument("--slices", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", default=None, help="where receivers write (default: a temp dir on /tmp's disk)")
    ap.add_argument("--only", nargs="*", default=None, help="measure only these receivers")
    ap.add_argument("--no-tcp-nodelay", action="store_true",
                    help="do not set TCP_NODELAY=1 for the sender and the peers (radnode disables Nagle anyway)")
    args = ap.parse_args()

    root = tempfile.mkdtemp(prefix="radnode-bench-", dir=args.workdir)
    try:
        phantom = os.path.join(root, "phantom")
        subprocess.run([args.radnode, "phantom", "--out", phantom, "--slices", str(args.slices)], check=True,
                       stdout=subprocess.DEVNULL)
        files = sorted(os.path.join(phantom, "ct", f) for f in os.listdir(os.path.join(phantom, "ct")))
        size_mb = sum(os.path.getsize(f) for f in files) / 1e6
        env = dict(os.environ)
        env.pop("TCP_NODELAY", None)
        if not args.no_tcp_nodelay:
            env["TCP_NODELAY"] = "1"
        receivers = [StoreScp("storescp", "STORESCP"), Orthanc("orthanc", "ORTHANC"),
                     Radnode("radnode", "RADNODE", args.radnode)]
        if args.only:
            receivers = [r for r in receivers if r.name in args.only]
        results = {}
        for r in receivers:
            results[r.name] = measure(r, files, args.repeat, env, root)
        print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; "
              f"series: {len(files)} slices, {size_mb:.0f} MB; sender: storescu; "
              f"TCP_NODELAY={'unset' if args.no_tcp_nodelay else '1'} for sender and peers")
        for name, (median, times) in results.items():
            print(f"{name:9s} median {median:6.3f} s  ({', '.join(f'{t:.3f}' for t in times)})  "
                  f"{size_mb / median:7.1f} MB/s")
        floor = statistics.median(durable_write_floor(files, root) for _ in range(args.repeat))
        print(f"durable-write floor (write + fdatasync + rename + fsync dir per file, no network): "
              f"{floor:.3f} s")
        if {"radnode", "storescp", "orthanc"} <= results.keys():
            rad, scp, orth = results["radnode"][0], results["storescp"][0], results["orthanc"][0]
            print(f"radnode rate / storescp rate = {scp / rad:.2f} (target >= 0.80)")
            print(f"radnode rate / Orthanc rate  = {orth / rad:.2f} (target >= 3.00)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
