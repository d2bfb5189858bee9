//! Builds a `roster-problem/1` from the database: the people with their availability and
//! caps, the sessions of a period, the published assignments as `previous`, the board's pins
//! and weights.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use roster_solver::{
    District, Pair, Period, Person, Problem, RapporteurLevel, Role, Session, SessionKind, TheoryLevel,
};

use super::breaches::{self, Absences, Breach};
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;
use crate::time::{ZONE, local, require_plan_day};

/// What a run covers: the days `from..=to` (local) and, when given, only these districts.
#[derive(Debug, Clone)]
pub struct Scope {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub districts: Option<Vec<i64>>,
}

impl Scope {
    /// The days `from..=to`, at most 400 of them, in the years of plans; a 422 naming the
    /// field otherwise.
    pub fn checked(from: NaiveDate, to: NaiveDate, districts: Option<Vec<i64>>) -> Result<Scope> {
        require_plan_day("from", from)?;
        require_plan_day("to", to)?;
        if to < from || (to - from).num_days() > 400 {
            return Err(ApiError::invalid(
                "to",
                "invalid_period",
                "Khoảng thời gian phải từ ngày đầu đến ngày cuối, không quá 400 ngày.",
                "The period runs from `from` to `to`, 400 days at most.",
            ));
        }
        Ok(Scope { from, to, districts })
    }

    /// The days whose published assignments count against this period's caps: its months,
    /// widened to whole ISO weeks.
    pub fn cap_window(&self) -> Scope {
        let first = NaiveDate::from_ymd_opt(self.from.year(), self.from.month(), 1).expect("first of month");
        let last_month = NaiveDate::from_ymd_opt(self.to.year(), self.to.month(), 1).expect("first of month");
        let last = last_month
            .checked_add_months(chrono::Months::new(1))
            .expect("next month")
            - Duration::days(1);
        Scope {
            from: first - Duration::days(i64::from(first.weekday().num_days_from_monday())),
            to: last + Duration::days(6 - i64::from(last.weekday().num_days_from_monday())),
            districts: None,
        }
    }

    /// The period as stored instants, `[start, end)`.
    pub fn instants(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = |d: NaiveDate| {
            ZONE.from_local_datetime(&d.and_time(NaiveTime::MIN))
                .single()
                .expect("no DST")
                .with_timezone(&Utc)
        };
        (midnight(self.from), midnight(self.to + Duration::days(1)))
    }
}

/// A session's id in problem files.
pub fn session_key(id: i64) -> String {
    format!("S{id}")
}

/// The session id of a problem file's session key.
pub fn session_id(key: &str) -> Option<i64> {
    key.strip_prefix('S')?.parse().ok()
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_id: i64,
    class_id: Option<i64>,
    module_position: Option<i64>,
    topic: String,
    district: String,
    district_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    needs: i64,
    min_theory_level: Option<String>,
    min_rapporteur_level: Option<String>,
    language: Option<String>,
    language_required: bool,
    /// The name of the class's center, when it no longer operates.
    closed_center: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    person_id: i64,
    code: String,
    full_name: String,
    active: bool,
    rapporteur_level: Option<String>,
    theory_level: Option<String>,
    home: Option<String>,
    max_per_day: Option<i64>,
    max_per_week: Option<i64>,
    max_per_month: Option<i64>,
}

/// What problems are made of: the districts and travel times, the sessions of a window with
/// their published holders, and the people as the registry has them today.
struct Registry {
    districts: Vec<District>,
    travel_minutes: BTreeMap<String, BTreeMap<String, i64>>,
    /// Pairs of districts without a travel time, by name.
    missing: Vec<String>,
    rows: Vec<SessionRow>,
    held: BTreeMap<i64, Vec<String>>,
    people: Vec<Person>,
    absences: Absences,
}

