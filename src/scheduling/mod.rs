//! Scheduling in the service: building problems from the database, solve runs and their
//! worker, drafts, publishing, pins and substitutions.

pub mod board;
pub mod breaches;
pub mod labels;
pub mod problem;
pub mod publish;
pub mod runs;
pub mod worker;
