//! Roster: the registry of lecturers and rapporteurs of a provincial Propaganda Board, their
//! scheduling, and their calendars.

pub mod api;
pub mod audit;
pub mod audit_log;
pub mod auth;
pub mod cli;
pub mod collation;
pub mod db;
pub mod demo;
pub mod error;
pub mod feeds;
pub mod import;
pub mod notify;
pub mod paging;
pub mod planning;
pub mod references;
pub mod registry;
pub mod reports;
pub mod schedule_cli;
pub mod scheduling;
pub mod time;
pub mod vocab;
pub mod web;

/// mimalloc: under load the service allocates in many small pieces from many threads (each
/// SQLite connection has its own), where glibc's allocator spent an eighth of the CPU and kept
/// its arenas' memory after a burst.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
