//! Coverage by district and month: what is planned, staffed and short, in sessions and hours,
//! split by classes and briefings and by the kind of person taking them.

use serde::Serialize;
use utoipa::ToSchema;

use super::facts::{Facts, NOT_SCHEDULED};

#[derive(Debug, Default, Clone, Copy, Serialize, ToSchema)]
pub struct Cell {
    pub sessions: i64,
    /// Sessions with all the people they need.
    pub covered: i64,
    /// Sessions no published schedule has seen yet: short only because not yet scheduled.
    pub not_scheduled: i64,
    pub hours: f64,
    pub covered_hours: f64,
    pub class_sessions: i64,
    pub class_covered: i64,
    pub briefing_sessions: i64,
    pub briefing_covered: i64,
    /// Sessions taken, one per person on a session, by kind of person.
    pub by_full_time: i64,
    pub by_part_time: i64,
    pub by_rapporteurs: i64,
}

impl Cell {
    pub fn uncovered(&self) -> i64 {
        self.sessions - self.covered
    }

    /// covered / sessions, or `None` without sessions.
    pub fn rate(&self) -> Option<f64> {
        (self.sessions > 0).then(|| self.covered as f64 / self.sessions as f64)
    }

    /// Sessions a published schedule has seen.
    pub fn scheduled(&self) -> i64 {
        self.sessions - self.not_scheduled
    }

    fn add(&mut self, o: &Cell) {
        self.sessions += o.sessions;
        self.covered += o.covered;
        self.not_scheduled += o.not_scheduled;
        self.hours += o.hours;
        self.covered_hours += o.covered_hours;
        self.class_sessions += o.class_sessions;
        self.class_covered += o.class_covered;
        self.briefing_sessions += o.briefing_sessions;
        self.briefing_covered += o.briefing_covered;
        self.by_full_time += o.by_full_time;
        self.by_part_time += o.by_part_time;
        self.by_rapporteurs += o.by_rapporteurs;
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictCoverage {
    pub district_id: i64,
    pub district_name: String,
    /// January to December.
    pub months: [Cell; 12],
    pub total: Cell,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Coverage {
    pub year: i32,
    pub districts: Vec<DistrictCoverage>,
    /// Every district, January to December.
    pub months: [Cell; 12],
    pub total: Cell,
}

pub fn compute(year: i32, facts: &Facts) -> Coverage {
    let mut districts: Vec<DistrictCoverage> = facts
        .districts
        .iter()
        .map(|(id, name)| DistrictCoverage {
            district_id: *id,
            district_name: name.clone(),
            months: [Cell::default(); 12],
            total: Cell::default(),
        })
        .collect();
    for s in &facts.sessions {
        let Some(d) = districts.iter_mut().find(|d| d.district_id == s.district_id) else {
            continue;
        };
        let mut one = Cell {
            sessions: 1,
            hours: s.hours,
            ..Cell::default()
        };
        let covered = s.covered();
        if covered {
            one.covered = 1;
            one.covered_hours = s.hours;
        }
        one.not_scheduled = (s.reason.as_deref() == Some(NOT_SCHEDULED)) as i64;
        if s.class_id.is_some() {
            one.class_sessions = 1;
            one.class_covered = covered as i64;
        } else {
            one.briefing_sessions = 1;
            one.briefing_covered = covered as i64;
        }
        for h in &s.holders {
            match (s.class_id.is_some(), h.full_time) {
                (true, true) => one.by_full_time += 1,
                (true, false) => one.by_part_time += 1,
                (false, _) => one.by_rapporteurs += 1,
            }
        }
        d.months[(s.month - 1) as usize].add(&one);
        d.total.add(&one);
    }
    let mut months = [Cell::default(); 12];
    let mut total = Cell::default();
    for d in &districts {
        for (m, cell) in d.months.iter().enumerate() {
            months[m].add(cell);
        }
        total.add(&d.total);
    }
    Coverage {
        year,
        districts,
        months,
        total,
    }
}
