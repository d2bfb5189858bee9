//! Published assignments that break a rule today: the solver's own checker run over them
//! against today's registry, each violation read back as the rule in words.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc, Weekday};
use roster_solver::{Pair, Period, Person, Problem, Role, Session, SessionKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::session_id;
use crate::db::Conn;
use crate::error::Result;
use crate::on;
use crate::time::local;

/// What the registry knows beyond the problem: who is deactivated, who is on leave when (the
/// problem merges leave with the weekly half-days), and which sessions belong to a center
/// that no longer operates.
#[derive(Debug, Default)]
pub struct Absences {
    pub inactive: HashSet<String>,
    pub leave: HashMap<String, Vec<Period>>,
    /// Session key → the closed center's name.
    pub closed_centers: HashMap<String, String>,
}

/// One rule a published assignment breaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BrokenRule {
    /// `inactive`, `unavailable` (leave, illness or a trip), `weekly_half_days`, `role`,
    /// `qualification`, `theory_level`, `rapporteur_level`, `language`, `not_in_registry`,
    /// `overlap_or_travel`, `cap`, `too_many_people` or `center_closed`.
    pub code: String,
    /// The rule in words (Vietnamese).
    pub detail: String,
    pub detail_en: String,
}

/// A published assignment (session key, person code) with the rules it breaks.
#[derive(Debug)]
pub struct Breach {
    pub session: String,
    pub person: String,
    pub rules: Vec<BrokenRule>,
}

/// A published assignment the schedule can no longer keep, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BrokenAssignment {
    pub session_id: i64,
    pub person_id: i64,
    pub district_id: i64,
    pub starts_at: DateTime<FixedOffset>,
    /// The first of `rules`' codes.
    pub reason: String,
    pub rules: Vec<BrokenRule>,
}

/// Breaches named by ids, with their sessions' time and district, in time order.
pub async fn named(mut c: Conn<'_>, found: Vec<Breach>) -> Result<Vec<BrokenAssignment>> {
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let people: HashMap<String, i64> = super::runs::person_ids(c.reborrow()).await?;
    let ids: Vec<i64> = found.iter().filter_map(|b| session_id(&b.session)).collect();
    let mut sessions: HashMap<i64, (DateTime<Utc>, i64)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, DateTime<Utc>, i64)> = on!(c.reborrow(), |c| {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "SELECT session_id, starts_at, district_id FROM session WHERE session_id IN (",
            );
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            q.build_query_as().fetch_all(&mut *c).await?
        });
        sessions.extend(rows.into_iter().map(|(s, t, d)| (s, (t, d))));
    }
    let mut out: Vec<BrokenAssignment> = found
        .into_iter()
        .filter_map(|b| {
            let s = session_id(&b.session)?;
            let (starts_at, district_id) = *sessions.get(&s)?;
            Some(BrokenAssignment {
                session_id: s,
                person_id: *people.get(&b.person)?,
                district_id,
                starts_at: local(starts_at),
                reason: b.rules.first()?.code.clone(),
                rules: b.rules,
            })
        })
        .collect();
    out.sort_by_key(|b| (b.starts_at, b.session_id, b.person_id));
    Ok(out)
}

fn rule(code: &str, detail: String, detail_en: String) -> BrokenRule {
    BrokenRule {
        code: code.to_string(),
        detail,
        detail_en,
    }
}

/// A violation of the solver's checker, as its text gives it.
#[derive(Debug, PartialEq)]
enum Violation<'a> {
    Unknown {
        person: &'a str,
        session: &'a str,
    },
    NotEligible {
        person: &'a str,
        session: &'a str,
    },
    Unavailable {
        person: &'a str,
        session: &'a str,
    },
    TooMany {
        session: &'a str,
        needs: &'a str,
    },
    Clash {
        person: &'a str,
        a: &'a str,
        b: &'a str,
    },
    Cap {
        person: &'a str,
        n: &'a str,
        unit: &'a str,
        when: &'a str,
        cap: &'a str,
    },
}

