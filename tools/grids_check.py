#!/usr/bin/env python3
"""An independent check of a grid GeoJSON file (Linli's /feeds/grids.geojson), with shapely.

Usage: grids_check.py FILE [TOLERANCE_M2]

Checks every feature: a Polygon or MultiPolygon that shapely finds valid, with RFC 7946 winding
(exterior rings counter-clockwise, holes clockwise), and that no two grids with the same parent
(`properties.parent_code`; top-level grids together) overlap by more than TOLERANCE_M2 square
metres (default 1). Areas are measured in a local equirectangular frame around the file's mean
latitude, which is exact enough at a district's size. Prints a JSON report
{"features": n, "problems": [...]} and exits 1 when there are problems.
"""

import json
import math
import sys
from collections import defaultdict

import numpy as np
from shapely import STRtree, transform
from shapely.geometry import shape
from shapely.geometry.polygon import LinearRing
from shapely.validation import explain_validity


def rings(geometry):
    """(exterior, [holes]) for every polygon of a Polygon or MultiPolygon GeoJSON geometry."""
    if geometry["type"] == "Polygon":
        polys = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polys = geometry["coordinates"]
    else:
        return None
    return [(p[0], p[1:]) for p in polys]


def main():
    path = sys.argv[1]
    tolerance = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    with open(path, encoding="utf-8") as f:
        fc = json.load(f)
    problems = []
    features = fc.get("features", [])
    lats = [c[1] for f in features for part in (rings(f["geometry"]) or []) for c in part[0]]
    lat0 = sum(lats) / len(lats) if lats else 0.0
    kx = 111_320.0 * math.cos(math.radians(lat0))
    ky = 110_574.0
    groups = defaultdict(list)
    for i, f in enumerate(features):
        code = f.get("properties", {}).get("code", f"#{i}")
        parts = rings(f["geometry"])
        if parts is None:
            problems.append({"code": code, "problem": f"not a polygon: {f['geometry']['type']}"})
            continue
        for exterior, holes in parts:
            if not LinearRing(exterior).is_ccw:
                problems.append({"code": code, "problem": "exterior ring is clockwise (RFC 7946 wants counter-clockwise)"})
            for h in holes:
                if LinearRing(h).is_ccw:
                    problems.append({"code": code, "problem": "hole is counter-clockwise (RFC 7946 wants clockwise)"})
        geom = transform(shape(f["geometry"]), lambda xy: xy * np.array([kx, ky]))
        if not geom.is_valid:
            problems.append({"code": code, "problem": f"invalid: {explain_validity(geom)}"})
            continue
        groups[f.get("properties", {}).get("parent_code")].append((code, geom))
    for parent, members in groups.items():
        tree = STRtree([g for _, g in members])
        for i, (code, g) in enumerate(members):
            for j in tree.query(g):
                if j <= i:
                    continue
                area = g.intersection(members[j][1]).area
                if area > tolerance:
                    problems.append({"code": code, "problem": f"overlaps {members[j][0]} by {area:.2f} m²"})
    print(json.dumps({"features": len(features), "problems": problems}, ensure_ascii=False))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
