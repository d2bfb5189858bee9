//! An independent checker: recomputes every hard rule and every objective term from a
//! solution's assignments and reports each violation. It shares no code with the model (only
//! the plain data types), so it can serve as the solver's test oracle.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, FixedOffset};
use chrono_tz::Tz;

use crate::problem::{Pair, Person, Problem, ReasonCode, Role, Session, SessionKind, Solution, Status, Terms};

/// What the checker found: the violations (empty when the solution is sound) and the
/// objective terms recomputed from the assignments.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub violations: Vec<String>,
    pub terms: Terms,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }
}

fn eligible_ignoring_availability(p: &Person, s: &Session) -> bool {
    let has = |r: Role| p.roles.contains(&r);
    let role_ok = match s.kind {
        SessionKind::Class => has(Role::LecturerFullTime) || has(Role::LecturerPartTime),
        SessionKind::Briefing => has(Role::Rapporteur),
    };
    let theory_ok = match s.min_theory_level {
        None => true,
        Some(min) => matches!(p.theory_level, Some(l) if l >= min),
    };
    let level_ok = match s.min_rapporteur_level {
        None => true,
        Some(min) => matches!(p.rapporteur_level, Some(l) if l >= min),
    };
    let language_ok = !s.language_required || matches!(&s.language, Some(l) if p.languages.iter().any(|x| x == l));
    role_ok && p.qualifications.contains(&s.qualification) && theory_ok && level_ok && language_ok
}

fn unavailable(p: &Person, s: &Session) -> bool {
    p.unavailable.iter().any(|u| u.start < s.end && s.start < u.end)
}

/// Whether one person can take `a` then `b`, where `a` starts no later than `b`.
fn compatible(a: &Session, b: &Session, travel: &BTreeMap<String, BTreeMap<String, i64>>) -> bool {
    if a.start == b.start {
        return false;
    }
    let minutes = travel
        .get(&a.district)
        .and_then(|r| r.get(&b.district))
        .copied()
        .unwrap_or(0);
    (b.start - a.end).num_seconds() >= minutes * 60
}

fn calendar(t: DateTime<FixedOffset>, tz: Tz) -> [String; 3] {
    let d = t.with_timezone(&tz).date_naive();
    let w = d.iso_week();
    [
        d.to_string(),
        format!("{}-W{:02}", w.year(), w.week()),
        format!("{}-{:02}", d.year(), d.month()),
    ]
}

/// What the assignments alone give: the hard-rule violations and the objective terms, with
/// what the solution-level checks need.
struct Recomputed<'a> {
    violations: Vec<String>,
    terms: Terms,
    tz: Tz,
    sessions: HashMap<&'a str, &'a Session>,
    pairs: BTreeSet<(&'a str, &'a str)>,
    count: HashMap<&'a str, u32>,
    by_person: BTreeMap<&'a str, Vec<&'a Session>>,
}

/// Checks assignments against every hard rule (pins included) and prices them; for a draft
/// or a manual change, before there is a solution to check.
pub fn check_assignments(problem: &Problem, assignments: &[Pair]) -> Report {
    match recompute(problem, assignments) {
        Ok(r) => Report {
            violations: r.violations,
            terms: r.terms,
        },
        Err(report) => report,
    }
}

