//! Property tests over problems like the shared benchmark ones (longer modules, pins, a
//! published plan to keep, sessions nobody may take; and the tight variant), in the four
//! shapes of those problems scaled down: every answer `solve` returns, cut short by a time
//! limit or proven, passes the independent checker the first time.

use roster_solver::check::check;
use roster_solver::generate::{Shape, Size, generate_shaped};
use roster_solver::{SolveOptions, Status, solve};

/// Month, quarter, year and tight year, each a fifth or less of the benchmark's size.
const SHAPES: [(&str, Size, Shape); 4] = [
    (
        "month",
        Size {
            people: 40,
            sessions: 130,
            months: 1,
            seed: 0,
        },
        Shape::Harder,
    ),
    (
        "quarter",
        Size {
            people: 60,
            sessions: 300,
            months: 3,
            seed: 0,
        },
        Shape::Harder,
    ),
    (
        "year",
        Size {
            people: 80,
            sessions: 600,
            months: 12,
            seed: 0,
        },
        Shape::Harder,
    ),
    (
        "tight year",
        Size {
            people: 80,
            sessions: 600,
            months: 12,
            seed: 0,
        },
        Shape::Tight,
    ),
];

fn checked(name: &str, size: Size, shape: Shape, time_limit: Option<f64>) -> Status {
    let problem = generate_shaped(size, shape);
    let solution = solve(
        &problem,
        &SolveOptions {
            time_limit,
            ..SolveOptions::default()
        },
    );
    let at = format!("{name}, seed {}, time limit {time_limit:?}", size.seed);
    assert_eq!(solution.stats.rejected, [], "{at}: the solver refused its own answer");
    assert_ne!(solution.status, Status::Error, "{at}: {:?}", solution.error);
    let report = check(&problem, &solution);
    assert!(report.is_valid(), "{at}: {:?}", report.violations);
    solution.status
}

#[test]
fn the_harder_shapes_have_what_makes_them_hard() {
    for (name, size, shape) in &SHAPES[2..] {
        let p = generate_shaped(Size { seed: 1, ..*size }, *shape);
        assert!(!p.pinned.is_empty() && !p.previous.is_empty(), "{name}");
        assert!(
            p.sessions
                .iter()
                .any(|s| s.kind == roster_solver::SessionKind::Class && s.needs == 2)
        );
        let mut groups = std::collections::HashMap::<&str, usize>::new();
        for s in &p.sessions {
            *groups.entry(s.group.as_deref().unwrap_or_default()).or_default() += 1;
        }
        groups.remove("");
        assert!(
            groups.values().any(|&n| n > 2),
            "{name}: modules longer than two half-days"
        );
        let held = |q: &str| {
            p.people
                .iter()
                .any(|person| person.qualifications.iter().any(|x| x == q))
        };
        assert!(
            p.sessions.iter().any(|s| !held(&s.qualification)),
            "{name}: a session nobody may take"
        );
    }
}

#[test]
fn answers_cut_short_by_the_time_limit_pass_the_check() {
    for (name, size, shape) in SHAPES {
        for seed in 1..=3 {
            for limit in [0.2, 1.0, 3.0] {
                checked(name, Size { seed, ..size }, shape, Some(limit));
            }
        }
    }
}

#[test]
fn proven_answers_pass_the_check() {
    for seed in 1..=3 {
        let (name, size, shape) = &SHAPES[0];
        assert_eq!(checked(name, Size { seed, ..*size }, *shape, None), Status::Optimal);
    }
}
