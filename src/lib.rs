//! headcount: a terminal dashboard for the attendance of Stream Video calls.
//!
//! See `docs/ARCHITECTURE.md` for how the modules fit together.

pub mod api;
pub mod app;
pub mod attendance;
pub mod cli;
pub mod fetch;
pub mod filter;
pub mod sim;
pub mod ui;
