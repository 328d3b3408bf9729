#!/usr/bin/env bash
# Installs every Debian package radnode needs to build, run and test.
# Run as root (or with sudo) on Debian 12. Idempotent: packages already
# present are left alone, and the package lists are refreshed only when a
# package is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git python3
  # libraries
  libdcmtk-dev libinsighttoolkit5-dev libgdcm-tools libeigen3-dev libsqlite3-dev
  libboost-dev libfmt-dev libspdlog-dev libyaml-cpp-dev libcli11-dev libxxhash-dev
  libssl-dev  # libcrypto: SHA-1 of PyRadiomics' image/mask hashes (radnode extract)
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # real peers used by the end-to-end tests and benchmarks
  dcmtk sqlite3 orthanc curl dicom3tools plastimatch
  pixelmed-apps  # DicomSRValidator: checks the TID 1500 SR (tests/unit/reporting/sr_writer_test.cpp)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "radnode setup: missing packages: ${missing[*]}; re-run as root or with sudo" >&2
    exit 1
  fi
  echo "radnode setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # The Debian orthanc package starts a system service on port 4242/8042; radnode's
  # tests run their own Orthanc on ephemeral ports, so the service is not needed.
  if [[ " ${missing[*]} " == *" orthanc "* ]] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now orthanc >/dev/null 2>&1 || true
  fi
else
  echo "radnode setup: all packages present"
fi
