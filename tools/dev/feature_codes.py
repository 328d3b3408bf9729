#!/usr/bin/env python3
"""Generates the table in reporting/feature_codes.cpp: the PyRadiomics feature -> IBSI code table.

Inputs (tab-separated, see the reference README for provenance and licences):
  pyradiomics_featuresDict_IBSIv7.tsv  (AIM-Harvard/pyradiomics, BSD-3)
  dicom_ps316_ibsi_codes.tsv           (DICOM PS3.16 via pydicom, MIT)

The upstream PyRadiomics table has known mistakes that are corrected here:
  * four GLSZM rows are labelled class "glcm";
  * two GLSZM rows spell "Grey" where PyRadiomics writes "Gray";
  * glcm Imc1 / Imc2 have no row although IBSI R8DG / JN9H exist.
firstorder Kurtosis stays unmapped on purpose (PyRadiomics kurtosis is not the
IBSI excess kurtosis IPH6). Code meanings are taken from PS3.16 when the code is
there (so validators see the standard meaning), otherwise from the IBSI list.

Usage: tools/dev/feature_codes.py REFERENCE_DIR --update reporting/feature_codes.cpp
(rewrites the lines between "// BEGIN GENERATED" and "// END GENERATED"; without
--update the table is printed).
"""
import csv
import sys
from pathlib import Path

GLSZM_MISLABELLED = {
    "SmallAreaLowGrayLevelEmphasis",
    "SmallAreaHighGrayLevelEmphasis",
    "LargeAreaLowGrayLevelEmphasis",
    "LargeAreaHighGrayLevelEmphasis",
}
ADDED = [("Information correlation 1", "R8DG", "glcm", "Imc1"), ("Information correlation 2", "JN9H", "glcm", "Imc2")]


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="\t"))


def main():
    ref = Path(sys.argv[1])
    ps316 = {}
    for row in read_tsv(ref / "dicom_ps316_ibsi_codes.tsv")[1:]:
        ps316[row[0]] = (row[1], "218" in row[3].split(","))
    rows = []
    for row in read_tsv(ref / "pyradiomics_featuresDict_IBSIv7.tsv")[1:]:
        row += [""] * (5 - len(row))
        meaning, code, cls, name = (c.strip() for c in row[:4])
        if not cls or not name:
            continue
        if cls == "glcm" and name in GLSZM_MISLABELLED:
            cls = "glszm"
        name = name.replace("Grey", "Gray")
        rows.append((meaning, code, cls, name))
    rows += ADDED
    seen = set()
    out = ["// From the PyRadiomics featuresDict_IBSIv7.tsv (BSD-3) and the PS3.16 IBSI codes (via",
           "// pydicom, MIT). Do not edit by hand. {class, feature, IBSI code, meaning, in PS3.16 (CID 218)}",
           f"constexpr std::array<IbsiRow, {len(rows)}> kIbsiRows{{{{"]
    for meaning, code, cls, name in sorted(rows, key=lambda r: (r[2], r[3])):
        key = (cls, name)
        if key in seen:
            raise SystemExit(f"duplicate mapping for {cls}_{name}")
        seen.add(key)
        standard = ps316.get(code)
        if standard:
            meaning = standard[0]
        in_dicom = "true" if standard else "false"
        out.append(f'    {{"{cls}", "{name}", "{code}", "{meaning}", {in_dicom}}},')
    out.append("}};")
    if len(sys.argv) > 3 and sys.argv[2] == "--update":
        target = Path(sys.argv[3])
        text = target.read_text(encoding="utf-8").split("\n")
        begin = next(i for i, line in enumerate(text) if line.startswith("// BEGIN GENERATED"))
        end = next(i for i, line in enumerate(text) if line.startswith("// END GENERATED"))
        target.write_text("\n".join(text[: begin + 1] + out + text[end:]), encoding="utf-8")
    else:
        print("\n".join(out))


if __name__ == "__main__":
    main()
