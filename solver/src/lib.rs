//! The Roster scheduler: assigns lecturers and rapporteurs to sessions.
//!
//! A plain-data [`Problem`] in, a [`Solution`] out; no I/O (JSON is in [`format`]). The model
//! is an exact integer program solved by HiGHS against the better of two assignments (a greedy
//! one and one guided by the LP relaxation, each improved by a local search, then by HiGHS
//! near itself), then searched split by ranges of the highest loads ([`ceilings`]): in each,
//! its LP relaxation is tightened by continuity cuts, the assignment is improved by searches
//! near that LP, the columns that no assignment as good could move are fixed by their reduced
//! costs, and the
//! assignment stands unless HiGHS finds better, so that a time limit always leaves an
//! incumbent. [`check`] verifies any solution against its problem, independently of
//! the model.

#[cfg(test)]
mod brute;
mod ceilings;
pub mod check;
mod evaluate;
pub mod format;
pub mod generate;
mod greedy;
mod improve;
mod instance;
mod manual;
mod model;
pub mod problem;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use manual::{Candidate, assess, candidates};
pub use problem::*;

/// How to solve.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Seconds for the whole solve, model building included; overrides the problem's
    /// `time_limit_seconds`.
    pub time_limit: Option<f64>,
    /// Threads for HiGHS.
    pub threads: u32,
    pub control: Control,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: None,
            threads: 2,
            control: Control::default(),
        }
    }
}

/// Watching and stopping a solve from another thread.
#[derive(Clone, Default)]
pub struct Control {
    /// Set to stop the solve: it ends as on a time limit, with the best assignment found.
    pub cancel: Arc<AtomicBool>,
    /// Called with the greedy start, with each better assignment, and as the bound rises
    /// (at most every 200 ms then); on HiGHS's threads, so it should return quickly.
    pub on_progress: Option<OnProgress>,
}

pub type OnProgress = Arc<dyn Fn(&Progress) + Send + Sync>;

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("cancel", &self.cancel)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

/// Where a running solve stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub elapsed_seconds: f64,
    /// The objective of the best assignment so far.
    pub incumbent: i64,
    /// The best proven lower bound so far.
    pub bound: i64,
    /// The best assignment so far, sorted, when it has just improved; `None` when only the
    /// bound moved.
    pub assignments: Option<Vec<Pair>>,
}

impl Progress {
    /// The relative gap between incumbent and bound, 0 when proven optimal.
    pub fn gap(&self) -> f64 {
        if self.incumbent == 0 {
            0.0
        } else {
            (self.incumbent - self.bound) as f64 / self.incumbent as f64
        }
    }
}

/// Checks a problem as [`solve`] would before solving it: the format, the ids, and that the
/// pins keep every rule.
pub fn validate(problem: &Problem) -> Result<(), ErrorInfo> {
    instance::Instance::new(problem).map(|_| ()).map_err(|e| ErrorInfo {
        code: e.code,
        message: e.message,
    })
}