async fn registry(mut c: Conn<'_>, window: &Scope) -> Result<Registry> {
    let (window_start, window_end) = window.instants();
    let districts: Vec<(i64, String, String, Option<i64>)> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT district_id, code, name, seat_district_id FROM district ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    });
    let travel_rows: Vec<(i64, i64, i64)> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT from_district_id, to_district_id, CAST(minutes AS BIGINT) FROM travel_time")
            .fetch_all(&mut *c)
            .await?
    });
    let known: HashMap<(i64, i64), i64> = travel_rows.into_iter().map(|(a, b, m)| ((a, b), m)).collect();
    let mut travel_minutes: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut missing = Vec::new();
    // A unit seated in a district travels as that district does.
    for (a, a_code, a_name, a_seat) in &districts {
        for (b, b_code, b_name, b_seat) in &districts {
            let (from, to) = (a_seat.unwrap_or(*a), b_seat.unwrap_or(*b));
            let minutes = if from == to {
                Some(0)
            } else {
                known.get(&(from, to)).copied()
            };
            match minutes {
                Some(m) => {
                    travel_minutes
                        .entry(a_code.clone())
                        .or_default()
                        .insert(b_code.clone(), m);
                }
                // A missing pair of places is named once, not again for the units seated there.
                None if a_seat.is_none() && b_seat.is_none() => missing.push(format!("{a_name} → {b_name}")),
                None => {}
            }
        }
    }
    let rows: Vec<SessionRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT s.session_id, s.class_id, s.module_position, t.code AS topic, d.code AS district, s.district_id, \
             s.starts_at, s.ends_at, CAST(s.needs AS BIGINT) AS needs, s.min_theory_level, s.min_rapporteur_level, \
             s.language, s.language_required, CASE WHEN ce.active THEN NULL ELSE ce.name END AS closed_center \
             FROM session s JOIN topic t ON t.topic_id = s.topic_id JOIN district d ON d.district_id = s.district_id \
             LEFT JOIN course_class cc ON cc.class_id = s.class_id \
             LEFT JOIN planned_class k ON k.planned_class_id = cc.planned_class_id \
             LEFT JOIN center ce ON ce.center_id = k.center_id \
             WHERE s.starts_at >= $1 AND s.starts_at < $2 ORDER BY s.starts_at, s.session_id",
        )
        .bind(window_start)
        .bind(window_end)
        .fetch_all(&mut *c)
        .await?
    });
    let current: Vec<(i64, String)> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT a.session_id, p.code FROM assignment a JOIN person p ON p.person_id = a.person_id \
             JOIN session s ON s.session_id = a.session_id \
             WHERE a.to_version IS NULL AND s.starts_at >= $1 AND s.starts_at < $2 ORDER BY a.session_id, p.code",
        )
        .bind(window_start)
        .bind(window_end)
        .fetch_all(&mut *c)
        .await?
    });
    let mut held: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (s, p) in current {
        held.entry(s).or_default().push(p);
    }
    let (people, mut absences) = people(c, window_start, window_end).await?;
    absences.closed_centers = rows
        .iter()
        .filter_map(|r| Some((session_key(r.session_id), r.closed_center.clone()?)))
        .collect();
    Ok(Registry {
        districts: districts
            .into_iter()
            .map(|(_, id, name, _)| District { id, name })
            .collect(),
        travel_minutes,
        missing,
        rows,
        held,
        people,
        absences,
    })
}

impl Registry {
    fn problem(
        self,
        sessions: Vec<Session>,
        weights: roster_solver::Weights,
        time_limit_seconds: Option<f64>,
    ) -> Problem {
        Problem {
            format: roster_solver::PROBLEM_FORMAT.to_string(),
            timezone: ZONE.name().to_string(),
            districts: self.districts,
            travel_minutes: self.travel_minutes,
            people: self.people,
            sessions,
            pinned: Vec::new(),
            previous: Vec::new(),
            weights,
            time_limit_seconds,
        }
    }
}

