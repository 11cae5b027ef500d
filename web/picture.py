"""The justification path drawn as inline SVG, on the server: no script draws it.

Nodes are laid out left to right by their distance from the path's start (a path is mostly a
chain: statement concepts, broader concepts, the claim, its evidence), edges carry their
predicate's name, and every node the graph has a page for links to it. All text is escaped
here; the page inserts the markup as it is.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from html import escape

NODE_WIDTH, NODE_HEIGHT = 210, 74
COLUMN_GAP, ROW_GAP = 130, 34
MARGIN = 12
# Fill and stroke per kind of node (claims by status); dark text on all of them.
_STYLES = {
    "true": ("#e3f4e8", "#1d7a3a"),
    "false": ("#fbe4e4", "#b3261e"),
    "partly_true": ("#fff4d6", "#8a6100"),
    "claim": ("#eef0f3", "#4a5568"),
    "concept": ("#e8f0fc", "#1f5fbf"),
    "other": ("#f3f3f3", "#555555"),
}


def draw_path(
    edges: Sequence[dict],
    label: Callable[[str], str],
    href: Callable[[str], str | None],
    style: Callable[[str], str],
    predicate_label: Callable[[str], str],
    ident: str = "path",
) -> str:
    """SVG markup for justification edges ({"subject", "predicate", "object", "label"})."""
    if not edges:
        return ""
    nodes: list[str] = []
    for edge in edges:
        for iri in (edge["subject"], edge["object"]):
            if iri not in nodes:
                nodes.append(iri)
    column = _columns(nodes, edges)
    place: dict[str, tuple[int, int]] = {}
    step = NODE_HEIGHT + ROW_GAP
    for col in range(max(column.values()) + 1):
        members = [iri for iri in nodes if column[iri] == col]
        wanted = {iri: _barycentre(iri, edges, place, nodes.index(iri)) for iri in members}
        members.sort(key=wanted.__getitem__)
        free = MARGIN + 18
        for iri in members:  # level with its neighbours when there is room, else below
            y = max(free, int(wanted[iri][0]) if wanted[iri][0] else free)
            place[iri] = (MARGIN + col * (NODE_WIDTH + COLUMN_GAP), y)
            free = y + step
    width = MARGIN * 2 + (max(column.values()) + 1) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP
    height = max(y for _, y in place.values()) + NODE_HEIGHT + MARGIN
    title = "Justification path: " + "; ".join(e["label"] for e in edges)
    out = [
        f'<svg class="path-picture" xmlns="http://www.w3.org/2000/svg" role="group" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{ident}-title">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        "<defs>",
        f'<marker id="{ident}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#333333"/></marker>',
        "</defs>",
    ]
    for edge in edges:
        out.append(_edge(edge, place, predicate_label(edge["predicate"]), ident))
    for iri in nodes:
        out.append(_node(iri, place[iri], label(iri), href(iri), style(iri)))
    out.append("</svg>")
    return "\n".join(out)


def _columns(nodes: list[str], edges: Sequence[dict]) -> dict[str, int]:
    """Each node's column: its distance from the path's first node, edges taken either way
    (a justification is mostly a star around its claim, or a chain up the taxonomy)."""
    neighbours: dict[str, set[str]] = {iri: set() for iri in nodes}
    for edge in edges:
        neighbours[edge["subject"]].add(edge["object"])
        neighbours[edge["object"]].add(edge["subject"])
    column = {nodes[0]: 0}
    frontier = [nodes[0]]
    while frontier:
        following = []
        for iri in frontier:
            for other in sorted(neighbours[iri], key=nodes.index):
                if other not in column:
                    column[other] = column[iri] + 1
                    following.append(other)
        frontier = following
    return {iri: column.get(iri, 0) for iri in nodes}


def _barycentre(iri: str, edges: Sequence[dict], place: dict, order: int) -> tuple[float, int]:
    """Where a node sits best in its column: level with the nodes it joins, already placed."""
    joined = [
        place[other][1]
        for edge in edges
        for mine, other in ((edge["subject"], edge["object"]), (edge["object"], edge["subject"]))
        if mine == iri and other in place
    ]
    return (sum(joined) / len(joined) if joined else 0.0, order)


def _on_curve(t: float, *points: tuple[float, float]) -> tuple[float, float]:
    """The point at t of a cubic Bezier curve."""
    weights = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3)
    x = sum(w * p[0] for w, p in zip(weights, points, strict=True))
    y = sum(w * p[1] for w, p in zip(weights, points, strict=True))
    return round(x, 1), round(y, 1)


def _edge(edge: dict, place: dict[str, tuple[int, int]], name: str, ident: str) -> str:
    (ax, ay), (bx, by) = place[edge["subject"]], place[edge["object"]]
    middle = NODE_HEIGHT / 2
    if bx != ax:  # between columns, either way: side to side
        forward = bx > ax
        x1 = ax + NODE_WIDTH if forward else ax
        x2 = bx if forward else bx + NODE_WIDTH
        y1, y2 = ay + middle, by + middle
        bend = (x2 - x1) / 2
        d = f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
    else:  # within a column: a loop out to the right
        x1 = x2 = ax + NODE_WIDTH
        y1, y2 = ay + middle, by + middle
        bulge = x1 + COLUMN_GAP * 0.6
        d = f"M{x1},{y1} C{bulge},{y1} {bulge},{y2} {x2},{y2}"
    if bx != ax:  # the label near the far end, where edges fanning out have parted
        lx, ly = _on_curve(0.68, (x1, y1), (x1 + bend, y1), (x2 - bend, y2), (x2, y2))
        ly -= 4
    else:  # beside the loop's outermost point
        lx, ly = x1 + COLUMN_GAP * 0.45 + 4, (y1 + y2) / 2 + 4
    anchor = "middle" if bx != ax else "start"
    lines = textwrap.wrap(name, 18) or [name]
    text = "".join(
        f'<tspan x="{lx}" dy="{0 if i == 0 else 13}">{escape(line)}</tspan>'
        for i, line in enumerate(lines[:2])
    )
    ly -= 13 * (min(len(lines), 2) - 1) / 2
    return (
        f'<g class="edge"><path d="{d}" fill="none" stroke="#333333" stroke-width="1.5" '
        f'marker-end="url(#{ident}-arrow)"/>'
        f'<text class="edge-label" x="{lx}" y="{ly}" text-anchor="{anchor}" font-size="12" '
        f'fill="#222222" stroke="#ffffff" stroke-width="4" paint-order="stroke">{text}</text></g>'
    )


def _node(iri: str, at: tuple[int, int], label: str, href: str | None, style: str) -> str:
    x, y = at
    fill, stroke = _STYLES.get(style, _STYLES["other"])
    rounded = 30 if style == "concept" else 6
    lines = textwrap.wrap(label, 26) or [label]
    if len(lines) > 3:
        lines = lines[:3]
        lines[2] = lines[2][:24].rstrip() + "\u2026"
    first = y + NODE_HEIGHT / 2 - 8 * (len(lines) - 1) + 5
    text = "".join(
        f'<tspan x="{x + NODE_WIDTH / 2}" y="{first + 16 * i}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    shape = (
        f'<rect x="{x}" y="{y}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="{rounded}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>'
        f'<text x="{x + NODE_WIDTH / 2}" text-anchor="middle" font-size="13" '
        f'fill="#111111">{text}</text>'
    )
    kind = "concept" if style == "concept" else "claim" if style != "other" else "node"
    if href is None:
        return f'<g class="node">{shape}</g>'
    return (
        f'<a class="node" href="{escape(href)}" aria-label="{escape(f"{kind}: {label}")}">'
        f"{shape}</a>"
    )
