//! Reading and writing the JSON files.

use crate::problem::{ErrorCode, Problem, Solution};

/// Reads a problem file; a file that is not a `roster-problem/1` document is a
/// `malformed_problem` error naming what is wrong and where.
pub fn read_problem(json: &str) -> Result<Problem, (ErrorCode, String)> {
    serde_json::from_str(json).map_err(|e| {
        (
            ErrorCode::MalformedProblem,
            format!("not a roster-problem/1 document: {e}"),
        )
    })
}

pub fn read_solution(json: &str) -> Result<Solution, String> {
    serde_json::from_str(json).map_err(|e| format!("not a roster-solution/1 document: {e}"))
}

pub fn write_problem(problem: &Problem) -> String {
    serde_json::to_string_pretty(problem).expect("a problem always serialises")
}

pub fn write_solution(solution: &Solution) -> String {
    serde_json::to_string_pretty(solution).expect("a solution always serialises")
}
