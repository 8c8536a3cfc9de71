//! The kcheck binary: argument parsing and wiring only.

mod access_review;
mod args;
mod commands;
mod netpol;
mod node;
mod pss;
mod who_can;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes (DESIGN §5).
pub mod exit {
    /// Nothing at or above `--fail-on`.
    pub const OK: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Some input could not be read or parsed; the report covers the rest.
    pub const INPUT: u8 = 2;
    /// Usage error.
    pub const USAGE: u8 = 3;
}

fn main() -> ExitCode {
    let cli = match args::parse() {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kcheck: error: {e:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}
