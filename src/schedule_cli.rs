//! `roster solve`, `roster check` and `roster generate-problem`: the scheduler on files.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use roster_solver::{Control, OnProgress, Progress, SolveOptions, Status, check, format, generate};

fn write_out(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, format!("{text}\n")).with_context(|| format!("writing {}", path.display())),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

/// Solves a problem file. A problem that cannot be solved as given still yields a solution
/// file (status `error`, with the code), and the command exits with status 1.
pub fn solve(problem: &Path, output: Option<&Path>, time_limit: Option<f64>, threads: u32) -> anyhow::Result<()> {
    if time_limit.is_some_and(|t| !t.is_finite() || t <= 0.0) {
        bail!("--time-limit must be a positive number of seconds");
    }
    let text = std::fs::read_to_string(problem).with_context(|| format!("reading {}", problem.display()))?;
    let watching = std::io::stderr().is_terminal();
    let control = Control {
        on_progress: watching.then(|| Arc::new(show_progress) as OnProgress),
        ..Control::default()
    };
    let solution = match format::read_problem(&text) {
        Ok(p) => roster_solver::solve(
            &p,
            &SolveOptions {
                time_limit,
                threads,
                control,
            },
        ),
        Err((code, message)) => roster_solver::Solution::error(code, message),
    };
    if watching {
        eprintln!();
    }
    report_rejected(&solution);
    write_out(output, &format::write_solution(&solution))?;
    match (&solution.status, &solution.error) {
        (Status::Error, Some(e)) => bail!("{:?}: {}", e.code, e.message),
        _ => {
            eprintln!(
                "{:?}: objective {}, bound {}, {} assignments, {} uncovered, {:.2} s",
                solution.status,
                solution.objective,
                solution.bound,
                solution.assignments.len(),
                solution.uncovered.len(),
                solution.stats.solve_seconds
            );
            Ok(())
        }
    }
}

/// Says, on standard error, which answers the solver's own check refused: a defect of the
/// solver worth a bug report with the problem file, even though the answer written passed.
fn report_rejected(solution: &roster_solver::Solution) {
    for rejected in &solution.stats.rejected {
        eprintln!(
            "DEFECT: the solver refused its own answer ({}), which failed its check:",
            rejected.answer
        );
        for v in &rejected.violations {
            eprintln!("  violation: {v}");
        }
    }
}

/// One line on the terminal, rewritten in place: elapsed, incumbent, bound, gap.
fn show_progress(p: &Progress) {
    eprint!(
        "\r{:>8.1} s   objective {:>12}   bound {:>12}   gap {:>6.2} %",
        p.elapsed_seconds,
        p.incumbent,
        p.bound,
        p.gap() * 100.0
    );
}

/// Checks a solution against its problem; any violation makes the command fail.
pub fn check(problem: &Path, solution: &Path) -> anyhow::Result<()> {
    let read = |path: &Path| std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()));
    let problem = format::read_problem(&read(problem)?).map_err(|(_, message)| anyhow::anyhow!(message))?;
    let solution = format::read_solution(&read(solution)?).map_err(|message| anyhow::anyhow!(message))?;
    let report = check::check(&problem, &solution);
    if report.is_valid() {
        println!(
            "OK: no violation; objective {} ({:?})",
            report.terms.total(),
            report.terms
        );
        Ok(())
    } else {
        for v in &report.violations {
            eprintln!("violation: {v}");
        }
        bail!("{} violations", report.violations.len())
    }
}

pub fn generate(size: generate::Size, shape: generate::Shape, output: Option<&Path>) -> anyhow::Result<()> {
    if size.people == 0 || size.sessions == 0 || size.months == 0 {
        bail!("--people, --sessions and --months must be at least 1");
    }
    write_out(output, &format::write_problem(&generate::generate_shaped(size, shape)))
}
