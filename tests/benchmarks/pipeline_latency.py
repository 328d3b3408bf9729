#!/usr/bin/env python3
"""Latency of the hands-free pipeline: from the last instance of a study received by radnode to
its SR accepted by the PACS, excluding pipeline.stable_age_s (issue 7's target: under 20 s for the
512 x 512 x 300 phantom with the default analysis on 2 cores).

The PACS is DCMTK's storescp on 127.0.0.1, or with --pacs orthanc an Orthanc started here with its
own configuration (the SR counts once Orthanc's REST API lists it). radnode runs with its default analysis settings
(pipeline.radiomics_regions and pipeline.radiomics_params untouched) and stable_age 1 s. The time
of the last instance is when storescu returns; the SR's arrival is when it appears in storescp's
folder (polled every 0.1 s). Per-stage times come from radnode's log.

    tests/benchmarks/pipeline_latency.py --radnode build/release/tools/radnode [--slices 300] [--pacs orthanc]
"""
import argparse
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radnode", required=True)
    ap.add_argument("--slices", type=int, default=300)
    ap.add_argument("--slice-thickness", type=float, default=1.0)
    ap.add_argument("--pacs", choices=("storescp", "orthanc"), default="storescp")
    ap.add_argument("--log", action="store_true", help="print radnode's pipeline log lines")
    ap.add_argument("--regions", default="", help="pipeline.radiomics_regions (default: radnode's default)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="radnode-latency-")
    procs = []
    try:
        study = os.path.join(work, "study")
        subprocess.run([args.radnode, "phantom", "--out", study, "--slices", str(args.slices), "--slice-thickness",
                        str(args.slice_thickness)], check=True, stdout=subprocess.DEVNULL)
        pacs_dir = os.path.join(work, "pacs")
        os.makedirs(pacs_dir)
        pacs_port, node_port = free_port(), free_port()
        destination = f"PACS@127.0.0.1:{pacs_port}"
        http_port = free_port()
        if args.pacs == "orthanc":
            config = {"Name": "radnode-latency", "StorageDirectory": os.path.join(pacs_dir, "storage"),
                      "IndexDirectory": os.path.join(pacs_dir, "index"), "DicomAet": "ORTHANC",
                      "DicomPort": pacs_port, "HttpPort": http_port, "RemoteAccessAllowed": False,
                      "AuthenticationEnabled": False, "DicomCheckCalledAet": False, "Plugins": [],
                      "DicomAlwaysAllowStore": True}
            with open(os.path.join(work, "orthanc.json"), "w") as f:
                json.dump(config, f)
            procs.append(subprocess.Popen(["Orthanc", os.path.join(work, "orthanc.json")],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            destination = f"ORTHANC@127.0.0.1:{pacs_port}"

            def orthanc(path):
                with urllib.request.urlopen(f"http://127.0.0.1:{http_port}{path}", timeout=30) as r:
                    return json.loads(r.read())

            def orthanc_up():
                try:
                    return orthanc("/system") is not None
                except OSError:
                    return False
            assert wait(orthanc_up, 60), "Orthanc did not start"
        else:
            procs.append(subprocess.Popen(["storescp", "-aet", "PACS", "-od", pacs_dir, "-uf", str(pacs_port)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        log_path = os.path.join(work, "radnode.log")
        log = open(log_path, "wb")
        settings = {"node.data_dir": os.path.join(work, "data"), "dicom.port": str(node_port), "http.port": "0",
                    "pipeline.stable_age_s": "1", "pipeline.tumour_grace_s": "0",
                    "export.destinations": destination}
        if args.regions:
            settings["pipeline.radiomics_regions"] = args.regions
        cmd = [args.radnode, "serve"]
        for k, v in settings.items():
            cmd += ["--set", f"{k}={v}"]
        procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT))
        assert wait(lambda: subprocess.run(["echoscu", "-aec", "RADNODE", "127.0.0.1", str(node_port)],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0, 30)
        files = sorted(glob.glob(os.path.join(study, "ct", "*.dcm"))) + [os.path.join(study, "rtstruct.dcm")]
        t0 = time.monotonic()
        subprocess.run(["storescu", "-R", "-aec", "RADNODE", "127.0.0.1", str(node_port), *files], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t_last = time.monotonic()

        def sr_arrived():
            if args.pacs == "orthanc":
                return any(orthanc(f"/series/{s}")["MainDicomTags"].get("Modality") == "SR"
                           for s in orthanc("/series"))
            for path in glob.glob(os.path.join(pacs_dir, "*")):
                if "SRe" in os.path.basename(path) or "SR" in os.path.basename(path)[:3]:
                    return True
            return False
        assert wait(sr_arrived, 1800), "no SR arrived"
        t_sr = time.monotonic()
        with open(log_path, errors="replace") as f:
            text = f.read()
        done = re.search(r"analysis done .*", text)
        stage = {k: float(v) for k, v in re.findall(r"\b(load_seconds|seconds|report_seconds)=([0-9.]+)",
                                                    done.group(0))} if done else {}
        print(f"phantom 512x512x{args.slices} at {args.slice_thickness} mm, {len(files)} instances")
        print(f"store (storescu)            {t_last - t0:7.2f} s")
        print(f"last instance -> SR at PACS {t_sr - t_last:7.2f} s (includes stable_age 1 s)")
        print(f"latency excluding stable_age {t_sr - t_last - 1.0:7.2f} s (target < 20 s)")
        for key, label in (("load_seconds", "loading the CT"), ("seconds", "the analysis"),
                           ("report_seconds", "writing SEG and SR")):
            if key in stage:
                print(f"  of which {label:20s}{stage[key]:7.2f} s")
        if args.log:
            for line in text.splitlines():
                if any(k in line for k in ("series complete", "queued", "analysis started", "analysis done",
                                           "delivered", "delivery", "export")):
                    print("  " + line[:200])
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=120)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
