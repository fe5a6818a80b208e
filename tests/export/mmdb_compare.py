#!/usr/bin/python3
"""Compares an exported MMDB with `sighted check --json` answers.

usage: mmdb_compare.py FILE.mmdb CHECK.jsonl
For every query in CHECK.jsonl, reads the MMDB with python3-maxminddb and
with Debian's mmdblookup and prints a TAP line per reader: listed or not,
the most specific network, the campaigns and the summed count must agree.
"""
import json, subprocess, sys
import maxminddb

mmdb, check = sys.argv[1], sys.argv[2]
reader = maxminddb.open_database(mmdb)
want = [json.loads(l) for l in open(check)]


def expected(q):
    if not q["listed"]:
        return None
    camps = []
    count = 0
    for m in q["matches"]:
        for s in m["sightings"]:
            if s["campaign"] not in camps:
                camps.append(s["campaign"])
            count += s["count"]
    return (q["matches"][0]["key"], sorted(camps), count)


def from_record(r):
    if r is None:
        return None
    if r.get("listed") is not True:
        return ("no listed flag", [], 0)
    return (r["network"], sorted(r["campaigns"]), r["count"])


def mmdblookup(addr):
    """The same three fields, read by libmaxminddb's own CLI."""
    got = []
    for path in (["network"], ["count"], ["campaigns"]):
        p = subprocess.run(["mmdblookup", "--file", mmdb, "--ip", addr] + path,
                           capture_output=True, text=True)
        if "Could not find an entry" in p.stdout + p.stderr:
            return None
        if p.returncode != 0:
            return ("error", p.stderr.strip(), 0)
        got.append(p.stdout)
    net = got[0].split('"')[1]
    count = int(got[1].split()[0])
    camps = sorted(x.split('"')[1] for x in got[2].splitlines() if '"' in x)
    return (net, camps, count)


bad_py = bad_cli = 0
for q in want:
    x = expected(q)
    a = q["query"]
    py = from_record(reader.get(a))
    cli = mmdblookup(a)
    if py != x:
        bad_py += 1
        print(f"# python3-maxminddb {a}: got {py}, sighted check says {x}")
    if cli != x:
        bad_cli += 1
        print(f"# mmdblookup {a}: got {cli}, sighted check says {x}")
n = len(want)
listed = sum(1 for q in want if q["listed"])
print(("ok" if bad_py == 0 else "not ok") +
      f" - python3-maxminddb agrees with sighted check on {n - bad_py}/{n} addresses ({listed} listed)")
print(("ok" if bad_cli == 0 else "not ok") +
      f" - mmdblookup agrees with sighted check on {n - bad_cli}/{n} addresses ({listed} listed)")
md = reader.metadata()
print(("ok" if md.database_type == "sighted-impacted" and md.ip_version == 6
       and md.record_size in (24, 28, 32) and md.languages == ["en"] else "not ok")
      + f" - metadata: {md.database_type}, IPv{md.ip_version}, {md.record_size}-bit records, {md.node_count} nodes")
