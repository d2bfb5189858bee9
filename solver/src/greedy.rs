//! A quick feasible assignment, where the local search starts: sessions in time order take,
//! one by one, the cheapest free eligible people whose cost is below the cost of leaving the
//! place empty. Pins first. The ledger of who holds what is shared with the local search and
//! with the reasons for uncovered sessions.

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
        self.instance.people[q]
            .load_classes()
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
        for (k, member) in instance.people[q].load_classes().into_iter().enumerate() {
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
        for (k, member) in instance.people[q].load_classes().into_iter().enumerate() {
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
        if filled[s] < instance.sessions[s].needs && ledger.can_take(q, s) && instance.pair_cost(s, q) < w.uncovered {
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
    chosen.sort();
    chosen
}
