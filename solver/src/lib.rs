//! The Roster scheduler: assigns lecturers and rapporteurs to sessions.
//!
//! A plain-data [`Problem`] in, a [`Solution`] out; no I/O (JSON is in [`format`]). The model
//! is an exact integer program solved by HiGHS, started from a greedy assignment so that a time
//! limit always leaves an incumbent. [`check`] verifies any solution against its problem,
//! independently of the model.

pub mod check;
mod evaluate;
pub mod format;
pub mod generate;
mod greedy;
mod instance;
mod model;
pub mod problem;

use std::time::Instant;

pub use problem::*;

/// How to solve.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Seconds for the whole solve, model building included; overrides the problem's
    /// `time_limit_seconds`.
    pub time_limit: Option<f64>,
    /// Threads for HiGHS.
    pub threads: u32,
    /// Print HiGHS's progress log (elapsed, incumbent, bound, gap).
    pub log: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: None,
            threads: 2,
            log: false,
        }
    }
}

/// Solves a problem. A problem that breaks the format, or pins that break a rule, give an
/// `error` solution; a time limit gives a `feasible` one with the proven bound.
pub fn solve(problem: &Problem, options: &SolveOptions) -> Solution {
    let started = Instant::now();
    let instance = match instance::Instance::new(problem) {
        Ok(i) => i,
        Err(e) => return Solution::error(e.code, e.message),
    };
    let start = greedy::assign(&instance);
    let model_options = model::Options {
        deadline: options
            .time_limit
            .or(problem.time_limit_seconds)
            .and_then(|t| std::time::Duration::try_from_secs_f64(t.max(0.0)).ok())
            .map(|t| started + t),
        threads: options.threads,
        log: options.log,
    };
    let (pairs, model_objective, proven_optimal, bound, variables, constraints) =
        match model::solve(&instance, &start, &model_options) {
            Ok(o) => (
                o.pairs,
                o.model_objective,
                o.proven_optimal,
                o.bound,
                o.variables,
                o.constraints,
            ),
            // Every term is non-negative, so 0 is always a valid bound.
            Err(_) => (start, None, false, 0.0, 0, 0),
        };
    let terms = evaluate::terms(&instance, &pairs);
    let objective = terms.total();
    // The model and the evaluation must price the assignment alike; if they ever differ, the
    // model is wrong and its proof of optimality proves nothing.
    let consistent = model_objective.is_none_or(|m| (m - objective as f64).abs() < 0.5);
    debug_assert!(consistent, "model objective {model_objective:?}, evaluated {objective}");
    let proven_optimal = proven_optimal && consistent;
    // The objective is a whole number, so the bound rounds up; it never exceeds the objective.
    let bound = if proven_optimal {
        objective
    } else {
        ((bound - 1e-6).ceil() as i64).clamp(0, objective)
    };
    let mut assignments: Vec<Pair> = pairs
        .iter()
        .map(|&(s, q)| Pair {
            session: problem.sessions[s].id.clone(),
            person: problem.people[q].id.clone(),
        })
        .collect();
    assignments.sort();
    Solution {
        format: SOLUTION_FORMAT.to_string(),
        status: if proven_optimal {
            Status::Optimal
        } else {
            Status::Feasible
        },
        objective,
        bound,
        objective_terms: terms,
        uncovered: evaluate::uncovered(&instance, &pairs),
        assignments,
        stats: Stats {
            variables,
            constraints,
            solve_seconds: started.elapsed().as_secs_f64(),
            solver: "highs".to_string(),
        },
        error: None,
    }
}
