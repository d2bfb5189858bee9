//! A quick feasible assignment: the starting solution handed to HiGHS, so that a time limit
//! always leaves an incumbent. Sessions in time order take, one by one, the cheapest free
//! eligible people whose cost is below the cost of leaving the place empty. Pins first.

use std::collections::HashMap;

use crate::instance::{Bucket, Instance};

/// Who holds what: sessions per person and counts per cap bucket.
pub struct Ledger<'i, 'a> {
    instance: &'i Instance<'a>,
    pub held: Vec<Vec<usize>>,
    counts: HashMap<(usize, Bucket), u32>,
    /// Most sessions a full-time lecturer, and a rapporteur, may hold: not a rule of the
    /// problem, a target the starting assignment can aim its max-load terms at.
    pub ceiling: Ceiling,
}

/// Load ceilings for full-time lecturers and for rapporteurs; `None` is none.
pub type Ceiling = [Option<usize>; 2];

impl<'i, 'a> Ledger<'i, 'a> {
    pub fn new(instance: &'i Instance<'a>) -> Self {
        Ledger {
            instance,
            held: vec![Vec::new(); instance.people.len()],
            counts: HashMap::new(),
            ceiling: [None, None],
        }
    }

    /// Sessions held by `q` that conflict with `s`.
    pub fn conflicts(&self, q: usize, s: usize) -> impl Iterator<Item = usize> + '_ {
        self.held[q]
            .iter()
            .copied()
            .filter(move |&t| t != s && self.instance.conflict(s, t))
    }

    /// Whether taking `s` would put `q` over a day, week or month cap.
    pub fn at_cap(&self, q: usize, s: usize) -> bool {
        let buckets = self.instance.sessions[s].buckets;
        self.instance.people[q]
            .caps
            .iter()
            .zip(buckets)
            .any(|(cap, b)| cap.is_some_and(|cap| self.counts.get(&(q, b)).copied().unwrap_or(0) >= cap))
    }

    pub fn can_take(&self, q: usize, s: usize) -> bool {
        !self.held[q].contains(&s) && self.conflicts(q, s).next().is_none() && !self.at_cap(q, s) && !self.at_ceiling(q)
    }

    fn at_ceiling(&self, q: usize) -> bool {
        let person = &self.instance.people[q];
        [person.full_time, person.rapporteur]
            .into_iter()
            .zip(self.ceiling)
            .any(|(member, ceiling)| member && ceiling.is_some_and(|c| self.held[q].len() >= c))
    }

    pub fn take(&mut self, q: usize, s: usize) {
        self.held[q].push(s);
        for b in self.instance.sessions[s].buckets {
            *self.counts.entry((q, b)).or_default() += 1;
        }
    }

    pub fn release(&mut self, q: usize, s: usize) {
        self.held[q].retain(|&t| t != s);
        for b in self.instance.sessions[s].buckets {
            if let Some(n) = self.counts.get_mut(&(q, b)) {
                *n -= 1;
            }
        }
    }
}

/// Continuity repair: in each group split between people, hands the sessions of the others
/// to the person holding most of it, where that person is free and the move saves more
/// (continuity) than it costs in travel, part-time and language terms.
fn join_groups(instance: &Instance, ledger: &mut Ledger, chosen: &mut [(usize, usize)]) {
    let w = &instance.problem.weights;
    if w.continuity == 0 {
        return;
    }
    let mut by_group: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &(s, _)) in chosen.iter().enumerate() {
        if let Some(g) = instance.sessions[s].group {
            by_group.entry(g).or_default().push(i);
        }
    }
    let pinned: std::collections::HashSet<(usize, usize)> = instance.pinned.iter().copied().collect();
    let mut groups: Vec<(usize, Vec<usize>)> = by_group.into_iter().collect();
    groups.sort();
    for (_, entries) in groups {
        let mut count: HashMap<usize, usize> = HashMap::new();
        for &i in &entries {
            *count.entry(chosen[i].1).or_default() += 1;
        }
        if count.len() < 2 {
            continue;
        }
        let Some((&keeper, _)) = count.iter().max_by_key(|&(&q, &n)| (n, std::cmp::Reverse(q))) else {
            continue;
        };
        for &i in &entries {
            let (s, q) = chosen[i];
            if q == keeper || pinned.contains(&(s, q)) || instance.sessions[s].eligible.binary_search(&keeper).is_err()
            {
                continue;
            }
            let on_session = chosen.iter().any(|&(t, p)| t == s && p == keeper);
            let alone = count[&q] == 1; // moving q's only session here removes a distinct person
            let saving = if alone { w.continuity } else { 0 };
            if on_session || instance.pair_cost(s, keeper) - instance.pair_cost(s, q) >= saving {
                continue;
            }
            ledger.release(q, s);
            if ledger.can_take(keeper, s) {
                ledger.take(keeper, s);
                chosen[i] = (s, keeper);
                *count.get_mut(&q).expect("counted") -= 1;
                *count.entry(keeper).or_default() += 1;
            } else {
                ledger.take(q, s);
            }
        }
    }
}

/// What the objective's shared terms depend on, kept up to date as people are assigned.
struct Shared {
    group_people: HashMap<usize, Vec<usize>>,
    load: Vec<i64>,
    /// Highest load among full-time lecturers, and among rapporteurs.
    highest: [i64; 2],
}

