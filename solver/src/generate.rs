//! Realistic province instances for tests and benchmarks: 10 districts, the usual mix of
//! full-time and part-time lecturers and rapporteurs, classes of half-day module sessions,
//! briefings, part-time caps, leave, continuity groups and some Khmer-language briefings.
//! [`Shape::Harder`] and [`Shape::Tight`] make problems like the shared benchmark ones: longer
//! modules, pins, a published plan to keep, and sessions nobody may take.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Weekday};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

use crate::problem::{
    District, PROBLEM_FORMAT, Pair, Period, Person, Problem, RapporteurLevel, Role, Session, SessionKind, TheoryLevel,
    Weights,
};

/// Size of the instance to generate.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub people: usize,
    pub sessions: usize,
    pub months: u32,
    pub seed: u64,
}

const DISTRICTS: [(&str, f64, f64); 10] = [
    ("Thành phố Sóc Trăng", 0.0, 0.0),
    ("Huyện Châu Thành", -8.0, 10.0),
    ("Huyện Kế Sách", 2.0, 28.0),
    ("Huyện Mỹ Tú", -22.0, 6.0),
    ("Huyện Cù Lao Dung", 22.0, 12.0),
    ("Huyện Long Phú", 16.0, 4.0),
    ("Huyện Mỹ Xuyên", 0.0, -14.0),
    ("Thị xã Ngã Năm", -42.0, -12.0),
    ("Huyện Thạnh Trị", -26.0, -22.0),
    ("Thị xã Vĩnh Châu", 16.0, -34.0),
];
/// Districts (by index) with many Khmer speakers.
const KHMER: [usize; 3] = [6, 8, 9];

fn modules() -> Vec<String> {
    let mut v = Vec::new();
    for (prefix, n) in [("SC", 10), ("DVM", 6), ("NTD", 5)] {
        v.extend((1..=n).map(|i| format!("{prefix}-{i:02}")));
    }
    v
}

fn resolutions() -> Vec<String> {
    (1..=10).map(|i| format!("NQ-{i:02}")).collect()
}

/// What kind of province to generate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Shape {
    /// Modules of two half-days; nothing pinned and no published plan.
    #[default]
    Plain,
    /// Modules of one to six half-days (three on average), some classes needing two people,
    /// pins, a published plan to keep (`previous`), and a few sessions nobody may take.
    Harder,
    /// `Harder` with few qualifications per person and more demand on the scarcest modules.
    Tight,
}

pub fn generate(size: Size) -> Problem {
    generate_shaped(size, Shape::Plain)
}

