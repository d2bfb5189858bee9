//! Local search on a feasible assignment, for HiGHS's starts and for an unproven answer: a
//! session moves to another person (or an empty place is filled), a split group moves to one
//! person, and everyone at the highest load hands one session on. A move is kept only when it
//! lowers the objective and breaks no rule; pins never move.

use std::collections::{HashMap, HashSet};

use crate::greedy::{Ceiling, Ledger};
use crate::instance::Instance;

/// A session handed from one person to another: (session, from, to).
type Move = (usize, usize, usize);

/// The assignment being improved, with what the objective's shared terms depend on.
struct Search<'i, 'a> {
    instance: &'i Instance<'a>,
    ledger: Ledger<'i, 'a>,
    holders: Vec<Vec<usize>>,
    /// Sessions each person holds in each group.
    in_group: HashMap<(usize, usize), u32>,
    /// Distinct people per group.
    distinct: Vec<u32>,
    load: Vec<i64>,
    /// Per load class (full-time lecturers, rapporteurs): people at each load, and the highest.
    at_load: [Vec<u32>; 2],
    highest: [i64; 2],
    pinned: HashSet<(usize, usize)>,
    previous: HashSet<(usize, usize)>,
    stop: &'i dyn Fn() -> bool,
}

impl<'i, 'a> Search<'i, 'a> {
    fn new(instance: &'i Instance<'a>, pairs: &[(usize, usize)], ceiling: Ceiling, stop: &'i dyn Fn() -> bool) -> Self {
        let groups = instance
            .sessions
            .iter()
            .filter_map(|s| s.group)
            .max()
            .map_or(0, |g| g + 1);
        let most = instance.sessions.len() + 1;
        let mut search = Search {
            instance,
            ledger: Ledger::new(instance),
            holders: vec![Vec::new(); instance.sessions.len()],
            in_group: HashMap::new(),
            distinct: vec![0; groups],
            load: vec![0; instance.people.len()],
            at_load: [vec![0; most], vec![0; most]],
            highest: [0; 2],
            pinned: instance.pinned.iter().copied().collect(),
            previous: instance.previous.iter().copied().collect(),
            stop,
        };
        for (k, class) in search.classes().into_iter().enumerate() {
            search.at_load[k][0] = class.len() as u32;
        }
        for &(s, q) in pairs {
            search.apply(s, None, Some(q));
        }
        search.ledger.ceiling = ceiling;
        search
    }

    fn stopped(&self) -> bool {
        (self.stop)()
    }

    /// The people of each load class.
    fn classes(&self) -> [Vec<usize>; 2] {
        [0, 1].map(|k| (0..self.instance.people.len()).filter(|&q| self.member(k, q)).collect())
    }

    fn member(&self, k: usize, q: usize) -> bool {
        self.instance.people[q].load_classes()[k]
    }

    /// What moving session `s` from `from` to `to` changes in the objective (`None` is an empty
    /// place). Feasibility is not checked here.
    fn delta(&self, s: usize, from: Option<usize>, to: Option<usize>) -> i64 {
        let w = &self.instance.problem.weights;
        let mut delta = 0;
        for (q, sign) in [(from, -1), (to, 1)] {
            match q {
                Some(q) => {
                    delta += sign * self.instance.pair_cost(s, q);
                    if self.previous.contains(&(s, q)) {
                        delta -= sign * w.change;
                    }
                }
                None => delta += sign * w.uncovered,
            }
        }
        if let Some(g) = self.instance.sessions[s].group {
            let before = self.distinct[g] as i64;
            let mut after = before;
            if from.is_some_and(|q| self.in_group.get(&(g, q)) == Some(&1)) {
                after -= 1;
            }
            if to.is_some_and(|q| !self.in_group.contains_key(&(g, q))) {
                after += 1;
            }
            delta += w.continuity * ((after - 1).max(0) - (before - 1).max(0));
        }
        for k in 0..2 {
            let highest = self.highest[k];
            let gains = to.filter(|&q| self.member(k, q)).map(|q| self.load[q] + 1);
            let loses = from.filter(|&q| self.member(k, q)).map(|q| self.load[q]);
            let new = if gains.is_some_and(|l| l > highest) {
                highest + 1
            } else if loses == Some(highest) && self.at_load[k][highest as usize] == 1 && gains != Some(highest) {
                highest - 1
            } else {
                highest
            };
            delta += w.max_load * (new - highest);
        }
        delta
    }

