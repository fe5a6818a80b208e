"""sighted-dask: the command line and the driver of a distributed correlate.

  describe   one task: what the binary supports, the campaign's indicators
  identify   one task per file: size, mtime, XXH3-128 (remembered in the cache)
  learn      one task per shard: proxy/resolver roles (sighted --learn-proxies);
             their union is written once and read by every matching task
  correlate  one task per shard: sighted correlate [--range] [--proxies]
  merge      a tree of sighted merge tasks, at most --fan-in inputs each; the
             root writes the snapshot (and the sightings) where asked
"""

import argparse
import os
import shutil
import sys
import time
import uuid

from . import VERSION
from .plan import PlanError, expand, merge_levels, shards
from .progress import Progress

EXIT_OK, EXIT_USAGE, EXIT_DATA, EXIT_FAIL = 0, 2, 3, 4
PROG = "sighted-dask"
TIMINGS = {}  # wall seconds per phase, for the closing line


class Fatal(Exception):
    def __init__(self, msg, code):
        super().__init__(msg)
        self.code = code


def _size(text):
    units = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    t = text.strip().lower().rstrip("ib").rstrip("b") if text.lower().endswith(("b", "ib")) else text.strip().lower()
    u = t[-1:] if t[-1:] in units and not t[-1:].isdigit() else ""
    num = t[: len(t) - len(u)] if u else t
    if not num.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a size (e.g. 256M, 1G, 4096)")
    return int(num) * units[u]


def _positive(text):
    if not text.isdigit() or int(text) < 2:
        raise argparse.ArgumentTypeError(f"'{text}' must be a whole number >= 2")
    return int(text)


def parser():
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Run sighted correlate over many inputs on a Dask cluster; the result is "
                    "byte-identical to one `sighted correlate` of the same inputs.")
    p.add_argument("--version", action="version", version=f"{PROG} {VERSION}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    c = sub.add_parser(
        "correlate", help="telemetry x a campaign's indicators -> snapshot, on a Dask cluster",
        description="Plans one task per input file (large uncompressed line-oriented files cut "
                    "into byte ranges), learns proxy/resolver roles from every input, broadcasts "
                    "them to the matching tasks, and joins the shards with a tree of `sighted "
                    "merge` tasks. Workers run the sighted binary and must see the inputs, the "
                    "binary and the cache directory at the same paths. docs/dask.md.",
        epilog="Exit status: 0 done, 2 usage, 3 an input unreadable or truncated (what was "
               "found is still written, as sighted does), 4 could not finish (write error, "
               "scheduler unreachable, a task lost too often).")
    c.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="telemetry files, directories (every file below, sorted) or globs")
    c.add_argument("--scheduler", required=True, metavar="ADDR",
                   help="Dask scheduler address, e.g. tcp://10.0.0.1:8786")
    c.add_argument("-c", "--campaign", required=True, metavar="NAME")
    c.add_argument("--campaigns", metavar="DIR",
                   help="campaign definitions (default: $SIGHTED_CAMPAIGNS or data/campaigns)")
    c.add_argument("-i", "--indicators", action="append", default=[], metavar="FILE")
    c.add_argument("--misp-all", action="store_true")
    c.add_argument("-o", "--output", metavar="OUT.sdb", help="snapshot to write (atomically)")
    c.add_argument("--sightings", metavar="OUT.jsonl",
                   help="also JSON Lines, one per client x indicator (atomically)")
    c.add_argument("-f", "--format", metavar="FMT")
    c.add_argument("--columns", metavar="MAP")
    c.add_argument("--year", metavar="Y")
    c.add_argument("-s", "--source", metavar="LABEL")
    c.add_argument("--proxy", action="append", default=[], metavar="ADDR")
    c.add_argument("--proxies", action="append", default=[], metavar="FILE",
                   help="role files to use besides the learnt roles (repeatable)")
    c.add_argument("--keep-proxies", action="store_true")
    c.add_argument("--correlate-arg", action="append", default=[], metavar="ARG",
                   help="pass ARG to every sighted correlate (repeatable; e.g. --tz=Europe/Berlin)")
    c.add_argument("--build-time", metavar="TIME",
                   help="snapshot build time (default: SOURCE_DATE_EPOCH or now)")
    c.add_argument("--sighted", metavar="PATH",
                   help="the sighted binary the workers run (default: $SIGHTED, the one next "
                        "to this script, or sighted on PATH)")
    c.add_argument("--cache-dir", metavar="DIR",
                   help="finished shards, reused by a rerun (default: .sighted-dask-cache next "
                        "to the output); must be shared by every worker")
    c.add_argument("--no-cache", action="store_true", help="redo every shard")
    c.add_argument("--split-size", type=_size, default=256 << 20, metavar="SIZE",
                   help="cut uncompressed line-oriented files larger than SIZE into ranges "
                        "of SIZE bytes (default 256M; 0: one task per file)")
    c.add_argument("--fan-in", type=_positive, default=16, metavar="N",
                   help="inputs per merge task (default 16)")
    c.add_argument("--no-learn", action="store_true",
                   help="skip the roles phase (only --proxy/--proxies are known)")
    c.add_argument("--timeout", type=float, default=30, metavar="SECONDS",
                   help="to reach the scheduler (default 30)")
    c.add_argument("-q", "--quiet", action="store_true", help="no progress, only errors")
    return p


