"""What runs on the Dask workers. Each function runs the real `sighted` binary
(all parsing and matching stay in C) and returns a small dict; a failure of
sighted is returned as {"fatal": message, "code": exit status} rather than
raised, so the client prints sighted's own words, never a traceback.

Shards are content-addressed in the cache directory (shared by every worker):
the key hashes the input's identity (size, mtime, XXH3-128 of the content,
label), the byte range, the sighted binary, the campaign and its indicators,
the options and the proxies file. A shard is published by rename once
complete, so a worker killed mid-task leaves nothing behind but a temp file,
and two workers racing on the same shard publish the same bytes.
"""

import ctypes
import hashlib
import json
import os
import signal
import stat
import subprocess
import time
import uuid

from .sightings import SightingsError, merge_files

SHARD_BUILD_TIME = "2000-01-01T00:00:00Z"  # the merge stamps the real one
CACHE_VERSION = 2
HASH_BLOCK = 4 << 20

def _parent_death_kill():
    """A preexec function: the sighted child dies with the worker that
    started it (a worker killed with -9 must not leave its sighted reading,
    and writing a shard nobody waits for). Looked up on the worker: ctypes
    objects do not travel with the task."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None
    return lambda: prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_sighted(argv):
    """(exit status, stderr text) of one sighted run."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, preexec_fn=_parent_death_kill(),
                           env=dict(os.environ, SIGHTED_NO_PROGRESS="1"))
    except OSError as e:
        return 127, f"{argv[0]}: {e.strerror}\n"
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0:
        err += f"{argv[0]} {argv[1]}: killed by signal {-p.returncode}\n"
        return 4, err
    return p.returncode, err


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path, text):
    """Temp name in the same directory, fsync, rename, fsync the directory."""
    d = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(d, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(d)


def _digest(path, h):
    with open(path, "rb") as f:
        while True:
            b = f.read(HASH_BLOCK)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def sha256_file(path):
    return _digest(path, hashlib.sha256())


def content_hash(path):
    """"xxh3_128:HEX" of a file's content (python3-xxhash, the hash sighted
    itself uses: ~13x SHA-256's speed, so identifying an input costs a small
    fraction of correlating it), or "sha256:HEX" where it is missing."""
    try:
        import xxhash
    except ImportError:
        return "sha256:" + sha256_file(path)
    return "xxh3_128:" + _digest(path, xxhash.xxh3_128())


def key_of(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def describe(ctx):
    """Facts every later task needs, learnt once on a worker: what the binary
    supports, its identity, and that of the campaign (its indicators as
    sighted loads them and its definition files)."""
    sighted = ctx["sighted"]
    rc, helptext = 0, ""
    try:
        p = subprocess.run([sighted, "correlate", "--help"], capture_output=True)
        rc, helptext = p.returncode, p.stdout.decode("utf-8", "replace")
    except OSError as e:
        return {"fatal": f"{sighted}: {e.strerror}", "code": 4}
    if rc != 0:
        return {"fatal": f"{sighted} correlate --help: exit status {rc}", "code": 4}
    argv = [sighted, "indicators", "--json", "-q", "-c", ctx["campaign"]]
    argv += ctx["ind_args"] + ctx["indicators"]
    try:
        p = subprocess.run(argv, capture_output=True)
    except OSError as e:
        return {"fatal": f"{sighted}: {e.strerror}", "code": 4}
    if p.returncode not in (0,) and ctx["indicators"]:
        # an ad-hoc campaign (no definition) with indicator files of its own
        p = subprocess.run(argv[:4] + ctx["ind_args"] + ctx["indicators"], capture_output=True)
    if p.returncode != 0:
        return {"fatal": p.stderr.decode("utf-8", "replace").strip(), "code": p.returncode}
    camp = hashlib.sha256(p.stdout)
    cdir = ctx["campaigns"]
    for name in sorted(os.listdir(cdir)) if os.path.isdir(cdir) else []:
        fp = os.path.join(cdir, name)
        if os.path.isfile(fp):
            camp.update(name.encode() + b"\0" + sha256_file(fp).encode())
    return {
        "has_range": "--range" in helptext,
        "has_learn": "--learn-proxies" in helptext,
        "sighted_id": sha256_file(sighted),
        "campaign_id": camp.hexdigest(),
    }


def identify(path, cache):
    """Input identity: size, mtime and hash of the content, remembered
    per (device, inode, size, mtime, ctime) so a rerun does not read the file
    again. None for what cannot be hashed (unreadable, not a regular file):
    such an input is never cached, and sighted says what is wrong with it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    memo = None
    if cache:
        mk = key_of([CACHE_VERSION, os.path.realpath(path), st.st_dev, st.st_ino, st.st_size,
                     st.st_mtime_ns, st.st_ctime_ns])
        memo = os.path.join(cache, "ident", mk + ".json")
        try:
            with open(memo, encoding="utf-8") as f:
                ident = json.load(f)
            if isinstance(ident, dict) and {"size", "mtime_ns", "hash"} <= ident.keys():
                return ident
        except (OSError, ValueError):
            pass  # none yet, or half written by a worker that died: hash again
    try:
        digest = content_hash(path)
    except OSError:
        return None
    ident = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "hash": digest}
    if memo:
        os.makedirs(os.path.dirname(memo), exist_ok=True)
        write_atomic(memo, json.dumps(ident))
    return ident


def _errors(stderr, shard):
    """sighted's messages worth showing: its per-file summary when it ends
    in an error, and its own error lines."""
    out = []
    for line in stderr.splitlines():
        if "; error: " in line or line.startswith("sighted ") or "killed by signal" in line:
            out.append(line)
    if shard.get("range"):
        out = [f"{l} (bytes {shard['range'][0]}:{shard['range'][1]})" for l in out]
    return out


def _range_args(shard):
    r = shard.get("range")
    return ["--range", f"{r[0]}:{r[1]}"] if r else []


def _hold_for_test():
    # Test hook (tests/dask/faults.t): the first task to get here on any
    # worker records its worker's pid and waits, so the test can kill -9 that
    # worker while it holds a task. Unset in any real run.
    d = os.environ.get("SIGHTED_DASK_TEST_HOLD")
    if not d:
        return
    try:
        fd = os.open(os.path.join(d, "held"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return
    os.write(fd, f"{os.getpid()}\n".encode())
    os.close(fd)
    while not os.path.exists(os.path.join(d, "release")):
        time.sleep(0.05)


def _shard_key(kind, ctx, shard, ident, extra):
    if ident is None or not ctx["cache"]:
        return None
    return key_of({"v": CACHE_VERSION, "kind": kind, "sighted": ctx["sighted_id"],
                   "campaign": ctx["campaign_id"], "args": ctx["args"],
                   "label": shard["label"], "ident": ident, "range": shard.get("range"),
                   "extra": extra})


def _workdir(ctx, key):
    d = os.path.join(ctx["cache"], "shards") if key else ctx["rundir"]
    os.makedirs(d, exist_ok=True)
    return d


def learn(ctx, shard, ident):
    """Phase 1: the proxy/resolver roles this shard shows."""
    key = _shard_key("roles", ctx, shard, ident, None)
    name = key or f"roles-{shard['idx']}"
    d = _workdir(ctx, key)
    final = os.path.join(d, name + ".roles")
    if key and os.path.exists(final):
        return {"roles": final, "reused": True, "errors": []}
    tmp = os.path.join(d, f".{name}.{uuid.uuid4().hex}.roles")
    argv = [ctx["sighted"], "correlate", "-q", *ctx["args"], "--learn-proxies", tmp,
            *_range_args(shard), shard["path"]]
    rc, err = run_sighted(argv)
    if rc not in (0, 3) or not os.path.exists(tmp):
        return {"fatal": "\n".join(_errors(err, shard)) or err.strip()
                or f"{argv[0]} correlate: exit status {rc}",
                "code": rc if rc in (2, 3, 4) else 4}
    if rc == 0 and key:
        os.rename(tmp, final)
        return {"roles": final, "reused": False, "errors": []}
    return {"roles": tmp, "reused": False, "errors": _errors(err, shard), "code": rc}


def correlate(ctx, shard, ident, roles):
    """Phase 2: the shard's snapshot and sightings, from the cache when the
    same input, range, binary, campaign, options and roles were done before."""
    roles_id = roles["sha256"] if roles else None
    key = _shard_key("shard", ctx, shard, ident, roles_id)
    name = key or f"shard-{shard['idx']}"
    d = _workdir(ctx, key)
    sdb, jsonl, meta = (os.path.join(d, name + e) for e in (".sdb", ".jsonl", ".json"))
    res = {"sdb": sdb, "jsonl": jsonl, "bytes": shard["bytes"], "errors": [], "code": 0}
    if key and os.path.exists(meta):
        res["reused"] = True
        return res
    _hold_for_test()
    tag = uuid.uuid4().hex
    tsdb, tjsonl = (os.path.join(d, f".{name}.{tag}{e}") for e in (".sdb", ".jsonl"))
    argv = [ctx["sighted"], "correlate", "-q", *ctx["args"], "--build-time", SHARD_BUILD_TIME,
            "-o", tsdb, "--sightings", tjsonl]
    if roles:
        argv += ["--proxies", roles["path"]]
    argv += [*_range_args(shard), shard["path"]]
    rc, err = run_sighted(argv)
    if rc not in (0, 3) or not os.path.exists(tsdb) or not os.path.exists(tjsonl):
        for p in (tsdb, tjsonl):
            try:
                os.unlink(p)
            except OSError:
                pass
        return {"fatal": "\n".join(_errors(err, shard)) or err.strip()
                or f"{argv[0]} correlate: exit status {rc}",
                "code": rc if rc in (2, 3, 4) else 4}
    res.update(reused=False, errors=_errors(err, shard), code=rc)
    if rc == 0 and key:
        os.rename(tjsonl, jsonl)
        os.rename(tsdb, sdb)
        write_atomic(meta, json.dumps({"path": shard["path"], "range": shard.get("range")}))
    else:
        # a shard with an unreadable or truncated input is used for this run
        # (as sighted writes what it found) but never cached: it moves to
        # the run's directory, removed at the end
        os.makedirs(ctx["rundir"], exist_ok=True)
        res["sdb"], res["jsonl"] = (os.path.join(ctx["rundir"], os.path.basename(p))
                                    for p in (tsdb, tjsonl))
        os.rename(tsdb, res["sdb"])
        os.rename(tjsonl, res["jsonl"])
    return res


def merge(ctx, children, out_sdb, out_jsonl, build_time):
    """One node of the merge tree: `sighted merge` of the children's
    snapshots, and the join of their sightings."""
    for c in children:
        if "fatal" in c:
            return c
    argv = [ctx["sighted"], "merge", "--build-time", build_time]
    if out_sdb:
        argv += ["-o", out_sdb, *[c["sdb"] for c in children]]
        rc, err = run_sighted(argv)
        if rc != 0:
            return {"fatal": err.strip() or f"{argv[0]} merge: exit status {rc}",
                    "code": rc if rc in (2, 3, 4) else 4}
    if out_jsonl:
        inputs = [c["jsonl"] for c in children]
        d = os.path.dirname(os.path.abspath(out_jsonl))
        tmp = os.path.join(d, f".{os.path.basename(out_jsonl)}.{uuid.uuid4().hex}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                merge_files(inputs, f)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, out_jsonl)
            _fsync_dir(d)
        except SightingsError as e:
            os.unlink(tmp)
            return {"fatal": str(e), "code": 3}
        except OSError as e:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return {"fatal": f"{out_jsonl}: {e.strerror}", "code": 4}
    return {"sdb": out_sdb, "jsonl": out_jsonl, "errors": [], "code": 0}