fn session(r: &SessionRow, needs: u32) -> Session {
    Session {
        id: session_key(r.session_id),
        kind: if r.class_id.is_some() {
            SessionKind::Class
        } else {
            SessionKind::Briefing
        },
        start: local(r.starts_at),
        end: local(r.ends_at),
        district: r.district.clone(),
        qualification: r.topic.clone(),
        needs,
        min_theory_level: r.min_theory_level.as_deref().and_then(parse_theory),
        min_rapporteur_level: r.min_rapporteur_level.as_deref().and_then(parse_rapporteur),
        language: r.language.clone(),
        language_required: r.language_required,
        group: r.class_id.zip(r.module_position).map(|(c, m)| format!("C{c}/M{m}")),
    }
}

/// A run's problem, and the published assignments around it that it does not hold in place
/// because they break a rule today (they are left to be re-planned).
pub struct Built {
    pub problem: Problem,
    pub set_aside: Vec<Breach>,
}

pub async fn build(mut c: Conn<'_>, scope: &Scope, time_limit_seconds: f64) -> Result<Built> {
    let (start, end) = scope.instants();
    // Sessions around the period hold published assignments that count against caps and
    // travel; they come in pinned, like those of districts outside the run.
    let mut reg = registry(c.reborrow(), &scope.cap_window()).await?;
    if !reg.missing.is_empty() {
        return Err(ApiError::conflict(
            "travel_times_missing",
            format!("Chưa có thời gian di chuyển: {}.", reg.missing.join(", ")),
            format!("Travel times are missing: {}.", reg.missing.join(", ")),
        ));
    }
    let pins: Vec<(i64, String)> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT x.session_id, p.code FROM pin x JOIN person p ON p.person_id = x.person_id \
             JOIN session s ON s.session_id = x.session_id WHERE s.starts_at >= $1 AND s.starts_at < $2",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await?
    });
    let in_scope = |r: &SessionRow| {
        r.starts_at >= start && r.starts_at < end && scope.districts.as_ref().is_none_or(|d| d.contains(&r.district_id))
    };
    let pair = |s: i64, p: &String| Pair {
        session: session_key(s),
        person: p.clone(),
    };

    let mut sessions = Vec::new();
    let mut pinned = Vec::new();
    let mut previous = Vec::new();
    // Outside the run's period or districts, published assignments stay as they are: pinned,
    // so the people keep those hours (travel counted) and caps.
    let mut held = Vec::new();
    for r in &reg.rows {
        let holders = reg.held.get(&r.session_id).map(Vec::as_slice).unwrap_or_default();
        // A session of a closed center is not staffed; its published holders are held like
        // those outside the run, to be set aside below as breaking a rule.
        if in_scope(r) && r.closed_center.is_none() {
            previous.extend(holders.iter().map(|p| pair(r.session_id, p)));
            pinned.extend(
                pins.iter()
                    .filter(|(s, _)| *s == r.session_id)
                    .map(|(s, p)| pair(*s, p)),
            );
            sessions.push(session(r, r.needs as u32));
        } else if !holders.is_empty() {
            held.extend(holders.iter().map(|p| pair(r.session_id, p)));
            sessions.push(session(r, holders.len() as u32));
        }
    }
    if !reg.rows.iter().any(in_scope) {
        return Err(ApiError::invalid(
            "from",
            "empty_period",
            "Không có buổi nào trong khoảng thời gian và các huyện đã chọn.",
            "There are no sessions in the chosen period and districts.",
        ));
    }
    let weights = super::board::weights(c).await?.into();
    let absences = std::mem::take(&mut reg.absences);
    let mut problem = reg.problem(sessions, weights, Some(time_limit_seconds));
    let set_aside = breaches::find(&problem, &held, &absences);
    set_aside_held(&mut problem, &set_aside);
    let broken: BTreeSet<(&str, &str)> = set_aside
        .iter()
        .map(|b| (b.session.as_str(), b.person.as_str()))
        .collect();
    pinned.extend(
        held.iter()
            .filter(|p| !broken.contains(&(p.session.as_str(), p.person.as_str())))
            .cloned(),
    );
    problem.pinned = pinned;
    problem.previous = previous;
    Ok(Built { problem, set_aside })
}
/// Takes the broken held assignments out of a run's problem: their sessions need one person
/// fewer (and go when none is left), and their people's time there stays blocked, as a held
/// assignment would block it.
fn set_aside_held(problem: &mut Problem, set_aside: &[Breach]) {
    for b in set_aside {
        let Some(i) = problem.sessions.iter().position(|s| s.id == b.session) else {
            continue;
        };
        let (start, end) = (problem.sessions[i].start, problem.sessions[i].end);
        problem.sessions[i].needs -= 1;
        if problem.sessions[i].needs == 0 {
            problem.sessions.remove(i);
        }
        if let Some(p) = problem.people.iter_mut().find(|p| p.id == b.person) {
            p.unavailable.push(Period { start, end });
        }
    }
}