/// (session, person) indices of pairs given by id; an unknown id is an error.
fn index_pairs(problem: &Problem, pairs: &[Pair]) -> Result<Vec<(usize, usize)>, ErrorInfo> {
    let sessions: std::collections::HashMap<&str, usize> = problem
        .sessions
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let people: std::collections::HashMap<&str, usize> = problem
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut out: Vec<(usize, usize)> = pairs
        .iter()
        .map(
            |p| match (sessions.get(p.session.as_str()), people.get(p.person.as_str())) {
                (Some(&s), Some(&q)) => Ok((s, q)),
                _ => Err(ErrorInfo {
                    code: ErrorCode::UnknownId,
                    message: format!(
                        "assignment {} → {} names an unknown session or person",
                        p.person, p.session
                    ),
                }),
            },
        )
        .collect::<Result<_, _>>()?;
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// (session, person) index pairs as ids, sorted.
fn pairs_by_id(problem: &Problem, pairs: &[(usize, usize)]) -> Vec<Pair> {
    let mut v: Vec<Pair> = pairs
        .iter()
        .map(|&(s, q)| Pair {
            session: problem.sessions[s].id.clone(),
            person: problem.people[q].id.clone(),
        })
        .collect();
    v.sort();
    v
}

/// HiGHS's bound as the format gives it: the objective is a whole number, so the bound rounds
/// up; it is never below 0 nor above the objective.
fn whole_bound(bound: f64, objective: i64) -> i64 {
    ((bound - 1e-6).ceil() as i64).clamp(0, objective)
}

/// A start that follows the LP relaxation: its pairs by falling value first, then the greedy,
/// under load ceilings at the LP's highest loads, then the local search with and without them.
/// Single moves cannot lower a highest load that many people share; the LP shows how low it
/// can go.
fn guided_start(
    instance: &instance::Instance,
    relaxed: &[((usize, usize), f64)],
    stop: &dyn Fn() -> bool,
) -> Vec<(usize, usize)> {
    let mut ranked = relaxed.to_vec();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let first: Vec<(usize, usize)> = ranked.iter().map(|&(pair, _)| pair).collect();
    let mut load = vec![0.0; instance.people.len()];
    for &((_, q), value) in relaxed {
        load[q] += value;
    }
    let ceiling = [0, 1].map(|k| {
        (0..load.len())
            .filter(|&q| instance.people[q].load_classes()[k])
            .map(|q| (load[q] - 1e-6).ceil().max(0.0) as usize)
            .max()
    });
    let pairs = improve::improve(instance, &greedy::assign(instance, ceiling, &first), ceiling, stop);
    improve::improve(instance, &pairs, [None, None], stop)
}

/// Solves a problem. A problem that breaks the format, or pins that break a rule, give an
/// `error` solution; a time limit gives a `feasible` one with the proven bound.
pub fn solve(problem: &Problem, options: &SolveOptions) -> Solution {
    let started = Instant::now();
    let instance = match instance::Instance::new(problem) {
        Ok(i) => i,
        Err(e) => return Solution::error(e.code, e.message),
    };
    let limit = options
        .time_limit
        .or(problem.time_limit_seconds)
        .and_then(|t| std::time::Duration::try_from_secs_f64(t.max(0.0)).ok());
    let at_fraction = |part: u32, whole: u32| limit.map(|t| started + t * part / whole);
    let cancelled = || options.control.cancel.load(Ordering::Relaxed);
    let greedy = greedy::assign(&instance, [None, None], &[]);
    let to_pairs = |pairs: &[(usize, usize)]| pairs_by_id(problem, pairs);
    // The incumbent is priced by `evaluate`, like the solution, so progress and answer agree.
    let best = Mutex::new(evaluate::terms(&instance, &greedy).total());
    let report = |improved: Option<&[(usize, usize)]>, bound: f64| {
        let Some(on_progress) = &options.control.on_progress else {
            return;
        };
        let mut best = best.lock().unwrap_or_else(|e| e.into_inner());
        let assignments = match improved {
            Some(pairs) => {
                let objective = evaluate::terms(&instance, pairs).total();
                if objective > *best {
                    return;
                }
                *best = objective;
                Some(to_pairs(pairs))
            }
            None => None,
        };
        on_progress(&Progress {
            elapsed_seconds: started.elapsed().as_secs_f64(),
            incumbent: *best,
            bound: whole_bound(bound, *best),
            assignments,
        });
    };
    report(Some(&greedy), 0.0);
    // The LP's bound holds while HiGHS's own is still below it.
    let lp_bound = Mutex::new(0.0_f64);
    let on_progress = |p: model::Progress| {
        let lp_bound = *lp_bound.lock().unwrap_or_else(|e| e.into_inner());
        report(p.improved.as_deref(), p.bound.max(lp_bound));
    };
    let model_options = |relaxation_only: bool, deadline: Option<Instant>| model::Options {
        deadline,
        threads: options.threads,
        cancel: &options.control.cancel,
        on_progress: &on_progress,
        relaxation_only,
    };
    // While the local search improves the greedy start in a second thread, the model is built
    // and its LP relaxation solved (by the dual simplex, on one core), until 4/5 of the time
    // limit: it gives a bound and proposes another start. Without a time limit nothing is cut
    // by the clock; with one, only an LP or a search near the start cut by it, while HiGHS
    // later proves an optimum, can give another assignment of the same objective.
    let (mut start, mut model, lp, lp_took) = std::thread::scope(|scope| {
        let improving = scope.spawn(|| improve::improve(&instance, &greedy, [None, None], &cancelled));
        let mut model = model::Model::build(&instance);
        let lp_started = Instant::now();
        let lp = model.solve(&greedy, &model_options(true, at_fraction(4, 5)));
        // The LP itself, without its rounds of cuts: HiGHS's overrun of a time limit is as long.
        let lp_took = model.first_lp.unwrap_or_else(|| lp_started.elapsed());
        let start = improving.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (start, model, lp, lp_took)
    });
    if let Ok(lp) = &lp {
        *lp_bound.lock().unwrap_or_else(|e| e.into_inner()) = lp.bound;
    }
    report(Some(&start), *lp_bound.lock().unwrap_or_else(|e| e.into_inner()));
    if let Ok(lp) = lp
        && !lp.relaxed.is_empty()
    {
        let guided = guided_start(&instance, &lp.relaxed, &cancelled);
        report(Some(&guided), lp.bound);
        if evaluate::terms(&instance, &guided).total() < evaluate::terms(&instance, &start).total() {
            start = guided;
        }
    }
    let deadline = at_fraction(9, 10);
    // A search with less time than the LP relaxation took would not get past its own first LP,
    // and HiGHS's presolve overran so short a deadline by seconds on the year.
    let time_for_a_search = || deadline.is_none_or(|d| Instant::now() + lp_took < d);
    // Searches near the start while they improve it, until 9/10 of the time limit, each
    // no longer than the LP took (a second on the year, whose LP takes five). Their bounds
    // hold only near the start, so only what they find is reported.
    let lp_bound_now = *lp_bound.lock().unwrap_or_else(|e| e.into_inner());
    let report_found = |p: model::Progress| report(p.improved.as_deref(), lp_bound_now);
    while deadline.is_none_or(|d| Instant::now() < d) && !cancelled() {
        let near = model::Options {
            deadline: deadline.map(|d| d.min(Instant::now() + lp_took)),
            on_progress: &report_found,
            ..model_options(false, None)
        };
        match model.search_near(&start, &near) {
            Some(better) => start = better,
            None => break,
        }
    }
    let searched = if time_for_a_search() {
        // HiGHS overruns its time limit on the year by about as long as the LP took (its
        // presolve and its root's LP look at the clock seldom): the search ends that much sooner.
        let split = model::Options {
            on_progress: &report_found,
            ..model_options(false, deadline.map(|d| d - lp_took))
        };
        Some(ceilings::search(&mut model, &instance, start.clone(), &split))
    } else {
        None
    };
    let (pairs, model_objective, proven_optimal, bound) = match searched {
        Some(o) => (o.pairs, Some(o.model_objective), o.proven_optimal, o.bound),
        None => (start.clone(), None, false, 0.0),
    };
    let bound = bound.max(lp_bound.into_inner().unwrap_or_else(|e| e.into_inner()));
    // An unproven answer may still be improved by the local search (HiGHS's incumbent too:
    // its heuristics leave moves behind); the model's objective then no longer applies.
    let (improved, model_objective) = if proven_optimal || cancelled() {
        (pairs.clone(), model_objective)
    } else {
        let deadline = at_fraction(39, 40);
        let stop = || cancelled() || deadline.is_some_and(|d| Instant::now() >= d);
        let better = improve::improve(&instance, &pairs, [None, None], &stop);
        let same = better == pairs;
        (better, model_objective.filter(|_| same))
    };
    let objective = evaluate::terms(&instance, &improved).total();
    // The model never prices an assignment below the evaluation, and prices an optimum alike
    // (an unproven incumbent may carry slack, or count one split too many where someone holds
    // a pair group through its two single columns; an optimum does neither). Otherwise the
    // model is wrong and its proof of optimality proves nothing.
    let consistent =
        model_objective.is_none_or(|m| m > objective as f64 - 0.5 && (!proven_optimal || m < objective as f64 + 0.5));
    debug_assert!(consistent, "model objective {model_objective:?}, evaluated {objective}");
    let stats = Stats {
        variables: model.variables,
        constraints: model.constraints,
        solve_seconds: 0.0,
        solver: "highs".to_string(),
        rejected: Vec::new(),
    };
    let answers = [
        Answer::new("search", improved, proven_optimal && consistent),
        Answer::new("search before the local search", pairs, false),
        Answer::new("start", start, false),
        Answer::new("greedy", greedy, false),
        Answer::new("pins", instance.pinned.clone(), false),
    ];
    let mut solution = first_passing(&instance, answers, bound, stats);
    solution.stats.solve_seconds = started.elapsed().as_secs_f64();
    solution
}

/// An assignment the solver reached, to be checked before it is returned.
struct Answer {
    source: &'static str,
    pairs: Vec<(usize, usize)>,
    proven_optimal: bool,
}

impl Answer {
    fn new(source: &'static str, pairs: Vec<(usize, usize)>, proven_optimal: bool) -> Answer {
        Answer {
            source,
            pairs,
            proven_optimal,
        }
    }
}

/// The first of `answers` (most preferred first) that the independent checker accepts, as a
/// solution with `bound`; each one refused before it is recorded in `stats.rejected`, for the
/// caller to report. An answer that repeats a refused one
/// is not checked again. When every answer fails, the pins alone included, the solution is
/// an error: a wrong schedule is never returned.
fn first_passing(
    instance: &instance::Instance,
    answers: impl IntoIterator<Item = Answer>,
    bound: f64,
    mut stats: Stats,
) -> Solution {
    let problem = instance.problem;
    let mut refused: Vec<Vec<(usize, usize)>> = Vec::new();
    for answer in answers {
        if refused.contains(&answer.pairs) {
            continue;
        }
        let terms = evaluate::terms(instance, &answer.pairs);
        let objective = terms.total();
        let solution = Solution {
            format: SOLUTION_FORMAT.to_string(),
            status: if answer.proven_optimal {
                Status::Optimal
            } else {
                Status::Feasible
            },
            objective,
            bound: if answer.proven_optimal {
                objective
            } else {
                whole_bound(bound, objective)
            },
            objective_terms: terms,
            uncovered: evaluate::uncovered(instance, &answer.pairs),
            assignments: pairs_by_id(problem, &answer.pairs),
            stats: stats.clone(),
            error: None,
        };
        let report = check::check(problem, &solution);
        if report.is_valid() {
            return solution;
        }
        stats.rejected.push(Rejected {
            answer: answer.source.to_string(),
            violations: report.violations,
        });
        refused.push(answer.pairs);
    }
    let mut solution = Solution::error(
        ErrorCode::SelfCheckFailed,
        "every answer the solver reached failed its own check; see stats.rejected",
    );
    solution.stats = stats;
    solution
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Size, generate};

    #[test]
    fn an_answer_the_check_refuses_is_never_returned() {
        let problem = generate(Size {
            people: 30,
            sessions: 80,
            months: 1,
            seed: 3,
        });
        let instance = instance::Instance::new(&problem).unwrap();
        let greedy = greedy::assign(&instance, [None, None], &[]);
        // The greedy start with its first pair twice: priced one place too full, and refused.
        let mut doubled = greedy.clone();
        doubled.insert(0, greedy[0]);
        let answers = |first: Vec<(usize, usize)>| {
            [
                Answer::new("search", first, true),
                Answer::new("greedy", greedy.clone(), false),
            ]
        };
        let solution = first_passing(&instance, answers(doubled.clone()), 0.0, Stats::default());
        assert_eq!(solution.status, Status::Feasible, "the fallback is not proven optimal");
        assert_eq!(solution.assignments, pairs_by_id(&problem, &greedy));
        assert!(check::check(&problem, &solution).is_valid());
        let [rejected] = &solution.stats.rejected[..] else {
            panic!("one answer refused: {:?}", solution.stats.rejected)
        };
        assert_eq!(rejected.answer, "search");
        let (s, q) = greedy[0];
        let twice = format!("{} appears twice on {}", problem.people[q].id, problem.sessions[s].id);
        assert!(rejected.violations.contains(&twice), "{:?}", rejected.violations);

        // A sound first answer comes back as it is, with nothing refused.
        let solution = first_passing(&instance, answers(greedy.clone()), 0.0, Stats::default());
        assert_eq!((solution.status, solution.stats.rejected.len()), (Status::Optimal, 0));

        // When nothing passes, the answer is an error, never a wrong schedule.
        let solution = first_passing(
            &instance,
            [
                Answer::new("search", doubled.clone(), false),
                Answer::new("pins", doubled, false),
            ],
            0.0,
            Stats::default(),
        );
        assert_eq!(solution.status, Status::Error);
        assert_eq!(solution.error.map(|e| e.code), Some(ErrorCode::SelfCheckFailed));
        assert_eq!(solution.stats.rejected.len(), 1, "the same answer is refused once");
        assert_eq!(solution.assignments, []);
    }

    #[test]
    fn the_lp_guided_start_keeps_every_rule_and_brings_the_highest_loads_down() {
        let problem = generate(Size {
            people: 60,
            sessions: 300,
            months: 2,
            seed: 7,
        });
        let instance = instance::Instance::new(&problem).unwrap();
        let plain = improve::improve(
            &instance,
            &greedy::assign(&instance, [None, None], &[]),
            [None, None],
            &|| false,
        );
        let never = AtomicBool::new(false);
        let lp = model::Model::build(&instance)
            .solve(
                &plain,
                &model::Options {
                    deadline: None,
                    threads: 1,
                    cancel: &never,
                    on_progress: &|_| {},
                    relaxation_only: true,
                },
            )
            .unwrap();
        let guided = guided_start(&instance, &lp.relaxed, &|| false);
        let report = check::check_assignments(&problem, &pairs_by_id(&problem, &guided));
        assert_eq!(report.violations, Vec::<String>::new());
        let (plain, guided) = (evaluate::terms(&instance, &plain), evaluate::terms(&instance, &guided));
        assert!(guided.total() as f64 >= lp.bound - 1e-6, "the LP is a lower bound");
        assert!(guided.max_load < plain.max_load, "{guided:?} against {plain:?}");
        assert!(guided.total() < plain.total(), "{guided:?} against {plain:?}");
    }
}