fn recompute<'a>(problem: &'a Problem, assignments: &'a [Pair]) -> Result<Recomputed<'a>, Report> {
    let mut v: Vec<String> = Vec::new();
    let w = &problem.weights;
    let Ok(tz) = problem.timezone.parse::<Tz>() else {
        v.push(format!("unknown time zone {:?}", problem.timezone));
        return Err(Report {
            violations: v,
            terms: Terms::default(),
        });
    };
    let people: HashMap<&str, &Person> = problem.people.iter().map(|p| (p.id.as_str(), p)).collect();
    let sessions: HashMap<&str, &Session> = problem.sessions.iter().map(|s| (s.id.as_str(), s)).collect();

    let mut pairs: BTreeSet<(&str, &str)> = BTreeSet::new();
    for a in assignments {
        let (Some(s), Some(p)) = (sessions.get(a.session.as_str()), people.get(a.person.as_str())) else {
            v.push(format!(
                "assignment {} → {} names an unknown session or person",
                a.person, a.session
            ));
            continue;
        };
        if !pairs.insert((s.id.as_str(), p.id.as_str())) {
            v.push(format!("{} appears twice on {}", p.id, s.id));
            continue;
        }
        if !eligible_ignoring_availability(p, s) {
            v.push(format!(
                "{} may not take {}: role, qualification, level or language",
                p.id, s.id
            ));
        }
        if unavailable(p, s) {
            v.push(format!("{} is unavailable during {}", p.id, s.id));
        }
    }

    let mut count: HashMap<&str, u32> = HashMap::new();
    let mut by_person: BTreeMap<&str, Vec<&Session>> = BTreeMap::new();
    for &(s, p) in &pairs {
        *count.entry(s).or_default() += 1;
        by_person.entry(p).or_default().push(sessions[s]);
    }
    for s in &problem.sessions {
        if count.get(s.id.as_str()).copied().unwrap_or(0) > s.needs {
            v.push(format!("{} has more people than it needs ({})", s.id, s.needs));
        }
    }
    for (p, list) in &mut by_person {
        list.sort_by_key(|s| s.start);
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                if !compatible(a, b, &problem.travel_minutes) {
                    v.push(format!(
                        "{p} cannot take both {} and {} (overlap or travel)",
                        a.id, b.id
                    ));
                }
            }
        }
        let person = people[p];
        for (k, (cap, unit)) in [
            (person.max_per_day, "day"),
            (person.max_per_week, "week"),
            (person.max_per_month, "month"),
        ]
        .into_iter()
        .enumerate()
        {
            let Some(cap) = cap else { continue };
            let mut per: BTreeMap<String, u32> = BTreeMap::new();
            for s in list.iter() {
                *per.entry(calendar(s.start, tz)[k].clone()).or_default() += 1;
            }
            for (when, n) in per {
                if n > cap {
                    v.push(format!("{p} has {n} sessions in {unit} {when}, over the cap of {cap}"));
                }
            }
        }
    }
    for pin in &problem.pinned {
        if !pairs.contains(&(pin.session.as_str(), pin.person.as_str())) {
            v.push(format!("pin {} → {} is not kept", pin.person, pin.session));
        }
    }

    // The objective, term by term.
    let mut t = Terms::default();
    let mut loads: HashMap<&str, i64> = HashMap::new();
    let mut group_people: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for &(s, p) in &pairs {
        let (session, person) = (sessions[s], people[p]);
        let minutes = problem
            .travel_minutes
            .get(&person.home_district)
            .and_then(|r| r.get(&session.district))
            .copied()
            .unwrap_or(0);
        t.travel += w.travel_minute * minutes;
        if session.kind == SessionKind::Class && !person.roles.contains(&Role::LecturerFullTime) {
            t.part_time += w.part_time;
        }
        if session.language.as_ref().is_some_and(|l| !person.languages.contains(l)) {
            t.language += w.language;
        }
        *loads.entry(p).or_default() += 1;
        if let Some(g) = &session.group {
            group_people.entry(g.as_str()).or_default().insert(p);
        }
    }
    t.uncovered = w.uncovered
        * problem
            .sessions
            .iter()
            .map(|s| i64::from(s.needs) - i64::from(count.get(s.id.as_str()).copied().unwrap_or(0)))
            .sum::<i64>();
    let max_load = |role: Role| {
        problem
            .people
            .iter()
            .filter(|p| p.roles.contains(&role))
            .map(|p| loads.get(p.id.as_str()).copied().unwrap_or(0))
            .max()
            .unwrap_or(0)
    };
    t.max_load = w.max_load * (max_load(Role::LecturerFullTime) + max_load(Role::Rapporteur));
    t.continuity = w.continuity * group_people.values().map(|g| g.len() as i64 - 1).sum::<i64>();
    let previous: BTreeSet<(&str, &str)> = problem
        .previous
        .iter()
        .map(|x| (x.session.as_str(), x.person.as_str()))
        .collect();
    t.change = w.change * previous.iter().filter(|x| !pairs.contains(x)).count() as i64;

    Ok(Recomputed {
        violations: v,
        terms: t,
        tz,
        sessions,
        pairs,
        count,
        by_person,
    })
}

