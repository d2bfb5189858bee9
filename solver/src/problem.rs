//! The problem and solution as plain data: the `roster-problem/1` and `roster-solution/1`
//! formats (see `docs/scheduling-format.md`). Reading and writing JSON is in `format`.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub const PROBLEM_FORMAT: &str = "roster-problem/1";
pub const SOLUTION_FORMAT: &str = "roster-solution/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub format: String,
    pub timezone: String,
    pub districts: Vec<District>,
    /// Minutes from one district (outer key) to another (inner key).
    pub travel_minutes: BTreeMap<String, BTreeMap<String, i64>>,
    pub people: Vec<Person>,
    pub sessions: Vec<Session>,
    #[serde(default)]
    pub pinned: Vec<Pair>,
    #[serde(default)]
    pub previous: Vec<Pair>,
    #[serde(default)]
    pub weights: Weights,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    LecturerFullTime,
    LecturerPartTime,
    Rapporteur,
}

/// Ordered low to high.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TheoryLevel {
    Elementary,
    Intermediate,
    Advanced,
}

/// Ordered low to high.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RapporteurLevel {
    Grassroots,
    District,
    Province,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub rapporteur_level: Option<RapporteurLevel>,
    #[serde(default)]
    pub theory_level: Option<TheoryLevel>,
    pub home_district: String,
    #[serde(default)]
    pub qualifications: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub unavailable: Vec<Period>,
    #[serde(default)]
    pub max_per_day: Option<u32>,
    #[serde(default)]
    pub max_per_week: Option<u32>,
    #[serde(default)]
    pub max_per_month: Option<u32>,
}

/// A half-open interval `[start, end)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Class,
    Briefing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub kind: SessionKind,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub district: String,
    pub qualification: String,
    #[serde(default = "one")]
    pub needs: u32,
    #[serde(default)]
    pub min_theory_level: Option<TheoryLevel>,
    #[serde(default)]
    pub min_rapporteur_level: Option<RapporteurLevel>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub language_required: bool,
    #[serde(default)]
    pub group: Option<String>,
}

fn one() -> u32 {
    1
}

/// A person on a session.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pair {
    pub session: String,
    pub person: String,
}

/// Weights of the objective terms; a missing weight is 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    #[serde(default)]
    pub uncovered: i64,
    #[serde(default)]
    pub travel_minute: i64,
    #[serde(default)]
    pub max_load: i64,
    #[serde(default)]
    pub continuity: i64,
    #[serde(default)]
    pub part_time: i64,
    #[serde(default)]
    pub language: i64,
    #[serde(default)]
    pub change: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    pub format: String,
    pub status: Status,
    pub objective: i64,
    /// The best proven lower bound on the objective.
    pub bound: i64,
    pub objective_terms: Terms,
    pub assignments: Vec<Pair>,
    pub uncovered: Vec<Uncovered>,
    pub stats: Stats,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The objective is proven minimal.
    Optimal,
    /// The time limit came first; `bound` is the best proven lower bound.
    Feasible,
    /// The problem is malformed or a pin breaks a rule; nothing is assigned.
    Error,
}

/// The weighted objective terms; they add up to the objective.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub uncovered: i64,
    pub travel: i64,
    pub max_load: i64,
    pub continuity: i64,
    pub part_time: i64,
    pub language: i64,
    pub change: i64,
}

impl Terms {
    pub fn total(&self) -> i64 {
        self.uncovered + self.travel + self.max_load + self.continuity + self.part_time + self.language + self.change
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uncovered {
    pub session: String,
    pub missing: u32,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Nobody passes role, qualification, levels and language.
    NoQualifiedPerson,
    /// Some pass those, all are unavailable.
    NoAvailablePerson,
    /// Eligible people exist; each is held by a session that overlaps once travel is counted.
    AllBusy,
    /// Eligible people are free but at a cap.
    CapsReached,
    /// Someone could have taken it; the objective preferred not to.
    NotChosen,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub variables: usize,
    pub constraints: usize,
    pub solve_seconds: f64,
    pub solver: String,
    /// Answers the solver reached but its own check ([`crate::check::check`]) refused, most
    /// preferred first: the solution is the first answer after them that passed. Empty, and
    /// left out of the file, when the first answer passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Rejected>,
}

/// An answer the solver's own check refused, never returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    /// Where the answer came from, e.g. `search` or `greedy`.
    pub answer: String,
    pub violations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    MalformedProblem,
    UnknownId,
    PinBreaksRule,
    /// Every answer the solver reached failed its own check, the pins alone included: a
    /// defect of the solver, never of the problem.
    SelfCheckFailed,
}

impl Solution {
    /// The answer for a problem that cannot be solved as given.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Solution {
        Solution {
            format: SOLUTION_FORMAT.to_string(),
            status: Status::Error,
            objective: 0,
            bound: 0,
            objective_terms: Terms::default(),
            assignments: Vec::new(),
            uncovered: Vec::new(),
            stats: Stats::default(),
            error: Some(ErrorInfo {
                code,
                message: message.into(),
            }),
        }
    }
}
