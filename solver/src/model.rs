//! The integer program, built with good_lp and solved by HiGHS.
//!
//! Columns: a binary per eligible (person, session) pair; in a *pair group* (a continuity
//! group of exactly two single-place sessions), a binary per person who may hold both, giving
//! them both. x[p,s], "p holds s", is the sum of the columns giving s to p. Continuous: per
//! session the empty places u[s] ≥ needs − Σ_p x[p,s]; per previous pair k[p,s] ≥ 1 − x[p,s];
//! per continuity group c[g] ≥ the people holding it − 1; L_full_time and L_rapporteur ≥ each
//! such person's load.
//! Continuity: in a pair group, c[g] ≥ the group's columns at 1, less one (the column giving
//! both counts one person, with no linking rows: a third of the year's rows were those). In
//! other groups, a binary y[p,g] ≥ x[p,s] per person and session, and c[g] ≥ Σ_p y[p,g] − 1.
//! In a group of single places, also c[g] ≥ what people who can hold only one place of it
//! hold, less its other empty places over (places − 1). Someone who can hold only h of a
//! group's sessions at once (conflicts, or caps over its days, weeks or months) holds at most
//! h·y[p,g] of them.
//! Continuity cuts ([`Model::separate`]), added after each LP relaxation while they raise it:
//! for sessions T of a group, c[g] + Σ_{s∈T} u[s] + Σ_p x[p,σ(p)] ≥ 1 over the people who could
//! hold all of T, one session σ(p) of T each (nobody holding all of T splits the group). They
//! serve the LP bounds and the fixing by reduced cost; the searches lift them.
//! Rows: Σ_p x[p,s] ≤ needs (which also keeps a pair group's single and both columns from
//! giving one person a session twice); pins x[p,s] ≥ 1; cliques of pairwise-conflicting sessions,
//! travel counted (found once for everybody, restricted to each person's eligible sessions);
//! caps per day, week and month where a person's eligible sessions could exceed them.
//! The objective's constant part (places and previous pairs nobody eligible can fill) is added
//! outside.
//! After the LP relaxation, HiGHS searches near a start ([`Model::search_near`]); then, range
//! by range of the highest loads ([`Model::hold_highest`], [`crate::ceilings`]), binary columns
//! are fixed by their reduced costs against the best start ([`Model::fix_by_reduced_cost`])
//! for a search that looks only for assignments strictly better than the start: finding none
//! proves the start optimal in that range.

use std::collections::{BTreeMap, HashMap, HashSet};

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use good_lp::{Expression, ProblemVariables, SolverModel, Variable, variable};

use crate::instance::{Bucket, Instance};

pub struct Outcome {
    /// (session, person) pairs assigned.
    pub pairs: Vec<(usize, usize)>,
    /// The model's own objective value for `pairs` (constant part included), after a search.
    pub model_objective: Option<f64>,
    pub proven_optimal: bool,
    /// Lower bound on the objective (constant part included); infinite for an LP relaxation
    /// proven infeasible.
    pub bound: f64,
    /// With `Options::relaxation_only` and an optimal LP: each x above 0 with its value.
    pub relaxed: Vec<((usize, usize), f64)>,
}

pub struct Options<'a> {
    /// When this solve must end.
    pub deadline: Option<std::time::Instant>,
    pub threads: u32,
    /// Set from elsewhere to stop HiGHS, which then ends as on a time limit.
    pub cancel: &'a AtomicBool,
    /// Told of each better assignment, and of the bound as it rises.
    pub on_progress: &'a (dyn Fn(Progress) + Sync),
    /// Solve the LP relaxation only: `bound` is its optimum and `relaxed` its x values.
    pub relaxation_only: bool,
}

/// What HiGHS has reached so far, constant part included.
pub struct Progress {
    /// A better assignment HiGHS has just found.
    pub improved: Option<Vec<(usize, usize)>>,
    pub bound: f64,
}

/// Cliques of pairwise-conflicting sessions covering every conflicting pair, found once for
/// everybody (conflicts depend on sessions only). Sessions at the same time make one clique,
/// not a row per pair.
fn conflict_cliques(instance: &Instance) -> Vec<Vec<usize>> {
    let max_travel = instance.travel.iter().flatten().copied().max().unwrap_or(0) * 60;
    let mut order: Vec<usize> = (0..instance.sessions.len()).collect();
    order.sort_by_key(|&s| (instance.sessions[s].start, s));
    let mut covered: HashSet<(usize, usize)> = HashSet::new();
    let mut cliques = Vec::new();
    for (i, &s) in order.iter().enumerate() {
        // A later session conflicts only if it starts before this one ends plus the longest travel.
        let horizon = instance.sessions[s].end + max_travel;
        let later: Vec<usize> = order[i + 1..]
            .iter()
            .copied()
            .take_while(|&t| instance.sessions[t].start < horizon)
            .filter(|&t| instance.conflict(s, t))
            .collect();
        let mut open: Vec<usize> = later
            .iter()
            .copied()
            .filter(|&t| !covered.contains(&(s.min(t), s.max(t))))
            .collect();
        while let Some(&first) = open.first() {
            let mut clique = vec![s, first];
            for &t in &later {
                if t != first && clique[1..].iter().all(|&m| instance.conflict(m, t)) {
                    clique.push(t);
                }
            }
            for (j, &a) in clique.iter().enumerate() {
                for &b in &clique[j + 1..] {
                    covered.insert((a.min(b), a.max(b)));
                }
            }
            open.retain(|t| !clique.contains(t));
            cliques.push(clique);
        }
    }
    cliques
}

/// The most of these sessions one person could take if only overlaps counted (earliest end
/// first): an upper bound on what the conflict rows allow, so a cap at or above it is no row.
fn most_without_overlap(instance: &Instance, sessions: &[usize]) -> u32 {
    let mut by_end: Vec<(i64, i64)> = sessions
        .iter()
        .map(|&s| (instance.sessions[s].end, instance.sessions[s].start))
        .collect();
    by_end.sort();
    let (mut taken, mut free_from) = (0, i64::MIN);
    for (end, start) in by_end {
        if start >= free_from {
            taken += 1;
            free_from = end;
        }
    }
    taken
}

/// Whether one person can take at most one of these sessions: each two conflict, or share a
/// day, week or month where the person's cap is 1.
fn at_most_one(instance: &Instance, q: usize, sessions: &[usize]) -> bool {
    let caps = instance.people[q].caps;
    sessions.iter().enumerate().all(|(i, &a)| {
        sessions[i + 1..].iter().all(|&b| {
            instance.conflict(a, b)
                || (0..3)
                    .any(|k| caps[k] == Some(1) && instance.sessions[a].buckets[k] == instance.sessions[b].buckets[k])
        })
    })
}

/// Whether one person could hold all of these sessions at once: no two conflict, and no day,
/// week or month holds more of them than the person's cap.
fn may_hold_all(instance: &Instance, q: usize, sessions: &[usize]) -> bool {
    let caps = instance.people[q].caps;
    sessions
        .iter()
        .enumerate()
        .all(|(i, &a)| sessions[i + 1..].iter().all(|&b| !instance.conflict(a, b)))
        && (0..3).all(|k| {
            caps[k].is_none_or(|cap| {
                let mut count: BTreeMap<Bucket, u32> = BTreeMap::new();
                sessions.iter().all(|&s| {
                    let n = count.entry(instance.sessions[s].buckets[k]).or_default();
                    *n += 1;
                    *n <= cap
                })
            })
        })
}

/// Groups up to this many sessions are searched for the most one person can hold of them;
/// larger ones are taken as holdable whole.
const MOST_HELD_UP_TO: usize = 12;

/// The most of these sessions one person could hold at once ([`may_hold_all`]); an upper
/// bound (all of them) for more than [`MOST_HELD_UP_TO`] sessions.
fn most_held(instance: &Instance, q: usize, sessions: &[usize]) -> usize {
    let n = sessions.len();
    if n > MOST_HELD_UP_TO || may_hold_all(instance, q, sessions) {
        return n;
    }
    (1u32..(1 << n))
        .filter(|mask| {
            let subset: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).map(|i| sessions[i]).collect();
            may_hold_all(instance, q, &subset)
        })
        .map(|mask| mask.count_ones() as usize)
        .max()
        .unwrap_or(0)
}

/// A group of exactly two sessions of one place each.
fn pair_group(instance: &Instance, sessions: &[usize]) -> Option<[usize; 2]> {
    match sessions {
        &[a, b] if instance.sessions[a].needs == 1 && instance.sessions[b].needs == 1 => Some([a, b]),
        _ => None,
    }
}

/// The binary columns that give sessions to people; x[p,s] is the sum of those giving s to p.
#[derive(Default)]
struct Columns {
    /// Per eligible (session, person) pair: its own column.
    single: HashMap<(usize, usize), Variable>,
    /// Per (session, person) in a pair group where the person may hold both: the column giving
    /// them both sessions.
    both: HashMap<(usize, usize), Variable>,
    /// Each column's index with a pair it gives (a column giving both appears twice).
    pairs: Vec<((usize, usize), usize)>,
}