    /// Whether `to` may take `s` (eligible, not on it, free and under every cap).
    fn allowed(&self, s: usize, to: usize) -> bool {
        self.instance.sessions[s].eligible.binary_search(&to).is_ok() && self.ledger.can_take(to, s)
    }

    fn apply(&mut self, s: usize, from: Option<usize>, to: Option<usize>) {
        let group = self.instance.sessions[s].group;
        if let Some(q) = from {
            self.ledger.release(q, s);
            self.holders[s].retain(|&p| p != q);
            if let Some(g) = group {
                let n = self.in_group.get_mut(&(g, q)).expect("held in the group");
                *n -= 1;
                if *n == 0 {
                    self.in_group.remove(&(g, q));
                    self.distinct[g] -= 1;
                }
            }
            self.shift_load(q, -1);
        }
        if let Some(q) = to {
            self.ledger.take(q, s);
            self.holders[s].push(q);
            if let Some(g) = group {
                let n = self.in_group.entry((g, q)).or_default();
                if *n == 0 {
                    self.distinct[g] += 1;
                }
                *n += 1;
            }
            self.shift_load(q, 1);
        }
    }

    fn shift_load(&mut self, q: usize, by: i64) {
        for k in 0..2 {
            if self.member(k, q) {
                self.at_load[k][self.load[q] as usize] -= 1;
                self.at_load[k][(self.load[q] + by) as usize] += 1;
                self.highest[k] = self.highest[k].max(self.load[q] + by);
                while self.highest[k] > 0 && self.at_load[k][self.highest[k] as usize] == 0 {
                    self.highest[k] -= 1;
                }
            }
        }
        self.load[q] += by;
    }

    /// The best move of `s` away from `from` (another person, or an empty place when `from` is
    /// someone), with its change to the objective.
    fn best_move(&self, s: usize, from: Option<usize>, also_empty: bool) -> Option<(i64, Option<usize>)> {
        let mut best: Option<(i64, Option<usize>)> = None;
        if also_empty && from.is_some() {
            best = Some((self.delta(s, from, None), None));
        }
        for &r in &self.instance.sessions[s].eligible {
            if Some(r) == from || self.holders[s].contains(&r) {
                continue;
            }
            let d = self.delta(s, from, Some(r));
            if best.is_none_or(|(b, _)| d < b) && self.allowed(s, r) {
                best = Some((d, Some(r)));
            }
        }
        best
    }

    /// Moves single sessions and fills empty places while that lowers the objective.
    fn single_moves(&mut self) -> bool {
        let mut improved = false;
        for s in 0..self.instance.sessions.len() {
            if self.stopped() {
                break;
            }
            for from in self.holders[s].clone() {
                if self.pinned.contains(&(s, from)) {
                    continue;
                }
                if let Some((d, to)) = self.best_move(s, Some(from), true)
                    && d < 0
                {
                    self.apply(s, Some(from), to);
                    improved = true;
                }
            }
            while (self.holders[s].len() as u32) < self.instance.sessions[s].needs {
                match self.best_move(s, None, false) {
                    Some((d, Some(to))) if d < 0 => {
                        self.apply(s, None, Some(to));
                        improved = true;
                    }
                    _ => break,
                }
            }
        }
        improved
    }

