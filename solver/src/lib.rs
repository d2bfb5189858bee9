//! The Roster scheduler. It reads a plain-data problem and returns a solution; it does no I/O.
//! This crate holds the shared vocabulary for now; the integer-programming model follows.