/// The published schedule of a period checked against today's registry: every assignment
/// that breaks a rule, with the rules in words. Caps count the period's months, widened to
/// whole weeks.
pub async fn published_breaches(c: Conn<'_>, period: &Scope) -> Result<Vec<Breach>> {
    let mut reg = registry(c, &period.cap_window()).await?;
    let mut sessions = Vec::new();
    let mut pairs = Vec::new();
    for r in &reg.rows {
        let Some(holders) = reg.held.get(&r.session_id) else {
            continue;
        };
        sessions.push(session(r, r.needs as u32));
        pairs.extend(holders.iter().map(|p| Pair {
            session: session_key(r.session_id),
            person: p.clone(),
        }));
    }
    let absences = std::mem::take(&mut reg.absences);
    let problem = reg.problem(sessions, roster_solver::Weights::default(), None);
    Ok(breaches::find(&problem, &pairs, &absences))
}

fn parse_theory(s: &str) -> Option<TheoryLevel> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

fn parse_rapporteur(s: &str) -> Option<RapporteurLevel> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

/// People with a role and a home district (or their center's), unavailable where their leave
/// or their weekly half-days say so during `[start, end)`, and throughout if deactivated.
async fn people(mut c: Conn<'_>, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<(Vec<Person>, Absences)> {
    let rows: Vec<PersonRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT p.person_id, p.code, p.full_name, p.active, p.rapporteur_level, p.theory_level, \
             dh.code AS home, CAST(p.max_per_day AS BIGINT) AS max_per_day, CAST(p.max_per_week AS BIGINT) AS max_per_week, \
             CAST(p.max_per_month AS BIGINT) AS max_per_month \
             FROM person p LEFT JOIN center ce ON ce.center_id = p.center_id \
             LEFT JOIN district dh ON dh.district_id = COALESCE(p.home_district_id, ce.district_id) \
             WHERE EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = p.person_id) \
             ORDER BY p.code",
        )
        .fetch_all(&mut *c)
        .await?
    });
    let roles: Vec<(i64, String)> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT person_id, role FROM person_role")
            .fetch_all(&mut *c)
            .await?
    });
    let languages: Vec<(i64, String)> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT person_id, language FROM person_language")
            .fetch_all(&mut *c)
            .await?
    });
    let qualifications: Vec<(i64, String)> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT q.person_id, t.code FROM qualification q JOIN topic t ON t.topic_id = q.topic_id")
            .fetch_all(&mut *c)
            .await?
    });
    let leave: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT person_id, starts_at, ends_at FROM unavailability WHERE starts_at < $2 AND $1 < ends_at \
             ORDER BY person_id, starts_at",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await?
    });
    let weekly: Vec<(i64, String, String)> = on!(c, |c| {
        sqlx::query_as("SELECT person_id, weekday, half_day FROM weekly_availability")
            .fetch_all(&mut *c)
            .await?
    });
    let group = |list: Vec<(i64, String)>| {
        let mut m: HashMap<i64, Vec<String>> = HashMap::new();
        for (p, v) in list {
            m.entry(p).or_default().push(v);
        }
        m
    };
    let (roles, languages, qualifications) = (group(roles), group(languages), group(qualifications));
    let mut weekly_by: HashMap<i64, Vec<(u32, bool)>> = HashMap::new();
    for (p, day, half) in weekly {
        let index = crate::vocab::Weekday::parse(&day).map(|d| d as u32);
        if let Some(index) = index {
            weekly_by.entry(p).or_default().push((index, half == "morning"));
        }
    }
    let mut leave_by: HashMap<i64, Vec<Period>> = HashMap::new();
    for (p, s, e) in leave {
        leave_by.entry(p).or_default().push(Period {
            start: local(s),
            end: local(e),
        });
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut absences = Absences::default();
    for r in rows {
        let Some(home) = r.home else { continue };
        let mut unavailable = leave_by.remove(&r.person_id).unwrap_or_default();
        if !unavailable.is_empty() {
            absences.leave.insert(r.code.clone(), unavailable.clone());
        }
        if !r.active {
            absences.inactive.insert(r.code.clone());
            // Someone deactivated stays known, so their published assignments are dropped
            // (and counted as changes) rather than naming an unknown person.
            unavailable = vec![Period {
                start: local(start),
                end: local(end),
            }];
        } else if let Some(allowed) = weekly_by.get(&r.person_id) {
            unavailable.extend(outside_half_days(allowed, start, end));
        }
        let mut person_roles: Vec<Role> = roles
            .get(&r.person_id)
            .into_iter()
            .flatten()
            .filter_map(|x| serde_json::from_value(serde_json::Value::String(x.clone())).ok())
            .collect();
        person_roles.sort();
        let mut quals = qualifications.get(&r.person_id).cloned().unwrap_or_default();
        quals.sort();
        let mut langs = languages.get(&r.person_id).cloned().unwrap_or_default();
        langs.sort();
        out.push(Person {
            id: r.code,
            name: r.full_name,
            roles: person_roles,
            rapporteur_level: r.rapporteur_level.as_deref().and_then(parse_rapporteur),
            theory_level: r.theory_level.as_deref().and_then(parse_theory),
            home_district: home,
            qualifications: quals,
            languages: langs,
            unavailable,
            max_per_day: r.max_per_day.map(|v| v as u32),
            max_per_week: r.max_per_week.map(|v| v as u32),
            max_per_month: r.max_per_month.map(|v| v as u32),
        });
    }
    Ok((out, absences))
}