def _default_sighted():
    env = os.environ.get("SIGHTED")
    if env:
        return env
    here = os.path.dirname(os.path.realpath(sys.argv[0]))
    for cand in (os.path.join(here, "sighted"), os.path.join(here, "..", "sighted")):
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return shutil.which("sighted") or "sighted"


def _build_time(arg):
    if arg:
        return arg
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    return sde if sde else str(int(time.time()))


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _common_args(a):
    """The correlate options every task passes, with absolute paths: a worker
    does not run in the client's directory."""
    campaigns = os.path.abspath(a.campaigns or os.environ.get("SIGHTED_CAMPAIGNS")
                                or "data/campaigns")
    args = ["-c", a.campaign, "--campaigns", campaigns]
    ind_args = ["--campaigns", campaigns]
    for f in a.indicators:
        args += ["-i", os.path.abspath(f)]
    if a.misp_all:
        args.append("--misp-all")
        ind_args.append("--misp-all")
    for opt, val in (("-f", a.format), ("--columns", a.columns), ("--year", a.year),
                     ("-s", a.source)):
        if val is not None:
            args += [opt, val]
    for px in a.proxy:
        args += ["--proxy", px]
    for pf in a.proxies:
        args += ["--proxies", os.path.abspath(pf)]
    if a.keep_proxies:
        args.append("--keep-proxies")
    args += a.correlate_arg
    return args, ind_args, campaigns


def _check(res, what):
    if "fatal" in res:
        raise Fatal(res["fatal"], res.get("code", EXIT_FAIL))
    return res


