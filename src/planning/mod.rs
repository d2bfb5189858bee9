//! Planning: programs, annual plans, class requests (which become classes) and briefing
//! conferences, and the sessions they make for the scheduler.

pub mod briefings;
pub mod choices;
pub mod months;
pub mod plans;
pub mod programs;
pub mod requests;
pub mod sessions;
