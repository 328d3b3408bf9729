"""Reading radnode's SR and SEG back with independent readers and comparing them with its results.

- The SR is read with DCMTK's `dsrdump +Pl +Pc` (every code, long values complete) and parsed
  into measurement groups; `sr_mismatches` maps every NUM and CODE of every group to a value of
  the results (results.json of `radnode analyze`, or the SQLite results tables of the node) and
  every result value to the SR, at the SR's Decimal String precision (docs/sr.md).
- The SEG is read with tests/tools/seg_readback (DCMTK's DcmSegmentation::loadFile; path in
  $SEG_READBACK_BIN, from the ctest ENVIRONMENT) and compared with the regions of the results:
  labels, voxel counts (exactly), property codes (docs/conformance.md).
"""
import json
import math
import os
import re
import unittest

from harness import run

SEG_READBACK = os.environ.get("SEG_READBACK_BIN", "")

# <indent><relationship> TYPE:(code,scheme,"meaning")=value>
LINE = re.compile(r'^( *)<(?:([a-z ]+) )?([A-Z0-9]+):\(([^,]*),([^,]*),"(.*?)"\)=(.*)>$')
CODE_VALUE = re.compile(r'^\(([^,]*),([^,]*),"(.*)"\)$')
NUM_VALUE = re.compile(r'^"([^"]*)" \(([^,]*),([^,]*),"(.*)"\)$')
TEXT_VALUE = re.compile(r'^"(.*)"$')
IMAGE_VALUE = re.compile(r'^\(([^,]*),([^,]*),(\d+)\)$')

VOLUME = ("118565006", "SCT")
AGATSTON = ("450360000", "SCT")
CAC_VOLUME = ("112197", "DCM")
CAC_MASS = ("112199", "DCM")
CAC_RISK = ("CACRISK", "99RADNODE")
EQUIVALENT_MEANING = ("121050", "DCM")
IMAGE_FILTER = ("IMGFILTER", "99RADNODE")
SIGNATURE_GROUP = ("SIGGROUP", "99RADNODE")
COMMENT = ("121106", "DCM")
PRIVATE = "99RADNODE"


def fnv1a32(text):
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return f"{h:08X}"


def require_seg_readback():
    if not SEG_READBACK or not os.path.exists(SEG_READBACK):
        raise unittest.SkipTest("SEG_READBACK_BIN is not set (ctest sets it; build the seg_readback target)")


def read_seg(path):
    """seg_readback's JSON of a SEG file."""
    require_seg_readback()
    return json.loads(run([SEG_READBACK, path], timeout=300).stdout)


def _value(kind, text):
    if kind == "NUM":
        m = NUM_VALUE.match(text)
        return (m.group(1), (m.group(2), m.group(3), m.group(4))) if m else None
    if kind == "CODE":
        m = CODE_VALUE.match(text)
        return (m.group(1), m.group(2), m.group(3)) if m else None
    if kind in ("TEXT", "UIDREF"):
        m = TEXT_VALUE.match(text)
        return m.group(1) if m else None
    if kind == "IMAGE":
        m = IMAGE_VALUE.match(text)
        return int(m.group(3)) if m else None
    return text


def parse_sr(path):
    """The measurement groups of a TID 1500 SR, from dsrdump: a list of dicts with tracking_id,
    tracking_uid, finding, finding_site, segment (referenced segment number), nums (concept, value
    string, unit, modifiers), codes (concept, value) and comments."""
    text = run(["dsrdump", "+Pl", "+Pc", path], timeout=300).stdout
    groups, group, item = [], None, None
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        depth = len(m.group(1)) // 2
        kind = m.group(3)
        concept = (m.group(4), m.group(5), m.group(6))
        value = _value(kind, m.group(7))
        if depth == 2 and kind == "CONTAINER" and concept[:2] == ("125007", "DCM"):
            group = {"tracking_id": None, "tracking_uid": None, "finding": None, "finding_site": None,
                     "segment": None, "nums": [], "codes": [], "comments": []}
            groups.append(group)
            item = None
        elif depth <= 2:
            group, item = None, None
        elif group is not None and depth == 3:
            item = None
            key = concept[:2]
            if key == ("112039", "DCM"):
                group["tracking_id"] = value
            elif key == ("112040", "DCM"):
                group["tracking_uid"] = value
            elif key == ("121071", "DCM"):
                group["finding"] = value
            elif key == ("363698007", "SCT"):
                group["finding_site"] = value
            elif key == ("121191", "DCM"):
                group["segment"] = value
            elif kind == "NUM":
                item = {"concept": concept, "value": value[0] if value else None,
                        "unit": value[1] if value else None, "modifiers": []}
                group["nums"].append(item)
            elif kind == "CODE":
                group["codes"].append({"concept": concept, "value": value})
            elif kind == "TEXT" and key == COMMENT:
                group["comments"].append(value)
        elif item is not None and depth == 4:
            item["modifiers"].append((concept, kind, value))
    return groups