impl Columns {
    /// Adds coefficient × x[p,s] to `e`.
    fn add_x(&self, e: &mut Expression, pair: (usize, usize), coefficient: f64) {
        e.add_mul(coefficient, self.single[&pair]);
        if let Some(&both) = self.both.get(&pair) {
            e.add_mul(coefficient, both);
        }
    }

    fn x(&self, pair: (usize, usize)) -> Expression {
        let mut e = Expression::with_capacity(2);
        self.add_x(&mut e, pair, 1.0);
        e
    }
}

/// How a column's value follows from an assignment, to give HiGHS a start.
enum Start {
    /// 1 when the person holds the session, unless they also hold the partner session given:
    /// a `Both` column then gives the two.
    Single((usize, usize), Option<usize>),
    /// 1 when the person holds both sessions.
    Both([usize; 2], usize),
    /// 1 when the previous pair is not kept.
    Change((usize, usize)),
    /// The session's empty places.
    Empty(usize),
    /// The group's people less one.
    Split(Vec<usize>),
    /// 1 when the person holds a session of the group.
    Holds(usize, Vec<usize>),
    /// The highest load of a load class ([`crate::instance::PersonInfo::load_classes`]).
    Highest(usize),
}

impl Start {
    /// Whether the column is binary: it gives sessions to a person.
    fn is_binary(&self) -> bool {
        matches!(self, Start::Single(..) | Start::Both(..))
    }
}

/// The whole numbers a load class's highest load may take: from `least` to `most` (none: no
/// limit). Every assignment's highest load is a whole number, so ranges that cover them all
/// cover every assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadRange {
    pub least: u32,
    pub most: Option<u32>,
}

impl LoadRange {
    pub const ANY: LoadRange = LoadRange { least: 0, most: None };
}

/// A continuity group with a split column c[g] (the group's people less one).
struct SplitGroup {
    column: usize,
    sessions: Vec<usize>,
}

/// Groups up to this many sessions are searched for a cut over each of their subsets; larger
/// ones over the whole group and its pairs.
const SUBSETS_UP_TO: usize = 8;

/// How far an LP point must break a cut for the cut to be added.
const CUT_VIOLATION: f64 = 0.01;

/// Continuity cuts added in this process, for the tests to see that they were exercised.
#[cfg(test)]
pub(crate) static CUTS_ADDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The most cuts added per group and round.
const CUTS_PER_GROUP: usize = 4;

/// The most rounds of cuts after one LP relaxation.
const CUT_ROUNDS: usize = 60;

/// The LP relaxation's optimum, kept to fix columns by their reduced costs.
struct Relaxation {
    /// Its objective, constant part included.
    objective: f64,
    values: Vec<f64>,
    reduced_costs: Vec<f64>,
}

/// How far beyond an incumbent's price a column's reduced cost must reach before it is fixed:
/// room for HiGHS's tolerances (1e-7 per dual value) summed over every column that moves.
const FIXING_MARGIN: f64 = 0.5;

/// The model, built once and solved as often as needed (its LP relaxation, then itself).
pub struct Model<'a> {
    instance: &'a Instance<'a>,
    /// None when nobody may take anything, or once HiGHS has failed.
    highs: Option<highs::Model>,
    columns: Columns,
    /// Per column, in order.
    starts: Vec<Start>,
    /// The objective without its constant part, over `all` the variables in column order.
    objective: Expression,
    all: Vec<Variable>,
    constant: f64,
    /// Once solved optimally.
    relaxation: Option<Relaxation>,
    /// Binary columns fixed now: near a start, or by their reduced costs.
    fixed: Vec<highs_sys::HighsInt>,
    /// Per load class, the column of its highest load, and the whole numbers it is held to now
    /// ([`Model::hold_highest`]).
    highest: [Option<(usize, LoadRange)>; 2],
    /// Per continuity group with a split column: that column and the group's sessions, to
    /// separate its cuts ([`Model::separate`]).
    splits: Vec<SplitGroup>,
    /// Per session, the column of its empty places, where anyone may take it.
    empty_column: Vec<Option<usize>>,
    /// The most rounds of continuity cuts after an LP relaxation ([`Model::separate`]).
    cut_rounds: usize,
    /// How many continuity cuts the model holds (its last rows).
    cuts: usize,
    /// How long the first LP relaxation took, before its cuts.
    pub first_lp: Option<Duration>,
    pub variables: usize,
    pub constraints: usize,
}

impl<'a> Model<'a> {
    pub fn build(instance: &'a Instance<'a>) -> Model<'a> {
        let p = instance.problem;
        let w = &p.weights;
        let mut vars = ProblemVariables::new();
        // good_lp numbers variables in the order they are added.
        let mut starts: Vec<Start> = Vec::new();
        let mut add = |vars: &mut ProblemVariables, def: good_lp::VariableDefinition, start: Start| {
            starts.push(start);
            (vars.add(def), starts.len() - 1)
        };
        let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (s, info) in instance.sessions.iter().enumerate() {
            if let Some(g) = info.group {
                members.entry(g).or_default().push(s);
            }
        }
        // Pair groups, with the people who may hold both of their sessions.
        let pair_groups: Vec<([usize; 2], Vec<usize>)> = if w.continuity > 0 {
            members
                .values()
                .filter_map(|m| pair_group(instance, m))
                .map(|pair| {
                    let both = instance.sessions[pair[0]]
                        .eligible
                        .iter()
                        .copied()
                        .filter(|&q| {
                            instance.sessions[pair[1]].eligible.contains(&q) && !at_most_one(instance, q, &pair)
                        })
                        .collect();
                    (pair, both)
                })
                .collect()
        } else {
            Vec::new()
        };

        // Each session of a pair group, with a person who may hold both: the other session.
        let partner: HashMap<(usize, usize), usize> = pair_groups
            .iter()
            .flat_map(|(pair, both)| {
                both.iter()
                    .flat_map(move |&q| [((pair[0], q), pair[1]), ((pair[1], q), pair[0])])
            })
            .collect();
        let mut columns = Columns::default();
        let mut by_person: Vec<Vec<usize>> = vec![Vec::new(); instance.people.len()];
        let mut objective = Expression::with_capacity(instance.sessions.len() * 8);
        for (s, info) in instance.sessions.iter().enumerate() {
            for &q in &info.eligible {
                let (v, column) = add(
                    &mut vars,
                    variable().binary(),
                    Start::Single((s, q), partner.get(&(s, q)).copied()),
                );
                columns.single.insert((s, q), v);
                columns.pairs.push(((s, q), column));
                by_person[q].push(s);
                let cost = instance.pair_cost(s, q);
                if cost != 0 {
                    objective.add_mul(cost as f64, v);
                }
            }
        }
        for (pair, both) in &pair_groups {
            for &q in both {
                let (v, column) = add(&mut vars, variable().binary(), Start::Both(*pair, q));
                let cost: i64 = pair.iter().map(|&s| instance.pair_cost(s, q)).sum();
                if cost != 0 {
                    objective.add_mul(cost as f64, v);
                }
                for &s in pair {
                    columns.both.insert((s, q), v);
                    columns.pairs.push(((s, q), column));
                }
            }
        }
        let mut rows: Vec<good_lp::Constraint> = Vec::new();
        for &pin in &instance.pinned {
            rows.push(columns.x(pin).geq(1.0));
        }

        // k[p,s] ≥ 1 − x[p,s] for a previous pair: its change, priced `change`. Like u[s] below, it
        // keeps every binary's cost at or above zero. Before its first LP, HiGHS partitions the
        // binaries that would rather be 1 into cliques, comparing each with all the others: with
        // negative costs on x and the conflict cliques, that took minutes at year scale.
        let mut lost_previous = 0;
        for &(s, q) in &instance.previous {
            if !columns.single.contains_key(&(s, q)) {
                lost_previous += 1;
                continue;
            }
            if w.change > 0 {
                let (k, _) = add(&mut vars, variable().min(0), Start::Change((s, q)));
                objective.add_mul(w.change as f64, k);
                rows.push((k + columns.x((s, q))).geq(1.0));
            }
        }

        // Σ_p x[p,s] ≤ needs, and u[s] ≥ needs − Σ_p x[p,s]: the empty places, priced `uncovered`.
        let mut empty: Vec<Option<Variable>> = vec![None; instance.sessions.len()];
        let mut empty_column: Vec<Option<usize>> = vec![None; instance.sessions.len()];
        for (s, info) in instance.sessions.iter().enumerate() {
            if info.eligible.is_empty() {
                continue;
            }
            let mut e = Expression::with_capacity(info.eligible.len() + 1);
            for &q in &info.eligible {
                columns.add_x(&mut e, (s, q), 1.0);
            }
            // Without the row, more people eligible than places are needed to break it; but a
            // person with a column giving both sessions of a pair group also holds each through
            // its single column, and only this row keeps them from holding it twice.
            let held_twice = info.eligible.iter().any(|&q| columns.both.contains_key(&(s, q)));
            if info.eligible.len() as u32 > info.needs || held_twice {
                rows.push(e.clone().leq(info.needs as f64));
            }
            let (u, u_column) = add(&mut vars, variable().min(0), Start::Empty(s));
            empty_column[s] = Some(u_column);
            objective.add_mul(w.uncovered as f64, u);
            rows.push((e + u).geq(info.needs as f64));
            empty[s] = Some(u);
        }

