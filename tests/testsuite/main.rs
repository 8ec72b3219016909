//! quire's integration tests: one module per feature, fixtures under `tests/fixtures/`.
//!
//! Snapshot files are compared as text; `SNAPSHOTS=overwrite cargo test`
//! rewrites them from the current output (review the diff before committing).

mod cli;
mod common;
mod config_errors;
mod convert;
mod epub;
mod every_input;
mod faults;
mod fuzz;
mod markdown;
mod pdf;
mod print;
mod serve;
mod tagged;
mod typeset;
mod vertical;
mod watch;
