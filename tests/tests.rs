//! Integration tests, built as one binary: layering, determinism, mechanisms, shipped scenarios, the CLI.

#[path = "it/agents.rs"]
mod agents;
#[path = "it/architecture.rs"]
mod architecture;
#[path = "it/bad_scenarios.rs"]
mod bad_scenarios;
#[path = "it/calibrate.rs"]
mod calibrate;
#[path = "it/cli.rs"]
mod cli;
#[path = "it/common.rs"]
mod common;
#[path = "it/compare.rs"]
mod compare;
#[path = "it/determinism.rs"]
mod determinism;
#[path = "it/first_contact.rs"]
mod first_contact;
#[path = "it/incentives.rs"]
mod incentives;
#[path = "it/measures.rs"]
mod measures;
#[path = "it/mechanisms.rs"]
mod mechanisms;
#[path = "it/report.rs"]
mod report;
#[path = "it/schema.rs"]
mod schema;
#[path = "it/serve.rs"]
mod serve;
#[path = "it/shipped_scenarios.rs"]
mod shipped_scenarios;
#[path = "it/snapshots.rs"]
mod snapshots;
#[path = "it/study.rs"]
mod study;
#[path = "it/validate.rs"]
mod validate;
#[path = "it/workbench_browser.rs"]
mod workbench_browser;
