//! gitdash's worker: takes repository-sync jobs from Redis and indexes Git histories into
//! the database. `main.rs` only parses the command line; everything lives here so tests can
//! drive a sync step by step.

pub mod cli;
pub mod clones;
pub mod consumer;
pub mod git;
pub mod job;
pub mod metrics;
pub mod progress;
pub mod schedule;
pub mod sync;
