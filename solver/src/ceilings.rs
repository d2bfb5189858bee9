//! The final search, split by the highest loads. The LP relaxation spreads the highest load of
//! full-time lecturers (and of rapporteurs) over many people at a fraction, where every
//! assignment's highest load is a whole number: most of the gap between the LP and the optimum
//! is there. So the search is a branch and bound on those two numbers over HiGHS: each range
//! of highest loads gets its own LP relaxation, tighter than the whole model's, which prunes
//! ranges that cannot beat the incumbent; a range whose LP holds a whole highest load is
//! searched by HiGHS after fixing columns by the reduced costs of that tighter LP, with the
//! incumbent's price as cutoff. The ranges always cover every whole highest load, so when each
//! is pruned or searched to the end, nothing beats the incumbent.

use crate::evaluate;
use crate::instance::Instance;
use crate::model::{LoadRange, Model, Options};

/// The most time for a search near the incumbent in one range.
const NEAR: std::time::Duration = std::time::Duration::from_secs(2);

/// What the split search reached.
pub struct Outcome {
    pub pairs: Vec<(usize, usize)>,
    /// The model's price of `pairs`.
    pub model_objective: f64,
    pub proven_optimal: bool,
    /// A lower bound over every range (constant part included).
    pub bound: f64,
}

/// A range of highest loads still to search, with its LP relaxation's bound and highest loads.
struct Open {
    ranges: [LoadRange; 2],
    bound: f64,
    highest: [Option<f64>; 2],
}

/// Splits a range at a fractional highest load `value`: at most its floor, and above it.
/// None when `value` is a whole number (nothing to split).
fn split(range: LoadRange, value: f64) -> Option<[LoadRange; 2]> {
    let floor = (value + 1e-6).floor();
    if value - floor < 1e-6 || floor < range.least as f64 || range.most.is_some_and(|m| floor >= m as f64) {
        return None;
    }
    let floor = floor as u32;
    Some([
        LoadRange {
            most: Some(floor),
            ..range
        },
        LoadRange {
            least: floor + 1,
            ..range
        },
    ])
}

