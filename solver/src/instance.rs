//! A problem checked and indexed for the model: ids become indices, times become seconds,
//! calendar days, ISO weeks and months in the problem's time zone, and each session gets the
//! people eligible for it. Every way a problem can break the format is found here.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, TimeZone};
use chrono_tz::Tz;

use crate::problem::{ErrorCode, PROBLEM_FORMAT, Pair, Problem, Role, SessionKind};

/// Why a problem cannot be solved as given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ProblemError {
    pub code: ErrorCode,
    pub message: String,
}

fn malformed(message: impl Into<String>) -> ProblemError {
    ProblemError {
        code: ErrorCode::MalformedProblem,
        message: message.into(),
    }
}

fn unknown(what: &str, id: &str, place: &str) -> ProblemError {
    ProblemError {
        code: ErrorCode::UnknownId,
        message: format!("unknown {what} id {id:?} in {place}"),
    }
}

fn pin_error(message: impl Into<String>) -> ProblemError {
    ProblemError {
        code: ErrorCode::PinBreaksRule,
        message: message.into(),
    }
}

/// Calendar buckets for caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    Day(i32),
    Week(i32, u32),
    Month(i32, u32),
}

#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub start: i64,
    pub end: i64,
    pub district: usize,
    pub needs: u32,
    pub class: bool,
    pub group: Option<usize>,
    /// Day, ISO week and month of the start, in the problem's time zone.
    pub buckets: [Bucket; 3],
    /// People passing every eligibility rule (1-5), ascending.
    pub eligible: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct PersonInfo {
    pub home: usize,
    pub full_time: bool,
    pub rapporteur: bool,
    /// Caps per day, week and month.
    pub caps: [Option<u32>; 3],
}

impl PersonInfo {
    /// Whether the person counts in each max-load term: full-time lecturers, rapporteurs.
    pub fn load_classes(&self) -> [bool; 2] {
        [self.full_time, self.rapporteur]
    }
}

#[derive(Debug)]
pub struct Instance<'a> {
    pub problem: &'a Problem,
    pub travel: Vec<Vec<i64>>,
    pub sessions: Vec<SessionInfo>,
    pub people: Vec<PersonInfo>,
    /// Pinned (session, person) pairs, each once.
    pub pinned: Vec<(usize, usize)>,
    /// Previous (session, person) pairs, each once.
    pub previous: Vec<(usize, usize)>,
}

fn buckets(t: DateTime<FixedOffset>, tz: Tz) -> [Bucket; 3] {
    let local = tz.from_utc_datetime(&t.naive_utc()).date_naive();
    let week = local.iso_week();
    [
        Bucket::Day(local.num_days_from_ce()),
        Bucket::Week(week.year(), week.week()),
        Bucket::Month(local.year(), local.month()),
    ]
}

