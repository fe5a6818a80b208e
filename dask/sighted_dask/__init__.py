"""sighted-dask: run `sighted correlate` over many inputs on a Dask cluster.

The parsing and matching stay in the C binary: every task runs the real
`sighted` on a file or a byte range of one, and a tree of `sighted merge`
tasks joins the shards into the snapshot one machine would have written.
"""

VERSION = "0.1.0"