        // No one in two places at once: each clique restricted to a person's eligible sessions.
        for clique in conflict_cliques(instance) {
            let mut holders: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for &s in &clique {
                for &q in &instance.sessions[s].eligible {
                    holders.entry(q).or_default().push(s);
                }
            }
            for (q, list) in holders {
                if list.len() > 1 {
                    let mut e = Expression::with_capacity(list.len());
                    for s in list {
                        columns.add_x(&mut e, (s, q), 1.0);
                    }
                    rows.push(e.leq(1.0));
                }
            }
        }

        // Caps per day, week, month.
        for (q, sessions) in by_person.iter().enumerate() {
            for k in 0..3 {
                let Some(cap) = instance.people[q].caps[k] else {
                    continue;
                };
                let mut buckets: BTreeMap<Bucket, Vec<usize>> = BTreeMap::new();
                for &s in sessions {
                    buckets.entry(instance.sessions[s].buckets[k]).or_default().push(s);
                }
                for (_, list) in buckets {
                    if list.len() as u32 > cap && most_without_overlap(instance, &list) > cap {
                        let mut e = Expression::with_capacity(list.len());
                        for s in list {
                            columns.add_x(&mut e, (s, q), 1.0);
                        }
                        rows.push(e.leq(cap as f64));
                    }
                }
            }
        }

        // Continuity: c[g] ≥ the people in the group − 1.
        let mut splits: Vec<SplitGroup> = Vec::new();
        if w.continuity > 0 {
            for sessions in members.values() {
                let mut people: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
                for &s in sessions {
                    for &q in &instance.sessions[s].eligible {
                        people.entry(q).or_default().push(s);
                    }
                }
                let places: u32 = sessions.iter().map(|&s| instance.sessions[s].needs).sum();
                if people.len() < 2 || places < 2 {
                    continue; // one person at most: never more than one distinct person
                }
                let (c, c_column) = add(&mut vars, variable().min(0), Start::Split(sessions.clone()));
                splits.push(SplitGroup {
                    column: c_column,
                    sessions: sessions.clone(),
                });
                // Splits the LP would not see. Someone who can hold only one place of a group of
                // single places splits it as soon as another place is filled, so with e the group's
                // empty places over (places − 1):
                //   per such person p:      c ≥ Σ_s x[p,s] − e;
                //   per session s, with E the such people who may hold it: c ≥ Σ_{p∈E} x[p,s] − e
                //   (the empty places other than s).
                // Without them the LP gives such a person half of each of two places for nothing.
                if sessions.iter().all(|&s| instance.sessions[s].needs == 1) {
                    let share = 1.0 / (places - 1) as f64;
                    // c + e, and the part of e that is constant (places nobody may take).
                    let split_floor = |except: Option<usize>| {
                        let mut e = Expression::from(c);
                        let mut never_filled = 0.0;
                        for &t in sessions.iter().filter(|&&t| Some(t) != except) {
                            match empty[t] {
                                Some(u) => e.add_mul(share, u),
                                None => never_filled += share,
                            }
                        }
                        (e, never_filled)
                    };
                    let alone: Vec<(usize, &Vec<usize>)> = people
                        .iter()
                        .filter(|(q, list)| at_most_one(instance, **q, list))
                        .map(|(q, list)| (*q, list))
                        .collect();
                    for &(q, list) in alone.iter().filter(|(_, list)| list.len() > 1) {
                        let (mut e, never_filled) = split_floor(None);
                        for &s in list {
                            columns.add_x(&mut e, (s, q), -1.0);
                        }
                        rows.push(e.geq(-never_filled));
                    }
                    for &s in sessions {
                        let holders: Vec<usize> = alone
                            .iter()
                            .filter(|(_, list)| list.contains(&s))
                            .map(|(q, _)| *q)
                            .collect();
                        if !holders.is_empty() {
                            let (mut e, never_filled) = split_floor(Some(s));
                            for q in holders {
                                columns.add_x(&mut e, (s, q), -1.0);
                            }
                            rows.push(e.geq(-never_filled));
                        }
                    }
                }
                let mut sum = Expression::with_capacity(people.len() + 1);
                if pair_group(instance, sessions).is_some() {
                    // The group's columns: one per person holding one session, one per person
                    // holding both.
                    for (&q, list) in &people {
                        for &s in list {
                            sum.add_mul(1.0, columns.single[&(s, q)]);
                        }
                        if let Some(&both) = columns.both.get(&(list[0], q)) {
                            sum.add_mul(1.0, both);
                        }
                    }
                } else {
                    for (q, list) in people {
                        // Binary, though minimisation alone would make it 0 or 1: HiGHS then
                        // branches on "p teaches in g" and finds the implications and cliques
                        // it brings, which proved the shared month twice as fast.
                        let (y, _) = add(&mut vars, variable().binary(), Start::Holds(q, list.clone()));
                        // Someone who can hold only h of the group's sessions at once (its
                        // days, weeks or months over their caps) holds at most h y[p,g].
                        let most = most_held(instance, q, &list);
                        if most < list.len() && most > 1 {
                            let mut e = Expression::with_capacity(list.len() + 1);
                            for &s in &list {
                                columns.add_x(&mut e, (s, q), 1.0);
                            }
                            rows.push((e - (most as f64) * y).leq(0.0));
                        }
                        for s in list {
                            rows.push((columns.x((s, q)) - y).leq(0.0));
                        }
                        sum.add_mul(1.0, y);
                    }
                }
                rows.push((sum - c).leq(1.0));
                objective.add_mul(w.continuity as f64, c);
            }
        }

        // Fair load: L ≥ each full-time lecturer's load, and each rapporteur's.
        if w.max_load > 0 {
            for k in 0..2 {
                let group: Vec<usize> = (0..instance.people.len())
                    .filter(|&q| instance.people[q].load_classes()[k])
                    .collect();
                if group.is_empty() {
                    continue;
                }
                let (l, _) = add(&mut vars, variable().min(0), Start::Highest(k));
                for q in group {
                    let mut e = Expression::with_capacity(by_person[q].len() + 1);
                    for &s in &by_person[q] {
                        columns.add_x(&mut e, (s, q), 1.0);
                    }
                    if !by_person[q].is_empty() {
                        rows.push((e - l).leq(0.0));
                    }
                }
                objective.add_mul(w.max_load as f64, l);
            }
        }

