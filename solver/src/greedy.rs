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
}

impl<'i, 'a> Ledger<'i, 'a> {
    pub fn new(instance: &'i Instance<'a>) -> Self {
        Ledger {
            instance,
            held: vec![Vec::new(); instance.people.len()],
            counts: HashMap::new(),
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
        !self.held[q].contains(&s) && self.conflicts(q, s).next().is_none() && !self.at_cap(q, s)
    }

    pub fn take(&mut self, q: usize, s: usize) {
        self.held[q].push(s);
        for b in self.instance.sessions[s].buckets {
            *self.counts.entry((q, b)).or_default() += 1;
        }
    }
}

/// (session, person) pairs of a feasible assignment that keeps every pin.
pub fn assign(instance: &Instance) -> Vec<(usize, usize)> {
    let w = &instance.problem.weights;
    let mut ledger = Ledger::new(instance);
    let mut chosen = Vec::new();
    for &(s, q) in &instance.pinned {
        ledger.take(q, s);
        chosen.push((s, q));
    }
    let pins = instance.pins_by_session();
    let previous: std::collections::HashSet<(usize, usize)> = instance.previous.iter().copied().collect();
    let mut order: Vec<usize> = (0..instance.sessions.len()).collect();
    order.sort_by_key(|&s| (instance.sessions[s].start, s));
    for s in order {
        let mut filled = pins.get(&s).map_or(0, |p| p.len() as u32);
        let mut candidates: Vec<(i64, usize)> = instance.sessions[s]
            .eligible
            .iter()
            .map(|&q| {
                let keep = if previous.contains(&(s, q)) { w.change } else { 0 };
                (instance.pair_cost(s, q) - keep, q)
            })
            .filter(|&(cost, _)| cost < w.uncovered)
            .collect();
        candidates.sort();
        for (_, q) in candidates {
            if filled >= instance.sessions[s].needs {
                break;
            }
            if ledger.can_take(q, s) {
                ledger.take(q, s);
                chosen.push((s, q));
                filled += 1;
            }
        }
    }
    chosen.sort();
    chosen
}