fn parse(v: &str) -> Option<Violation<'_>> {
    if let Some(rest) = v.strip_prefix("assignment ") {
        let (person, session) = rest
            .strip_suffix(" names an unknown session or person")?
            .split_once(" → ")?;
        return Some(Violation::Unknown { person, session });
    }
    if let Some(rest) = v.strip_suffix(": role, qualification, level or language") {
        let (person, session) = rest.split_once(" may not take ")?;
        return Some(Violation::NotEligible { person, session });
    }
    if let Some((person, session)) = v.split_once(" is unavailable during ") {
        return Some(Violation::Unavailable { person, session });
    }
    if let Some((session, rest)) = v.split_once(" has more people than it needs (") {
        return Some(Violation::TooMany {
            session,
            needs: rest.strip_suffix(')')?,
        });
    }
    if let Some(rest) = v.strip_suffix(" (overlap or travel)") {
        let (person, both) = rest.split_once(" cannot take both ")?;
        let (a, b) = both.split_once(" and ")?;
        return Some(Violation::Clash { person, a, b });
    }
    let (rest, cap) = v.split_once(", over the cap of ")?;
    let (person, rest) = rest.split_once(" has ")?;
    let (n, rest) = rest.split_once(" sessions in ")?;
    let (unit, when) = rest.split_once(' ')?;
    Some(Violation::Cap {
        person,
        n,
        unit,
        when,
        cap,
    })
}

/// Every assignment of `pairs` that breaks a hard rule of `problem` (its pins aside), by the
/// solver's `check_assignments`, with the rules in words.
pub fn find(problem: &Problem, pairs: &[Pair], absences: &Absences) -> Vec<Breach> {
    let unpinned = Problem {
        pinned: Vec::new(),
        ..problem.clone()
    };
    let report = roster_solver::check::check_assignments(&unpinned, pairs);
    let people: HashMap<&str, &Person> = problem.people.iter().map(|p| (p.id.as_str(), p)).collect();
    let sessions: HashMap<&str, &Session> = problem.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let district_names: HashMap<&str, &str> = problem
        .districts
        .iter()
        .map(|d| (d.id.as_str(), d.name.as_str()))
        .collect();
    let mut found: BTreeMap<(String, String), Vec<BrokenRule>> = BTreeMap::new();
    let mut add = |session: &str, person: &str, r: BrokenRule| {
        let list = found.entry((session.to_string(), person.to_string())).or_default();
        if !list.contains(&r) {
            list.push(r);
        }
    };
    for v in &report.violations {
        match parse(v) {
            Some(Violation::Unknown { person, session }) => add(
                session,
                person,
                rule(
                    "not_in_registry",
                    "Người này không còn vai trò giảng viên, báo cáo viên hoặc không còn huyện nơi ở.".into(),
                    "This person no longer has a lecturer's or rapporteur's role, or a home district.".into(),
                ),
            ),
            Some(Violation::NotEligible { person, session }) => {
                if let (Some(p), Some(s)) = (people.get(person), sessions.get(session)) {
                    add(session, person, ineligible(p, s));
                }
            }
            Some(Violation::Unavailable { person, session }) => {
                if let Some(s) = sessions.get(session) {
                    add(session, person, unavailable(person, s, absences));
                }
            }
            Some(Violation::TooMany { session, needs }) => {
                for pair in pairs.iter().filter(|p| p.session == session) {
                    add(
                        session,
                        &pair.person,
                        rule(
                            "too_many_people",
                            format!("Buổi này nay chỉ cần {needs} người."),
                            format!("This session now needs only {needs}."),
                        ),
                    );
                }
            }
            Some(Violation::Clash { person, a, b }) => {
                for (this, other) in [(a, b), (b, a)] {
                    if let Some(o) = sessions.get(other) {
                        let place = district_names.get(o.district.as_str()).copied().unwrap_or("");
                        let at = o.start.format("%d/%m/%Y %H:%M");
                        add(
                            this,
                            person,
                            rule(
                                "overlap_or_travel",
                                format!("Trùng giờ hoặc không kịp di chuyển với buổi {at} tại {place}."),
                                format!(
                                    "Overlaps, or leaves too little travel time to or from, the session of {at} in {place}."
                                ),
                            ),
                        );
                    }
                }
            }
            Some(Violation::Cap {
                person,
                n,
                unit,
                when,
                cap,
            }) => {
                let index = match unit {
                    "day" => 0,
                    "week" => 1,
                    _ => 2,
                };
                let (vi, en) = bucket_words(index, when);
                for pair in pairs.iter().filter(|p| p.person == person) {
                    let Some(s) = sessions.get(pair.session.as_str()) else {
                        continue;
                    };
                    if bucket(s.start.date_naive())[index] != when {
                        continue;
                    }
                    let unit_vi = ["ngày", "tuần", "tháng"][index];
                    add(
                        &pair.session,
                        person,
                        rule(
                            "cap",
                            format!("Vượt mức tối đa {cap} buổi một {unit_vi}: {n} buổi trong {vi}."),
                            format!("Over the cap of {cap} sessions a {unit}: {n} sessions in {en}."),
                        ),
                    );
                }
            }
            None => tracing::warn!(violation = %v, "a checker violation not read back"),
        }
    }
    for pair in pairs {
        if let Some(center) = absences.closed_centers.get(&pair.session) {
            add(
                &pair.session,
                &pair.person,
                rule(
                    "center_closed",
                    format!("{center} đã ngừng hoạt động; lớp cần nơi học khác."),
                    format!("{center} has closed; the class needs another place."),
                ),
            );
        }
    }
    found
        .into_iter()
        .map(|((session, person), rules)| Breach { session, person, rules })
        .collect()
}

