//! The demo province's coming year: three programs, each district's approved plan with its
//! classes, requested by the centers and accepted (the last of each district still waiting;
//! the demo coordinator's center leaves two classes before it to request), and briefing
//! conferences — sessions ready for the scheduler.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::db::Conn;
use crate::error::Result;
use crate::planning::briefings::{self, BriefingInput};
use crate::planning::plans::{self, PlannedClassInput};
use crate::planning::programs::{self, Module};
use crate::planning::requests;
use crate::planning::sessions::Slot;
use crate::vocab::{HalfDay, RapporteurLevel, TheoryLevel};

/// (code, name, topic code prefix, half-days per module, minimum theory level)
const PROGRAMS: [(&str, &str, &str, u32, Option<TheoryLevel>); 3] = [
    (
        "SCLLCT",
        "Sơ cấp lý luận chính trị",
        "SC-",
        2,
        Some(TheoryLevel::Intermediate),
    ),
    ("DVM", "Bồi dưỡng lý luận chính trị cho đảng viên mới", "DVM-", 1, None),
    ("NTD", "Bồi dưỡng nhận thức về Đảng", "NTD-", 1, None),
];

/// Classes of each district center in the year, by program: two of the first, three of the
/// others.
pub const CLASSES: [usize; 8] = [0, 1, 2, 0, 1, 2, 1, 2];
/// Classes of a Party committee under the province, at the provincial school: one for new
/// Party members, one on the Party.
pub const COMMITTEE_CLASSES: [usize; 2] = [1, 2];

/// A unit's plan: the center its classes are given to, the unit, where its classes and
/// conferences meet, which classes (by program), and whether its audiences speak Khmer.
pub struct Center<'a> {
    pub id: i64,
    pub district_id: i64,
    pub venue: String,
    pub conference_venue: &'a str,
    pub classes: &'a [usize],
    pub khmer: bool,
    /// How many classes, before the last, the center has not requested yet.
    pub unrequested: usize,
}

/// The `n` half-days from the first Monday of the second week of `month`, Monday to Friday,
/// morning then afternoon.
fn half_days(year: i32, month: u32, n: u32) -> Vec<Slot> {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a month");
    let mut day = first + Days::new(u64::from(7 + (7 - first.weekday().num_days_from_monday()) % 7));
    let mut out = Vec::new();
    while out.len() < n as usize {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            for half_day in [HalfDay::Morning, HalfDay::Afternoon] {
                if out.len() < n as usize {
                    out.push(Slot { date: day, half_day });
                }
            }
        }
        day = day + Days::new(1);
    }
    out
}

pub async fn load(mut c: Conn<'_>, year: i32, centers: &[Center<'_>], topics: &[(i64, &str, bool)]) -> Result<()> {
    let mut programs = Vec::new();
    for (code, name, prefix, half_days, level) in PROGRAMS {
        let modules: Vec<Module> = topics
            .iter()
            .filter(|(_, topic, _)| topic.starts_with(prefix))
            .map(|(id, _, _)| Module {
                topic_id: *id,
                half_days,
                min_theory_level: level,
            })
            .collect();
        let total = modules.iter().map(|m| m.half_days).sum::<u32>();
        programs.push((programs::insert(c.reborrow(), code, name, &modules).await?, total));
    }
    let resolutions: Vec<i64> = topics.iter().filter(|t| t.2).map(|t| t.0).collect();
    for (d, center) in centers.iter().enumerate() {
        let plan = plans::insert_plan(c.reborrow(), center.district_id, year).await?;
        for (k, &program) in center.classes.iter().enumerate() {
            let trainees = 40 + ((d * 7 + k * 5) % 25) as u32;
            let class = PlannedClassInput {
                program_id: programs[program].0,
                center_id: center.id,
                name: format!("Lớp {} khóa {}/{year}", PROGRAMS[program].1, k + 1),
                months: vec![month(d, k)],
                trainees,
                women: trainees * 9 / 20,
                ethnic_minority: if center.khmer { trainees / 2 } else { trainees / 10 },
            };
            plans::insert_class(c.reborrow(), plan, center.district_id, "classes", &class).await?;
        }
        plans::store_approval(c.reborrow(), plan, "demo").await?;
        let planned: Vec<i64> = crate::on!(c.reborrow(), |c| {
            sqlx::query_scalar(
                "SELECT planned_class_id FROM planned_class WHERE plan_id = $1 ORDER BY planned_class_id",
            )
            .bind(plan)
            .fetch_all(&mut *c)
            .await?
        });
        let venue = &center.venue;
        let last = center.classes.len() - 1;
        for (k, (&planned_class, &program)) in planned.iter().zip(center.classes).enumerate() {
            if (last - center.unrequested..last).contains(&k) {
                continue;
            }
            let slots = half_days(year, month(d, k), programs[program].1);
            let id = requests::submit(c.reborrow(), planned_class, center.district_id, venue, &slots, "demo").await?;
            // The last class of each district still waits for the board.
            if k < last {
                let request = requests::load_one(c.reborrow(), id).await?;
                requests::store_acceptance(c.reborrow(), &request, "demo").await?;
            }
        }
        for (b, month) in [2, 5, 8, 11].into_iter().enumerate() {
            let date = half_days(year, month, 6)[5].date;
            let briefing = BriefingInput {
                topic_id: resolutions[(d + b) % resolutions.len()],
                district_id: center.district_id,
                venue: center.conference_venue.to_string(),
                title: "Hội nghị học tập, quán triệt nghị quyết".to_string(),
                audience_level: RapporteurLevel::District,
                language: center.khmer.then(|| "km".to_string()),
                language_required: false,
                rapporteurs: if d % 3 == 0 { 2 } else { 1 },
                slots: vec![Slot {
                    date,
                    half_day: HalfDay::Morning,
                }],
                deadline: None,
            };
            briefings::insert(c.reborrow(), &briefing, "demo").await?;
        }
    }
    Ok(())
}

/// The month of a district's `k`-th class: spread over the year, shifted per district.
fn month(district: usize, k: usize) -> u32 {
    ((k * 3 / 2 + district) % 12) as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_center_never_runs_two_classes_in_one_month() {
        for d in 0..11 {
            let mut months: Vec<u32> = (0..CLASSES.len()).map(|k| month(d, k)).collect();
            months.sort_unstable();
            months.dedup();
            assert_eq!(months.len(), CLASSES.len());
        }
    }

    #[test]
    fn half_days_run_on_weekdays_from_the_second_week() {
        let slots = half_days(2027, 3, 20);
        assert_eq!(slots.len(), 20);
        assert_eq!(slots[0].date, NaiveDate::from_ymd_opt(2027, 3, 8).unwrap());
        assert!(slots.iter().all(|s| s.date.weekday().num_days_from_monday() < 5));
        assert_eq!(slots[19].date, NaiveDate::from_ymd_opt(2027, 3, 19).unwrap());
    }
}
