"""Unit tests of sighted_dask's planning and sightings join, printing TAP."""
import io
import json
import os
import sys
import tempfile

sys.path.insert(0, sys.argv[1])
from sighted_dask import plan, sightings  # noqa: E402

n = 0
failed = 0


def ok(cond, what):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {what}")


# merge tree: every node has at most fan_in inputs, one root
ok(plan.merge_levels(1, 16) == [], "one shard: no merge level")
ok(plan.merge_levels(16, 16) == [[16]], "16 shards, fan-in 16: one merge")
ok(plan.merge_levels(17, 16) == [[16, 1], [2]], "17 shards: two levels")
lv = plan.merge_levels(1000, 10)
ok(len(lv) == 3 and lv[-1] == [10] and all(g <= 10 for l in lv for g in l),
   "1000 shards, fan-in 10: depth 3, no node over 10")
ok(sum(lv[0]) == 1000 and all(sum(lv[i + 1]) == len(lv[i]) for i in range(len(lv) - 1)),
   "each level takes every node of the one below once")

# expansion order and ranges
d = tempfile.mkdtemp()
for rel, data in (("b/2.log", b"x\n" * 50), ("b/1.log", b"y\n"), ("a.log", b"z\n"),
                  ("c.gz", b"\x1f\x8b" + b"\0" * 200)):
    os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
    with open(os.path.join(d, rel), "wb") as f:
        f.write(data)
got = plan.expand([os.path.join(d, "b"), os.path.join(d, "*.log"), os.path.join(d, "b/1.log")])
ok(got == [os.path.join(d, p) for p in ("b/1.log", "b/2.log", "a.log")],
   "directories sorted, then globs sorted, each file once")
try:
    plan.expand([os.path.join(d, "none*.log")])
    ok(False, "a glob that matches nothing is an error")
except plan.PlanError as e:
    ok("no file matches" in str(e), "a glob that matches nothing is an error")
sh = plan.shards([os.path.join(d, "b/2.log"), os.path.join(d, "c.gz")], 30, True)
ranges = [s["range"] for s in sh if s["path"].endswith("2.log")]
ok(ranges == [[0, 30], [30, 60], [60, 90], [90, 100]], "a 100-byte log in 30-byte ranges covers it once")
ok([s["range"] for s in sh if s["path"].endswith("c.gz")] == [None], "gzip is never cut")
ok([s["idx"] for s in sh] == list(range(len(sh))), "shards numbered in input order")
sh2 = plan.shards([os.path.join(d, "b/2.log")], 30, False)
ok(len(sh2) == 1 and sh2[0]["range"] is None, "without --range support: whole files")
ok([s["label"] for s in sh][-2:] == ["2.log", "c.gz"], "source labels are the file names")

# the join of sightings lines
base = {"client": "10.0.0.1", "campaign": "c", "indicator": "x.example", "indicator_kind": "domain",
        "indicator_campaign": None, "first_seen": "2023-03-29T13:55:11Z",
        "last_seen": "2023-03-29T13:55:52Z", "count": 2, "evidence": ["dns"],
        "confidence": "low", "direction": "outbound", "sources": ["b.log"]}
other = dict(base, first_seen="2023-03-29T10:00:00Z", last_seen="2023-03-29T12:00:00Z", count=3,
             evidence=["tls", "dns"], confidence="high", direction="inbound",
             server="10.9.9.9", server_port=443, sources=["a.log"])
j = sightings.join(dict(base, server="10.10.0.1", server_port=80), other)
ok(j["first_seen"] == "2023-03-29T10:00:00Z" and j["last_seen"] == "2023-03-29T13:55:52Z",
   "earliest first seen, latest last seen")
ok(j["count"] == 5, "counts add")
ok(j["evidence"] == ["dns", "tls"], "evidence in sighted's order")
ok(j["confidence"] == "high" and j["direction"] == "both", "highest confidence, union of directions")
ok(j["server"] == "10.9.9.9" and j["server_port"] == 443,
   "the lowest example server by address (10.9.9.9 < 10.10.0.1), whichever line came first")
j2 = sightings.join(dict(base, server="10.9.9.9", server_port=8443), other)
ok(j2["server_port"] == 443, "same server address: the lowest port")
ok(sightings.join(base, other)["server"] == "10.9.9.9", "a server wins over none")
ok(j["sources"] == ["a.log", "b.log"], "sources in byte order")
ok(sightings.join(dict(base, first_seen=None), base)["first_seen"] == base["first_seen"],
   "a missing time does not win")
line = sightings.render(dict(base, indicator='a"b\\c\x1fé\n'))
ok(line == json.dumps(dict(base, indicator='a"b\\c\x1fé\n'), separators=(",", ":"),
                      ensure_ascii=False).replace("\\u001f", "\\u001F") + "\n",
   "rendered like jansson's compact form (UTF-8 as is, \\u001F in upper case)")
ok(sightings.addr_key("::1") < sightings.addr_key("0.0.0.1") < sightings.addr_key("10.0.0.1")
   < sightings.addr_key("2001:db8::1"), "clients in sighted's order (IPv4 mapped into IPv6)")

# merge_files: two sorted files into one
f1, f2 = os.path.join(d, "1.jsonl"), os.path.join(d, "2.jsonl")
with open(f1, "w") as f:
    f.write(sightings.render(dict(base, client="10.0.0.1")))
    f.write(sightings.render(dict(base, client="10.0.0.3", indicator="a.example")))
    f.write(sightings.render(dict(base, client="10.0.0.3")))
with open(f2, "w") as f:
    f.write(sightings.render(dict(base, client="10.0.0.2", sources=["a.log"])))
    f.write(sightings.render(dict(base, client="10.0.0.3", sources=["a.log"])))
out = io.StringIO()
sightings.merge_files([f1, f2], out)
lines = [json.loads(x) for x in out.getvalue().splitlines()]
ok([(x["client"], x["indicator"]) for x in lines] ==
   [("10.0.0.1", "x.example"), ("10.0.0.2", "x.example"), ("10.0.0.3", "a.example"),
    ("10.0.0.3", "x.example")], "k-way merge by client, then indicator value")
ok(lines[3]["count"] == 4 and lines[3]["sources"] == ["a.log", "b.log"], "same client x indicator joined")
with open(f1, "w") as f:
    f.write("not json\n")
try:
    sightings.merge_files([f1], io.StringIO())
    ok(False, "a line that is not sighted's is refused")
except sightings.SightingsError as e:
    ok("1.jsonl:1:" in str(e), "a line that is not sighted's is refused with file:line")
print(f"1..{n}")
sys.exit(1 if failed else 0)
