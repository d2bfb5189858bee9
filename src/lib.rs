//! Roster: the registry of lecturers and rapporteurs of a provincial Propaganda Board, their
//! scheduling, and their calendars.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod collation;
pub mod db;
pub mod demo;
pub mod error;
pub mod feeds;
pub mod http;
pub mod import;
pub mod paging;
pub mod planning;
pub mod registry;
pub mod reports;
pub mod schedule_cli;
pub mod scheduling;
pub mod state;
pub mod time;
pub mod vocab;
pub mod web;
