//! `scim-pg-worker`: one worker of the PostgreSQL job store; run one per
//! machine, all on one database.
//!
//! ```text
//! SCIM_PG_URL=postgres://scim@db.internal/scim SCIM_PG_PASSWORD_FILE=/run/secrets/pg \
//! SCIM_TOKEN=… scim-pg-worker --target slack-v2=https://api.slack.com/scim/v2
//! ```

use std::process::ExitCode;

use clap::Parser;
use scim_pg::command::WorkerCommand;

/// One worker of the PostgreSQL job store (the same flags as `scim worker`).
#[derive(Parser)]
#[command(name = "scim-pg-worker", version)]
struct Cli {
    #[command(flatten)]
    worker: WorkerCommand,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.worker.run_blocking() {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("scim-pg-worker: {message}");
            ExitCode::FAILURE
        }
    }
}
