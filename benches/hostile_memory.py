#!/usr/bin/env python3
"""Peak memory of each hostile-server case, per transport, each in a process
of its own (the test binary runs one case when HOSTILE_CASE names it).

    cargo test --all-features --no-run     # builds the three test binaries
    python3 benches/hostile_memory.py      # prints a markdown table

The bound asserted here is 64 MiB of peak resident memory per case; the
process includes the test server, which writes the hostile answers.
"""
import glob
import os
import resource
import subprocess
import sys

BOUND_KIB = 64 * 1024
TRANSPORTS = ["ureq", "tokio", "surf"]
CASES = [
    "silent server", "slow headers", "slow headers then slow body",
    "trickled body with Content-Length", "trickled body without Content-Length",
    "slow endless chunked body", "endless header line", "huge header",
    "1xx then 200", "1xx forever", "HTTP/1.0 with length", "HTTP/1.0 without length",
    "close-delimited HTTP/1.1", "redirect with the token", "silent TLS handshake",
]


def binary(transport):
    found = [
        path for path in glob.glob(f"target/debug/deps/transport_{transport}-*")
        if os.access(path, os.X_OK) and not path.endswith(".d")
    ]
    if not found:
        sys.exit(f"no test binary for {transport}: run `cargo test --all-features --no-run`")
    return max(found, key=os.path.getmtime)


def main():
    os.chdir(os.path.join(os.path.dirname(__file__), ".."))
    print("| server | " + " | ".join(f"{t} (MiB)" for t in TRANSPORTS) + " |")
    print("|---|" + "---|" * len(TRANSPORTS))
    worst = 0
    for case in CASES:
        row = []
        for transport in TRANSPORTS:
            # A wrapper process per case, so each figure is that case's alone.
            code = (
                "import os,resource,subprocess,sys;"
                "subprocess.run(sys.argv[1:], env=dict(os.environ, HOSTILE_CASE=os.environ['CASE']),"
                "capture_output=True, check=True);"
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
            )
            out = subprocess.run(
                [sys.executable, "-c", code, binary(transport),
                 "hostile_servers_end_every_call_as_expected", "--exact", "--test-threads=1"],
                env=dict(os.environ, CASE=case), capture_output=True, text=True, check=True,
            )
            kib = int(out.stdout.strip())
            worst = max(worst, kib)
            row.append(f"{kib / 1024:.1f}")
        print(f"| {case} | " + " | ".join(row) + " |")
    print(f"\nworst case: {worst / 1024:.1f} MiB (bound {BOUND_KIB // 1024} MiB)")
    if worst > BOUND_KIB:
        sys.exit("a case went over the bound")


if __name__ == "__main__":
    main()