/// A day's day, ISO week and month, as the checker names them.
fn bucket(d: NaiveDate) -> [String; 3] {
    let w = d.iso_week();
    [
        d.to_string(),
        format!("{}-W{:02}", w.year(), w.week()),
        format!("{}-{:02}", d.year(), d.month()),
    ]
}

/// A checker's day, week or month in words.
fn bucket_words(index: usize, when: &str) -> (String, String) {
    let parsed = match index {
        0 => NaiveDate::parse_from_str(when, "%Y-%m-%d").ok(),
        1 => when
            .split_once("-W")
            .and_then(|(y, w)| NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, Weekday::Mon)),
        _ => NaiveDate::parse_from_str(&format!("{when}-01"), "%Y-%m-%d").ok(),
    };
    let Some(d) = parsed else {
        return (when.to_string(), when.to_string());
    };
    match index {
        0 => {
            let s = d.format("%d/%m/%Y").to_string();
            (format!("ngày {s}"), format!("the day {s}"))
        }
        1 => {
            let s = d.format("%d/%m/%Y").to_string();
            (format!("tuần bắt đầu {s}"), format!("the week from {s}"))
        }
        _ => {
            let s = d.format("%m/%Y").to_string();
            (format!("tháng {s}"), format!("the month {s}"))
        }
    }
}

/// Why a person may not take a session, worded for a registry that changed since publishing
/// and for a hand change alike ("(còn)": any more).
fn ineligible(p: &Person, s: &Session) -> BrokenRule {
    let has = |r: Role| p.roles.contains(&r);
    match s.kind {
        SessionKind::Class if !has(Role::LecturerFullTime) && !has(Role::LecturerPartTime) => {
            return rule(
                "role",
                "Không (còn) là giảng viên.".into(),
                "Not a lecturer (any more).".into(),
            );
        }
        SessionKind::Briefing if !has(Role::Rapporteur) => {
            return rule(
                "role",
                "Không (còn) là báo cáo viên.".into(),
                "Not a rapporteur (any more).".into(),
            );
        }
        _ => {}
    }
    if !p.qualifications.contains(&s.qualification) {
        return rule(
            "qualification",
            "Không (còn) được giao chuyên đề, nghị quyết của buổi này.".into(),
            "Does not (any more) hold this session's module or resolution.".into(),
        );
    }
    if s.min_theory_level
        .is_some_and(|min| p.theory_level.is_none_or(|l| l < min))
    {
        return rule(
            "theory_level",
            "Trình độ lý luận chính trị thấp hơn mức buổi này đòi hỏi.".into(),
            "Political-theory level below what this session needs.".into(),
        );
    }
    if s.min_rapporteur_level
        .is_some_and(|min| p.rapporteur_level.is_none_or(|l| l < min))
    {
        return rule(
            "rapporteur_level",
            "Cấp báo cáo viên thấp hơn cấp của hội nghị.".into(),
            "Rapporteur level below the conference's audience.".into(),
        );
    }
    rule(
        "language",
        "Không dùng được ngôn ngữ hội nghị bắt buộc.".into(),
        "Does not speak the language the conference requires.".into(),
    )
}