    /// Hands every session of a split group to one of its eligible people, where that saves.
    fn join_groups(&mut self) -> bool {
        let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
        for (s, info) in self.instance.sessions.iter().enumerate() {
            if let Some(g) = info.group {
                members.entry(g).or_default().push(s);
            }
        }
        let mut groups: Vec<(usize, Vec<usize>)> = members.into_iter().collect();
        groups.sort();
        let mut improved = false;
        for (g, sessions) in groups {
            if self.stopped() {
                break;
            }
            if self.distinct[g] < 2 {
                continue;
            }
            let mut people: Vec<usize> = sessions
                .iter()
                .flat_map(|&s| self.instance.sessions[s].eligible.clone())
                .collect();
            people.sort();
            people.dedup();
            for r in people {
                let moves: Vec<Move> = sessions
                    .iter()
                    .filter(|&&s| !self.holders[s].contains(&r))
                    .filter_map(|&s| {
                        self.holders[s]
                            .iter()
                            .find(|&&q| !self.pinned.contains(&(s, q)))
                            .map(|&q| (s, q, r))
                    })
                    .collect();
                if !moves.is_empty()
                    && let Some(d) = self.price(&moves)
                    && d < 0
                {
                    for &(s, q, r) in &moves {
                        self.apply(s, Some(q), Some(r));
                    }
                    improved = true;
                    break;
                }
            }
        }
        improved
    }

    /// Lowers a highest load: each person at it hands on a session, or a group they hold
    /// alone, to someone below it, when the saving on the max-load term outweighs the moves.
    fn lower_highest(&mut self) -> bool {
        let mut improved = false;
        for (k, class) in self.classes().into_iter().enumerate() {
            let highest = self.highest[k];
            if highest == 0 || self.stopped() {
                continue;
            }
            let top: Vec<usize> = class.iter().copied().filter(|&q| self.load[q] == highest).collect();
            let mut done: Vec<Move> = Vec::new();
            let mut total = 0;
            for q in top {
                // Pricing every handover of many people at the top takes a while: a stop
                // undoes the ones made so far.
                let handover = if self.stopped() {
                    None
                } else {
                    self.cheapest_handover(k, q, highest)
                };
                let Some((d, moves)) = handover else {
                    total = i64::MAX;
                    break;
                };
                total += d;
                for &(s, q, r) in &moves {
                    self.apply(s, Some(q), Some(r));
                }
                done.extend(moves);
            }
            if total < 0 {
                improved = true;
            } else {
                for &(s, q, r) in done.iter().rev() {
                    self.apply(s, Some(r), Some(q));
                }
            }
        }
        improved
    }

    /// The cheapest way for `q` to hand on one session, or all of a group's sessions they
    /// hold, to one person who stays below `highest` (in load class `k`): its change to the
    /// objective and its (session, giver, receiver) moves.
    fn cheapest_handover(&mut self, k: usize, q: usize, highest: i64) -> Option<(i64, Vec<Move>)> {
        let mut units: Vec<Vec<usize>> = Vec::new();
        let mut by_group: HashMap<usize, Vec<usize>> = HashMap::new();
        for &s in &self.ledger.held[q] {
            if self.pinned.contains(&(s, q)) {
                continue;
            }
            units.push(vec![s]);
            if let Some(g) = self.instance.sessions[s].group {
                by_group.entry(g).or_default().push(s);
            }
        }
        units.extend(by_group.into_values().filter(|list| list.len() > 1));
        units.sort();
        let mut best: Option<(i64, Vec<Move>)> = None;
        for unit in units {
            for &r in &self.instance.sessions[unit[0]].eligible {
                if r == q || (self.member(k, r) && self.load[r] + unit.len() as i64 >= highest) {
                    continue;
                }
                let moves: Vec<Move> = unit.iter().map(|&s| (s, q, r)).collect();
                if let Some(d) = self.price(&moves)
                    && best.as_ref().is_none_or(|(b, _)| d < *b)
                {
                    best = Some((d, moves));
                }
            }
        }
        best
    }