impl Shared {
    fn take(&mut self, instance: &Instance, s: usize, q: usize) {
        if let Some(g) = instance.sessions[s].group {
            self.group_people.entry(g).or_default().push(q);
        }
        self.load[q] += 1;
        let person = &instance.people[q];
        for (k, member) in [person.full_time, person.rapporteur].into_iter().enumerate() {
            if member {
                self.highest[k] = self.highest[k].max(self.load[q]);
            }
        }
    }

    /// What giving `s` to `q` adds to the continuity and max-load terms.
    fn cost(&self, instance: &Instance, s: usize, q: usize) -> i64 {
        let w = &instance.problem.weights;
        let mut cost = 0;
        if let Some(members) = instance.sessions[s].group.and_then(|g| self.group_people.get(&g)) {
            cost += if members.contains(&q) {
                -w.continuity
            } else {
                w.continuity
            };
        }
        let person = &instance.people[q];
        for (k, member) in [person.full_time, person.rapporteur].into_iter().enumerate() {
            if member && self.load[q] + 1 > self.highest[k] {
                cost += w.max_load;
            }
        }
        cost
    }
}

/// (session, person) pairs of a feasible assignment that keeps every pin and no load over
/// `ceiling`. The `first` pairs are taken first, in order, where the rules allow; then sessions
/// in time order take, one place at a time, the free eligible person whose cost to the
/// objective is lowest, while that cost is below leaving the place empty.
pub fn assign(instance: &Instance, ceiling: Ceiling, first: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let w = &instance.problem.weights;
    let mut ledger = Ledger::new(instance);
    ledger.ceiling = ceiling;
    let mut shared = Shared {
        group_people: HashMap::new(),
        load: vec![0; instance.people.len()],
        highest: [0; 2],
    };
    let mut chosen = Vec::new();
    for &(s, q) in &instance.pinned {
        ledger.take(q, s);
        shared.take(instance, s, q);
        chosen.push((s, q));
    }
    let mut filled: Vec<u32> = vec![0; instance.sessions.len()];
    for &(s, _) in &chosen {
        filled[s] += 1;
    }
    for &(s, q) in first {
        if filled[s] < instance.sessions[s].needs && ledger.can_take(q, s) {
            ledger.take(q, s);
            shared.take(instance, s, q);
            chosen.push((s, q));
            filled[s] += 1;
        }
    }
    let previous: std::collections::HashSet<(usize, usize)> = instance.previous.iter().copied().collect();
    let mut order: Vec<usize> = (0..instance.sessions.len()).collect();
    order.sort_by_key(|&s| (instance.sessions[s].start, s));
    for s in order {
        let filled = &mut filled[s];
        while *filled < instance.sessions[s].needs {
            let best = instance.sessions[s]
                .eligible
                .iter()
                .filter(|&&q| ledger.can_take(q, s))
                .map(|&q| {
                    let keep = if previous.contains(&(s, q)) { w.change } else { 0 };
                    (instance.pair_cost(s, q) - keep + shared.cost(instance, s, q), q)
                })
                .min();
            match best {
                Some((cost, q)) if cost < w.uncovered => {
                    ledger.take(q, s);
                    shared.take(instance, s, q);
                    chosen.push((s, q));
                    *filled += 1;
                }
                _ => break,
            }
        }
    }
    join_groups(instance, &mut ledger, &mut chosen);
    chosen.sort();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::read_problem;

    #[test]
    fn a_split_group_is_joined_when_that_saves() {
        let session = |id: &str, start: &str, end: &str, district: &str| {
            format!(
                r#"{{"id": "{id}", "kind": "class", "start": "2027-03-01T{start}:00+07:00", "end": "2027-03-01T{end}:00+07:00",
                    "district": "{district}", "qualification": "SC-01", "group": "C1/SC-01"}}"#
            )
        };
        let person = |id: &str, home: &str| {
            format!(
                r#"{{"id": "{id}", "roles": ["lecturer_full_time"], "home_district": "{home}", "qualifications": ["SC-01"]}}"#
            )
        };
        let text = format!(
            r#"{{"format": "roster-problem/1", "timezone": "Asia/Ho_Chi_Minh",
                "districts": [{{"id": "D1"}}, {{"id": "D2"}}],
                "travel_minutes": {{"D1": {{"D1": 0, "D2": 20}}, "D2": {{"D1": 20, "D2": 0}}}},
                "people": [{}, {}], "sessions": [{}, {}],
                "weights": {{"uncovered": 10000, "travel_minute": 1, "continuity": 30}}}}"#,
            person("P1", "D1"),
            person("P2", "D2"),
            session("S1", "07:30", "11:00", "D1"),
            session("S2", "13:30", "17:00", "D2")
        );
        let problem = read_problem(&text).unwrap();
        let instance = Instance::new(&problem).unwrap();
        let mut ledger = Ledger::new(&instance);
        // A split start, as caps or session order can leave it: P1 on S1, P2 on S2. Handing S2
        // to P1 costs 20 minutes of travel and saves 30 of continuity. Ties go to the lower id.
        let mut chosen = vec![(0, 0), (1, 1)];
        ledger.take(0, 0);
        ledger.take(1, 1);
        join_groups(&instance, &mut ledger, &mut chosen);
        assert_eq!(chosen, [(0, 0), (1, 0)]);
        assert_eq!(ledger.held[1], Vec::<usize>::new());
    }
}