fn unavailable(person: &str, s: &Session, absences: &Absences) -> BrokenRule {
    if absences.inactive.contains(person) {
        return rule(
            "inactive",
            "Người này không còn hoạt động.".into(),
            "This person is no longer active.".into(),
        );
    }
    let on_leave = absences
        .leave
        .get(person)
        .is_some_and(|list| list.iter().any(|u| u.start < s.end && s.start < u.end));
    if on_leave {
        rule(
            "unavailable",
            "Vắng mặt (nghỉ phép, ốm hoặc đi công tác) vào buổi này.".into(),
            "Absent (leave, illness or a trip) at this session.".into(),
        )
    } else {
        rule(
            "weekly_half_days",
            "Buổi này không thuộc các buổi trong tuần người này có thể đến.".into(),
            "Outside the half-days of the week this person can come.".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One person on four sessions: one of a module they do not hold, two at once in two
    /// districts, all four on one day over a cap of two, one on leave.
    #[test]
    fn the_checkers_violations_come_back_as_rules_in_words() {
        let session = |id: &str, hour: u32, district: &str, topic: &str| {
            serde_json::json!({"id": id, "kind": "class", "district": district, "qualification": topic,
                "start": format!("2027-03-01T{hour:02}:00:00+07:00"), "end": format!("2027-03-01T{:02}:00:00+07:00", hour + 1)})
        };
        let text = serde_json::json!({
            "format": "roster-problem/1", "timezone": "Asia/Ho_Chi_Minh",
            "districts": [{"id": "D1", "name": "Sóc Trăng"}, {"id": "D2", "name": "Trần Đề"}],
            "travel_minutes": {"D1": {"D1": 0, "D2": 45}, "D2": {"D1": 45, "D2": 0}},
            "people": [{"id": "GV1", "roles": ["lecturer_full_time"], "home_district": "D1", "qualifications": ["M1"],
                        "max_per_day": 2, "unavailable": [{"start": "2027-03-01T15:00:00+07:00", "end": "2027-03-01T16:00:00+07:00"}]}],
            "sessions": [session("S1", 7, "D1", "M2"), session("S2", 9, "D1", "M1"), session("S3", 9, "D2", "M1"),
                         session("S4", 15, "D1", "M1")]
        })
        .to_string();
        let problem = roster_solver::format::read_problem(&text).unwrap();
        let pairs: Vec<Pair> = ["S1", "S2", "S3", "S4"]
            .into_iter()
            .map(|s| Pair {
                session: s.into(),
                person: "GV1".into(),
            })
            .collect();
        let absences = Absences {
            leave: HashMap::from([("GV1".to_string(), problem.people[0].unavailable.clone())]),
            ..Absences::default()
        };
        let found: Vec<(String, Vec<String>)> = find(&problem, &pairs, &absences)
            .into_iter()
            .map(|b| (b.session, b.rules.into_iter().map(|r| r.code).collect()))
            .collect();
        let expected = [
            ("S1", vec!["qualification", "cap"]),
            ("S2", vec!["overlap_or_travel", "cap"]),
            ("S3", vec!["overlap_or_travel", "cap"]),
            ("S4", vec!["unavailable", "cap"]),
        ];
        assert_eq!(
            found,
            expected.map(|(s, r)| (s.to_string(), r.into_iter().map(String::from).collect::<Vec<_>>()))
        );
        let clash = &find(&problem, &pairs, &absences)[1].rules[0].detail;
        assert_eq!(
            clash,
            "Trùng giờ hoặc không kịp di chuyển với buổi 01/03/2027 09:00 tại Trần Đề."
        );
        assert_eq!(bucket_words(1, "2027-W09").0, "tuần bắt đầu 01/03/2027");
    }
}
