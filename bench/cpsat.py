#!/usr/bin/env python3
"""Solves a roster-problem/1 file with OR-Tools CP-SAT: the same model and objective as
`roster solve` (docs/scheduling-format.md), for the benchmark in bench/run.

Prints one JSON line: status, objective, bound, seconds, the seconds at which CP-SAT first
reached --target (or null), variables, constraints.
"""
import argparse
import json
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

THEORY = {"elementary": 0, "intermediate": 1, "advanced": 2}
RAPPORTEUR = {"grassroots": 0, "district": 1, "province": 2}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("problem")
    ap.add_argument("--time-limit", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--target", type=int, default=None, help="report when the objective first reaches this")
    args = ap.parse_args()
    p = json.load(open(args.problem))
    started = time.monotonic()
    tz = ZoneInfo(p["timezone"])
    w = {k: p["weights"].get(k, 0) for k in ["uncovered", "travel_minute", "max_load", "continuity", "part_time", "language", "change"]}
    travel = p["travel_minutes"]
    people, sessions = p["people"], p["sessions"]
    for s in sessions:
        s["t0"] = datetime.fromisoformat(s["start"]).timestamp()
        s["t1"] = datetime.fromisoformat(s["end"]).timestamp()
        d = datetime.fromisoformat(s["start"]).astimezone(tz).date()
        iso = d.isocalendar()
        s["buckets"] = [d.isoformat(), (iso[0], iso[1]), (d.year, d.month)]
    for q in people:
        q["away"] = [(datetime.fromisoformat(u["start"]).timestamp(), datetime.fromisoformat(u["end"]).timestamp()) for u in q.get("unavailable", [])]

    def eligible(q, s):
        roles = q["roles"]
        if s["kind"] == "class" and not ({"lecturer_full_time", "lecturer_part_time"} & set(roles)):
            return False
        if s["kind"] == "briefing" and "rapporteur" not in roles:
            return False
        if s["qualification"] not in q.get("qualifications", []):
            return False
        if s.get("min_theory_level") and (q.get("theory_level") is None or THEORY[q["theory_level"]] < THEORY[s["min_theory_level"]]):
            return False
        if s.get("min_rapporteur_level") and (q.get("rapporteur_level") is None or RAPPORTEUR[q["rapporteur_level"]] < RAPPORTEUR[s["min_rapporteur_level"]]):
            return False
        if s.get("language_required") and s.get("language") not in q.get("languages", []):
            return False
        return all(not (a < s["t1"] and s["t0"] < b) for a, b in q["away"])

    def conflict(a, b):
        if a["t0"] > b["t0"]:
            a, b = b, a
        return a["t0"] == b["t0"] or b["t0"] - a["t1"] < travel[a["district"]][b["district"]] * 60

    m = cp_model.CpModel()
    x = {}
    by_person = {i: [] for i in range(len(people))}
    by_session = {j: [] for j in range(len(sessions))}
    terms = []
    constant = sum(w["uncovered"] * s["needs"] for s in sessions)
    previous = {(pr["session"], pr["person"]) for pr in p.get("previous", [])}
    constant += w["change"] * len(previous)
    pinned = {(pr["session"], pr["person"]) for pr in p.get("pinned", [])}
    for j, s in enumerate(sessions):
        for i, q in enumerate(people):
            if not eligible(q, s):
                continue
            v = m.NewBoolVar(f"x{i}_{j}")
            x[i, j] = v
            by_person[i].append(j)
            by_session[j].append(i)
            cost = w["travel_minute"] * travel[q["home_district"]][s["district"]] - w["uncovered"]
            if s["kind"] == "class" and "lecturer_full_time" not in q["roles"]:
                cost += w["part_time"]
            if s.get("language") and s["language"] not in q.get("languages", []):
                cost += w["language"]
            if (s["id"], q["id"]) in previous:
                cost -= w["change"]
            if (s["id"], q["id"]) in pinned:
                m.Add(v == 1)
            if cost:
                terms.append(cost * v)
    for j, s in enumerate(sessions):
        if len(by_session[j]) > s["needs"]:
            m.Add(sum(x[i, j] for i in by_session[j]) <= s["needs"])
    # No one in two places at once: pairwise conflicts per person, as at-most-one cliques of
    # sessions that all overlap one another (same sweep as the Rust model).
    max_travel = max(v for row in travel.values() for v in row.values()) * 60
    order = sorted(range(len(sessions)), key=lambda j: (sessions[j]["t0"], j))
    covered = set()
    for k, a in enumerate(order):
        horizon = sessions[a]["t1"] + max_travel
        later = []
        for b in order[k + 1:]:
            if sessions[b]["t0"] >= horizon:
                break
            if conflict(sessions[a], sessions[b]):
                later.append(b)
        open_ = [b for b in later if (min(a, b), max(a, b)) not in covered]
        while open_:
            clique = [a, open_[0]]
            for b in later:
                if b != open_[0] and all(conflict(sessions[c], sessions[b]) for c in clique[1:]):
                    clique.append(b)
            for i1 in range(len(clique)):
                for i2 in range(i1 + 1, len(clique)):
                    covered.add((min(clique[i1], clique[i2]), max(clique[i1], clique[i2])))
            open_ = [b for b in open_ if b not in clique]
            holders = {}
            for j in clique:
                for i in by_session[j]:
                    holders.setdefault(i, []).append(x[i, j])
            for vs in holders.values():
                if len(vs) > 1:
                    m.AddAtMostOne(vs)
    for i, q in enumerate(people):
        for k, cap in enumerate([q.get("max_per_day"), q.get("max_per_week"), q.get("max_per_month")]):
            if cap is None:
                continue
            buckets = {}
            for j in by_person[i]:
                buckets.setdefault(sessions[j]["buckets"][k], []).append(x[i, j])
            for vs in buckets.values():
                if len(vs) > cap:
                    m.Add(sum(vs) <= cap)
    if w["continuity"]:
        groups = {}
        for j, s in enumerate(sessions):
            if s.get("group"):
                groups.setdefault(s["group"], []).append(j)
        for g, js in groups.items():
            holders = {}
            for j in js:
                for i in by_session[j]:
                    holders.setdefault(i, []).append(x[i, j])
            if len(holders) < 2 or sum(sessions[j]["needs"] for j in js) < 2:
                continue
            ys = []
            for i, vs in holders.items():
                y = m.NewBoolVar("")
                m.AddMaxEquality(y, vs)
                ys.append(y)
            c = m.NewIntVar(0, len(ys), "")
            m.Add(c >= sum(ys) - 1)
            terms.append(w["continuity"] * c)
    if w["max_load"]:
        for role in ["lecturer_full_time", "rapporteur"]:
            members = [i for i, q in enumerate(people) if role in q["roles"]]
            if not members:
                continue
            top = m.NewIntVar(0, len(sessions), "")
            for i in members:
                if by_person[i]:
                    m.Add(sum(x[i, j] for j in by_person[i]) <= top)
            terms.append(w["max_load"] * top)
    m.Minimize(sum(terms))

    class Watch(cp_model.CpSolverSolutionCallback):
        def __init__(self):
            super().__init__()
            self.reached = None

        def on_solution_callback(self):
            if args.target is not None and self.reached is None and self.ObjectiveValue() + constant <= args.target + 0.5:
                self.reached = time.monotonic() - started

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = args.workers
    solver.parameters.max_time_in_seconds = max(1.0, args.time_limit - (time.monotonic() - started))
    watch = Watch()
    status = solver.Solve(m, watch)
    proto = m.Proto()
    print(json.dumps({
        "status": solver.StatusName(status).lower(),
        "objective": round(solver.ObjectiveValue() + constant) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
        "bound": round(solver.BestObjectiveBound() + constant),
        "seconds": round(time.monotonic() - started, 2),
        "reached_target_seconds": None if watch.reached is None else round(watch.reached, 2),
        "variables": len(proto.variables),
        "constraints": len(proto.constraints),
    }))


if __name__ == "__main__":
    sys.exit(main())
