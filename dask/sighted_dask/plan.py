"""Planning: which files, in which order, cut into which shards.

The order is the order `sighted correlate` would be given the same inputs
(arguments as given, a directory's files sorted by path, a glob's matches
sorted), so the merge of the shards is the snapshot one machine writes.
"""

import glob
import os

# Formats that cannot be cut at a line: compressed streams and captures.
_BINARY_MAGIC = (
    b"\x1f\x8b",  # gzip
    b"\x28\xb5\x2f\xfd",  # zstd
    b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4",  # pcap, microseconds
    b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",  # pcap, nanoseconds
    b"\x0a\x0d\x0d\x0a",  # pcapng
)


class PlanError(Exception):
    pass


def _is_glob(s):
    return any(c in s for c in "*?[")


def expand(args):
    """Input paths in order, each once (by real path). A directory gives
    every non-directory entry below it (a dangling symlink included: sighted
    reports it); a glob gives its sorted matches and must match something."""
    out, seen = [], set()

    def add(p):
        p = os.path.abspath(p)
        rp = os.path.realpath(p)
        if rp in seen:
            return
        seen.add(rp)
        out.append(p)

    def add_dir(d):
        found = []
        for root, dirs, files in os.walk(d):
            dirs.sort()
            for f in files:
                found.append(os.path.join(root, f))
        for p in sorted(found):
            add(p)

    for a in args:
        if os.path.isdir(a):
            add_dir(a)
        elif os.path.lexists(a) or not _is_glob(a):
            add(a)  # a missing file: sighted says so, naming it
        else:
            matches = sorted(glob.glob(a, recursive=True))
            if not matches:
                raise PlanError(f"{a}: no file matches")
            for m in matches:
                if os.path.isdir(m):
                    add_dir(m)
                else:
                    add(m)
    return out


def splittable(path, size, split_size):
    """A large, uncompressed, line-oriented file (not gzip, zstd or pcap)."""
    if split_size <= 0 or size <= split_size:
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    return not any(head.startswith(m) for m in _BINARY_MAGIC)


def shards(paths, split_size, can_range, source_label=None):
    """Shards in input order: dicts with idx, path, range ([start, end) or
    None), bytes and label (the source name sighted gives: the file name or
    --source)."""
    out = []
    for p in paths:
        label = source_label or os.path.basename(p)
        try:
            size = os.stat(p).st_size
        except OSError:
            size = 0
        if can_range and splittable(p, size, split_size):
            for start in range(0, size, split_size):
                out.append({"path": p, "range": [start, min(start + split_size, size)],
                            "bytes": min(split_size, size - start), "label": label})
        else:
            out.append({"path": p, "range": None, "bytes": size, "label": label})
    for i, s in enumerate(out):
        s["idx"] = i
    return out


def merge_levels(n, fan_in):
    """Group sizes of the merge tree over n leaves: level by level, runs of
    at most fan_in consecutive nodes (consecutive keeps each node's sources
    close together in input order)."""
    levels = []
    while n > 1:
        groups = [min(fan_in, n - i) for i in range(0, n, fan_in)]
        levels.append(groups)
        n = len(groups)
    return levels
