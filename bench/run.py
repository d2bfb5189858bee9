#!/usr/bin/env python3
"""The scheduler benchmark: generated month, quarter and year instances, and the shared ones
(`../shared/bench-instances/*.json.gz`, made by another generator), solved by `roster solve`
(HiGHS) and by OR-Tools CP-SAT (bench/cpsat.py: same model and objective, 2 workers, same time
limit), in one run. Prints a Markdown table.

    cargo build --release && pip install ortools && python3 bench/run.py [--time-limit 60]
"""
import argparse
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROSTER = os.path.join(HERE, "..", "target", "release", "roster")
SIZES = [("month", 120, 400, 1), ("quarter", 250, 1500, 3), ("year", 400, 6000, 12)]
SHARED = os.path.join(HERE, "..", "..", "shared", "bench-instances")


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (stdout, peak resident MB)."""
    out = subprocess.run(["/usr/bin/time", "-f", "PEAK_KB %M", *cmd], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    peak = next(int(line.split()[1]) for line in out.stderr.splitlines() if line.startswith("PEAK_KB"))
    return out.stdout, peak / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", help="run only the instances whose name contains this")
    ap.add_argument("--shared", default=SHARED, help="directory of shared *.json.gz problems (skipped if missing)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        instances = []
        for name, people, sessions, months in SIZES:
            problem = os.path.join(tmp, f"{name}.json")
            instances.append((f"{name} ({people} people, {sessions} sessions)", problem))
            if args.only and args.only not in name:
                continue
            subprocess.run([ROSTER, "generate-problem", "--people", str(people), "--sessions", str(sessions),
                            "--months", str(months), "--seed", str(args.seed), "-o", problem], check=True)
        for path in sorted(glob.glob(os.path.join(args.shared, "*.json.gz"))):
            name = os.path.basename(path)[: -len(".json.gz")]
            problem = os.path.join(tmp, f"{name}.json")
            with gzip.open(path, "rt") as f:
                p = json.load(f)
            with open(problem, "w") as f:
                json.dump(p, f)
            instances.append((f"shared {name} ({len(p['people'])} people, {len(p['sessions'])} sessions)", problem))
        for label, problem in instances:
            if args.only and args.only not in label:
                continue
            solution = problem[: -len(".json")] + ".solution.json"
            _, roster_mb = timed([ROSTER, "solve", problem, "-o", solution, "--time-limit", str(args.time_limit), "--threads", "2"])
            s = json.load(open(solution))
            check = subprocess.run([ROSTER, "check", problem, solution], capture_output=True, text=True)
            out, cpsat_mb = timed([sys.executable, os.path.join(HERE, "cpsat.py"), problem, "--time-limit", str(args.time_limit),
                                   "--workers", "2", "--target", str(s["objective"])])
            c = json.loads(out)
            roster_s = s["stats"]["solve_seconds"]
            if c["reached_target_seconds"] is not None:
                ratio = f"{c['reached_target_seconds'] / roster_s:.1f}×"
            else:
                ratio = f"> {c['seconds'] / roster_s:.1f}× (never reached)"
            rows.append([
                label,
                f"{s['stats']['variables']:,} / {s['stats']['constraints']:,}",
                f"{s['status']} {s['objective']:,} (bound {s['bound']:,}) in {roster_s:.2f} s, {roster_mb:.0f} MB; check {'OK' if check.returncode == 0 else 'FAILED'}",
                f"{c['status']} {c['objective'] if c['objective'] is None else format(c['objective'], ',')} (bound {c['bound']:,}) in {c['seconds']:.2f} s, {cpsat_mb:.0f} MB",
                "—" if c["reached_target_seconds"] is None else f"{c['reached_target_seconds']:.2f} s",
                ratio,
            ])
    head = ["instance", "variables / constraints (roster)", "roster solve (HiGHS)", "CP-SAT (2 workers)",
            "CP-SAT reached roster's objective", "CP-SAT time ÷ roster time"]
    print(f"Time limit {args.time_limit:g} s each, seed {args.seed}.\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