/// The periods of `[start, end)` outside a person's weekly half-days (weekday from Monday = 0,
/// morning or not), merged: morning is before noon, afternoon after, local time.
fn outside_half_days(allowed: &[(u32, bool)], start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Period> {
    let mut out: Vec<Period> = Vec::new();
    let mut day = local(start).date_naive();
    let last = local(end).date_naive();
    while day < last {
        for (morning, from, to) in [(true, 0, 12), (false, 12, 24)] {
            if allowed.contains(&(day.weekday().num_days_from_monday(), morning)) {
                continue;
            }
            let at = |h: i64| {
                let t = ZONE
                    .from_local_datetime(&day.and_time(NaiveTime::MIN))
                    .single()
                    .expect("no DST")
                    + Duration::hours(h);
                t.fixed_offset()
            };
            let (s, e) = (at(from), at(to));
            match out.last_mut() {
                Some(p) if p.end == s => p.end = e,
                _ => out.push(Period { start: s, end: e }),
            }
        }
        day += Duration::days(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_half_days_become_merged_unavailable_periods() {
        // Allowed: Monday afternoon and Tuesday morning only; one week from Monday 1 March 2027.
        let scope = Scope {
            from: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2027, 3, 7).unwrap(),
            districts: None,
        };
        let (start, end) = scope.instants();
        let periods = outside_half_days(&[(0, false), (1, true)], start, end);
        let text: Vec<String> = periods.iter().map(|p| format!("{} {}", p.start, p.end)).collect();
        assert_eq!(
            text,
            [
                "2027-03-01 00:00:00 +07:00 2027-03-01 12:00:00 +07:00",
                "2027-03-02 12:00:00 +07:00 2027-03-08 00:00:00 +07:00",
            ]
        );
    }

    #[test]
    fn session_keys_round_trip() {
        assert_eq!(session_id(&session_key(42)), Some(42));
        assert_eq!(session_id("X42"), None);
    }
}
