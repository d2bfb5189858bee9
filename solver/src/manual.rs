//! For the planner's own hand: pricing assignments made outside the model, and the people who
//! could take one more session.

use std::collections::HashMap;

use crate::instance::Instance;
use crate::problem::{ErrorInfo, Pair, Problem, SOLUTION_FORMAT, Solution, Stats, Status};
use crate::{evaluate, index_pairs};

/// Prices assignments as a solution of `problem`: objective terms and every uncovered session
/// with its reason, the same way [`crate::solve`] does. Status `feasible` with `bound` as
/// given (clamped to the objective). The assignments should keep every hard rule
/// (see [`crate::check::check_assignments`]); pairs naming unknown ids are an error.
pub fn assess(problem: &Problem, assignments: &[Pair], bound: i64) -> Result<Solution, ErrorInfo> {
    let instance = Instance::new(problem).map_err(|e| ErrorInfo {
        code: e.code,
        message: e.message,
    })?;
    let pairs = index_pairs(problem, assignments)?;
    let terms = evaluate::terms(&instance, &pairs);
    let objective = terms.total();
    let mut assignments = assignments.to_vec();
    assignments.sort();
    assignments.dedup();
    Ok(Solution {
        format: SOLUTION_FORMAT.to_string(),
        status: Status::Feasible,
        objective,
        bound: bound.clamp(0, objective),
        objective_terms: terms,
        uncovered: evaluate::uncovered(&instance, &pairs),
        assignments,
        stats: Stats {
            variables: 0,
            constraints: 0,
            solve_seconds: 0.0,
            solver: "manual".to_string(),
            rejected: Vec::new(),
        },
        error: None,
    })
}

/// Someone who could take a session without breaking a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub person: String,
    /// From the person's home district to the session's.
    pub travel_minutes: i64,
    /// Sessions the person already holds in the problem's period.
    pub load: u32,
    /// What the assignment adds to the objective on its own: travel, part-time, language.
    pub cost: i64,
}

/// The people who could join `session` next to `assignments` without breaking a rule (not
/// in two places at once, travel counted; under every cap), cheapest first, then least
/// loaded. People already on the session are left out.
pub fn candidates(problem: &Problem, assignments: &[Pair], session: &str) -> Result<Vec<Candidate>, ErrorInfo> {
    let instance = Instance::new(problem).map_err(|e| ErrorInfo {
        code: e.code,
        message: e.message,
    })?;
    let s = problem
        .sessions
        .iter()
        .position(|x| x.id == session)
        .ok_or_else(|| ErrorInfo {
            code: crate::ErrorCode::UnknownId,
            message: format!("no session {session}"),
        })?;
    let mut held: HashMap<usize, Vec<usize>> = HashMap::new();
    for (t, q) in index_pairs(problem, assignments)? {
        held.entry(q).or_default().push(t);
    }
    let info = &instance.sessions[s];
    let mut out: Vec<Candidate> = info
        .eligible
        .iter()
        .copied()
        .filter(|&q| {
            let mine = held.get(&q).map(Vec::as_slice).unwrap_or(&[]);
            !mine.contains(&s)
                && mine.iter().all(|&t| !instance.conflict(s, t))
                && (0..3).all(|k| {
                    instance.people[q].caps[k].is_none_or(|cap| {
                        (mine
                            .iter()
                            .filter(|&&t| instance.sessions[t].buckets[k] == info.buckets[k])
                            .count() as u32)
                            < cap
                    })
                })
        })
        .map(|q| Candidate {
            person: problem.people[q].id.clone(),
            travel_minutes: instance.travel[instance.people[q].home][info.district],
            load: held.get(&q).map_or(0, Vec::len) as u32,
            cost: instance.pair_cost(s, q),
        })
        .collect();
    out.sort_by(|a, b| (a.cost, a.load, &a.person).cmp(&(b.cost, b.load, &b.person)));
    Ok(out)
}