def run(a):
    if not a.output and not a.sightings:
        raise Fatal("nothing to write: give -o OUT.sdb and/or --sightings FILE", EXIT_USAGE)
    try:
        paths = expand(a.inputs)
    except PlanError as e:
        raise Fatal(str(e), EXIT_DATA)
    for out in (a.output, a.sightings):
        if out and any(_same_file(out, p) for p in paths):
            raise Fatal(f"{out}: the output is also an input", EXIT_USAGE)
    if a.output and a.sightings and _same_file(a.output, a.sightings):
        raise Fatal("-o and --sightings name the same file", EXIT_USAGE)
    sighted = a.sighted or _default_sighted()
    if os.sep in sighted:
        sighted = os.path.abspath(sighted)
    args, ind_args, campaigns = _common_args(a)
    build_time = _build_time(a.build_time)
    anchor = os.path.dirname(os.path.abspath(a.output or a.sightings))
    cache = None if a.no_cache else os.path.abspath(
        a.cache_dir or os.path.join(anchor, ".sighted-dask-cache"))
    rundir = os.path.join(cache or anchor, f".run-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        os.makedirs(rundir)
    except OSError as e:
        raise Fatal(f"{rundir}: {e.strerror}", EXIT_FAIL)
    try:
        return _drive(a, paths, sighted, args, ind_args, campaigns, build_time, cache, rundir)
    finally:
        shutil.rmtree(rundir, ignore_errors=True)


def _connect(addr, timeout):
    import logging
    # Dask logs a reconnect attempt or a lost worker at WARNING on the
    # client; the driver says what matters itself.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    import cloudpickle
    from distributed import Client
    from . import work
    # Tasks travel by value: workers need Debian's python3-distributed and
    # the sighted binary, not this package.
    from . import sightings
    for m in (work, sightings):
        cloudpickle.register_pickle_by_value(m)
    try:
        return Client(addr, timeout=timeout), work
    except ValueError as e:
        raise Fatal(f"--scheduler {addr}: {e}", EXIT_USAGE)
    except (OSError, TimeoutError) as e:
        raise Fatal(f"cannot reach the Dask scheduler at {addr}: {e}", EXIT_FAIL)


def _dashboard(client, addr, timeout=2.0):
    """The dashboard's link when it answers (the scheduler reports its HTTP
    port even when only the health routes run there)."""
    import urllib.request
    try:
        port = client.scheduler_info().get("services", {}).get("dashboard")
    except Exception:  # an old scheduler without the field: no link
        return None
    if not port:
        return None
    host = addr.split("://", 1)[-1].rsplit(":", 1)[0]
    link = f"http://{host}:{port}/status"
    try:
        with urllib.request.urlopen(link, timeout=timeout) as r:
            return link if r.status == 200 else None
    except (OSError, ValueError):
        return None


def _gather(client, futures, prog, phase):
    """Results in submission order; progress as they complete."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker
    t0 = time.monotonic()
    index = {f.key: i for i, f in enumerate(futures)}
    results = [None] * len(futures)
    prog.phase(phase, len(futures), sum(getattr(f, "_sd_bytes", 0) for f in futures))
    try:
        for f in as_completed(futures):
            r = f.result()
            results[index[f.key]] = r
            prog.done(getattr(f, "_sd_bytes", 0))
    except KilledWorker as e:
        raise Fatal(f"a task was lost with its worker too many times ({e}); "
                    "the cluster's workers keep dying", EXIT_FAIL)
    except Fatal:
        raise
    except Exception as e:  # raised on a worker: say what, without a traceback
        raise Fatal(f"{phase} task failed on a worker: {type(e).__name__}: {e}", EXIT_FAIL)
    prog.end()
    TIMINGS[phase] = TIMINGS.get(phase, 0.0) + time.monotonic() - t0
    return results


def _submit_all(client, fn, ctx_f, items, *extra):
    futs = []
    for item in items:
        args = [a[item["idx"]] if isinstance(a, list) else a for a in extra]
        f = client.submit(fn, ctx_f, item, *args, pure=False)
        f._sd_bytes = item["bytes"]
        futs.append(f)
    return futs


def _dedupe(paths, idents, quiet):
    """Drop an input whose content an earlier one has (sighted reads the
    same content once, whatever its name)."""
    first, kept, kept_ids = {}, [], []
    for p, ident in zip(paths, idents):
        if ident is not None:
            k = (ident["size"], ident["hash"])
            if k in first:
                if not quiet:
                    print(f"{p}: same content as {first[k]} ({ident['size']} bytes): read once",
                          file=sys.stderr)
                continue
            first[k] = p
        kept.append(p)
        kept_ids.append(ident)
    return kept, kept_ids


def _drive(a, paths, sighted, args, ind_args, campaigns, build_time, cache, rundir):
    client, work = _connect(a.scheduler, a.timeout)
    prog = Progress(enabled=not a.quiet and sys.stderr.isatty()
                    and not os.environ.get("SIGHTED_NO_PROGRESS"))
    try:
        link = _dashboard(client, a.scheduler)
        if link and not a.quiet:
            print(f"{PROG}: dashboard {link}", file=sys.stderr)
        ctx = {"sighted": sighted, "campaign": a.campaign, "campaigns": campaigns,
               "ind_args": ind_args, "indicators": [os.path.abspath(f) for f in a.indicators],
               "args": args, "cache": cache, "rundir": rundir}
        desc = _check(client.submit(work.describe, ctx, pure=False).result(), "describe")
        # role files given by the user are part of every shard's key
        given = []
        for pf in a.proxies:
            try:
                given.append(work.sha256_file(pf))
            except OSError as e:
                raise Fatal(f"--proxies {pf}: {e.strerror}", EXIT_DATA)
        ctx.update(sighted_id=desc["sighted_id"],
                   campaign_id=work.key_of([desc["campaign_id"], given]))
        if not client.scheduler_info().get("workers") and not a.quiet:
            print(f"{PROG}: no worker on {a.scheduler} yet: waiting", file=sys.stderr)
        if a.split_size and not desc["has_range"] and not a.quiet:
            print(f"{PROG}: {sighted} has no --range: one task per file", file=sys.stderr)

        # identities first: the same content is read once, as sighted does
        files = [{"idx": i, "path": p, "bytes": _stat_size(p)} for i, p in enumerate(paths)]
        futs = [client.submit(work.identify, f["path"], cache, pure=False) for f in files]
        for f, item in zip(futs, files):
            f._sd_bytes = item["bytes"]
        idents = _gather(client, futs, prog, "identify")
        paths, idents = _dedupe(paths, idents, a.quiet)
        ident_of = dict(zip(paths, idents))

        plan = shards(paths, a.split_size, desc["has_range"], a.source)
        [ctx_f] = client.scatter([ctx], broadcast=True)
        shard_ids = [ident_of[s["path"]] for s in plan]

        roles = None
        if desc["has_learn"] and not a.no_learn:
            learnt = _gather(client, _submit_all(client, work.learn, ctx_f, plan, shard_ids),
                             prog, "roles")
            _report(learnt, errors=False)  # the matching phase reports them
            roles = _union_roles(work, [r["roles"] for r in learnt], cache or rundir)
        elif not desc["has_learn"] and not a.quiet and not a.no_learn:
            print(f"{PROG}: {sighted} has no --learn-proxies: roles are not shared "
                  "between shards", file=sys.stderr)
        roles_f = client.scatter([roles], broadcast=True)[0] if roles else None
        shard_futs = _submit_all(client, work.correlate, ctx_f, plan, shard_ids, roles_f)
        # the whole tree is submitted now: a merge runs as soon as its shards
        # are done, while later shards still run (docs/dask.md)
        merge_futs = _merge_tree(client, work, ctx_f, shard_futs, a, build_time, rundir)
        shard_res = _gather(client, shard_futs, prog, "correlate")
        status = _report(shard_res)
        reused = sum(1 for r in shard_res if r.get("reused"))
        merged = _gather(client, merge_futs, prog, "merge")
        for r in merged:
            _check(r, "merge")
        if not a.quiet:
            total = sum(s["bytes"] for s in plan)
            print(f"{PROG}: {len(plan)} shards ({len(plan) - reused} run, {reused} reused) "
                  f"of {len(paths)} inputs, {total / 1e6:.1f} MB; "
                  f"merge tree of depth {len(merge_levels(len(plan), a.fan_in)) or 1}"
                  f"; wrote {', '.join(p for p in (a.output, a.sightings) if p)}",
                  file=sys.stderr)
            print(f"{PROG}: wall time by phase: " + ", ".join(
                f"{k} {v:.2f} s" for k, v in TIMINGS.items()), file=sys.stderr)
        return status
    finally:
        client.close()


def _stat_size(p):
    try:
        return os.stat(p).st_size
    except OSError:
        return 0


def _report(results, errors=True):
    """Prints every shard's errors (sighted's own words); stops on the worst
    failure once all are shown; else the exit status (3 when an input was
    unreadable or truncated but sighted still wrote what it found)."""
    fatal, status = None, EXIT_OK
    for r in results:
        if "fatal" in r:
            print(r["fatal"], file=sys.stderr)
            code = r.get("code", EXIT_FAIL)
            if fatal is None or code > fatal:
                fatal = code
            continue
        if r.get("code") == EXIT_DATA:
            status = EXIT_DATA
    # a phase that stops names every bad input it met, not only the first
    for r in results if errors or fatal is not None else []:
        for line in r.get("errors", []):
            print(line, file=sys.stderr)
    if fatal is not None:
        raise Fatal("", fatal)
    return status


def _union_roles(work, files, where):
    """One role file for every task: the sorted union of the learnt ones
    (docs/correlate.md: the union of role files is their role set)."""
    import hashlib
    lines = set()
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    lines.add(line)
    text = "".join(l + "\n" for l in sorted(lines, key=lambda s: s.encode()))
    sha = hashlib.sha256(text.encode()).hexdigest()
    os.makedirs(where, exist_ok=True)
    path = os.path.join(where, f"roles-{sha[:32]}.txt")
    if not os.path.exists(path):
        work.write_atomic(path, text)
    return {"path": path, "sha256": sha}


def _merge_tree(client, work, ctx_f, leaves, a, build_time, rundir):
    """Futures of the merge tree over the leaves (futures too), root last.
    Merges go first in a worker's queue (priority): each frees its inputs
    and shortens what is left once the last shard is done."""
    levels = merge_levels(len(leaves), a.fan_in) or [[1]]
    nodes = list(leaves)
    futs_all = []
    for depth, groups in enumerate(levels):
        last = depth == len(levels) - 1
        nxt, i = [], 0
        for k, g in enumerate(groups):
            children = nodes[i:i + g]
            i += g
            if last:
                out_sdb = os.path.abspath(a.output) if a.output else None
                out_jsonl = os.path.abspath(a.sightings) if a.sightings else None
            else:
                out_sdb = os.path.join(rundir, f"m{depth}-{k}.sdb") if a.output else None
                out_jsonl = os.path.join(rundir, f"m{depth}-{k}.jsonl") if a.sightings else None
            f = client.submit(work.merge, ctx_f, children, out_sdb, out_jsonl, build_time,
                              pure=False, priority=10 + depth)
            f._sd_bytes = 0
            nxt.append(f)
            futs_all.append(f)
        nodes = nxt
    return futs_all


def main(argv=None):
    a = parser().parse_args(argv)
    try:
        return run(a)
    except Fatal as e:
        for line in str(e).splitlines():
            print(f"{PROG}: {line}" if not line.startswith(("sighted", "/")) else line,
                  file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