        let highest = [0, 1].map(|k| {
            starts
                .iter()
                .position(|start| matches!(start, Start::Highest(j) if *j == k))
                .map(|column| (column, LoadRange::ANY))
        });
        let variables = starts.len();
        let constraints = rows.len();
        // The objective's constant part: the places nobody may take, the previous pairs no longer
        // eligible.
        let constant = instance
            .sessions
            .iter()
            .filter(|s| s.eligible.is_empty())
            .map(|s| w.uncovered * s.needs as i64)
            .sum::<i64>()
            + w.change * lost_previous;
        let all: Vec<Variable> = vars.iter_variables_with_def().map(|(v, _)| v).collect();
        let highs = (variables > 0).then(|| {
            let mut model = vars.minimise(objective.clone()).using(good_lp::solvers::highs::highs);
            for row in rows {
                model.add_constraint(row);
            }
            let mut highs = model.into_inner();
            highs.set_option("output_flag", false);
            // The objective is a whole number: a gap below 1 proves the incumbent optimal.
            highs.set_option("mip_rel_gap", 0.0);
            highs.set_option("mip_abs_gap", 0.999);
            highs.set_option("random_seed", 0);
            // Symmetry detection found nothing to use in these models and cost the year instance
            // 15 s before its first LP; the feasibility jump heuristic cost it 15 s more, and the
            // search always has a start.
            highs.set_option("mip_detect_symmetry", false);
            highs.set_option("mip_heuristic_run_feasibility_jump", false);
            highs
        });
        Model {
            instance,
            highs,
            columns,
            starts,
            objective,
            all,
            constant: constant as f64,
            relaxation: None,
            fixed: Vec::new(),
            highest,
            splits,
            empty_column,
            cut_rounds: CUT_ROUNDS,
            cuts: 0,
            first_lp: None,
            variables,
            constraints,
        }
    }

    /// Each column's value for an assignment.
    fn start_values(&self, start: &[(usize, usize)]) -> Vec<f64> {
        let instance = self.instance;
        let held: HashSet<(usize, usize)> = start.iter().copied().collect();
        let mut load = vec![0; instance.people.len()];
        for &(_, q) in start {
            load[q] += 1;
        }
        let holds = |q: usize, sessions: &[usize]| sessions.iter().any(|&s| held.contains(&(s, q)));
        let one = |yes: bool| if yes { 1.0 } else { 0.0 };
        self.starts
            .iter()
            .map(|start| match start {
                Start::Single(pair, partner) => {
                    one(held.contains(pair) && !partner.is_some_and(|t| held.contains(&(t, pair.1))))
                }
                Start::Both(pair, q) => one(pair.iter().all(|&s| held.contains(&(s, *q)))),
                Start::Change(pair) => one(!held.contains(pair)),
                Start::Empty(s) => {
                    let info = &instance.sessions[*s];
                    let taken = info.eligible.iter().filter(|&&q| held.contains(&(*s, q))).count();
                    info.needs.saturating_sub(taken as u32) as f64
                }
                Start::Split(sessions) => {
                    let people: HashSet<usize> = sessions
                        .iter()
                        .flat_map(|&s| instance.sessions[s].eligible.iter().map(move |&q| (s, q)))
                        .filter(|pair| held.contains(pair))
                        .map(|(_, q)| q)
                        .collect();
                    people.len().saturating_sub(1) as f64
                }
                Start::Holds(q, sessions) => one(holds(*q, sessions)),
                Start::Highest(k) => (0..load.len())
                    .filter(|&q| instance.people[q].load_classes()[*k])
                    .map(|q| load[q])
                    .max()
                    .unwrap_or(0) as f64,
            })
            .collect()
    }

    /// Fixes each binary column that every assignment priced at most `incumbent` leaves where
    /// the LP relaxation's optimum has it: moving the column off its bound would cost more than
    /// `incumbent` less the LP's optimum, by its reduced cost alone. The model then keeps every
    /// assignment that could match or beat the incumbent, so the search's optimum and bound
    /// hold for the whole model; and it is smaller, for HiGHS's presolve and its first LP. Does
    /// nothing before the LP relaxation is solved optimally, nor once columns are fixed. Returns
    /// how many it fixed.
    pub fn fix_by_reduced_cost(&mut self, incumbent: f64) -> usize {
        let Some(lp) = self.relaxation.as_ref().filter(|_| self.fixed.is_empty()) else {
            return 0;
        };
        let reach = incumbent - lp.objective + FIXING_MARGIN;
        let (mut set, mut at) = (Vec::new(), Vec::new());
        for (column, start) in self.starts.iter().enumerate() {
            if !start.is_binary() {
                continue;
            }
            let (value, reduced) = (lp.values[column], lp.reduced_costs[column]);
            if value < 0.5 && reduced > reach {
                set.push(column as highs_sys::HighsInt);
                at.push(0.0);
            } else if value > 0.5 && -reduced > reach {
                set.push(column as highs_sys::HighsInt);
                at.push(1.0);
            }
        }
        if self.set_bounds(&set, &at, &at) {
            self.fixed = set;
        }
        self.fixed.len()
    }

    /// Frees the columns fixed by [`Model::fix_by_reduced_cost`]; false when HiGHS refused,
    /// and the model is then given up (it would hold part of the assignments only).
    pub fn unfix(&mut self) -> bool {
        let set = std::mem::take(&mut self.fixed);
        let freed = self.set_bounds(&set, &vec![0.0; set.len()], &vec![1.0; set.len()]);
        if !freed {
            self.highs = None;
        }
        freed
    }

    /// Holds each load class's highest load within its range; the LP relaxation, the fixing
    /// by reduced cost and the search then speak of those assignments only, and the search
    /// gets the start's price as its cutoff instead of the start. The LP relaxation solved
    /// before no longer holds, and is forgotten. False when the model has no such column for
    /// a bounded class, or HiGHS refused.
    pub fn hold_highest(&mut self, ranges: [LoadRange; 2]) -> bool {
        if (0..2).any(|k| self.highest[k].is_some_and(|(_, now)| now != ranges[k])) {
            self.relaxation = None;
        }
        let mut held = true;
        for (k, range) in ranges.into_iter().enumerate() {
            match &mut self.highest[k] {
                Some((column, now)) => {
                    let column = *column as highs_sys::HighsInt;
                    let upper = range.most.map_or(f64::INFINITY, |m| m as f64);
                    let set = self.highs.as_mut().is_some_and(|highs| {
                        // SAFETY: one column of this model, with one lower and one upper bound.
                        unsafe {
                            highs_sys::Highs_changeColsBoundsBySet(
                                highs.as_mut_ptr(),
                                1,
                                &column,
                                &(range.least as f64),
                                &upper,
                            ) != highs_sys::kHighsStatusError
                        }
                    });
                    if set {
                        *now = range;
                    }
                    held &= set;
                }
                None => held &= range == LoadRange::ANY,
            }
        }
        held
    }

    /// The LP relaxation's optimum, constant part included, once solved.
    pub fn relaxed_bound(&self) -> Option<f64> {
        self.relaxation.as_ref().map(|lp| lp.objective)
    }

    /// Each load class's highest load in the LP relaxation's optimum, where the model has one.
    pub fn relaxed_highest(&self) -> [Option<f64>; 2] {
        let lp = self.relaxation.as_ref();
        self.highest
            .map(|held| held.and_then(|(column, _)| lp.map(|lp| lp.values[column])))
    }

    /// Whether the model holds only some of the assignments: columns fixed, or highest loads held.
    fn restricted(&self) -> bool {
        !self.fixed.is_empty() || self.highest.iter().flatten().any(|(_, c)| *c != LoadRange::ANY)
    }

    /// Searches near `start`, before any column is fixed by reduced cost: each binary column
    /// where `start` and the LP relaxation's optimum agree is fixed there, and HiGHS searches
    /// the rest, which its presolve makes small (a second on the year, where the whole model
    /// takes minutes). The columns are free again after. Returns what it found when that is
    /// better than `start`.
    pub fn search_near(&mut self, start: &[(usize, usize)], options: &Options) -> Option<Vec<(usize, usize)>> {
        let values = self.start_values(start);
        // Within a range of highest loads ([`Model::hold_highest`]) too, from that range's LP.
        let lp = self.relaxation.as_ref().filter(|_| self.fixed.is_empty())?;
        let (set, at): (Vec<highs_sys::HighsInt>, Vec<f64>) = (0..self.starts.len())
            .filter(|&column| self.starts[column].is_binary() && (values[column] - lp.values[column]).abs() < 1e-6)
            .map(|column| (column as highs_sys::HighsInt, values[column]))
            .unzip();
        // With nothing fixed, this would be the whole search, its proof thrown away.
        if set.is_empty() || !self.set_bounds(&set, &at, &at) {
            return None;
        }
        self.fixed = set;
        let found = self.solve(start, options);
        // Still fixed, the model would prove optima near `start` only: `unfix` gives it up.
        self.unfix();
        let found = found.ok()?;
        let price = self.price(&values);
        found.model_objective.filter(|&m| m < price - 0.5).map(|_| found.pairs)
    }

    /// Sets the bounds of these columns; false when HiGHS refused.
    fn set_bounds(&mut self, columns: &[highs_sys::HighsInt], lower: &[f64], upper: &[f64]) -> bool {
        let Some(highs) = &mut self.highs else {
            return false;
        };
        // SAFETY: one lower and one upper bound per column, each a column of this model.
        let status = unsafe {
            highs_sys::Highs_changeColsBoundsBySet(
                highs.as_mut_ptr(),
                columns.len() as highs_sys::HighsInt,
                columns.as_ptr(),
                lower.as_ptr(),
                upper.as_ptr(),
            )
        };
        status != highs_sys::kHighsStatusError
    }

    /// The model's objective for an assignment, constant part included.
    pub fn price_of(&self, pairs: &[(usize, usize)]) -> f64 {
        self.price(&self.start_values(pairs))
    }

    /// The model's objective at these column values, constant part included.
    fn price(&self, values: &[f64]) -> f64 {
        let at: HashMap<Variable, f64> = self.all.iter().copied().zip(values.iter().copied()).collect();
        self.objective.eval_with(&at) + self.constant
    }

    /// Adds the continuity cuts the LP relaxation's optimum breaks, the most broken one per
    /// group; returns how many.
    ///
    /// For a continuity group g and two or more of its sessions T: when every place of T is
    /// filled and nobody holds all of T, two people at least hold T, and c[g] ≥ 1. So for any
    /// choice of one session σ(p) ∈ T per person p who may hold all of T,
    ///   c[g] + Σ_{s∈T} u[s] + Σ_p x[p,σ(p)] ≥ 1:
    /// a person holding all of T holds σ(p), and an empty place in T leaves nothing to prove.
    /// The LP spreads a group over people who each hold part of it (three sessions, each held
    /// half by two of three people, costs it half a split, where every assignment pays one);
    /// these rows, with σ(p) where p's share of T is least, take that away.
    fn separate(&mut self, values: &[f64]) -> usize {
        let instance = self.instance;
        let mut x: HashMap<(usize, usize), f64> = HashMap::new();
        let mut x_columns: HashMap<(usize, usize), Vec<highs_sys::HighsInt>> = HashMap::new();
        for &(pair, column) in &self.columns.pairs {
            *x.entry(pair).or_default() += values[column];
            x_columns.entry(pair).or_default().push(column as highs_sys::HighsInt);
        }
        let mut rows: Vec<(Vec<highs_sys::HighsInt>, usize)> = Vec::new();
        for group in &self.splits {
            let sessions = &group.sessions;
            let k = sessions.len();
            if k < 2 {
                continue;
            }
            let c = values[group.column];
            // Empty places per session; a session nobody may take is never full.
            let empty: Vec<f64> = sessions
                .iter()
                .map(|&s| match self.empty_column[s] {
                    Some(column) => values[column],
                    None => instance.sessions[s].needs as f64,
                })
                .collect();
            let mut people: BTreeMap<usize, Vec<Option<f64>>> = BTreeMap::new();
            for (i, &s) in sessions.iter().enumerate() {
                for &q in &instance.sessions[s].eligible {
                    people.entry(q).or_insert_with(|| vec![None; k])[i] = Some(x.get(&(s, q)).copied().unwrap_or(0.0));
                }
            }
            let masks: Vec<u32> = if k <= SUBSETS_UP_TO {
                (1u32..(1 << k)).filter(|m| m.count_ones() >= 2).collect()
            } else {
                let mut m: Vec<u32> = vec![(1 << k) - 1];
                for a in 0..k.min(31) {
                    for b in a + 1..k.min(31) {
                        m.push((1 << a) | (1 << b));
                    }
                }
                m
            };
            let mut broken: Vec<(f64, u32)> = Vec::new();
            for mask in masks {
                let members: Vec<usize> = (0..k).filter(|i| mask & (1 << i) != 0).collect();
                let empty_sum: f64 = members.iter().map(|&i| empty[i]).sum();
                if empty_sum >= 1.0 - CUT_VIOLATION {
                    continue;
                }
                let mut held = 0.0;
                for (&q, shares) in &people {
                    if members.iter().all(|&i| shares[i].is_some()) && self.may_hold_all(q, sessions, &members) {
                        held += members
                            .iter()
                            .map(|&i| shares[i].unwrap_or(0.0))
                            .fold(f64::INFINITY, f64::min);
                    }
                }
                let violation = 1.0 - c - empty_sum - held;
                if violation > CUT_VIOLATION {
                    broken.push((violation, mask));
                }
            }
            broken.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, mask) in broken.iter().take(CUTS_PER_GROUP) {
                let members: Vec<usize> = (0..k).filter(|i| mask & (1 << i) != 0).collect();
                let mut index: Vec<highs_sys::HighsInt> = vec![group.column as highs_sys::HighsInt];
                for &i in &members {
                    if let Some(column) = self.empty_column[sessions[i]] {
                        index.push(column as highs_sys::HighsInt);
                    }
                }
                for (&q, shares) in &people {
                    if !(members.iter().all(|&i| shares[i].is_some()) && self.may_hold_all(q, sessions, &members)) {
                        continue;
                    }
                    let least = members
                        .iter()
                        .copied()
                        .min_by(|&a, &b| shares[a].unwrap_or(0.0).total_cmp(&shares[b].unwrap_or(0.0)))
                        .expect("two sessions at least");
                    index.extend(&x_columns[&(sessions[least], q)]);
                }
                rows.push((index, group.column));
            }
        }
        let Some(highs) = &mut self.highs else {
            return 0;
        };
        let mut added = 0;
        for (index, _) in &rows {
            let value = vec![1.0; index.len()];
            // SAFETY: one value per index, each a column of this model.
            let status = unsafe {
                highs_sys::Highs_addRow(
                    highs.as_mut_ptr(),
                    1.0,
                    f64::INFINITY,
                    index.len() as highs_sys::HighsInt,
                    index.as_ptr(),
                    value.as_ptr(),
                )
            };
            if status != highs_sys::kHighsStatusError {
                added += 1;
            }
        }
        self.constraints += added;
        self.cuts += added;
        #[cfg(test)]
        CUTS_ADDED.fetch_add(added, Ordering::Relaxed);
        added
    }

    /// Whether person `q` could hold all of these sessions of a group ([`may_hold_all`]).
    fn may_hold_all(&self, q: usize, sessions: &[usize], members: &[usize]) -> bool {
        let subset: Vec<usize> = members.iter().map(|&i| sessions[i]).collect();
        may_hold_all(self.instance, q, &subset)
    }

    /// Solves the model, or its LP relaxation, from `start`. The LP relaxation is solved
    /// again after each round of continuity cuts ([`Model::separate`]) while they raise it.
    pub fn solve(&mut self, start: &[(usize, usize)], options: &Options) -> Result<Outcome, String> {
        let began = Instant::now();
        let mut outcome = self.solve_once(start, options)?;
        if !options.relaxation_only {
            return Ok(outcome);
        }
        // The rounds of cuts take no longer than the LP itself took (on the year, where the LP
        // takes seconds, they would otherwise take the search's time).
        let took = began.elapsed();
        self.first_lp.get_or_insert(took);
        let rounds_end = Instant::now() + took.max(Duration::from_millis(50));
        // The bound before each of the last rounds: the cuts stop once three rounds together
        // raised it by less than a unit.
        let mut history: Vec<f64> = vec![outcome.bound];
        for _ in 0..self.cut_rounds {
            let out_of_time = options.cancel.load(Ordering::Relaxed)
                || Instant::now() >= rounds_end
                || options.deadline.is_some_and(|d| Instant::now() >= d);
            let Some(values) = self.relaxation.as_ref().map(|lp| lp.values.clone()) else {
                break;
            };
            if out_of_time || self.separate(&values) == 0 {
                break;
            }
            let before = outcome.bound;
            let next = self.solve_once(start, options)?;
            // Cut short, the new LP proves nothing; the last one still holds.
            if self.relaxation.is_none() && next.bound < before {
                break;
            }
            outcome = next;
            history.push(outcome.bound);
            if history.len() > 3 && outcome.bound < history[history.len() - 4] + 1.0 {
                break;
            }
        }
        Ok(outcome)
    }

    /// Solves the model, or its LP relaxation, from `start`, once.
    fn solve_once(&mut self, start: &[(usize, usize)], options: &Options) -> Result<Outcome, String> {
        if self.variables == 0 {
            // Nobody may take anything: the empty assignment is the only one.
            return Ok(Outcome {
                pairs: Vec::new(),
                model_objective: Some(self.constant),
                proven_optimal: true,
                bound: self.constant,
                relaxed: Vec::new(),
            });
        }
        // A failed solve consumes the HiGHS model.
        let mut highs = self.highs.take().ok_or("HiGHS failed in an earlier solve")?;
        highs.set_option("threads", options.threads.max(1) as i32);
        highs.set_option("solve_relaxation", options.relaxation_only);
        let left = options.deadline.map_or(f64::INFINITY, |deadline| {
            deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64()
                .max(0.01)
        });
        highs.set_option("time_limit", left);
        // HiGHS's clock runs on from one solve to the next, and its time limit counts all of
        // them: without this, a later solve stopped at once or soon, its time spent before.
        // SAFETY: a valid HiGHS model.
        unsafe { highs_sys::Highs_zeroAllClocks(highs.as_mut_ptr()) };
        let start_values = self.start_values(start);
        let start_price = self.price(&start_values);
        // With columns fixed HiGHS gets no start (see below), so the start's price, less half a
        // unit, is its cutoff instead: it searches only for strictly better assignments (the
        // objective is a whole number), prunes against the start from its first node, and a
        // search that ends without finding one proves the start optimal.
        let cutoff = (self.restricted() && !options.relaxation_only).then_some(start_price - self.constant - 0.5);
        highs.set_option("objective_bound", cutoff.unwrap_or(f64::INFINITY));
        let watcher = Watcher {
            options,
            x_column: &self.columns.pairs,
            constant: self.constant,
            last: Mutex::new((Instant::now(), f64::NAN, f64::NAN)),
        };
        // This replaces the watcher of an earlier solve, gone since.
        watcher.attach(&mut highs);
        // With columns fixed, HiGHS misprices the start's presolved image (the year's optimum by
        // 160 below its price) and prunes on that price: the quarter's search then stopped at
        // once, unproven; without the start, it proves the optimum in 2 s. A start HiGHS
        // refuses only costs time. Either way `start` stands against its answer below.
        // An LP relaxation needs no start, and a start would clear the basis an LP solved
        // before leaves (after a round of cuts, the next LP starts from it).
        if !self.restricted() && !options.relaxation_only {
            let _ = highs.try_set_solution(Some(&start_values), None, None, None);
        }
        // The continuity cuts serve the LP relaxations (their bounds, and the columns fixed by
        // their reduced costs); the search goes without them, which HiGHS found faster: they
        // are lifted for it (their lower bounds dropped) and restored after.
        let lift_cuts = !options.relaxation_only && self.cuts > 0;
        // SAFETY: a valid HiGHS model.
        let rows = unsafe { highs_sys::Highs_getNumRow(highs.as_mut_ptr()) } as usize;
        let cut_rows: Vec<highs_sys::HighsInt> = (rows - self.cuts..rows).map(|r| r as highs_sys::HighsInt).collect();
        let set_cut_bounds = |highs: &mut highs::Model, lower: f64| {
            let lower = vec![lower; cut_rows.len()];
            let upper = vec![f64::INFINITY; cut_rows.len()];
            // SAFETY: one lower and one upper bound per row, each a row of this model.
            unsafe {
                highs_sys::Highs_changeRowsBoundsBySet(
                    highs.as_mut_ptr(),
                    cut_rows.len() as highs_sys::HighsInt,
                    cut_rows.as_ptr(),
                    lower.as_ptr(),
                    upper.as_ptr(),
                ) != highs_sys::kHighsStatusError
            }
        };
        if lift_cuts && !set_cut_bounds(&mut highs, f64::NEG_INFINITY) {
            self.highs = None;
            return Err("HiGHS refused to lift the cuts".to_string());
        }
        // `watcher` outlives the solve: HiGHS calls back into it only inside `try_solve`.
        let solved = highs.try_solve().map_err(|e| format!("HiGHS failed: {e:?}"))?;
        let status = solved.status();
        let solution = solved.get_solution();
        let values = solution.columns().to_vec();
        let reported = solved.objective_value() + self.constant;
        let has_solution = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
        let has_duals =
            solved.int_info_value(c"dual_solution_status") == Ok(highs_sys::kHighsSolutionStatusFeasible as i64);
        let dual_bound = solved.double_info_value(c"mip_dual_bound").unwrap_or(f64::NEG_INFINITY);
        let mut highs = highs::Model::from(solved);
        if lift_cuts && !set_cut_bounds(&mut highs, 1.0) {
            return Err("HiGHS refused to restore the cuts".to_string());
        }
        self.highs = Some(highs);
        if options.relaxation_only {
            let optimal = status == highs::HighsModelStatus::Optimal;
            let mut x: BTreeMap<(usize, usize), f64> = BTreeMap::new();
            if optimal {
                for &(pair, column) in &self.columns.pairs {
                    *x.entry(pair).or_default() += values[column];
                }
            }
            self.relaxation = (optimal && has_duals).then(|| Relaxation {
                objective: reported,
                values,
                reduced_costs: solution.dual_columns().to_vec(),
            });
            return Ok(Outcome {
                pairs: start.to_vec(),
                model_objective: None,
                proven_optimal: false,
                bound: match status {
                    highs::HighsModelStatus::Optimal => reported,
                    highs::HighsModelStatus::Infeasible => f64::INFINITY,
                    _ => 0.0,
                },
                relaxed: x.into_iter().filter(|&(_, value)| value > 1e-6).collect(),
            });
        }
        // Priced here from the columns: HiGHS's own objective value is not always its
        // solution's (for a start it found feasible, it has reported the value of the start's
        // presolved image instead), so its proof, which is about the value it reports, counts
        // only when the two agree. A search that went without the start may end on worse.
        let (pairs, model_objective, proven_optimal) = match has_solution.then(|| self.price(&values)) {
            Some(found) if found < start_price + 0.5 => (
                chosen_pairs(&self.columns.pairs, &values),
                found,
                status == highs::HighsModelStatus::Optimal && (found - reported).abs() < 0.5,
            ),
            // Under a cutoff, a finished search proves that nothing beats the start, whether
            // it found nothing (infeasible) or only worse (its heuristics take any solution
            // first; "optimal" then speaks of that one).
            _ => (
                start.to_vec(),
                start_price,
                cutoff.is_some()
                    && matches!(
                        status,
                        highs::HighsModelStatus::Optimal | highs::HighsModelStatus::Infeasible
                    ),
            ),
        };
        let dual_bound = if proven_optimal {
            model_objective - self.constant
        } else {
            dual_bound
        };
        Ok(Outcome {
            pairs,
            model_objective: Some(model_objective),
            proven_optimal,
            bound: if dual_bound.is_finite() {
                dual_bound + self.constant
            } else {
                0.0
            },
            relaxed: Vec::new(),
        })
    }
}