    /// What these (session, from, to) moves, made in order, would change in the objective, or
    /// `None` if one of them breaks a rule; the assignment is left as it was.
    fn price(&mut self, moves: &[Move]) -> Option<i64> {
        let mut total = 0;
        let mut done = 0;
        for &(s, q, r) in moves {
            if self.holders[s].contains(&r) || !self.allowed(s, r) {
                break;
            }
            total += self.delta(s, Some(q), Some(r));
            self.apply(s, Some(q), Some(r));
            done += 1;
        }
        for &(s, q, r) in moves[..done].iter().rev() {
            self.apply(s, Some(r), Some(q));
        }
        (done == moves.len()).then_some(total)
    }

    fn pairs(&self) -> Vec<(usize, usize)> {
        let mut pairs: Vec<(usize, usize)> = self
            .holders
            .iter()
            .enumerate()
            .flat_map(|(s, list)| list.iter().map(move |&q| (s, q)))
            .collect();
        pairs.sort();
        pairs
    }
}

/// A better (or the same) feasible assignment: moves are searched until none lowers the
/// objective (each lowers a whole number, so that comes), or until `stop` says so. No move
/// takes a load over `ceiling`.
pub fn improve(
    instance: &Instance,
    pairs: &[(usize, usize)],
    ceiling: Ceiling,
    stop: &dyn Fn() -> bool,
) -> Vec<(usize, usize)> {
    let mut search = Search::new(instance, pairs, ceiling, stop);
    loop {
        let mut improved = search.single_moves();
        improved |= search.join_groups();
        improved |= search.lower_highest();
        if !improved || search.stopped() {
            return search.pairs();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check_assignments;
    use crate::evaluate::terms;
    use crate::format::read_problem;
    use crate::generate::{Size, generate};
    use crate::greedy::assign;
    use crate::problem::{Pair, Problem};

    /// A problem over districts D1 and D2, 10 minutes apart, with class sessions of module
    /// SC-01 in D1 on the given days of March 2027 (morning), full-time lecturers qualified
    /// for it (id, home, unavailable period), and weights for travel, continuity and `extra`.
    fn problem(people: &[(&str, &str, &str)], sessions: &[(&str, u32, Option<&str>)], extra: &str) -> Problem {
        let people: Vec<String> = people
            .iter()
            .map(|(id, home, away)| {
                format!(
                    r#"{{"id": "{id}", "roles": ["lecturer_full_time"], "home_district": "{home}",
                        "qualifications": ["SC-01"], "unavailable": [{away}]}}"#
                )
            })
            .collect();
        let sessions: Vec<String> = sessions
            .iter()
            .map(|(id, day, group)| {
                format!(
                    r#"{{"id": "{id}", "kind": "class", "start": "2027-03-{day:02}T07:30:00+07:00",
                        "end": "2027-03-{day:02}T11:00:00+07:00", "district": "D1", "qualification": "SC-01",
                        "group": {}}}"#,
                    group.map_or("null".to_string(), |g| format!("{g:?}"))
                )
            })
            .collect();
        read_problem(&format!(
            r#"{{"format": "roster-problem/1", "timezone": "Asia/Ho_Chi_Minh",
                "districts": [{{"id": "D1"}}, {{"id": "D2"}}],
                "travel_minutes": {{"D1": {{"D1": 0, "D2": 10}}, "D2": {{"D1": 10, "D2": 0}}}},
                "people": [{}], "sessions": [{}],
                "weights": {{"uncovered": 10000, "travel_minute": 1, "continuity": 30 {extra}}}}}"#,
            people.join(","),
            sessions.join(",")
        ))
        .unwrap()
    }

    /// The improved assignment, after checking that it keeps every rule and costs no more.
    fn improved(problem: &Problem, start: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let instance = Instance::new(problem).unwrap();
        let better = improve(&instance, start, [None, None], &|| false);
        let pairs = crate::pairs_by_id(problem, &better);
        assert_eq!(check_assignments(problem, &pairs).violations, Vec::<String>::new());
        assert!(terms(&instance, &better).total() <= terms(&instance, start).total());
        better
    }

    #[test]
    fn a_session_moves_to_a_cheaper_person_and_an_empty_place_is_filled() {
        let p = problem(
            &[("P1", "D1", ""), ("P2", "D2", "")],
            &[("S1", 1, None), ("S2", 2, None)],
            "",
        );
        // P2 travels 10 minutes to S1 while P1 is free; S2 is empty.
        assert_eq!(improved(&p, &[(0, 1)]), [(0, 0), (1, 0)]);
        // With a max-load weight of 50, P2's 10 minutes to S2 are cheaper than P1's second session.
        let p = problem(
            &[("P1", "D1", ""), ("P2", "D2", "")],
            &[("S1", 1, None), ("S2", 2, None)],
            r#", "max_load": 50"#,
        );
        assert_eq!(improved(&p, &[(0, 1)]), [(0, 0), (1, 1)]);
    }

    #[test]
    fn everyone_at_the_highest_load_hands_on_a_session_when_that_saves() {
        let sessions: Vec<(String, u32)> = (1..=6).map(|d| (format!("S{d}"), d)).collect();
        let sessions: Vec<(&str, u32, Option<&str>)> = sessions.iter().map(|(id, d)| (id.as_str(), *d, None)).collect();
        let p = problem(
            &[("P1", "D1", ""), ("P2", "D1", ""), ("P3", "D2", "")],
            &sessions,
            r#", "max_load": 50"#,
        );
        // P1 and P2 hold three sessions each. Moving one session alone saves nothing (the other
        // still has three); both handing one to P3 costs 20 minutes and saves 50 of max load.
        let start = [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 1)];
        let better = improved(&p, &start);
        let loads: Vec<usize> = (0..3)
            .map(|q| better.iter().filter(|&&(_, p)| p == q).count())
            .collect();
        assert_eq!(loads, [2, 2, 2]);
    }

    #[test]
    fn a_split_group_goes_to_the_one_person_who_can_take_all_of_it() {
        let away = |day: u32| {
            format!(r#"{{"start": "2027-03-{day:02}T00:00:00+07:00", "end": "2027-03-{day:02}T23:00:00+07:00"}}"#)
        };
        let (away1, away2) = (away(2), away(1));
        let p = problem(
            &[("P1", "D2", &away1), ("P2", "D2", &away2), ("P3", "D2", "")],
            &[("S1", 1, Some("C1/SC-01")), ("S2", 2, Some("C1/SC-01"))],
            "",
        );
        // P1 can take only S1, P2 only S2, both at P3's cost: no single move saves anything.
        assert_eq!(improved(&p, &[(0, 0), (1, 1)]), [(0, 2), (1, 2)]);
    }

    #[test]
    fn pins_stay() {
        let p = problem(&[("P1", "D1", ""), ("P2", "D2", "")], &[("S1", 1, None)], "");
        let p = Problem {
            pinned: vec![Pair {
                session: "S1".into(),
                person: "P2".into(),
            }],
            ..p
        };
        assert_eq!(improved(&p, &[(0, 1)]), [(0, 1)]);
    }

    #[test]
    fn generated_problems_improve_from_the_greedy_start_and_keep_every_rule() {
        for seed in 1..=3 {
            let p = generate(Size {
                people: 40,
                sessions: 120,
                months: 1,
                seed,
            });
            let instance = Instance::new(&p).unwrap();
            let start = assign(&instance, [None, None], &[]);
            let better = improved(&p, &start);
            assert!(
                terms(&instance, &better).total() < terms(&instance, &start).total(),
                "seed {seed}"
            );
        }
    }
}