impl<'a> Instance<'a> {
    pub fn new(p: &'a Problem) -> Result<Instance<'a>, ProblemError> {
        if p.format != PROBLEM_FORMAT {
            return Err(malformed(format!(
                "format is {:?}, expected {PROBLEM_FORMAT:?}",
                p.format
            )));
        }
        let tz: Tz = p
            .timezone
            .parse()
            .map_err(|_| malformed(format!("unknown time zone {:?}", p.timezone)))?;
        let w = &p.weights;
        for (name, value) in [
            ("uncovered", w.uncovered),
            ("travel_minute", w.travel_minute),
            ("max_load", w.max_load),
            ("continuity", w.continuity),
            ("part_time", w.part_time),
            ("language", w.language),
            ("change", w.change),
        ] {
            if value < 0 {
                return Err(malformed(format!("weight {name} is negative")));
            }
        }
        if p.time_limit_seconds.is_some_and(|t| t.is_nan() || t <= 0.0) {
            return Err(malformed("time_limit_seconds must be positive"));
        }

        let mut district_ix = HashMap::new();
        for (i, d) in p.districts.iter().enumerate() {
            if district_ix.insert(d.id.as_str(), i).is_some() {
                return Err(malformed(format!("district id {:?} appears twice", d.id)));
            }
        }
        let mut travel = vec![vec![0i64; p.districts.len()]; p.districts.len()];
        for (from, row) in &p.travel_minutes {
            let &f = district_ix
                .get(from.as_str())
                .ok_or_else(|| unknown("district", from, "travel_minutes"))?;
            for (to, minutes) in row {
                let &t = district_ix
                    .get(to.as_str())
                    .ok_or_else(|| unknown("district", to, "travel_minutes"))?;
                if *minutes < 0 || (f == t && *minutes != 0) {
                    return Err(malformed(format!(
                        "travel_minutes {from} → {to} must be ≥ 0, and 0 within a district"
                    )));
                }
                travel[f][t] = *minutes;
            }
        }
        for a in &p.districts {
            for b in &p.districts {
                if p.travel_minutes.get(&a.id).and_then(|r| r.get(&b.id)).is_none() {
                    return Err(malformed(format!("travel_minutes lacks {} → {}", a.id, b.id)));
                }
            }
        }

        let mut person_ix = HashMap::new();
        let mut people = Vec::with_capacity(p.people.len());
        for (i, person) in p.people.iter().enumerate() {
            if person_ix.insert(person.id.as_str(), i).is_some() {
                return Err(malformed(format!("person id {:?} appears twice", person.id)));
            }
            let &home = district_ix
                .get(person.home_district.as_str())
                .ok_or_else(|| unknown("district", &person.home_district, &format!("person {}", person.id)))?;
            for u in &person.unavailable {
                if u.start > u.end {
                    return Err(malformed(format!(
                        "person {}: an unavailable period ends before it starts",
                        person.id
                    )));
                }
            }
            people.push(PersonInfo {
                home,
                full_time: person.roles.contains(&Role::LecturerFullTime),
                rapporteur: person.roles.contains(&Role::Rapporteur),
                caps: [person.max_per_day, person.max_per_week, person.max_per_month],
            });
        }

        let mut session_ix = HashMap::new();
        let mut group_ix: HashMap<&str, usize> = HashMap::new();
        let mut sessions = Vec::with_capacity(p.sessions.len());
        for (i, s) in p.sessions.iter().enumerate() {
            if session_ix.insert(s.id.as_str(), i).is_some() {
                return Err(malformed(format!("session id {:?} appears twice", s.id)));
            }
            if s.start >= s.end {
                return Err(malformed(format!("session {} does not end after it starts", s.id)));
            }
            if s.needs == 0 {
                return Err(malformed(format!("session {} needs nobody (needs must be ≥ 1)", s.id)));
            }
            let &district = district_ix
                .get(s.district.as_str())
                .ok_or_else(|| unknown("district", &s.district, &format!("session {}", s.id)))?;
            let group = s.group.as_deref().map(|g| {
                let n = group_ix.len();
                *group_ix.entry(g).or_insert(n)
            });
            let eligible = p
                .people
                .iter()
                .enumerate()
                .filter(|(_, person)| passes_qualification_rules(person, s) && is_available(person, s))
                .map(|(j, _)| j)
                .collect();
            sessions.push(SessionInfo {
                start: s.start.timestamp(),
                end: s.end.timestamp(),
                district,
                needs: s.needs,
                class: s.kind == SessionKind::Class,
                group,
                buckets: buckets(s.start, tz),
                eligible,
            });
        }

        let pairs = |list: &[Pair], place: &str| -> Result<Vec<(usize, usize)>, ProblemError> {
            let mut seen = BTreeSet::new();
            for pair in list {
                let &s = session_ix
                    .get(pair.session.as_str())
                    .ok_or_else(|| unknown("session", &pair.session, place))?;
                let &q = person_ix
                    .get(pair.person.as_str())
                    .ok_or_else(|| unknown("person", &pair.person, place))?;
                seen.insert((s, q));
            }
            Ok(seen.into_iter().collect())
        };
        let pinned = pairs(&p.pinned, "pinned")?;
        let previous = pairs(&p.previous, "previous")?;
        let instance = Instance {
            problem: p,
            travel,
            sessions,
            people,
            pinned,
            previous,
        };
        instance.check_pins()?;
        Ok(instance)
    }

    /// Pins must each be allowed, and allowed together.
    fn check_pins(&self) -> Result<(), ProblemError> {
        let p = self.problem;
        let mut per_session: HashMap<usize, u32> = HashMap::new();
        let mut per_person: HashMap<usize, Vec<usize>> = HashMap::new();
        for &(s, q) in &self.pinned {
            if self.sessions[s].eligible.binary_search(&q).is_err() {
                return Err(pin_error(format!(
                    "pin of {} on {}: the person is not eligible (role, qualification, level, availability or language)",
                    p.people[q].id, p.sessions[s].id
                )));
            }
            let n = per_session.entry(s).or_default();
            *n += 1;
            if *n > self.sessions[s].needs {
                return Err(pin_error(format!("more pins on {} than it needs", p.sessions[s].id)));
            }
            per_person.entry(q).or_default().push(s);
        }
        for (q, list) in &per_person {
            for (i, &a) in list.iter().enumerate() {
                for &b in &list[i + 1..] {
                    if self.conflict(a, b) {
                        return Err(pin_error(format!(
                            "{} is pinned to {} and {}, which conflict once travel is counted",
                            p.people[*q].id, p.sessions[a].id, p.sessions[b].id
                        )));
                    }
                }
            }
            for k in 0..3 {
                let Some(cap) = self.people[*q].caps[k] else { continue };
                let mut counts: HashMap<Bucket, u32> = HashMap::new();
                for &s in list {
                    let n = counts.entry(self.sessions[s].buckets[k]).or_default();
                    *n += 1;
                    if *n > cap {
                        return Err(pin_error(format!(
                            "pins of {} exceed their {} cap",
                            p.people[*q].id,
                            ["day", "week", "month"][k]
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether one person could not take both sessions: they overlap once the travel from the
    /// earlier session's district to the later one's is counted (equal starts always conflict).
    pub fn conflict(&self, a: usize, b: usize) -> bool {
        let (sa, sb) = (&self.sessions[a], &self.sessions[b]);
        let (first, second) = if sa.start <= sb.start { (sa, sb) } else { (sb, sa) };
        first.start == second.start || second.start - first.end < self.travel[first.district][second.district] * 60
    }

    /// The weighted cost of one assignment that does not depend on the others: travel from
    /// home, a part-time lecturer on a class, a language mismatch.
    pub fn pair_cost(&self, s: usize, q: usize) -> i64 {
        let w = &self.problem.weights;
        let (info, session, person) = (&self.sessions[s], &self.problem.sessions[s], &self.problem.people[q]);
        let mut cost = w.travel_minute * self.travel[self.people[q].home][info.district];
        if info.class && !self.people[q].full_time {
            cost += w.part_time;
        }
        if session.language.as_ref().is_some_and(|l| !person.languages.contains(l)) {
            cost += w.language;
        }
        cost
    }
}

/// Rules 1-3 and 5: role, qualification, levels, a required language.
pub fn passes_qualification_rules(person: &crate::problem::Person, s: &crate::problem::Session) -> bool {
    let role = match s.kind {
        SessionKind::Class => person
            .roles
            .iter()
            .any(|r| matches!(r, Role::LecturerFullTime | Role::LecturerPartTime)),
        SessionKind::Briefing => person.roles.contains(&Role::Rapporteur),
    };
    let theory = s
        .min_theory_level
        .is_none_or(|min| person.theory_level.is_some_and(|l| l >= min));
    let rapporteur = s
        .min_rapporteur_level
        .is_none_or(|min| person.rapporteur_level.is_some_and(|l| l >= min));
    let language = !s.language_required || s.language.as_ref().is_some_and(|l| person.languages.contains(l));
    role && person.qualifications.contains(&s.qualification) && theory && rapporteur && language
}

/// Rule 4: no unavailable period meets the session.
pub fn is_available(person: &crate::problem::Person, s: &crate::problem::Session) -> bool {
    person.unavailable.iter().all(|u| !(u.start < s.end && s.start < u.end))
}