pub fn generate_shaped(size: Size, shape: Shape) -> Problem {
    let harder = shape != Shape::Plain;
    let tight = shape == Shape::Tight;
    let mut rng = StdRng::seed_from_u64(size.seed);
    let tz = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    let districts: Vec<District> = DISTRICTS
        .iter()
        .enumerate()
        .map(|(i, (name, _, _))| District {
            id: format!("D{:02}", i + 1),
            name: name.to_string(),
        })
        .collect();
    let mut travel_minutes: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for (i, (_, xa, ya)) in DISTRICTS.iter().enumerate() {
        let row = travel_minutes.entry(districts[i].id.clone()).or_default();
        for (j, (_, xb, yb)) in DISTRICTS.iter().enumerate() {
            let km = ((xa - xb).powi(2) + (ya - yb).powi(2)).sqrt();
            let minutes = if i == j {
                0
            } else {
                (15.0 + km * 1.6).round() as i64 + if j == 4 || i == 4 { 20 } else { 0 }
            };
            row.insert(districts[j].id.clone(), minutes);
        }
    }
    let (modules, resolutions) = (modules(), resolutions());
    let first_day = NaiveDate::from_ymd_opt(2027, 1, 4).expect("a date");
    let last_day = first_day
        .checked_add_months(chrono::Months::new(size.months))
        .expect("a date");
    let days = (last_day - first_day).num_days();
    let at = |day: NaiveDate, h: u32, m: u32| {
        tz.from_local_datetime(&day.and_hms_opt(h, m, 0).expect("a time"))
            .single()
            .expect("fixed offset")
    };

    let mut people = Vec::with_capacity(size.people);
    for i in 0..size.people {
        let r: f64 = rng.random();
        let roles = if r < 0.2 {
            vec![Role::LecturerFullTime]
        } else if r < 0.5 {
            vec![Role::LecturerPartTime]
        } else if r < 0.65 {
            vec![Role::LecturerPartTime, Role::Rapporteur]
        } else {
            vec![Role::Rapporteur]
        };
        let home = rng.random_range(0..districts.len());
        let khmer = KHMER.contains(&home) && rng.random_bool(0.4) || rng.random_bool(0.03);
        let full_time = roles.contains(&Role::LecturerFullTime);
        let mut qualifications = Vec::new();
        if roles.iter().any(|r| *r != Role::Rapporteur) {
            let n = match (tight, full_time) {
                (false, true) => rng.random_range(4..8),
                (false, false) => rng.random_range(2..5),
                (true, true) => rng.random_range(2..4),
                (true, false) => rng.random_range(1..3),
            };
            qualifications.extend(modules.sample(&mut rng, n).cloned());
        }
        if roles.contains(&Role::Rapporteur) {
            let n = if tight {
                rng.random_range(1..3)
            } else {
                rng.random_range(2..5)
            };
            qualifications.extend(resolutions.sample(&mut rng, n).cloned());
        }
        qualifications.sort();
        let mut unavailable = Vec::new();
        if rng.random_bool(0.3) {
            let start = first_day + Duration::days(rng.random_range(0..days.max(1)));
            let end = start + Duration::days(rng.random_range(2..11));
            unavailable.push(Period {
                start: at(start, 0, 0),
                end: at(end, 0, 0),
            });
        }
        let part_time = !full_time && roles.contains(&Role::LecturerPartTime);
        people.push(Person {
            id: format!("P{:04}", i + 1),
            name: String::new(),
            rapporteur_level: roles.contains(&Role::Rapporteur).then(|| {
                *[
                    RapporteurLevel::Province,
                    RapporteurLevel::District,
                    RapporteurLevel::Grassroots,
                ]
                .choose_weighted(&mut rng, |l| match l {
                    RapporteurLevel::Province => 15,
                    RapporteurLevel::District => 40,
                    RapporteurLevel::Grassroots => 45,
                })
                .expect("weights")
            }),
            theory_level: Some(if full_time || rng.random_bool(0.4) {
                TheoryLevel::Advanced
            } else if rng.random_bool(0.7) {
                TheoryLevel::Intermediate
            } else {
                TheoryLevel::Elementary
            }),
            roles,
            home_district: districts[home].id.clone(),
            qualifications,
            languages: if khmer {
                vec!["km".to_string(), "vi".to_string()]
            } else {
                vec!["vi".to_string()]
            },
            unavailable,
            max_per_day: Some(if part_time { rng.random_range(1..3) } else { 2 }),
            max_per_week: if full_time { Some(rng.random_range(6..9)) } else { None },
            max_per_month: if part_time { Some(rng.random_range(4..11)) } else { None },
        });
    }

    // Working days, then sessions: classes (module after module, two half-days each) and briefings.
    let workdays: Vec<NaiveDate> = (0..days)
        .map(|d| first_day + Duration::days(d))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    let half_day = |day: NaiveDate, morning: bool| {
        if morning {
            (at(day, 7, 30), at(day, 11, 0))
        } else {
            (at(day, 13, 30), at(day, 17, 0))
        }
    };
    let mut sessions: Vec<Session> = Vec::with_capacity(size.sessions);
    let mut classes = 0;
    while sessions.len() < size.sessions {
        let district = rng.random_range(0..districts.len());
        if rng.random_bool(0.7) {
            classes += 1;
            let program = ["SC", "DVM", "NTD"].choose(&mut rng).expect("programs");
            let mut program_modules: Vec<&String> = modules.iter().filter(|m| m.starts_with(program)).collect();
            if tight && rng.random_bool(0.4) {
                // Demand on the scarcest modules: the three fewest people may teach.
                program_modules.sort_by_key(|m| (holders(&people, m), *m));
                program_modules.truncate(3);
            }
            let count = rng.random_range(2..5).min(program_modules.len());
            let mut slot = (rng.random_range(0..workdays.len()), rng.random_bool(0.5));
            let min_theory = rng.random_bool(0.5).then_some(TheoryLevel::Intermediate);
            let needs = if harder && rng.random_bool(0.03) { 2 } else { 1 };
            for module in program_modules.sample(&mut rng, count) {
                let half_days = if harder { rng.random_range(1..=5) } else { 2 };
                // Now and then a module nobody in the province may teach.
                let module = if harder && rng.random_bool(0.01) {
                    format!("{program}-99")
                } else {
                    (*module).clone()
                };
                for _ in 0..half_days {
                    if sessions.len() >= size.sessions || slot.0 >= workdays.len() {
                        break;
                    }
                    let (start, end) = half_day(workdays[slot.0], slot.1);
                    sessions.push(Session {
                        id: String::new(),
                        kind: SessionKind::Class,
                        start,
                        end,
                        district: districts[district].id.clone(),
                        qualification: module.clone(),
                        needs,
                        min_theory_level: min_theory,
                        min_rapporteur_level: None,
                        language: None,
                        language_required: false,
                        group: Some(format!("C{classes:04}/{module}")),
                    });
                    slot = if slot.1 { (slot.0, false) } else { (slot.0 + 1, true) };
                }
            }
        } else {
            let day = workdays[rng.random_range(0..workdays.len())];
            let (start, end) = half_day(day, rng.random_bool(0.6));
            let khmer_audience = KHMER.contains(&district) && rng.random_bool(0.4);
            sessions.push(Session {
                id: String::new(),
                kind: SessionKind::Briefing,
                start,
                end,
                district: districts[district].id.clone(),
                qualification: resolutions.choose(&mut rng).expect("resolutions").clone(),
                needs: if rng.random_bool(0.2) { 2 } else { 1 },
                min_theory_level: None,
                min_rapporteur_level: Some(
                    *[
                        RapporteurLevel::Grassroots,
                        RapporteurLevel::District,
                        RapporteurLevel::Province,
                    ]
                    .choose_weighted(&mut rng, |l| match l {
                        RapporteurLevel::Grassroots => 50,
                        RapporteurLevel::District => 35,
                        RapporteurLevel::Province => 15,
                    })
                    .expect("weights"),
                ),
                language: khmer_audience.then(|| "km".to_string()),
                language_required: khmer_audience && rng.random_bool(0.5),
                group: None,
            });
        }
    }
    sessions.sort_by(|a, b| (a.start, &a.district, &a.qualification).cmp(&(b.start, &b.district, &b.qualification)));
    for (i, s) in sessions.iter_mut().enumerate() {
        s.id = format!("S{:05}", i + 1);
    }
    let mut problem = Problem {
        format: PROBLEM_FORMAT.to_string(),
        timezone: "Asia/Ho_Chi_Minh".to_string(),
        districts,
        travel_minutes,
        people,
        sessions,
        pinned: Vec::new(),
        previous: Vec::new(),
        weights: Weights {
            uncovered: 10000,
            travel_minute: 1,
            max_load: 50,
            continuity: 30,
            part_time: 5,
            language: 200,
            change: 500,
        },
        time_limit_seconds: Some(60.0),
    };
    if harder {
        keep_and_pin(&mut problem, &mut rng);
    }
    problem
}

/// How many people may teach a module.
fn holders(people: &[Person], module: &str) -> usize {
    people
        .iter()
        .filter(|p| p.qualifications.iter().any(|q| q == module))
        .count()
}

/// A published plan to keep and pins, both taken from the greedy assignment so that they keep
/// every rule: a third of its pairs as `previous`, one pair in 250 sessions (at least two) as
/// pins.
fn keep_and_pin(problem: &mut Problem, rng: &mut StdRng) {
    let instance = crate::instance::Instance::new(problem).expect("a generated problem is sound");
    let assigned = crate::greedy::assign(&instance, [None, None], &[]);
    let pairs: Vec<Pair> = crate::pairs_by_id(problem, &assigned);
    let pins = (problem.sessions.len() / 250).max(2).min(pairs.len());
    problem.previous = pairs.iter().filter(|_| rng.random_bool(0.35)).cloned().collect();
    problem.pinned = pairs.sample(rng, pins).cloned().collect();
    problem.pinned.sort();
}
