"""A Sankey diagram of how residents moved between the steps of the participation chain: where
they came from in a column on the left, where they went in a column on the right, and a band
between the two for every move, as thick as the number of residents who made it. Laid out in
SVG units for templates/reports/sankey.html; no database, so the caller brings the counts."""

# The dashboard's series colours first, then more after Paul Tol's palette for the common
# colour-vision deficiencies, darkened so a band at 45% opacity still shows on white. Past
# eight they repeat; the labels and tooltips still tell the steps apart.
NODE_COLOURS = [
    "#1f5fa8",
    "#d8731c",
    "#3f8f3a",
    "#aa3377",
    "#3a9cc9",
    "#6e6e6e",
    "#b09a1f",
    "#5d3a9b",
]
# The geometry in SVG units: all bands together are BAND_HEIGHT high, whatever the counts.
BAND_HEIGHT = 300
BAR_WIDTH = 12
# Room for a line of text between two nodes, so the labels of small nodes don't overlap.
NODE_GAP = 16
# A node of one resident among thousands would be invisible without it.
MIN_NODE_HEIGHT = 2
# Above the first node and below the last, so their labels are not cut off.
MARGIN = 10
EMPTY_HEIGHT = 40
LABEL_PADDING = 6
# Roughly the width of a character at the chart's type size (12).
CHARACTER_WIDTH = 7


def sankey(sources, targets, moves, width=560):
    """sources: ordered list of (key, label) for the left column (e.g. ("in", "Came in"), then
    chain steps by pk); targets: ordered list of (key, label) for the right column (chain steps,
    then ("paid", "Paid work"), ("other", "Left otherwise")); moves: {(source_key, target_key):
    count} with count > 0 (zero/missing pairs are not drawn).
    Returns a dict for the template: width, height, nodes (list), links (list)."""
    moves = {pair: count for pair, count in moves.items() if count > 0}
    source_keys = [key for key, _label in sources]
    target_keys = [key for key, _label in targets]
    unknown = [(s, t) for s, t in moves if s not in source_keys or t not in target_keys]
    if unknown:
        raise ValueError(f"Moves between keys not in sources or targets: {unknown}")
    total = sum(moves.values())
    if not total:
        return {"width": width, "height": EMPTY_HEIGHT, "nodes": [], "links": []}

    # A key keeps its colour in both columns and whatever was counted, so a step looks the
    # same on the left and the right, and from one period to the next.
    colours = {}
    for key, _label in [*sources, *targets]:
        colours.setdefault(key, NODE_COLOURS[len(colours) % len(NODE_COLOURS)])

    scale = BAND_HEIGHT / total
    left = column(sources, lambda key: [(key, t) for t in target_keys], moves, scale)
    right = column(targets, lambda key: [(s, key) for s in source_keys], moves, scale)
    height = max(left["bottom"], right["bottom"]) + MARGIN

    label_characters = (width // 2 - BAR_WIDTH - 2 * LABEL_PADDING) // CHARACTER_WIDTH
    nodes = []
    for side, x, anchor, text_x in (
        (left, 0, "start", BAR_WIDTH + LABEL_PADDING),
        (right, width - BAR_WIDTH, "end", width - BAR_WIDTH - LABEL_PADDING),
    ):
        for node in side["nodes"]:
            nodes.append(
                {
                    "x": x,
                    "y": round(node["y"], 1),
                    "width": BAR_WIDTH,
                    "height": round(node["height"], 1),
                    "label": node["label"],
                    "short_label": short_label(node["label"], node["count"], label_characters),
                    "count": node["count"],
                    "colour": colours[node["key"]],
                    "text_x": text_x,
                    "text_y": round(node["y"] + node["height"] / 2, 1),
                    "anchor": anchor,
                }
            )

    source_labels, target_labels = dict(sources), dict(targets)
    links = []
    # In the order of the left column, then of the right, like the nodes.
    for source, target in sorted(
        moves, key=lambda pair: (source_keys.index(pair[0]), target_keys.index(pair[1]))
    ):
        links.append(
            {
                "d": band_path(
                    BAR_WIDTH,
                    left["band_edges"][(source, target)],
                    width - BAR_WIDTH,
                    right["band_edges"][(source, target)],
                ),
                "colour": colours[source],
                "count": moves[(source, target)],
                "source_label": str(source_labels[source]),
                "target_label": str(target_labels[target]),
            }
        )
    return {"width": width, "height": round(height, 1), "nodes": nodes, "links": links}


def column(ends, pairs_of, moves, scale):
    """One column's nodes top to bottom, leaving out those no one passed through, and where
    each band meets its node: {(source, target): (top, bottom)}. pairs_of(key) gives a node's
    moves in the order of the other column, so that bands leave and arrive in that order and
    cross no more than they must."""
    nodes, band_edges, y = [], {}, MARGIN
    for key, label in ends:
        pairs = [pair for pair in pairs_of(key) if pair in moves]
        count = sum(moves[pair] for pair in pairs)
        if not count:
            continue
        band_top = y
        for pair in pairs:
            band_bottom = band_top + moves[pair] * scale
            band_edges[pair] = (band_top, band_bottom)
            band_top = band_bottom
        height = max(count * scale, MIN_NODE_HEIGHT)
        nodes.append({"key": key, "label": str(label), "count": count, "y": y, "height": height})
        y += height + NODE_GAP
    return {"nodes": nodes, "band_edges": band_edges, "bottom": y - NODE_GAP}


def band_path(start_x, start_edges, end_x, end_edges):
    """A band from one bar to the other: its top edge and its bottom edge each an S-shaped
    cubic Bézier, closed into one filled shape."""
    (start_top, start_bottom), (end_top, end_bottom) = start_edges, end_edges
    middle_x = (start_x + end_x) / 2
    points = [
        ("M", [(start_x, start_top)]),
        ("C", [(middle_x, start_top), (middle_x, end_top), (end_x, end_top)]),
        ("L", [(end_x, end_bottom)]),
        ("C", [(middle_x, end_bottom), (middle_x, start_bottom), (start_x, start_bottom)]),
    ]
    return (
        " ".join(
            command + " " + " ".join(f"{round(x, 1)},{round(y, 1)}" for x, y in coordinates)
            for command, coordinates in points
        )
        + " Z"
    )


def short_label(label, count, characters):
    """'Label (n)' within the characters a column has room for, the label cut short with an
    ellipsis so the count always shows."""
    suffix = f" ({count})"
    room = max(characters - len(suffix), 1)
    if len(label) > room:
        label = label[: room - 1] + "…"
    return label + suffix
