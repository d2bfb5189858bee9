//! `roster generate-problem`, `roster solve` and `roster check` on files.

use std::process::Command;

fn roster(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .output()
        .expect("the roster binary runs")
}

#[test]
fn a_generated_problem_is_solved_and_the_solution_checks() {
    let dir = tempfile::tempdir().unwrap();
    let (problem, solution) = (dir.path().join("p.json"), dir.path().join("s.json"));
    let (problem, solution) = (problem.to_str().unwrap(), solution.to_str().unwrap());
    let out = roster(&[
        "generate-problem",
        "--people",
        "30",
        "--sessions",
        "60",
        "--seed",
        "2",
        "-o",
        problem,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = roster(&["solve", problem, "-o", solution, "--time-limit", "30"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("Optimal"));
    let out = roster(&["check", problem, solution]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // A tampered solution fails the check, naming the violation.
    let mut s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(solution).unwrap()).unwrap();
    s["objective"] = serde_json::json!(1);
    std::fs::write(solution, s.to_string()).unwrap();
    let out = roster(&["check", problem, solution]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("violation: objective is 1"));
}

#[test]
fn a_malformed_problem_gives_an_error_solution_and_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let (problem, solution) = (dir.path().join("p.json"), dir.path().join("s.json"));
    std::fs::write(&problem, r#"{"format": "roster-problem/1", "people": "many"}"#).unwrap();
    let out = roster(&["solve", problem.to_str().unwrap(), "-o", solution.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MalformedProblem"));
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&solution).unwrap()).unwrap();
    assert_eq!(written["status"], "error");
    assert_eq!(written["error"]["code"], "malformed_problem");
    assert_eq!(written["assignments"], serde_json::json!([]));
}
