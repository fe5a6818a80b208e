"""Joins `--sightings` JSON Lines of shards into what one `sighted correlate`
run writes, by the rule docs/correlate.md gives ("Sharded runs", 4): lines
with the same client, campaign, indicator and kind join to the earliest
first seen, the latest last seen, the summed count, the union of evidence
(in sighted's order) and of sources (byte order), the highest confidence,
the direction (`both` when they differ) and the lowest example server
(address, then port); lines are sorted by client address, indicator value,
kind, and rendered as jansson's compact form.

Only the join is here; every line comes from the C binary.
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


def _server_key(o):
    return (addr_key(o["server"]), o.get("server_port") or 0)


def join(a, b):
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
    if "server" in b and ("server" not in a or _server_key(b) < _server_key(a)):
        out["server"], out["server_port"] = b["server"], b.get("server_port")
    out["sources"] = sorted(set(a["sources"]) | set(b["sources"]), key=lambda x: x.encode())
    return out


def _read(path):
    """Lines of one file as (sort key, object)."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                o = json.loads(line)
                key = (addr_key(o["client"]), o["indicator"].encode(),
                       o["indicator_kind"].encode(), o["campaign"].encode())
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                raise SightingsError(f"{path}:{n}: not a sightings line sighted writes ({e})")
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


def render(o):
    return "{" + ",".join(f"{_jstr(k)}:{_jval(o[k])}" for k in FIELDS if k in o) + "}\n"


def merge_files(inputs, out):
    """inputs: paths of files each sorted as sighted sorts; writes the
    joined lines, in the same order, to the open text file out."""
    cur_key, cur = None, None
    for key, o in heapq.merge(*(_read(p) for p in inputs), key=lambda t: t[0]):
        if key == cur_key:
            cur = join(cur, o)
            continue
        if cur is not None:
            out.write(render(cur))
        cur_key, cur = key, o
    if cur is not None:
        out.write(render(cur))