/// Searches for assignments strictly better than `start`, range by range, the range of the
/// lowest bound first (see the module's comment); `model` should have its LP relaxation solved.
/// `options.on_progress` is told of better assignments only: the bounds of one range hold for
/// that range alone. Ends with every range and column of the model free.
pub fn search(model: &mut Model, instance: &Instance, start: Vec<(usize, usize)>, options: &Options) -> Outcome {
    let mut best = start;
    let mut price = evaluate::terms(instance, &best).total() as f64;
    let relaxation_only = Options {
        relaxation_only: true,
        ..*options
    };
    // The range whose LP relaxation the model holds now, with its bound (infinite when the
    // range holds no assignment, the parent's when the LP was cut short). Without the whole
    // model's LP relaxation, the whole model is searched as it is.
    let mut relaxed = ([LoadRange::ANY; 2], f64::NEG_INFINITY);
    let mut open = vec![Open {
        ranges: relaxed.0,
        bound: model.relaxed_bound().unwrap_or(f64::NEG_INFINITY),
        highest: model.relaxed_highest(),
    }];
    // A lower bound over the ranges left unsearched, when time ran out or HiGHS failed.
    let mut unresolved = f64::INFINITY;
    let out_of_time = || {
        options.cancel.load(std::sync::atomic::Ordering::Relaxed)
            || options.deadline.is_some_and(|d| std::time::Instant::now() >= d)
    };
    // Nothing strictly better lies where the bound is above the price less one unit.
    while let Some(lowest) = (0..open.len()).min_by(|&a, &b| open[a].bound.total_cmp(&open[b].bound)) {
        let range = open.swap_remove(lowest);
        if range.bound > price - 0.5 {
            continue;
        }
        if out_of_time() {
            unresolved = unresolved.min(range.bound);
            break;
        }
        let children = (0..2).find_map(|k| {
            let parts = split(range.ranges[k], range.highest[k]?)?;
            Some(parts.map(|part| {
                let mut ranges = range.ranges;
                ranges[k] = part;
                ranges
            }))
        });
        let mut relax = |ranges: [LoadRange; 2], relaxed: &mut ([LoadRange; 2], f64)| {
            if relaxed.0 != ranges {
                *relaxed = (ranges, range.bound);
                if !model.hold_highest(ranges) {
                    return None;
                }
                relaxed.1 = model.solve(&best, &relaxation_only).ok()?.bound.max(range.bound);
            }
            Some(Open {
                ranges,
                bound: relaxed.1.max(range.bound),
                highest: model.relaxed_highest(),
            })
        };
        if let Some(children) = children {
            for ranges in children {
                match relax(ranges, &mut relaxed) {
                    Some(child) => open.push(child),
                    None => {
                        unresolved = unresolved.min(range.bound);
                        break;
                    }
                }
            }
            continue;
        }
        // A whole highest load: HiGHS searches the range, its columns fixed by their reduced
        // costs in the range's LP relaxation.
        if relax(range.ranges, &mut relaxed).is_none() {
            unresolved = unresolved.min(range.bound);
            break;
        }
        // Where the range's LP lies below the incumbent, short searches near it, among the
        // columns where the incumbent and that LP disagree, while they improve it (two seconds
        // at most in all), often find the range's optimum
        // (the generated quarter's LP is whole there), which the search then only has to prove.
        if relaxed.1 < price - 0.5 {
            let began = std::time::Instant::now();
            let near = Options {
                deadline: Some(options.deadline.map_or(began + NEAR, |d| d.min(began + NEAR))),
                ..*options
            };
            while relaxed.1 < price - 0.5
                && let Some(better) = model.search_near(&best, &near)
            {
                best = better;
                price = evaluate::terms(instance, &best).total() as f64;
            }
            if relaxed.1 > price - 0.5 {
                continue;
            }
        }
        model.fix_by_reduced_cost(price);
        let searched = model.solve(&best, options);
        let freed = model.unfix();
        match searched {
            Ok(found) if freed => {
                if found.model_objective.is_some_and(|m| m < price - 0.5) {
                    best = found.pairs;
                    price = evaluate::terms(instance, &best).total() as f64;
                }
                if !found.proven_optimal {
                    unresolved = unresolved.min(found.bound.max(range.bound));
                }
            }
            _ => {
                unresolved = unresolved.min(range.bound);
                break;
            }
        }
    }
    for range in open {
        unresolved = unresolved.min(range.bound);
    }
    model.hold_highest([LoadRange::ANY; 2]);
    let proven_optimal = unresolved > price - 0.5;
    Outcome {
        bound: if proven_optimal { price } else { unresolved.min(price) },
        model_objective: model.price_of(&best),
        pairs: best,
        proven_optimal,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::generate::{Shape, Size, generate_shaped};

    const ANY: LoadRange = LoadRange::ANY;

    #[test]
    fn a_fractional_highest_load_splits_into_two_ranges_that_cover_every_whole_load() {
        let at_most = |most| LoadRange {
            least: 0,
            most: Some(most),
        };
        let at_least = |least| LoadRange { least, most: None };
        assert_eq!(split(ANY, 14.5), Some([at_most(14), at_least(15)]));
        assert_eq!(
            split(at_least(12), 14.5),
            Some([
                LoadRange {
                    least: 12,
                    most: Some(14)
                },
                at_least(15)
            ])
        );
        assert_eq!(split(ANY, 14.0), None, "a whole number");
        assert_eq!(split(ANY, 14.0 - 1e-9), None, "a whole number within tolerance");
        assert_eq!(split(at_least(15), 14.5), None, "outside the range");
        assert_eq!(split(at_most(14), 14.5), None, "outside the range");
    }

    fn options(cancel: &AtomicBool) -> Options<'_> {
        Options {
            deadline: None,
            threads: 1,
            cancel,
            on_progress: &|_| {},
            relaxation_only: false,
        }
    }

    fn price(instance: &Instance, pairs: &[(usize, usize)]) -> f64 {
        evaluate::terms(instance, pairs).total() as f64
    }

    /// Small problems of the benchmark's shapes, and the generator's own.
    fn problems() -> Vec<crate::Problem> {
        let size = |people, sessions, months, seed| Size {
            people,
            sessions,
            months,
            seed,
        };
        vec![
            generate_shaped(size(40, 130, 1, 0), Shape::Harder),
            generate_shaped(size(40, 160, 2, 3), Shape::Tight),
            crate::generate::generate(size(60, 200, 1, 5)),
            crate::generate::generate(size(30, 150, 2, 9)),
        ]
    }

    #[test]
    fn the_split_search_proves_the_plain_models_optimum_from_any_start() {
        let never = AtomicBool::new(false);
        for problem in problems() {
            let instance = Instance::new(&problem).unwrap();
            let greedy = crate::greedy::assign(&instance, [None, None], &[]);
            let start = crate::improve::improve(&instance, &greedy, [None, None], &|| false);
            let plain = Model::build(&instance).solve(&start, &options(&never)).unwrap();
            assert!(plain.proven_optimal);
            let optimum = plain.model_objective.unwrap().round();
            for from in [greedy.clone(), start.clone(), plain.pairs.clone()] {
                let mut model = Model::build(&instance);
                model
                    .solve(
                        &from,
                        &Options {
                            relaxation_only: true,
                            ..options(&never)
                        },
                    )
                    .unwrap();
                let split = search(&mut model, &instance, from.clone(), &options(&never));
                assert!(split.proven_optimal);
                assert_eq!((price(&instance, &split.pairs), split.bound), (optimum, optimum));
                assert_eq!(
                    split.model_objective.round(),
                    optimum,
                    "the model prices it as evaluated"
                );
                let report = crate::check::check_assignments(&problem, &crate::pairs_by_id(&problem, &split.pairs));
                assert_eq!(report.violations, Vec::<String>::new());

                // The model is whole again: searched as a whole, it proves the same optimum.
                let again = model.solve(&from, &options(&never)).unwrap();
                let again_price = again.model_objective.map(f64::round);
                assert_eq!((again_price, again.proven_optimal), (Some(optimum.round()), true));
            }
        }
    }

    #[test]
    fn a_search_stopped_at_once_keeps_its_start_with_a_bound_below_it() {
        let stopped = AtomicBool::new(true);
        let never = AtomicBool::new(false);
        let problem = problems().swap_remove(0);
        let instance = Instance::new(&problem).unwrap();
        let start = crate::greedy::assign(&instance, [None, None], &[]);
        let mut model = Model::build(&instance);
        let lp = model
            .solve(
                &start,
                &Options {
                    relaxation_only: true,
                    ..options(&never)
                },
            )
            .unwrap();
        let split = search(&mut model, &instance, start.clone(), &options(&stopped));
        assert!(!split.proven_optimal);
        assert_eq!(split.pairs, start);
        assert!(
            split.bound >= lp.bound - 1e-6 && split.bound <= price(&instance, &start),
            "{}",
            split.bound
        );
    }
}