/// The (session, person) pairs whose x is 1 in a column vector.
fn chosen_pairs(x_column: &[((usize, usize), usize)], values: &[f64]) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(usize, usize)> = x_column
        .iter()
        .filter(|(_, column)| values[*column] > 0.5)
        .map(|(pair, _)| *pair)
        .collect();
    pairs.sort();
    pairs
}

/// Receives HiGHS's callbacks: reports progress and passes on a cancellation.
struct Watcher<'a> {
    options: &'a Options<'a>,
    x_column: &'a [((usize, usize), usize)],
    constant: f64,
    /// When progress was last reported, with the incumbent and bound then.
    last: Mutex<(Instant, f64, f64)>,
}

/// The least time between two reports of an unchanged incumbent and a risen bound.
const REPORT_EVERY: Duration = Duration::from_millis(200);

impl Watcher<'_> {
    fn attach(&self, highs: &mut highs::Model) {
        let ptr = highs.as_mut_ptr();
        // SAFETY: `self` outlives the solve (see the caller), and `on_callback` only reads the
        // data HiGHS passes for the duration of one call.
        unsafe {
            highs_sys::Highs_setCallback(ptr, Some(on_callback), self as *const Watcher as *mut std::ffi::c_void);
            for kind in [
                highs_sys::kHighsCallbackSimplexInterrupt,
                highs_sys::kHighsCallbackIpmInterrupt,
                highs_sys::kHighsCallbackMipInterrupt,
                highs_sys::kHighsCallbackMipImprovingSolution,
            ] {
                highs_sys::Highs_startCallback(ptr, kind);
            }
        }
    }

    /// Handles one callback; true asks HiGHS to stop.
    fn handle(&self, kind: i32, out: &highs_sys::HighsCallbackDataOut) -> bool {
        if kind == highs_sys::kHighsCallbackMipImprovingSolution && !out.mip_solution.is_null() {
            // SAFETY: HiGHS passes the new solution, one value per column, for this call.
            let columns = unsafe { std::slice::from_raw_parts(out.mip_solution, out.mip_solution_size as usize) };
            self.report(
                Some(chosen_pairs(self.x_column, columns)),
                out.objective_function_value,
                out.mip_dual_bound,
            );
        } else if kind == highs_sys::kHighsCallbackMipInterrupt {
            self.report(None, out.mip_primal_bound, out.mip_dual_bound);
        }
        self.options.cancel.load(Ordering::Relaxed)
    }

    fn report(&self, improved: Option<Vec<(usize, usize)>>, incumbent: f64, bound: f64) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let changed = incumbent != last.1 || bound != last.2;
        if improved.is_none() && !(changed && last.0.elapsed() >= REPORT_EVERY) {
            return;
        }
        *last = (Instant::now(), incumbent, bound);
        drop(last);
        (self.options.on_progress)(Progress {
            improved,
            bound: if bound.is_finite() { bound + self.constant } else { 0.0 },
        });
    }
}

