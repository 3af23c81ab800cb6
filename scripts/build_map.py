"""Build the map of the member states (`tracker/data/americas_map.json`) from Natural Earth's boundaries.

The boundaries are Natural Earth's 1:50m Admin 0 countries (public domain), as TopoJSON in the npm
package world-atlas 2.0.2 (ISC licence). The result is committed, so the site fetches nothing at run
time; run this again only to change the drawing:

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python -m scripts.build_map /tmp/package/countries-50m.json

Each member state becomes one SVG path in a plate carrée projection of the Americas (longitudes
scaled by the cosine of 20°), simplified to about a kilometre at the drawing's scale; a state too
small to point at gets a marker at its largest island. The land of the rest of the hemisphere is drawn
beneath, as one path, for context.
"""

import argparse
import json
import math
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tracker" / "data" / "americas_map.json"

# ISO 3166-1: numeric code (world-atlas's ids) to the alpha-3 code the tracker uses.
MEMBER_STATES = {
    "028": "ATG", "032": "ARG", "044": "BHS", "052": "BRB", "084": "BLZ", "068": "BOL", "076": "BRA",
    "124": "CAN", "152": "CHL", "170": "COL", "188": "CRI", "192": "CUB", "212": "DMA", "214": "DOM",
    "218": "ECU", "222": "SLV", "308": "GRD", "320": "GTM", "328": "GUY", "332": "HTI", "340": "HND",
    "388": "JAM", "484": "MEX", "558": "NIC", "591": "PAN", "600": "PRY", "604": "PER", "659": "KNA",
    "662": "LCA", "670": "VCT", "740": "SUR", "780": "TTO", "840": "USA", "858": "URY", "862": "VEN",
}  # fmt: skip

WEST, EAST, SOUTH, NORTH = -170.0, -30.0, -56.5, 76.0
SCALE = 7.0  # drawing units per degree of latitude
COS = math.cos(math.radians(20))
TOLERANCE = 0.35  # drawing units kept apart by the simplification
SMALL = 40.0  # a state of less area than this (in square units) gets a marker
MARKER_RADIUS = 5.0


def decode_arcs(topology):
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indices):
    points = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def project(lon, lat):
    return ((lon - WEST) * SCALE * COS, (NORTH - lat) * SCALE)


def inside(points):
    return all(WEST <= lon <= EAST and SOUTH <= lat <= NORTH + 10 for lon, lat in points)


def simplify(points, tolerance):
    """Douglas and Peucker's simplification, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            x, y = points[i]
            d = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length if length else math.hypot(x - x1, y - y1)
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def area(points):
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))) / 2


def centroid(points):
    xs, ys = zip(*points, strict=True)
    return (round(sum(xs) / len(xs), 1), round(sum(ys) / len(ys), 1))


def path(rings):
    parts = []
    for points in rings:
        coordinates = [f"{x:.1f} {y:.1f}" for x, y in points]
        deduplicated = [c for i, c in enumerate(coordinates) if i == 0 or c != coordinates[i - 1]]
        if len(deduplicated) >= 3:
            parts.append("M" + "L".join(deduplicated) + "Z")
    return "".join(parts)


def shapes(arcs, geometry, *, tolerance):
    """The projected, simplified rings of a geometry that lie in the drawing (holes included)."""
    rings = []
    for polygon in polygons(geometry):
        for indices in polygon:
            points = ring(arcs, indices)
            if not inside(points):
                continue
            projected = simplify([project(lon, min(lat, NORTH)) for lon, lat in points], tolerance)
            if len(projected) >= 3:
                rings.append(projected)
    return rings


def build(topology):
    arcs = decode_arcs(topology)
    states = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = MEMBER_STATES.get(geometry.get("id"))
        if code is None:
            continue
        rings = shapes(arcs, geometry, tolerance=TOLERANCE)
        largest = max(rings, key=area)
        states[code] = {
            "d": path(rings),
            "marker": centroid(largest) if sum(area(r) for r in rings) < SMALL else None,
        }
    missing = set(MEMBER_STATES.values()) - set(states)
    if missing:
        sys.exit(f"not found in the boundaries: {', '.join(sorted(missing))}")
    land = []
    for geometry in topology["objects"]["land"]["geometries"]:
        land += [r for r in shapes(arcs, geometry, tolerance=TOLERANCE * 2) if area(r) > 1.0]
    width, height = project(EAST, SOUTH)
    return {
        "viewBox": f"0 0 {width:.0f} {height:.0f}",
        "marker_radius": MARKER_RADIUS,
        "land": path(land),
        "states": dict(sorted(states.items())),
        "source": "Natural Earth, 1:50m Admin 0 countries (public domain), from world-atlas 2.0.2 (ISC licence)",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="countries-50m.json of world-atlas 2.0.2")
    args = parser.parse_args()
    topology = json.loads(args.topojson.read_text())
    if "land" not in topology["objects"]:
        # countries-50m.json holds the land too; other files may not.
        sys.exit("the file has no 'land' object")
    drawing = build(topology)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(drawing, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{OUT}: {OUT.stat().st_size:,} bytes, {len(drawing['states'])} states")


if __name__ == "__main__":
    main()
