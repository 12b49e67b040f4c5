//! The `scalesim` command: parse arguments, run, map errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    scalesim::cli::main()
}