def region_of(group):
    """The region name in a tracking identifier: "Tumour (tumour)" -> tumour, "ring_3mm" -> ring_3mm."""
    m = re.search(r"\(([^()]+)\)$", group["tracking_id"] or "")
    return m.group(1) if m else group["tracking_id"]


def ds_matches(text, expected):
    """The Decimal String `text` is `expected` to its own precision (half a unit of its last digit)
    and carries at least 9 significant digits of it (FormatDs writes up to 10, fewer only when
    trailing zeros drop)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return False
    if expected is None or not math.isfinite(expected):
        return False
    mantissa, _, exponent = text.lower().partition("e")
    exponent = int(exponent) if exponent else 0
    decimals = len(mantissa.partition(".")[2])
    half_unit = 0.5 * 10.0 ** (exponent - decimals)
    diff = abs(value - expected)
    slack = 1e-12 * max(abs(expected), 1e-300)
    return diff <= half_unit + slack and diff <= 5e-9 * abs(expected) + 1e-300


def expected_from_results_json(results):
    """The values the SR must carry, from results.json."""
    regions = {}
    for r in results["regions"]["regions"]:
        if r["found"] and r["voxel_count"] > 0:
            regions[r["name"]] = {"voxel_count": r["voxel_count"], "volume_ml": r["volume_ml"]}
    for r in results["regions"].get("peritumoral", {}).get("regions", []):
        if r["voxel_count"] > 0:
            regions[r["name"]] = {"voxel_count": r["voxel_count"], "volume_ml": r["volume_ml"]}
    features = {}
    for r in results.get("radiomics", []):
        if "error" not in r:
            features[r["region"]] = {k: (float("nan") if v is None else v) for k, v in r["features"].items()}
    cac = results.get("cac", {})
    cac = ({"agatston": cac["agatston"], "volume_mm3": cac["volume_mm3"], "mass_mg": cac["mass_mg"],
            "risk_category": cac["risk_category"]} if cac.get("computed") else None)
    signatures = {s["name"]: {"score": s["score"], "group": s.get("group", "")}
                  for s in results.get("signatures", []) if s.get("computable")}
    return {"regions": regions, "features": features, "cac": cac, "signatures": signatures}


def expected_from_db(connection, analysis_id):
    """The values the SR must carry, from the node's results tables (storage/migrations/0003)."""
    c = connection
    regions = {name: {"voxel_count": n, "volume_ml": ml} for name, n, ml in c.execute(
        "SELECT region, voxel_count, volume_ml FROM region_results WHERE analysis_id = ? AND found = 1 "
        "AND voxel_count > 0", (analysis_id,))}
    features = {}
    for region, feature, value in c.execute(
            "SELECT region, feature, value FROM features WHERE analysis_id = ?", (analysis_id,)):
        features.setdefault(region, {})[feature] = float("nan") if value is None else value
    row = c.execute("SELECT computed, agatston, volume_mm3, mass_mg, risk_category FROM cac_results "
                    "WHERE analysis_id = ?", (analysis_id,)).fetchone()
    cac = ({"agatston": row[1], "volume_mm3": row[2], "mass_mg": row[3], "risk_category": row[4]}
           if row and row[0] else None)
    signatures = {name: {"score": score, "group": group} for name, score, group in c.execute(
        "SELECT name, score, risk_group FROM signature_results WHERE analysis_id = ? AND computable = 1",
        (analysis_id,))}
    return {"regions": regions, "features": features, "cac": cac, "signatures": signatures}


def _modifier(num, concept):
    return [v for c, _, v in num["modifiers"] if c[:2] == concept]


