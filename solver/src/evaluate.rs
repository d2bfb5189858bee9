//! The objective terms of an assignment, as the solver reports them, and the reason each
//! uncovered session is uncovered.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::greedy::Ledger;
use crate::instance::{Instance, is_available, passes_qualification_rules};
use crate::problem::{Reason, ReasonCode, Terms, Uncovered};

/// The weighted terms of the objective for these (session, person) pairs.
pub fn terms(instance: &Instance, pairs: &[(usize, usize)]) -> Terms {
    let w = &instance.problem.weights;
    let mut assigned = vec![0i64; instance.sessions.len()];
    let mut load = vec![0i64; instance.people.len()];
    let mut group_people: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    let mut t = Terms::default();
    for &(s, q) in pairs {
        assigned[s] += 1;
        load[q] += 1;
        if let Some(g) = instance.sessions[s].group {
            group_people.entry(g).or_default().insert(q);
        }
        let info = &instance.sessions[s];
        t.travel += w.travel_minute * instance.travel[instance.people[q].home][info.district];
        if info.class && !instance.people[q].full_time {
            t.part_time += w.part_time;
        }
        if instance.problem.sessions[s]
            .language
            .as_ref()
            .is_some_and(|l| !instance.problem.people[q].languages.contains(l))
        {
            t.language += w.language;
        }
    }
    t.uncovered = w.uncovered
        * instance
            .sessions
            .iter()
            .zip(&assigned)
            .map(|(s, a)| s.needs as i64 - a)
            .sum::<i64>();
    let highest = |select: fn(&crate::instance::PersonInfo) -> bool| {
        instance
            .people
            .iter()
            .zip(&load)
            .filter(|(p, _)| select(p))
            .map(|(_, l)| *l)
            .max()
            .unwrap_or(0)
    };
    t.max_load = w.max_load * (highest(|p| p.full_time) + highest(|p| p.rapporteur));
    t.continuity = w.continuity * group_people.values().map(|people| people.len() as i64 - 1).sum::<i64>();
    let kept: HashSet<(usize, usize)> = pairs.iter().copied().collect();
    t.change = w.change * instance.previous.iter().filter(|pair| !kept.contains(pair)).count() as i64;
    t
}

/// Every session with fewer people than it needs, by session id, with its reason.
pub fn uncovered(instance: &Instance, pairs: &[(usize, usize)]) -> Vec<Uncovered> {
    let p = instance.problem;
    let mut ledger = Ledger::new(instance);
    let mut on_session: Vec<Vec<usize>> = vec![Vec::new(); instance.sessions.len()];
    for &(s, q) in pairs {
        ledger.take(q, s);
        on_session[s].push(q);
    }
    let mut out: Vec<Uncovered> = Vec::new();
    for (s, info) in instance.sessions.iter().enumerate() {
        let missing = info.needs.saturating_sub(on_session[s].len() as u32);
        if missing == 0 {
            continue;
        }
        let session = &p.sessions[s];
        let others: Vec<usize> = (0..p.people.len()).filter(|q| !on_session[s].contains(q)).collect();
        let qualified: Vec<usize> = others
            .iter()
            .copied()
            .filter(|&q| passes_qualification_rules(&p.people[q], session))
            .collect();
        let available: Vec<usize> = qualified
            .iter()
            .copied()
            .filter(|&q| is_available(&p.people[q], session))
            .collect();
        let free: Vec<usize> = available
            .iter()
            .copied()
            .filter(|&q| ledger.conflicts(q, s).next().is_none())
            .collect();
        let reason = if qualified.is_empty() {
            Reason {
                code: ReasonCode::NoQualifiedPerson,
                detail: "nobody has the role, qualification, level and language it needs".to_string(),
            }
        } else if available.is_empty() {
            Reason {
                code: ReasonCode::NoAvailablePerson,
                detail: format!(
                    "{} qualified {}, all unavailable then",
                    qualified.len(),
                    people(qualified.len())
                ),
            }
        } else if let Some(&q) = free.iter().find(|&&q| !ledger.at_cap(q, s)) {
            Reason {
                code: ReasonCode::NotChosen,
                detail: format!(
                    "{} could take it; the objective preferred not to (cost of each assignment against `uncovered`)",
                    p.people[q].id
                ),
            }
        } else if free.is_empty() {
            let mut holding: BTreeSet<&str> = BTreeSet::new();
            for &q in &available {
                holding.extend(ledger.conflicts(q, s).map(|t| p.sessions[t].id.as_str()));
            }
            Reason {
                code: ReasonCode::AllBusy,
                detail: format!(
                    "{} eligible {}, all teaching or briefing {} at that time",
                    available.len(),
                    people(available.len()),
                    holding.into_iter().collect::<Vec<_>>().join(", ")
                ),
            }
        } else {
            Reason {
                code: ReasonCode::CapsReached,
                detail: format!(
                    "{} eligible {} free then, all at a day, week or month cap",
                    free.len(),
                    people(free.len())
                ),
            }
        };
        out.push(Uncovered {
            session: session.id.clone(),
            missing,
            reason,
        });
    }
    out.sort_by(|a, b| a.session.cmp(&b.session));
    out
}

fn people(n: usize) -> &'static str {
    if n == 1 { "person" } else { "people" }
}
