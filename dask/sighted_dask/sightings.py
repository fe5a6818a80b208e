"""Joins `--sightings` JSON Lines of shards into what one `sighted correlate`
run writes (src/correlate/output.c): one line per client x indicator, sorted by
client address and indicator, fields in the same order, rendered as jansson's
compact form.

Only the join is here; every line comes from the C binary. The join rules are
those of output.c: earliest first seen, latest last seen, summed count, union
of evidence, directions and sources, highest confidence, and the example
server of the first source (in input order) that has one. That last rule is
not associative by itself once sources interleave, so lines of intermediate
files carry the rank of the shard their server came from ("_srank"), which
the final file leaves out.
"""

import heapq
import ipaddress
import json

EVIDENCE = ("list", "dns", "flow", "tls", "http")  # db/sighting.c order
CONFIDENCE = ("unknown", "low", "medium", "high")
DIRECTION_BITS = {"outbound": 1, "inbound": 2, "both": 3}
FIELDS = ("client", "campaign", "indicator", "indicator_kind", "indicator_campaign",
          "first_seen", "last_seen", "count", "evidence", "confidence", "direction",
          "server", "server_port", "sources")


def addr_key(text):
    """The 16 bytes net_addr_cmp compares: IPv4 as IPv4-mapped IPv6."""
    a = ipaddress.ip_address(text)
    if a.version == 4:
        return b"\0" * 10 + b"\xff\xff" + a.packed
    return a.packed


class SightingsError(Exception):
    pass


def _earliest(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)  # same fixed-width UTC layout: text order is time order


def _latest(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _direction(a, b):
    bits = DIRECTION_BITS.get(a, 1) | DIRECTION_BITS.get(b, 1)
    return "inbound" if bits == 2 else "both" if bits == 3 else "outbound"


def join(a, b, label_rank):
    """a and b: the same client x indicator from different shards."""
    out = dict(a)
    out["first_seen"] = _earliest(a.get("first_seen"), b.get("first_seen"))
    out["last_seen"] = _latest(a.get("last_seen"), b.get("last_seen"))
    out["count"] = a["count"] + b["count"]
    ev = set(a["evidence"]) | set(b["evidence"])
    out["evidence"] = [e for e in EVIDENCE if e in ev] + sorted(ev - set(EVIDENCE))
    ca, cb = a["confidence"], b["confidence"]
    rank = {c: i for i, c in enumerate(CONFIDENCE)}
    out["confidence"] = ca if rank.get(ca, 0) >= rank.get(cb, 0) else cb
    out["direction"] = _direction(a["direction"], b["direction"])
    sa, sb = a.get("_srank"), b.get("_srank")
    if "server" in b and ("server" not in a or (sb is not None and sa is not None and sb < sa)):
        out["server"], out["server_port"], out["_srank"] = b["server"], b.get("server_port"), sb
    srcs = set(a["sources"]) | set(b["sources"])
    out["sources"] = sorted(srcs, key=lambda s: (label_rank.get(s, len(label_rank)), s))
    return out


def _read(path, srank, ind_rank):
    """Lines of one file as (sort key, object); srank is the shard rank of
    a file written by sighted itself, None for an intermediate file."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                o = json.loads(line)
                ik = (o["indicator_kind"], o["indicator"])
                key = (addr_key(o["client"]), ind_rank[ik])
            except (ValueError, KeyError, TypeError) as e:
                raise SightingsError(f"{path}:{n}: not a sightings line sighted writes ({e})")
            if srank is not None and "server" in o:
                o["_srank"] = srank
            yield key, o


_ESC = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _jstr(s):
    # jansson's escaping: the short forms, other controls as \uXXXX (upper
    # case), everything else (UTF-8 included) as is
    out = []
    for ch in s:
        if ch in _ESC:
            out.append(_ESC[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _jval(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return _jstr(v)
    if isinstance(v, list):
        return "[" + ",".join(_jval(x) for x in v) + "]"
    raise SightingsError(f"unexpected value {v!r} in a sightings line")


def render(o, final):
    parts = [f"{_jstr(k)}:{_jval(o[k])}" for k in FIELDS if k in o]
    if not final and "_srank" in o:
        parts.append(f'"_srank":{_jval(list(o["_srank"]))}')
    return "{" + ",".join(parts) + "}\n"


def merge_files(inputs, out, ind_rank, label_rank, final):
    """inputs: [(path, srank or None)] each sorted as sighted sorts; writes
    the joined lines to the open text file out."""
    streams = [_read(p, tuple(r) if r is not None else None, ind_rank) for p, r in inputs]
    cur_key, cur = None, None
    for key, o in heapq.merge(*streams, key=lambda t: t[0]):
        if "_srank" in o:
            o["_srank"] = tuple(o["_srank"])
        if key == cur_key:
            cur = join(cur, o, label_rank)
            continue
        if cur is not None:
            out.write(render(cur, final))
        cur_key, cur = key, o
    if cur is not None:
        out.write(render(cur, final))