extern "C" fn on_callback(
    kind: std::ffi::c_int,
    _message: *const std::ffi::c_char,
    out: *const highs_sys::HighsCallbackDataOut,
    input: *mut highs_sys::HighsCallbackDataIn,
    data: *mut std::ffi::c_void,
) {
    if out.is_null() || data.is_null() {
        return;
    }
    // SAFETY: `data` is the `Watcher` given in `attach`; `out` and `input` are valid for this call.
    let watcher = unsafe { &*(data as *const Watcher) };
    // A panic must not cross into C++: it is caught and the solve goes on.
    let stop = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| watcher.handle(kind, unsafe { &*out })))
        .unwrap_or(false);
    if stop && !input.is_null() {
        unsafe { (*input).user_interrupt = 1 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::read_problem;

    /// A morning of March 2027 in D1, of module SC-01 of class C1, as a problem file writes it.
    fn session(id: &str, day: u32) -> String {
        format!(
            r#"{{"id": "{id}", "kind": "class", "start": "2027-03-0{day}T07:30:00+07:00",
                "end": "2027-03-0{day}T11:00:00+07:00", "district": "D1", "qualification": "SC-01",
                "group": "C1/SC-01"}}"#
        )
    }

    fn small_problem() -> crate::Problem {
        crate::generate::generate(crate::generate::Size {
            people: 60,
            sessions: 200,
            months: 1,
            seed: 5,
        })
    }

    fn improved_greedy(instance: &Instance) -> Vec<(usize, usize)> {
        let greedy = crate::greedy::assign(instance, [None, None], &[]);
        crate::improve::improve(instance, &greedy, [None, None], &|| false)
    }

    fn ignore(_: Progress) {}

    /// A search stopped at HiGHS's first callback, with the solutions HiGHS told of.
    fn stopped_search(model: &mut Model, start: &[(usize, usize)]) -> (Outcome, Vec<Vec<(usize, usize)>>) {
        let stopped = AtomicBool::new(true);
        let told = Mutex::new(Vec::new());
        let tell = |p: Progress| told.lock().unwrap().extend(p.improved);
        let search = model
            .solve(
                start,
                &Options {
                    on_progress: &tell,
                    ..options(false, &stopped)
                },
            )
            .unwrap();
        (search, told.into_inner().unwrap())
    }

    /// The bounds HiGHS holds for each binary column.
    fn binary_bounds(model: &mut Model) -> Vec<(f64, f64)> {
        let n = model.starts.len();
        let highs = model.highs.as_mut().expect("a model").as_mut_ptr();
        // SAFETY: every array is as long as HiGHS writes: one entry per column, or per nonzero.
        let (lower, upper) = unsafe {
            let nonzeros = highs_sys::Highs_getNumNz(highs) as usize;
            let (mut costs, mut lower, mut upper) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            let (mut starts, mut index, mut value) = (vec![0; n], vec![0; nonzeros], vec![0.0; nonzeros]);
            let (mut num_col, mut num_nz) = (0, 0);
            highs_sys::Highs_getColsByRange(
                highs,
                0,
                n as highs_sys::HighsInt - 1,
                &mut num_col,
                costs.as_mut_ptr(),
                lower.as_mut_ptr(),
                upper.as_mut_ptr(),
                &mut num_nz,
                starts.as_mut_ptr(),
                index.as_mut_ptr(),
                value.as_mut_ptr(),
            );
            (lower, upper)
        };
        (0..n)
            .filter(|&c| model.starts[c].is_binary())
            .map(|c| (lower[c], upper[c]))
            .collect()
    }

    fn options(relaxation_only: bool, cancel: &AtomicBool) -> Options<'_> {
        Options {
            deadline: None,
            threads: 1,
            cancel,
            on_progress: &ignore,
            relaxation_only,
        }
    }

    #[test]
    fn a_module_nobody_can_teach_whole_pays_its_split_in_the_lp_with_the_cuts() {
        // Three half-days of one module; each of three people is away on one of them, so
        // every assignment splits the module, where the LP without cuts gives each person half
        // of the two half-days they can teach, and pays half a split.
        let person = |id: &str, away: u32| {
            format!(
                r#"{{"id": "{id}", "roles": ["lecturer_full_time"], "home_district": "D1", "qualifications": ["SC-01"],
                    "unavailable": [{{"start": "2027-03-0{away}T00:00:00+07:00", "end": "2027-03-0{away}T23:00:00+07:00"}}]}}"#
            )
        };
        let text = format!(
            r#"{{"format": "roster-problem/1", "timezone": "Asia/Ho_Chi_Minh", "districts": [{{"id": "D1"}}],
                "travel_minutes": {{"D1": {{"D1": 0}}}},
                "people": [{}, {}, {}], "sessions": [{}, {}, {}],
                "weights": {{"uncovered": 10000, "continuity": 30}}}}"#,
            person("P1", 2),
            person("P2", 3),
            person("P3", 1),
            session("S1", 1),
            session("S2", 2),
            session("S3", 3)
        );
        let problem = read_problem(&text).unwrap();
        let instance = Instance::new(&problem).unwrap();
        let never = AtomicBool::new(false);
        let mut plain = Model::build(&instance);
        plain.cut_rounds = 0;
        let lp = plain.solve(&[], &options(true, &never)).unwrap();
        assert!((lp.bound - 15.0).abs() < 1e-6, "{}", lp.bound);
        let mut model = Model::build(&instance);
        let lp = model.solve(&[], &options(true, &never)).unwrap();
        assert!((lp.bound - 30.0).abs() < 1e-6, "{}", lp.bound);
        let whole = model.solve(&[], &options(false, &never)).unwrap();
        assert_eq!((whole.model_objective, whole.proven_optimal), (Some(30.0), true));
        assert_eq!(crate::evaluate::terms(&instance, &whole.pairs).total(), 30);
    }

    #[test]
    fn most_held_counts_conflicts_and_caps() {
        let session = |id: &str, day: u32, start: &str, end: &str| {
            format!(
                r#"{{"id": "{id}", "kind": "class", "start": "2027-03-0{day}T{start}:00+07:00",
                    "end": "2027-03-0{day}T{end}:00+07:00", "district": "D1", "qualification": "SC-01"}}"#
            )
        };
        let text = format!(
            r#"{{"format": "roster-problem/1", "timezone": "Asia/Ho_Chi_Minh", "districts": [{{"id": "D1"}}],
                "travel_minutes": {{"D1": {{"D1": 0}}}},
                "people": [{{"id": "P1", "roles": ["lecturer_full_time"], "home_district": "D1", "qualifications": ["SC-01"], "max_per_week": 3}},
                           {{"id": "P2", "roles": ["lecturer_full_time"], "home_district": "D1", "qualifications": ["SC-01"], "max_per_day": 1}}],
                "sessions": [{}, {}, {}, {}, {}], "weights": {{}}}}"#,
            session("S1", 1, "07:30", "11:00"),
            session("S2", 1, "13:30", "17:00"),
            session("S3", 2, "07:30", "11:00"),
            session("S4", 2, "10:00", "12:00"),
            session("S5", 3, "07:30", "11:00")
        );
        let problem = read_problem(&text).unwrap();
        let instance = Instance::new(&problem).unwrap();
        // P1: a week cap of 3, and S3 and S4 overlap.
        assert_eq!(most_held(&instance, 0, &[0, 1, 2, 3, 4]), 3);
        assert_eq!(most_held(&instance, 0, &[0, 1, 2]), 3);
        assert!(may_hold_all(&instance, 0, &[0, 1, 4]));
        assert!(!may_hold_all(&instance, 0, &[2, 3]));
        // P2: one a day.
        assert_eq!(most_held(&instance, 1, &[0, 1, 2, 3, 4]), 3);
        assert_eq!(most_held(&instance, 1, &[0, 1]), 1);
    }

    #[test]
    fn a_start_goes_in_feasible_and_priced_as_evaluated_after_the_lp_relaxation() {
        let problem = small_problem();
        let instance = Instance::new(&problem).unwrap();
        let start = improved_greedy(&instance);
        let mut model = Model::build(&instance);
        let held_both = model.columns.both.keys().filter(|pair| start.contains(pair)).count();
        assert!(
            held_both > 0,
            "the start holds pair groups through their `both` columns"
        );
        let never = AtomicBool::new(false);
        let lp = model.solve(&start, &options(true, &never)).unwrap();
        // Stopped at its first callback, HiGHS returns the start it was given, and has told of
        // it as its first solution.
        let (search, told) = stopped_search(&mut model, &start);
        let evaluated = crate::evaluate::terms(&instance, &start).total() as f64;
        assert_eq!(told, std::slice::from_ref(&start));
        assert_eq!(search.pairs, start);
        assert_eq!(search.model_objective, Some(evaluated));
        assert!(!search.proven_optimal);
        assert!(lp.bound <= evaluated);
    }

    #[test]
    fn columns_fixed_by_reduced_cost_keep_the_optimum_and_a_stopped_search_keeps_the_start() {
        let problem = small_problem();
        let instance = Instance::new(&problem).unwrap();
        let start = improved_greedy(&instance);
        let priced = crate::evaluate::terms(&instance, &start).total();
        let never = AtomicBool::new(false);
        let whole = Model::build(&instance).solve(&start, &options(false, &never)).unwrap();
        assert!(whole.proven_optimal);

        let restricted = |incumbent: i64| {
            let mut model = Model::build(&instance);
            assert_eq!(model.fix_by_reduced_cost(incumbent as f64), 0, "nothing before the LP");
            model.solve(&start, &options(true, &never)).unwrap();
            let fixed = model.fix_by_reduced_cost(incumbent as f64);
            (model, fixed)
        };
        // Against the start, and against the optimum itself: the tighter the incumbent, the
        // more is fixed; the optimum stays.
        let optimum = whole.model_objective.unwrap();
        let (mut model, fixed) = restricted(priced);
        let (mut tighter, more) = restricted(optimum as i64);
        assert!(more > fixed, "{more} against {fixed}");
        for model in [&mut model, &mut tighter] {
            let search = model.solve(&start, &options(false, &never)).unwrap();
            assert_eq!((search.model_objective, search.proven_optimal), (Some(optimum), true));
        }

        // With columns fixed HiGHS searches without the start (it tells of none); stopped at
        // once, it has nothing, and the start stands.
        let (mut fixed_model, _) = restricted(optimum as i64);
        let held_fixed = binary_bounds(&mut fixed_model).iter().filter(|(l, u)| l == u).count();
        assert_eq!(held_fixed, more);
        let (search, told) = stopped_search(&mut fixed_model, &start);
        assert_eq!(told, Vec::<Vec<(usize, usize)>>::new());
        assert_eq!(search.pairs, start);
        assert_eq!(search.model_objective, Some(priced as f64));
        assert!(!search.proven_optimal);
    }

    #[test]
    fn a_search_that_finds_nothing_better_than_its_start_proves_it_optimal() {
        let problem = small_problem();
        let instance = Instance::new(&problem).unwrap();
        let never = AtomicBool::new(false);
        let whole = Model::build(&instance)
            .solve(&improved_greedy(&instance), &options(false, &never))
            .unwrap();
        assert!(whole.proven_optimal);
        let (optimum, price) = (whole.pairs, whole.model_objective.unwrap());
        assert_eq!(crate::evaluate::terms(&instance, &optimum).total() as f64, price);

        // From the plain model's optimum, with columns fixed: HiGHS looks only for strictly
        // better assignments (though its heuristics may still come upon another optimum), finds
        // none, and proves the plain optimum's price.
        let mut model = Model::build(&instance);
        model.solve(&optimum, &options(true, &never)).unwrap();
        assert!(model.fix_by_reduced_cost(price) > 0);
        let search = model.solve(&optimum, &options(false, &never)).unwrap();
        assert_eq!((search.model_objective, search.proven_optimal), (Some(price), true));
        assert_eq!(crate::evaluate::terms(&instance, &search.pairs).total() as f64, price);
        assert!(
            search.bound > price - 1.0 && search.bound < price + 1e-6,
            "{}",
            search.bound
        );

        // From a worse start, the same search finds the optimum's price and proves it.
        let start = improved_greedy(&instance);
        assert!(crate::evaluate::terms(&instance, &start).total() as f64 > price);
        let mut model = Model::build(&instance);
        model.solve(&start, &options(true, &never)).unwrap();
        model.fix_by_reduced_cost(crate::evaluate::terms(&instance, &start).total() as f64);
        let search = model.solve(&start, &options(false, &never)).unwrap();
        assert_eq!((search.model_objective, search.proven_optimal), (Some(price), true));
    }

    #[test]
    fn a_search_near_the_start_finds_better_and_frees_its_columns_after() {
        let problem = small_problem();
        let instance = Instance::new(&problem).unwrap();
        let start = improved_greedy(&instance);
        let never = AtomicBool::new(false);
        let whole = Model::build(&instance).solve(&start, &options(false, &never)).unwrap();
        let mut model = Model::build(&instance);
        assert_eq!(
            model.search_near(&start, &options(false, &never)),
            None,
            "nothing before the LP"
        );
        model.solve(&start, &options(true, &never)).unwrap();
        let better = model
            .search_near(&start, &options(false, &never))
            .expect("a better assignment near the start");
        assert!(
            binary_bounds(&mut model).iter().all(|&b| b == (0.0, 1.0)),
            "every column free again"
        );
        let price = |pairs: &[(usize, usize)]| crate::evaluate::terms(&instance, pairs).total();
        assert!(price(&better) < price(&start));
        let report = crate::check::check_assignments(&problem, &crate::pairs_by_id(&problem, &better));
        assert_eq!(report.violations, Vec::<String>::new());
        let search = model.solve(&better, &options(false, &never)).unwrap();
        assert_eq!(
            (search.model_objective, search.proven_optimal),
            (whole.model_objective, true)
        );
    }

    #[test]
    fn the_one_person_who_may_take_a_pair_group_holds_each_session_once() {
        // A module of two half-days that only P1 may teach: P1 holds each session through its
        // single column, or both through one column; never a session through both.
        let text = format!(
            r#"{{"format": "roster-problem/1", "timezone": "Asia/Ho_Chi_Minh", "districts": [{{"id": "D1"}}],
                "travel_minutes": {{"D1": {{"D1": 0}}}},
                "people": [{{"id": "P1", "roles": ["lecturer_full_time"], "home_district": "D1", "qualifications": ["SC-01"]}}],
                "sessions": [{}, {}], "weights": {{"uncovered": 10000, "continuity": 30}}}}"#,
            session("S1", 1),
            session("S2", 2)
        );
        let problem = read_problem(&text).unwrap();
        let instance = Instance::new(&problem).unwrap();
        let never = AtomicBool::new(false);
        let mut model = Model::build(&instance);
        let lp = model.solve(&[], &options(true, &never)).unwrap();
        assert_eq!(
            lp.relaxed,
            [((0, 0), 1.0), ((1, 0), 1.0)],
            "the LP takes each session once"
        );

        let mut model = Model::build(&instance);
        let columns: Vec<highs_sys::HighsInt> = model
            .columns
            .pairs
            .iter()
            .filter(|(pair, _)| *pair == (0, 0))
            .map(|&(_, column)| column as highs_sys::HighsInt)
            .collect();
        assert_eq!(columns.len(), 2, "S1's single column and the column giving both");
        assert!(model.set_bounds(&columns, &[1.0, 1.0], &[1.0, 1.0]));
        let twice = model.solve(&[], &options(true, &never)).unwrap();
        assert_eq!(twice.relaxed, [], "P1 holding S1 twice is infeasible");
    }

    #[test]
    fn a_range_of_highest_loads_no_assignment_meets_has_an_infinite_bound() {
        // P1 is pinned to S1: the full-time lecturers' highest load is at least 1.
        let text = r#"{"format": "roster-problem/1", "timezone": "Asia/Ho_Chi_Minh", "districts": [{"id": "D1"}],
            "travel_minutes": {"D1": {"D1": 0}},
            "people": [{"id": "P1", "roles": ["lecturer_full_time"], "home_district": "D1", "qualifications": ["SC-01"]},
                       {"id": "P2", "roles": ["lecturer_full_time"], "home_district": "D1", "qualifications": ["SC-01"]}],
            "sessions": [{"id": "S1", "kind": "class", "start": "2027-03-01T07:30:00+07:00", "end": "2027-03-01T11:00:00+07:00",
                          "district": "D1", "qualification": "SC-01"},
                         {"id": "S2", "kind": "class", "start": "2027-03-02T07:30:00+07:00", "end": "2027-03-02T11:00:00+07:00",
                          "district": "D1", "qualification": "SC-01"}],
            "pinned": [{"session": "S1", "person": "P1"}],
            "weights": {"uncovered": 10000, "max_load": 50}}"#;
        let problem = read_problem(text).unwrap();
        let instance = Instance::new(&problem).unwrap();
        let never = AtomicBool::new(false);
        let mut model = Model::build(&instance);
        let whole = model.solve(&[], &options(true, &never)).unwrap();
        assert_eq!((whole.bound, model.relaxed_highest()), (50.0, [Some(1.0), None]));
        let none = LoadRange {
            least: 0,
            most: Some(0),
        };
        assert!(model.hold_highest([none, LoadRange::ANY]));
        assert_eq!(model.relaxed_bound(), None, "the whole model's LP no longer holds");
        let held = model.solve(&[], &options(true, &never)).unwrap();
        assert_eq!(held.bound, f64::INFINITY);
        assert!(
            !model.hold_highest([LoadRange::ANY, none]),
            "no rapporteur: no such range"
        );
        assert!(model.hold_highest([LoadRange::ANY; 2]));
        let again = model.solve(&[], &options(true, &never)).unwrap();
        assert_eq!(again.bound, 50.0);
    }

    #[test]
    fn one_of_a_day_is_at_most_one_where_the_day_cap_is_1_or_the_sessions_overlap() {
        let session = |id: &str, start: &str, end: &str| {
            format!(
                r#"{{"id": "{id}", "kind": "class", "start": "2027-03-01T{start}:00+07:00", "end": "2027-03-01T{end}:00+07:00",
                    "district": "D1", "qualification": "SC-01"}}"#
            )
        };
        let text = format!(
            r#"{{"format": "roster-problem/1", "timezone": "Asia/Ho_Chi_Minh", "districts": [{{"id": "D1"}}],
                "travel_minutes": {{"D1": {{"D1": 0}}}},
                "people": [{{"id": "P1", "roles": ["lecturer_full_time"], "home_district": "D1", "qualifications": ["SC-01"], "max_per_day": 1}},
                           {{"id": "P2", "roles": ["lecturer_full_time"], "home_district": "D1", "qualifications": ["SC-01"], "max_per_day": 2}}],
                "sessions": [{}, {}, {}], "weights": {{}}}}"#,
            session("S1", "07:30", "11:00"),
            session("S2", "13:30", "17:00"),
            session("S3", "10:00", "12:00")
        );
        let problem = read_problem(&text).unwrap();
        let instance = Instance::new(&problem).unwrap();
        assert!(at_most_one(&instance, 0, &[0, 1]));
        assert!(!at_most_one(&instance, 1, &[0, 1]));
        assert!(at_most_one(&instance, 1, &[0, 2]));
        assert!(at_most_one(&instance, 1, &[1]));
    }
}