def sr_mismatches(groups, expected, seg=None):
    """Every disagreement between the SR's measurement groups and the expected results (empty when
    all agree), plus counts of what was compared. With `seg` (read_seg's answer), each group's
    referenced segment must be the SEG segment of its region with the group's finding as type."""
    problems = []
    counts = {"volumes": 0, "features": 0, "cac": 0, "signatures": 0, "feature_classes": set(),
              "image_types": set()}
    concept_of = {}  # class_feature -> concept code, the same for every image type and region
    segments = {s["number"]: s for s in (seg or {}).get("segments", [])}
    by_region = {}
    for g in groups:
        region = region_of(g)
        if region in by_region:
            problems.append(f"two measurement groups for {region}")
        by_region[region] = g
    if set(by_region) != set(expected["regions"]):
        problems.append(f"groups {sorted(by_region)} != found regions {sorted(expected['regions'])}")
    seen_signatures = set()
    cac_seen = False
    for region, g in by_region.items():
        where = f"group {g['tracking_id']!r}"
        if not g["tracking_uid"]:
            problems.append(f"{where}: no tracking UID")
        if seg is not None:
            s = segments.get(g["segment"])
            if s is None:
                problems.append(f"{where}: referenced segment {g['segment']} not in the SEG")
            else:
                if s["description"] != region:
                    problems.append(f"{where}: segment {g['segment']} is {s['description']!r}")
                if g["finding"] is None or (s["type"]["value"], s["type"]["scheme"]) != g["finding"][:2]:
                    problems.append(f"{where}: finding {g['finding']} != segment type {s['type']}")
                # The segment carries the group's tracking identifier and UID (one region, one track).
                if (s.get("tracking_id"), s.get("tracking_uid")) != (g["tracking_id"], g["tracking_uid"]):
                    problems.append(f"{where}: segment tracking {s.get('tracking_id')!r} {s.get('tracking_uid')!r}"
                                    f" != group's {g['tracking_uid']!r}")
        features = dict(expected["features"].get(region, {}))
        volume_seen = False
        for num in g["nums"]:
            concept = num["concept"][:2]
            what = f"{where} NUM {num['concept']}"
            keys = _modifier(num, EQUIVALENT_MEANING)
            if concept == VOLUME:
                volume_seen = True
                if num["unit"][:2] != ("mm3", "UCUM"):
                    problems.append(f"{what}: unit {num['unit']}")
                want = expected["regions"].get(region, {}).get("volume_ml")
                if want is None or not ds_matches(num["value"], want * 1000.0):
                    problems.append(f"{what}: {num['value']} != {want} ml")
                counts["volumes"] += 1
            elif concept in (AGATSTON, CAC_VOLUME, CAC_MASS):
                cac_seen = True
                field = {AGATSTON: "agatston", CAC_VOLUME: "volume_mm3", CAC_MASS: "mass_mg"}[concept]
                want = (expected["cac"] or {}).get(field)
                if want is None or not ds_matches(num["value"], want):
                    problems.append(f"{what}: {num['value']} != cac {field} {want}")
                counts["cac"] += 1
            elif concept[1] == PRIVATE and concept[0].startswith("RS"):
                name = keys[0] if keys else None
                want = expected["signatures"].get(name)
                if want is None or not ds_matches(num["value"], want["score"]):
                    problems.append(f"{what}: {num['value']} != signature {name} {want}")
                    continue
                if num["concept"] != ("RS" + fnv1a32(name), PRIVATE, f"Signature score {name}"):
                    problems.append(f"{what}: signature code is not RS+FNV-1a of {name!r}")
                groups_coded = _modifier(num, SIGNATURE_GROUP)
                if want["group"]:
                    if groups_coded != [("RG" + fnv1a32(want["group"]), PRIVATE, want["group"])]:
                        problems.append(f"{what}: risk group {groups_coded} != {want['group']!r}")
                elif groups_coded:
                    problems.append(f"{what}: risk group {groups_coded} without one in the results")
                seen_signatures.add(name)
                counts["signatures"] += 1
            elif keys:
                key = keys[0]
                if key not in features:
                    problems.append(f"{what}: {key} of {region} is not in the results")
                    continue
                want = features.pop(key)
                if not ds_matches(num["value"], want):
                    problems.append(f"{what}: {key} = {num['value']} != {want!r}")
                image_type, cls, name = key.split("_", 2)
                previous = concept_of.setdefault(f"{cls}_{name}", num["concept"])
                if previous != num["concept"]:
                    problems.append(f"{what}: {key} coded {num['concept']}, elsewhere {previous}")
                if concept[1] == PRIVATE and num["concept"] != ("RF" + fnv1a32(f"{cls}_{name}"), PRIVATE,
                                                                f"PyRadiomics {cls} {name}"):
                    problems.append(f"{what}: private code of {key} is not RF+FNV-1a of {cls}_{name}")
                elif concept[1] not in (PRIVATE, "IBSI"):
                    problems.append(f"{what}: {key} coded in {concept[1]}")
                filters = _modifier(num, IMAGE_FILTER)
                want_filters = [] if image_type == "original" else [("RI" + fnv1a32(image_type), PRIVATE,
                                                                       image_type)]
                if filters != want_filters:
                    problems.append(f"{what}: image filter {filters} != {want_filters} for {key}")
                counts["features"] += 1
                counts["feature_classes"].add(cls)
                counts["image_types"].add(image_type)
            else:
                problems.append(f"{what}: a NUM no result maps to ({num['value']})")
        if region in expected["regions"] and not volume_seen:
            problems.append(f"{where}: no volume")
        for code in g["codes"]:
            if code["concept"][:2] == CAC_RISK:
                cac_seen = True
                category = (expected["cac"] or {}).get("risk_category")
                if code["value"] != ("RC" + fnv1a32(category or ""), PRIVATE, category):
                    problems.append(f"{where}: risk category {code['value']} != {category!r}")
                counts["cac"] += 1
            else:
                problems.append(f"{where}: unexpected CODE {code}")
        # Features without a NUM: only non-finite values, each with a Comment naming it.
        for key, value in features.items():
            if isinstance(value, float) and not math.isfinite(value):
                if not any(key in c and "not computed" in c for c in g["comments"]):
                    problems.append(f"{where}: {key} is {value} in the results but has no Comment")
            else:
                problems.append(f"{where}: {key} = {value!r} of the results is not in the SR")
    for region in expected["features"]:
        if region not in by_region:
            problems.append(f"radiomics of {region} but no measurement group")
    if expected["cac"] is not None and counts["cac"] != 4:
        problems.append(f"CAC: {counts['cac']} of 4 values (Agatston, volume, mass, risk) in the SR")
    if expected["cac"] is None and cac_seen:
        problems.append("CAC values in the SR of an analysis without CAC")
    missing = set(expected["signatures"]) - seen_signatures
    if missing:
        problems.append(f"signatures not in the SR: {sorted(missing)}")
    return problems, counts


