//! Tests of the whole solve against enumeration: on small problems made to stress continuity
//! (modules of two to four sessions over people who share qualifications, caps, unavailable
//! half-days, sessions needing two people, a published plan), every `optimal` answer's
//! objective is the least over every assignment that keeps the rules.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::json;

use crate::instance::Instance;
use crate::problem::{Problem, Status};
use crate::{SolveOptions, evaluate, solve};

/// A small problem: `people` lecturers over `sessions` half-days in two weeks, in modules of
/// two to four consecutive half-days.
fn small(seed: u64, people: usize, sessions: usize) -> Problem {
    let mut rng = StdRng::seed_from_u64(seed);
    let half_day = |i: usize| {
        // Two half-days a day, Monday to Friday, from 2027-03-01 (a Monday).
        let day = i / 2;
        let date = 1 + (day / 5) * 7 + day % 5;
        let (start, end) = if i.is_multiple_of(2) {
            ("07:30", "11:00")
        } else {
            ("13:30", "17:00")
        };
        (
            format!("2027-03-{date:02}T{start}:00+07:00"),
            format!("2027-03-{date:02}T{end}:00+07:00"),
        )
    };
    let person_list: Vec<serde_json::Value> = (0..people)
        .map(|i| {
            let role = if rng.random_bool(0.7) {
                "lecturer_full_time"
            } else {
                "lecturer_part_time"
            };
            let qualifications = if rng.random_bool(0.5) {
                vec!["A", "B"]
            } else {
                vec![["A", "B"][i % 2]]
            };
            let unavailable: Vec<serde_json::Value> = if rng.random_bool(0.6) {
                let (start, end) = half_day(rng.random_range(0..sessions + 2));
                vec![json!({"start": start, "end": end})]
            } else {
                vec![]
            };
            let home = ["D1", "D2"][rng.random_range(0..2)];
            let week = if rng.random_bool(0.5) {
                json!(rng.random_range(2..5))
            } else {
                json!(null)
            };
            json!({
                "id": format!("P{i}"), "roles": [role], "home_district": home,
                "qualifications": qualifications, "unavailable": unavailable,
                "max_per_day": rng.random_range(1..3),
                "max_per_week": week,
            })
        })
        .collect();
    let mut session_list = Vec::new();
    let mut module = 0;
    let mut i = 0;
    while i < sessions {
        let length = rng.random_range(2..5).min(sessions - i);
        let qualification = ["A", "B"][rng.random_range(0..2)];
        let district = ["D1", "D2"][rng.random_range(0..2)];
        // Two modules may run side by side: then the next starts on the same half-day.
        let first = if i > 0 && rng.random_bool(0.3) { i - 1 } else { i };
        for k in 0..length {
            let (start, end) = half_day(first + k);
            let needs = if rng.random_bool(0.1) { 2 } else { 1 };
            session_list.push(json!({
                "id": format!("S{}", session_list.len()), "kind": "class", "start": start, "end": end,
                "district": district, "qualification": qualification,
                "needs": needs,
                "group": format!("M{module}"),
            }));
        }
        module += 1;
        i += length;
    }
    let previous: Vec<serde_json::Value> = (0..2)
        .map(|_| {
            json!({"session": format!("S{}", rng.random_range(0..session_list.len())),
                   "person": format!("P{}", rng.random_range(0..people))})
        })
        .collect();
    let problem = json!({
        "format": "roster-problem/1", "timezone": "Asia/Ho_Chi_Minh",
        "districts": [{"id": "D1"}, {"id": "D2"}],
        "travel_minutes": {"D1": {"D1": 0, "D2": 40}, "D2": {"D1": 40, "D2": 0}},
        "people": person_list, "sessions": session_list, "previous": previous,
        "weights": {"uncovered": 1000, "travel_minute": 1, "max_load": 50, "continuity": 200,
                    "part_time": 5, "change": 70},
    });
    crate::format::read_problem(&problem.to_string()).expect("a sound problem")
}

/// The least objective over every assignment that keeps the rules (conflicts, caps, at most
/// `needs` people per session), by depth-first enumeration session by session.
fn least_by_enumeration(instance: &Instance) -> i64 {
    struct Search<'a> {
        instance: &'a Instance<'a>,
        taken: Vec<Vec<usize>>,
        pairs: Vec<(usize, usize)>,
        best: i64,
    }
    impl Search<'_> {
        fn may_take(&self, q: usize, s: usize) -> bool {
            let info = &self.instance.sessions[s];
            let caps = self.instance.people[q].caps;
            self.taken[q].iter().all(|&t| !self.instance.conflict(s, t))
                && (0..3).all(|k| {
                    caps[k].is_none_or(|cap| {
                        let same = self.taken[q]
                            .iter()
                            .filter(|&&t| self.instance.sessions[t].buckets[k] == info.buckets[k])
                            .count();
                        (same as u32) < cap
                    })
                })
        }

        fn visit(&mut self, s: usize) {
            if s == self.instance.sessions.len() {
                let total = evaluate::terms(self.instance, &self.pairs).total();
                self.best = self.best.min(total);
                return;
            }
            let eligible = self.instance.sessions[s].eligible.clone();
            let needs = self.instance.sessions[s].needs as usize;
            self.choose(s, &eligible, 0, needs);
        }

        /// Chooses who else of `eligible[from..]` takes `s`, up to `left` more people.
        fn choose(&mut self, s: usize, eligible: &[usize], from: usize, left: usize) {
            self.visit(s + 1);
            if left == 0 {
                return;
            }
            for i in from..eligible.len() {
                let q = eligible[i];
                if self.may_take(q, s) {
                    self.taken[q].push(s);
                    self.pairs.push((s, q));
                    self.choose(s, eligible, i + 1, left - 1);
                    self.pairs.pop();
                    self.taken[q].pop();
                }
            }
        }
    }
    let mut search = Search {
        instance,
        taken: vec![Vec::new(); instance.people.len()],
        pairs: Vec::new(),
        best: i64::MAX,
    };
    search.visit(0);
    search.best
}

#[test]
fn every_proven_optimum_is_the_least_of_all_assignments() {
    let mut proven = 0;
    for seed in 0..24 {
        let problem = small(seed, 4, 8);
        let instance = Instance::new(&problem).unwrap();
        let least = least_by_enumeration(&instance);
        let solution = solve(
            &problem,
            &SolveOptions {
                threads: 1,
                ..SolveOptions::default()
            },
        );
        assert!(crate::check::check(&problem, &solution).is_valid(), "seed {seed}");
        assert_eq!(solution.status, Status::Optimal, "seed {seed}: no time limit");
        assert_eq!(solution.objective, least, "seed {seed}");
        proven += 1;
    }
    assert_eq!(proven, 24);
    let cuts = crate::model::CUTS_ADDED.load(std::sync::atomic::Ordering::Relaxed);
    assert!(cuts > 0, "the continuity cuts were exercised");
}