pub fn check(problem: &Problem, solution: &Solution) -> Report {
    if solution.status == Status::Error {
        return Report {
            violations: vec![format!("the solution is an error: {:?}", solution.error)],
            terms: Terms::default(),
        };
    }
    let Recomputed {
        violations: mut v,
        terms: t,
        tz,
        sessions,
        pairs,
        count,
        by_person,
    } = match recompute(problem, &solution.assignments) {
        Ok(r) => r,
        Err(report) => return report,
    };
    if solution.objective_terms != t {
        v.push(format!(
            "objective terms are {:?}; recomputed {:?}",
            solution.objective_terms, t
        ));
    }
    if solution.objective != t.total() {
        v.push(format!(
            "objective is {}; the terms add up to {}",
            solution.objective,
            t.total()
        ));
    }
    if solution.bound > solution.objective {
        v.push(format!(
            "bound {} is above the objective {}",
            solution.bound, solution.objective
        ));
    }
    if solution.status == Status::Optimal && solution.bound != solution.objective {
        v.push("an optimal solution must have bound = objective".to_string());
    }

    // Uncovered sessions and their reasons.
    let mut expected: Vec<(&str, u32)> = problem
        .sessions
        .iter()
        .filter_map(|s| {
            let n = count.get(s.id.as_str()).copied().unwrap_or(0);
            (n < s.needs).then_some((s.id.as_str(), s.needs - n))
        })
        .collect();
    expected.sort();
    let listed: Vec<(&str, u32)> = solution
        .uncovered
        .iter()
        .map(|u| (u.session.as_str(), u.missing))
        .collect();
    if listed != expected {
        v.push(format!("uncovered lists {listed:?}; expected {expected:?}"));
    }
    for u in &solution.uncovered {
        let Some(s) = sessions.get(u.session.as_str()) else {
            continue;
        };
        let others: Vec<&Person> = problem
            .people
            .iter()
            .filter(|p| !pairs.contains(&(s.id.as_str(), p.id.as_str())))
            .collect();
        let qualified: Vec<&&Person> = others.iter().filter(|p| eligible_ignoring_availability(p, s)).collect();
        let available: Vec<&&&Person> = qualified.iter().filter(|p| !unavailable(p, s)).collect();
        let busy = |p: &Person| {
            by_person.get(p.id.as_str()).is_some_and(|list| {
                list.iter().any(|o| {
                    let (a, b) = if o.start <= s.start { (*o, *s) } else { (*s, *o) };
                    !compatible(a, b, &problem.travel_minutes)
                })
            })
        };
        let capped = |p: &Person| {
            let list = by_person.get(p.id.as_str());
            let mine = calendar(s.start, tz);
            [p.max_per_day, p.max_per_week, p.max_per_month]
                .into_iter()
                .enumerate()
                .any(|(k, cap)| {
                    cap.is_some_and(|cap| {
                        list.map_or(0, |l| l.iter().filter(|o| calendar(o.start, tz)[k] == mine[k]).count()) as u32
                            >= cap
                    })
                })
        };
        let free_and_under_caps = available.iter().any(|p| !busy(p) && !capped(p));
        let allowed: Vec<ReasonCode> = if qualified.is_empty() {
            vec![ReasonCode::NoQualifiedPerson]
        } else if available.is_empty() {
            vec![ReasonCode::NoAvailablePerson]
        } else if free_and_under_caps {
            vec![ReasonCode::NotChosen]
        } else {
            let mut codes = Vec::new();
            if available.iter().any(|p| busy(p)) {
                codes.push(ReasonCode::AllBusy);
            }
            if available.iter().any(|p| !busy(p) && capped(p)) {
                codes.push(ReasonCode::CapsReached);
            }
            codes
        };
        if !allowed.contains(&u.reason.code) {
            v.push(format!(
                "{}: reason {:?}, expected one of {allowed:?}",
                u.session, u.reason.code
            ));
        }
    }
    Report {
        violations: v,
        terms: t,
    }
}