def seg_mismatches(seg, expected, tumour_manual=True):
    """Disagreements between seg_readback's answer and the found regions of the results: one
    segment per region (SegmentDescription = region name), exactly its voxel count, and the
    property codes docs/conformance.md states (SCT category and type; private PTRING type for the
    peritumoral regions; tumour MANUAL, the others AUTOMATIC "radnode")."""
    problems = []
    if seg["type"] != "BINARY":
        problems.append(f"segmentation type {seg['type']}")
    by_region = {}
    for s in seg["segments"]:
        by_region.setdefault(s["description"], []).append(s)
    if sorted(by_region) != sorted(expected["regions"]):
        problems.append(f"segments {sorted(by_region)} != found regions {sorted(expected['regions'])}")
    for region, found in by_region.items():
        if len(found) != 1:
            problems.append(f"{len(found)} segments for {region}")
        s = found[0]
        want = expected["regions"].get(region)
        if want is not None and s["voxels"] != want["voxel_count"]:
            problems.append(f"{region}: {s['voxels']} voxels in the SEG, {want['voxel_count']} in the results")
        if not s["label"]:
            problems.append(f"{region}: no SegmentLabel")
        if s["category"]["scheme"] != "SCT" or not s["category"]["value"] or not s["category"]["meaning"]:
            problems.append(f"{region}: category {s['category']} is not an SCT code")
        ring = region.startswith("ring_") or region.startswith("shell_")
        if ring:
            if (s["type"]["value"], s["type"]["scheme"]) != ("PTRING", PRIVATE):
                problems.append(f"{region}: type {s['type']} is not the private peritumoral code")
        elif s["type"]["scheme"] != "SCT" or not s["type"]["value"] or not s["type"]["meaning"]:
            problems.append(f"{region}: type {s['type']} is not an SCT code")
        if region == "tumour" and tumour_manual:
            if s["algorithm_type"] != "MANUAL":
                problems.append(f"tumour: algorithm type {s['algorithm_type']}")
        elif (s["algorithm_type"], s["algorithm_name"]) != ("AUTOMATIC", "radnode"):
            problems.append(f"{region}: algorithm {s['algorithm_type']} {s['algorithm_name']!r}")
    numbers = [s["number"] for s in seg["segments"]]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"segment numbers {numbers}")
    return problems
